/**
 * Starts a real ejabberd (Debian package `ejabberd`, 23.01) for integration tests, with the same
 * lifecycle as the Prosody harness (tests/prosody/harness.ts) and the same interface, so a test
 * can run against either server.
 *
 * Each server gets its own temporary directory (configuration, Mnesia spool, log, Erlang
 * cookie), its own throw-away certificate authority, a free client port on 127.0.0.1 and a free
 * Erlang distribution port on 127.0.0.1 (no epmd: the node and the control client are told the
 * port). It runs in the foreground as the `ejabberd` system user when the tests run as root and
 * never touches the system configuration or service. See README.md beside this file.
 *
 * @module
 */

import { createTestCa, issueServerCert } from "../prosody/test_ca.ts";
import type { ProsodyServer, StopSignal, TestAccount } from "../prosody/harness.ts";
import { commandAs, type RunAs } from "../prosody/prosody_process.ts";
import { probeXmppStream } from "../prosody/stream_probe.ts";
import { chownTree, freePort, lookupUser, requireProgram } from "../prosody/host_system.ts";
import { abortion, deadlineSignal } from "../prosody/deadline.ts";
import { renderEjabberdConfig } from "./ejabberd_config.ts";

/** Options of {@linkcode startEjabberd}. */
export interface StartEjabberdOptions {
  /** Accounts created once the server runs. */
  readonly users?: readonly TestAccount[];
  /** The XMPP domain; default `xmpp.test`. */
  readonly domain?: string;
  /** ejabberd's log level; default `info` (which never shows message contents). */
  readonly logLevel?: "debug" | "info" | "warning";
  /** How long an interrupted stream-management session may be resumed; default 300 s. */
  readonly resumeTimeoutSeconds?: number;
  /** Deadline for the server to become ready, per start; default 30 s. */
  readonly startTimeoutMs?: number;
}

/** A test ejabberd: the same interface as a test Prosody. */
export type EjabberdServer = ProsodyServer;

const HOST = "127.0.0.1";
/** Where Debian installs ejabberd's Erlang applications. */
const ERL_LIBS = "/usr/lib/x86_64-linux-gnu";
const STOP_GRACE_MS = 15_000;
const PORT_ATTEMPTS = 3;
const TAIL_LINES = 80;

class PortInUseError extends Error {}

/** Environment of the Erlang VMs (nothing inherited). */
function erlangEnv(dir: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    PATH: "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
    HOME: dir,
    LANG: "C.UTF-8",
    ERL_LIBS,
    ERL_EPMD_ADDRESS: HOST,
    ERL_CRASH_DUMP_BYTES: "0",
    ...extra,
  };
}

/** An Erlang binary literal holding `text` as UTF-8. */
function erlangBinary(text: string): string {
  return `<<"${text.replaceAll("\\", "\\\\").replaceAll('"', '\\"')}"/utf8>>`;
}

/** One running `beam.smp` (the `erl` script and `erlexec` replace themselves with it). */
class EjabberdProcess {
  readonly #child: Deno.ChildProcess;
  readonly #tail: string[] = [];
  #waiters: { pattern: RegExp; resolve: (line: string) => void }[] = [];
  readonly exited: Promise<Deno.CommandStatus>;
  #exitStatus: Deno.CommandStatus | null = null;

