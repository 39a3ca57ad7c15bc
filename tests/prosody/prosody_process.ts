/**
 * One running `prosody` process: spawned in the foreground as the `prosody` system user,
 * its console log watched line by line so that callers can wait for a log event.
 *
 * @module
 */

/** The account Prosody runs as when we are root; `null` runs it as the current user. */
export type RunAs = string | null;

/** Environment given to Prosody and prosodyctl (nothing is inherited). */
export function prosodyEnv(home: string): Record<string, string> {
  return {
    PATH: "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
    HOME: home,
    LANG: "C.UTF-8",
  };
}

/**
 * The argv that runs `program args...` as `runAs`. `setpriv` executes the program in place
 * (unlike `runuser`/`su`, which stay behind as a root parent), so the process id we hold is
 * Prosody's own and a SIGKILL really kills the server.
 */
export function commandAs(runAs: RunAs, program: string, args: readonly string[]): string[] {
  if (runAs === null) return [program, ...args];
  return [
    "setpriv",
    `--reuid=${runAs}`,
    `--regid=${runAs}`,
    "--init-groups",
    "--no-new-privs",
    "--",
    program,
    ...args,
  ];
}

interface LineWaiter {
  readonly pattern: RegExp;
  readonly resolve: (line: string) => void;
}

const TAIL_LINES = 60;

/** A spawned Prosody. */
export class ProsodyProcess {
  readonly #child: Deno.ChildProcess;
  readonly #tail: string[] = [];
  #waiters: LineWaiter[] = [];
  /** Resolves with the exit status once the process has ended (never rejects). */
  readonly exited: Promise<Deno.CommandStatus>;
  #exitStatus: Deno.CommandStatus | null = null;

  private constructor(child: Deno.ChildProcess) {
    this.#child = child;
    const pumps = [this.#pump(child.stdout), this.#pump(child.stderr)];
    this.exited = child.status.then(async (status) => {
      await Promise.allSettled(pumps);
      this.#exitStatus = status;
      return status;
    });
  }

  /** Start `prosody -F --config <configFile>` as `runAs`, with `home` as its HOME and cwd. */
  static spawn(configFile: string, runAs: RunAs, home: string): ProsodyProcess {
    const [program, ...args] = commandAs(runAs, "prosody", ["-F", "--config", configFile]);
    const child = new Deno.Command(program!, {
      args,
      cwd: home,
      clearEnv: true,
      env: prosodyEnv(home),
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    return new ProsodyProcess(child);
  }

  /** Process id of Prosody itself. */
  get pid(): number {
    return this.#child.pid;
  }

  /** Whether the process has ended (and its output was fully read). */
  get hasExited(): boolean {
    return this.#exitStatus !== null;
  }

  /** The last lines Prosody printed, for error messages. */
  outputTail(): string {
    return this.#tail.join("\n");
  }

  /**
   * Resolve with the first line, printed from now on, that matches `pattern`.
   * Never settles if no such line comes: race it against {@linkcode exited} and a deadline.
   */
  waitForLine(pattern: RegExp): Promise<string> {
    return new Promise((resolve) => this.#waiters.push({ pattern, resolve }));
  }

  /** Send `signal` (unless the process already ended) and wait until it has exited. */
  async kill(signal: Deno.Signal): Promise<Deno.CommandStatus> {
    if (!this.hasExited) {
      try {
        this.#child.kill(signal);
      } catch (error) {
        // It may have ended between the check and the kill.
        if (!(error instanceof TypeError || error instanceof Deno.errors.NotFound)) throw error;
      }
    }
    return await this.exited;
  }

  async #pump(stream: ReadableStream<Uint8Array>): Promise<void> {
    let pending = "";
    for await (const text of stream.pipeThrough(new TextDecoderStream())) {
      pending += text;
      const lines = pending.split("\n");
      pending = lines.pop() ?? "";
      for (const line of lines) this.#onLine(line);
    }
    if (pending !== "") this.#onLine(pending);
  }

  #onLine(line: string): void {
    this.#tail.push(line);
    if (this.#tail.length > TAIL_LINES) this.#tail.shift();
    const matched = this.#waiters.filter((w) => w.pattern.test(line));
    if (matched.length === 0) return;
    this.#waiters = this.#waiters.filter((w) => !matched.includes(w));
    for (const waiter of matched) waiter.resolve(line);
  }
}
