/**
 * Stamps src/build_info.ts with the commit a binary is built from, so that its `--version` can
 * name it. The compile task stamps, compiles and puts the file back; the release workflow stamps
 * in its throwaway checkout. The commit is read from the `.git` folder's files (HEAD, the ref it
 * names, packed-refs): no `git` program is run.
 *
 *   deno run --allow-read=. --allow-write=src/build_info.ts tools/build_info.ts [--commit SHA]
 *
 * @module
 */

import { fileURLToPath } from "node:url";
import { join, resolve } from "node:path";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
export const BUILD_INFO_FILE: string = join(ROOT, "src/build_info.ts");

/** A file's text, or null when it is missing or out of reach of the permissions. */
function readText(path: string): string | null {
  try {
    return Deno.readTextFileSync(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound || e instanceof Deno.errors.NotCapable) return null;
    if (e instanceof Deno.errors.IsADirectory) return null;
    throw e;
  }
}

/** The commit checked out in the tree at `root`, or null when it has no readable `.git`. */
export function readGitCommit(root: string = ROOT): string | null {
  let gitDir = join(root, ".git");
  const pointer = readText(gitDir); // a worktree's .git is a file "gitdir: PATH"
  if (pointer === null) {
    try {
      if (!Deno.statSync(gitDir).isDirectory) return null;
    } catch (e) {
      if (e instanceof Deno.errors.NotFound || e instanceof Deno.errors.NotCapable) return null;
      throw e;
    }
  } else {
    const m = pointer.match(/^gitdir: (.+)$/m);
    if (!m?.[1]) return null;
    gitDir = resolve(root, m[1].trim());
  }
  const head = readText(join(gitDir, "HEAD"))?.trim();
  if (!head) return null;
  if (!head.startsWith("ref: ")) return /^[0-9a-f]{40,64}$/.test(head) ? head : null;
  const ref = head.slice("ref: ".length);
  const common = readText(join(gitDir, "commondir"));
  const commonDir = common === null ? gitDir : resolve(gitDir, common.trim());
  for (const dir of [gitDir, commonDir]) {
    const sha = readText(join(dir, ref))?.trim();
    if (sha) return sha;
  }
  for (const line of (readText(join(commonDir, "packed-refs")) ?? "").split("\n")) {
    const [sha, name] = line.split(" ");
    if (name === ref && sha) return sha;
  }
  return null;
}

/** The text of src/build_info.ts for a commit. */
export function buildInfoSource(commit: string | null, template: string): string {
  return template.replace(
    /^export const BUILD_COMMIT: string \| null = .*;$/m,
    `export const BUILD_COMMIT: string | null = ${JSON.stringify(commit)};`,
  );
}

/** Writes the commit into src/build_info.ts; returns a function putting the file back. */
export function stampBuildInfo(commit: string | null, file: string = BUILD_INFO_FILE): () => void {
  const original = Deno.readTextFileSync(file);
  const stamped = buildInfoSource(commit, original);
  if (stamped === original && commit !== null && !original.includes(JSON.stringify(commit))) {
    throw new Error(`${file} has no BUILD_COMMIT line to stamp`);
  }
  Deno.writeTextFileSync(file, stamped);
  return () => Deno.writeTextFileSync(file, original);
}

if (import.meta.main) {
  const i = Deno.args.indexOf("--commit");
  const commit = i >= 0 ? Deno.args[i + 1] ?? null : readGitCommit();
  stampBuildInfo(commit);
  console.log(`src/build_info.ts: commit ${commit ?? "unknown"}`);
}