  constructor(child: Deno.ChildProcess) {
    this.#child = child;
    const pumps = [this.#pump(child.stdout), this.#pump(child.stderr)];
    this.exited = child.status.then(async (status) => {
      await Promise.allSettled(pumps);
      this.#exitStatus = status;
      return status;
    });
  }

  get pid(): number {
    return this.#child.pid;
  }

  get hasExited(): boolean {
    return this.#exitStatus !== null;
  }

  outputTail(): string {
    return this.#tail.join("\n");
  }

  /** The first line from now on matching `pattern`; never settles if none comes. */
  waitForLine(pattern: RegExp): Promise<string> {
    return new Promise((resolve) => this.#waiters.push({ pattern, resolve }));
  }

  async kill(signal: Deno.Signal): Promise<Deno.CommandStatus> {
    if (!this.hasExited) {
      try {
        this.#child.kill(signal);
      } catch (error) {
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

class Server implements EjabberdServer {
  readonly host = HOST;
  readonly domain: string;
  readonly caFile: string;
  readonly caPem: string;
  readonly logFile: string;
  #port = 0;
  #distPort = 0;
  #process: EjabberdProcess | null = null;
  #stopped = false;
  readonly #dir: string;
  readonly #runAs: RunAs;
  readonly #owner: { uid: number; gid: number } | null;
  readonly #options: Required<Omit<StartEjabberdOptions, "users" | "domain">>;
  readonly #configFile: string;

  constructor(init: {
    dir: string;
    domain: string;
    runAs: RunAs;
    owner: { uid: number; gid: number } | null;
    caFile: string;
    caPem: string;
    options: Required<Omit<StartEjabberdOptions, "users" | "domain">>;
  }) {
    this.#dir = init.dir;
    this.domain = init.domain;
    this.#runAs = init.runAs;
    this.#owner = init.owner;
    this.caFile = init.caFile;
    this.caPem = init.caPem;
    this.#options = init.options;
    this.#configFile = `${init.dir}/ejabberd.yml`;
    this.logFile = `${init.dir}/logs/ejabberd.log`;
  }

  get port(): number {
    return this.#port;
  }

  get service(): string {
    return `xmpp://${HOST}:${this.#port}`;
  }

  get pid(): number | null {
    return this.#process !== null && !this.#process.hasExited ? this.#process.pid : null;
  }

  /** The Erlang node name (short name; unique per client port). */
  get #node(): string {
    return `ejt${this.#port}@localhost`;
  }

  jid(user: string): string {
    return `${user}@${this.domain}`;
  }

  /** Writes the configuration for these ports. */
  async configure(port: number, distPort: number): Promise<void> {
    this.#port = port;
    this.#distPort = distPort;
    const text = renderEjabberdConfig({
      domain: this.domain,
      host: HOST,
      port,
      certFile: `${this.#dir}/certs/${this.domain}.crt`,
      keyFile: `${this.#dir}/certs/${this.domain}.key`,
      logLevel: this.#options.logLevel,
      resumeTimeoutSeconds: this.#options.resumeTimeoutSeconds,
    });
    await Deno.writeTextFile(this.#configFile, text, { mode: 0o640 });
    if (this.#owner !== null) await Deno.chown(this.#configFile, this.#owner.uid, this.#owner.gid);
  }

  /**
   * Creates accounts (or resets their passwords) through the running node: one short-lived
   * hidden Erlang node calls `ejabberd_auth` over the distribution port. Only while running.
   */
  async addUsers(accounts: readonly TestAccount[]): Promise<void> {
    this.#assertNotStopped();
    if (accounts.length === 0) return;
    if (this.pid === null) throw new Error("ejabberd must run to add accounts (start it first)");
    const host = erlangBinary(this.domain);
    const calls = accounts.map((a) => `R(${erlangBinary(a.user)}, ${erlangBinary(a.password)})`);
    const code = [
      `N = '${this.#node}',`,
      `R = fun(U, P) -> case rpc:call(N, ejabberd_auth, try_register, [U, ${host}, P]) of`,
      `  ok -> ok;`,
      `  {error, exists} -> rpc:call(N, ejabberd_auth, set_password, [U, ${host}, P]);`,
      `  Other -> Other end end,`,
      `Results = [${calls.join(", ")}],`,
      // Mnesia's disc-only tables are dets files that buffer writes: flush them, so that the
      // accounts survive a SIGKILL of the server.
      `[rpc:call(N, dets, sync, [T]) || T <- rpc:call(N, dets, all, [])],`,
      `Failed = [X || X <- Results, X =/= ok],`,
      `io:format("~p~n", [Failed]),`,
      `halt(case Failed of [] -> 0; _ -> 1 end).`,
    ].join("\n");
    const ctlName = `ctl${crypto.randomUUID().slice(0, 8)}@localhost`;
    const [program, ...args] = commandAs(this.#runAs, "erl", [
      "-sname",
      ctlName,
      "-hidden",
      "-noinput",
      "-erl_epmd_port",
      String(this.#distPort),
      "-start_epmd",
      "false",
      "-dist_listen",
      "false",
      "-eval",
      code,
    ]);
    const output = await new Deno.Command(program!, {
      args,
      cwd: this.#dir,
      clearEnv: true,
      env: erlangEnv(this.#dir),
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
    if (!output.success) {
      // The output lists failed results only (never the arguments, so no password).
      const text = new TextDecoder().decode(output.stdout) +
        new TextDecoder().decode(output.stderr);
      throw new Error(
        `registering ${accounts.map((a) => a.user).join(", ")} on ejabberd failed: ${text.trim()}`,
      );
    }
  }

  addUser(user: string, password: string): Promise<void> {
    return this.addUsers([{ user, password }]);
  }

  /** Spawns ejabberd and waits until it serves client streams. */
  async launch(): Promise<void> {
    this.#assertNotStopped();
    if (this.pid !== null) throw new Error("ejabberd is already running");
    const dist = String(this.#distPort);
    const [program, ...args] = commandAs(this.#runAs, "erl", [
      "-sname",
      this.#node,
      "-noinput",
      "-erl_epmd_port",
      dist,
      "-start_epmd",
      "false",
      "-kernel",
      "inet_dist_listen_min",
      dist,
      "inet_dist_listen_max",
      dist,
      "inet_dist_use_interface",
      "{127,0,0,1}",
      "-mnesia",
      "dir",
      JSON.stringify(`${this.#dir}/spool`),
      "-s",
      "ejabberd",
    ]);
    const child = new Deno.Command(program!, {
      args,
      cwd: this.#dir,
      clearEnv: true,
      env: erlangEnv(this.#dir, {
        EJABBERD_CONFIG_PATH: this.#configFile,
        EJABBERD_LOG_PATH: this.logFile,
        ERL_INETRC: `${this.#dir}/inetrc`,
      }),
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const process = new EjabberdProcess(child);
    this.#process = process;
    using deadline = deadlineSignal(this.#options.startTimeoutMs, "start-up took too long");
    const listening = new RegExp(
      `Start accepting TCP connections at 127\\.0\\.0\\.1:${this.#port} for ejabberd_c2s`,
    );
    try {
      const line = await Promise.race([
        process.waitForLine(
          new RegExp(`${listening.source}|eaddrinuse|Failed to start ejabberd|\\[critical\\]`),
        ),
        process.exited.then((status) => {
          throw new Error(`ejabberd exited during start-up (exit code ${status.code})`);
        }),
        abortion(deadline.signal),
      ]);
      if (/eaddrinuse/.test(line)) {
        throw new PortInUseError(`ejabberd could not listen: a port is taken (${line})`);
      }
      if (!listening.test(line)) throw new Error(`ejabberd failed: ${line}`);
      await Promise.race([
        probeXmppStream(HOST, this.#port, this.domain, deadline.signal),
        abortion(deadline.signal),
      ]);
    } catch (error) {
      await process.kill("SIGKILL");
      if (error instanceof PortInUseError) throw error;
      const reason = error instanceof Error ? error.message : String(error);
      throw new Error(
        `ejabberd did not become ready on ${this.service}: ${reason}\n` +
          `--- last lines of its output ---\n${process.outputTail()}`,
        { cause: error },
      );
    }
  }

  /** First start: like launch(), but moves to other free ports if one got taken. */
  async launchOnFreePorts(): Promise<void> {
    for (let attempt = 1;; attempt++) {
      if (attempt > 1) await this.configure(freePort(HOST), freePort(HOST));
      try {
        return await this.launch();
      } catch (error) {
        if (!(error instanceof PortInUseError) || attempt >= PORT_ATTEMPTS) throw error;
      }
    }
  }

  async kill(signal: StopSignal = "SIGKILL"): Promise<void> {
    const process = this.#process;
    if (process === null) return;
    await process.kill(signal);
  }

  async restart(): Promise<void> {
    await this.#terminate();
    await this.launch();
  }

  async stop(): Promise<void> {
    if (this.#stopped) return;
    try {
      await this.#terminate();
    } finally {
      this.#stopped = true;
      await Deno.remove(this.#dir, { recursive: true });
    }
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.stop();
  }

  /** SIGTERM (the VM shuts ejabberd down cleanly), SIGKILL if still alive after a grace time. */
  async #terminate(): Promise<void> {
    const process = this.#process;
    if (process === null || process.hasExited) return;
    using grace = deadlineSignal(STOP_GRACE_MS, "ejabberd ignored SIGTERM");
    try {
      await Promise.race([process.kill("SIGTERM"), abortion(grace.signal)]);
    } catch {
      await process.kill("SIGKILL");
    }
  }

  #assertNotStopped(): void {
    if (this.#stopped) throw new Error("this test ejabberd was stopped and its files deleted");
  }
}

/**
 * Starts a fresh ejabberd, creates the accounts, and resolves once it answers client streams.
 * Throws, naming the Debian package, when ejabberd is not installed.
 */
export async function startEjabberd(options: StartEjabberdOptions = {}): Promise<EjabberdServer> {
  await requireProgram("erl", "ejabberd");
  await requireProgram("ejabberdctl", "ejabberd");
  await requireProgram("openssl", "openssl");
  const domain = options.domain ?? "xmpp.test";
  const dir = await Deno.makeTempDir({ prefix: "ejabberd-test-" });
  try {
    const asRoot = (await Deno.stat(dir)).uid === 0;
    const runAs: RunAs = asRoot ? "ejabberd" : null;
    if (asRoot) await requireProgram("setpriv", "util-linux");
    const owner = asRoot ? await lookupUser("ejabberd") : null;

    await Deno.mkdir(`${dir}/ca`, { mode: 0o700 });
    await Deno.mkdir(`${dir}/certs`, { mode: 0o750 });
    await Deno.mkdir(`${dir}/spool`, { mode: 0o750 });
    await Deno.mkdir(`${dir}/logs`, { mode: 0o750 });
    const ca = await createTestCa(`${dir}/ca`);
    await issueServerCert(ca, `${dir}/certs`, {
      dnsNames: [domain, "localhost"],
      ipAddresses: [HOST],
    }, domain);
    // Name resolution of the Erlang VM: files only, `localhost` is 127.0.0.1.
    await Deno.writeTextFile(
      `${dir}/inetrc`,
      '{lookup, [file]}.\n{host, {127,0,0,1}, ["localhost"]}.\n',
    );
    // The cookie that lets the control node talk to the server node; readable by its owner only.
    const cookie = Array.from(crypto.getRandomValues(new Uint8Array(16)))
      .map((b) => String.fromCharCode(65 + (b % 26))).join("");
    await Deno.writeTextFile(`${dir}/.erlang.cookie`, cookie, { mode: 0o400 });
    if (owner !== null) {
      await chownTree(`${dir}/certs`, owner);
      await chownTree(`${dir}/spool`, owner);
      await chownTree(`${dir}/logs`, owner);
      await Deno.chown(`${dir}/.erlang.cookie`, owner.uid, owner.gid);
      await Deno.chown(`${dir}/inetrc`, owner.uid, owner.gid);
      await Deno.chown(dir, owner.uid, owner.gid);
    }

    const server = new Server({
      dir,
      domain,
      runAs,
      owner,
      caFile: ca.certFile,
      caPem: ca.certPem,
      options: {
        logLevel: options.logLevel ?? "info",
        resumeTimeoutSeconds: options.resumeTimeoutSeconds ?? 300,
        startTimeoutMs: options.startTimeoutMs ?? 30_000,
      },
    });
    try {
      await server.configure(freePort(HOST), freePort(HOST));
      await server.launchOnFreePorts();
      await server.addUsers(options.users ?? []);
    } catch (error) {
      await server.stop();
      throw error;
    }
    return server;
  } catch (error) {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
    throw error;
  }
}
