/**
 * Runs `deno compile` for the compile task and recognises the one failure an operator can do
 * something about: no Internet, so Deno cannot fetch the runtime (denort) it builds binaries from.
 *
 * @module
 */

/** What `deno compile` did. */
export interface CompileResult {
  readonly code: number;
  /** True when it failed fetching the runtime. */
  readonly offline: boolean;
}

/** Whether `deno compile`'s error output is the failed download of its runtime. */
export function isRuntimeDownloadFailure(stderr: string): boolean {
  return /denort/i.test(stderr) &&
    /(error sending request|dns error|Connect|timed out|Setting up base binary)/i.test(stderr);
}

/** The one message for an offline compile. */
export function offlineCompileMessage(target: string | undefined): string {
  const v = Deno.version.deno;
  const t = target ?? Deno.build.target;
  return [
    `Cannot build the binary: deno compile must fetch Deno's runtime (denort ${v} for ${t}) ` +
    "from dl.deno.land, and this machine cannot reach it.",
    `Either fetch https://dl.deno.land/release/v${v}/denort-${t}.zip on a machine that can, ` +
    "unzip it here and run the task again with DENORT_BIN=/path/to/denort set, or build on a " +
    "machine with Internet access (any machine with Deno and this repository; copy the binary " +
    "over), or use the release bundle's binary, which needs no build.",
  ].join("\n");
}

/**
 * Runs `deno` with `args`, passing its output through; standard error is also kept to tell an
 * offline failure apart. The download failure's own lines are replaced by the caller's message.
 */
export async function runCompile(args: readonly string[]): Promise<CompileResult> {
  const out = await new Deno.Command("deno", {
    args: [...args],
    stdin: "null",
    stdout: "inherit",
    stderr: "piped",
  }).output();
  const stderr = new TextDecoder().decode(out.stderr);
  const offline = !out.success && isRuntimeDownloadFailure(stderr);
  if (!offline) await Deno.stderr.write(out.stderr);
  return { code: out.code, offline };
}
