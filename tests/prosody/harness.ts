/**
 * Starts a real Prosody 0.12 (Debian package `prosody`) for integration tests.
 *
 * Each server gets its own temporary directory (configuration, data, pid file, log), its own
 * throw-away certificate authority and a free port on 127.0.0.1. It runs as the `prosody`
 * system user when the tests run as root, never touches the system configuration or service,
 * requires STARTTLS and authenticates with SCRAM. See README.md beside this file.
 *
 * @example
 * ```ts
 * await using server = await startProsody({ users: [{ user: "alice", password: "pw" }] });
 * // connect to server.service, trusting server.caFile
 * ```
 *
 * @module
 */

import { createTestCa, issueServerCert } from "./test_ca.ts";
import { renderProsodyConfig } from "./prosody_config.ts";
import { commandAs, prosodyEnv, ProsodyProcess, type RunAs } from "./prosody_process.ts";
import { probeXmppStream } from "./stream_probe.ts";
import { chownTree, freePort, lookupUser, requireProgram } from "./host_system.ts";
import { abortion, deadlineSignal } from "./deadline.ts";

/** An account to create on the test server. */
export interface TestAccount {
  readonly user: string;
  readonly password: string;
}

/** Options of {@linkcode startProsody}. */
export interface StartProsodyOptions {
  /** Accounts created before the server starts. */
  readonly users?: readonly TestAccount[];
  /** The XMPP domain (VirtualHost); default `xmpp.test`. */
  readonly domain?: string;
  /** Prosody's log level; default `info` (which never shows message contents). */
  readonly logLevel?: "debug" | "info" | "warn";
  /** How long an interrupted stream-management session may be resumed; default 600 s. */
  readonly smacksHibernationSeconds?: number;
  /**
   * SCRAM iteration count of the accounts; default 4096 (the minimum RFC 5802 suggests),
   * lower than Prosody's 10000 because each login costs the client that many HMACs.
   */
  readonly scramIterations?: number;
  /** Deadline for the server to become ready, per start; default 20 s. */
  readonly startTimeoutMs?: number;
  /** Also listen for direct TLS (XEP-0368) on a second free port (see `directTlsPort`). */
  readonly directTls?: boolean;
}

/** Signals that end Prosody. */
export type StopSignal = "SIGKILL" | "SIGTERM" | "SIGINT";

/** A running (or stopped, or killed) test server. */
export interface ProsodyServer extends AsyncDisposable {
  /** The XMPP domain, e.g. `xmpp.test`. */
  readonly domain: string;
  /** Always `127.0.0.1`. */
  readonly host: string;
  /** The client port; it stays the same across {@linkcode ProsodyServer.restart}. */
  readonly port: number;
  /** The direct TLS port when started with `directTls`, else null (absent: not supported). */
  readonly directTlsPort?: number | null;
  /** `xmpp://127.0.0.1:<port>` for `@xmpp/client`'s `service` option. */
  readonly service: string;
  /** PEM file of the CA that signed the server certificate (valid for the domain, localhost, 127.0.0.1). */
  readonly caFile: string;
  /** The same CA certificate as text. */
  readonly caPem: string;
  /** Prosody's log file (info level by default; no message contents). */
  readonly logFile: string;
  /** Process id of the running Prosody, or `null` when it is not running. */
  readonly pid: number | null;
  /** `user@domain`. */
  jid(user: string): string;
  /** Create (or reset the password of) an account; works while running or stopped. */
  addUser(user: string, password: string): Promise<void>;
  /** Send `signal` to Prosody and wait until the process has exited. */
  kill(signal?: StopSignal): Promise<void>;
  /** Start Prosody again on the same port with the same data (stopping it first if running). */
  restart(): Promise<void>;
  /** Stop Prosody (SIGTERM, then SIGKILL if it lingers) and delete the temporary directory. */
  stop(): Promise<void>;
}

const HOST = "127.0.0.1";
const READY_LINE = /Activated service 'c2s' on|Failed to open server port/;
const PORT_IN_USE_LINE = /Failed to open server port/;
const STOP_GRACE_MS = 10_000;
const PORT_ATTEMPTS = 3;

class PortInUseError extends Error {}

class Server implements ProsodyServer {
  readonly host = HOST;
  readonly domain: string;
  readonly caFile: string;
  readonly caPem: string;
  readonly logFile: string;
  #port = 0;
  #directTlsPort: number | null = null;
  #process: ProsodyProcess | null = null;
  #stopped = false;
  readonly #dir: string;
  readonly #runAs: RunAs;
  readonly #owner: { uid: number; gid: number } | null;
  readonly #options: Required<Omit<StartProsodyOptions, "users" | "domain">>;
  readonly #certDir: string;
  readonly #configFile: string;

  constructor(init: {
    dir: string;
    domain: string;
    runAs: RunAs;
    owner: { uid: number; gid: number } | null;
    caFile: string;
    caPem: string;
    options: Required<Omit<StartProsodyOptions, "users" | "domain">>;
  }) {
    this.#dir = init.dir;
    this.domain = init.domain;
    this.#runAs = init.runAs;
    this.#owner = init.owner;
    this.caFile = init.caFile;
    this.caPem = init.caPem;
    this.#options = init.options;
    this.#certDir = `${init.dir}/certs`;
    this.#configFile = `${init.dir}/prosody.cfg.lua`;
    this.logFile = `${init.dir}/data/prosody.log`;
  }

  get port(): number {
    return this.#port;
  }

  get directTlsPort(): number | null {
    return this.#directTlsPort;
  }

  get service(): string {
    return `xmpp://${HOST}:${this.#port}`;
  }

  get pid(): number | null {
    return this.#process !== null && !this.#process.hasExited ? this.#process.pid : null;
  }

  jid(user: string): string {
    return `${user}@${this.domain}`;
  }

  /** Write the configuration for `port`. */
  async configure(port: number): Promise<void> {
    this.#port = port;
    if (this.#options.directTls) {
      let other = freePort(HOST);
      while (other === port) other = freePort(HOST);
      this.#directTlsPort = other;
    }
    const text = renderProsodyConfig({
      ...(this.#directTlsPort !== null ? { directTlsPort: this.#directTlsPort } : {}),
      domain: this.domain,
      host: HOST,
      port,
      dataDir: `${this.#dir}/data`,
      pidFile: `${this.#dir}/data/prosody.pid`,
      logFile: this.logFile,
      certDir: this.#certDir,
      certFile: `${this.#certDir}/${this.domain}.crt`,
      keyFile: `${this.#certDir}/${this.domain}.key`,
      logLevel: this.#options.logLevel,
      smacksHibernationSeconds: this.#options.smacksHibernationSeconds,
      scramIterations: this.#options.scramIterations,
    });
    await Deno.writeTextFile(this.#configFile, text, { mode: 0o640 });
    if (this.#owner !== null) await Deno.chown(this.#configFile, this.#owner.uid, this.#owner.gid);
  }

  async addUser(user: string, password: string): Promise<void> {
    this.#assertNotStopped();
    const [program, ...args] = commandAs(this.#runAs, "prosodyctl", [
      "--config",
      this.#configFile,
      "register",
      user,
      this.domain,
      password,
    ]);
    const output = await new Deno.Command(program!, {
      args,
      cwd: this.#dir,
      clearEnv: true,
      env: prosodyEnv(this.#dir),
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
    if (!output.success) {
      // prosodyctl never prints the password it was given, so its output is safe to show.
      const text = new TextDecoder().decode(output.stdout) +
        new TextDecoder().decode(output.stderr);
      throw new Error(`prosodyctl register ${user}@${this.domain} failed: ${text.trim()}`);
    }
  }

  /** Spawn Prosody and wait until it serves client streams. */
  async launch(): Promise<void> {
    this.#assertNotStopped();
    if (this.pid !== null) throw new Error("Prosody is already running");
    const process = ProsodyProcess.spawn(this.#configFile, this.#runAs, this.#dir);
    this.#process = process;
    using deadline = deadlineSignal(this.#options.startTimeoutMs, "start-up took too long");
    try {
      const line = await Promise.race([
        process.waitForLine(READY_LINE),
        process.exited.then((status) => {
          throw new Error(`Prosody exited during start-up (exit code ${status.code})`);
        }),
        abortion(deadline.signal),
      ]);
      if (PORT_IN_USE_LINE.test(line)) {
        throw new PortInUseError(`Prosody could not listen: ${this.service} is taken`);
      }
      await Promise.race([
        probeXmppStream(HOST, this.#port, this.domain, deadline.signal),
        abortion(deadline.signal),
      ]);
    } catch (error) {
      await process.kill("SIGKILL");
      if (error instanceof PortInUseError) throw error;
      const reason = error instanceof Error ? error.message : String(error);
      throw new Error(
        `Prosody did not become ready on ${this.service}: ${reason}\n` +
          `--- last lines of its output ---\n${process.outputTail()}`,
        { cause: error },
      );
    }
  }

  /** First start: like launch(), but moves to another free port if the chosen one got taken. */
  async launchOnFreePort(): Promise<void> {
    for (let attempt = 1;; attempt++) {
      if (attempt > 1) await this.configure(freePort(HOST));
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

  /** SIGTERM (a clean shutdown through mod_posix), SIGKILL if still alive after a grace time. */
  async #terminate(): Promise<void> {
    const process = this.#process;
    if (process === null || process.hasExited) return;
    using grace = deadlineSignal(STOP_GRACE_MS, "Prosody ignored SIGTERM");
    try {
      await Promise.race([process.kill("SIGTERM"), abortion(grace.signal)]);
    } catch {
      await process.kill("SIGKILL");
    }
  }

  #assertNotStopped(): void {
    if (this.#stopped) throw new Error("this test Prosody was stopped and its files deleted");
  }
}

/**
 * Start a fresh Prosody and resolve once it answers client streams. Throws, naming the
 * Debian package, when `prosody` is not installed.
 */
export async function startProsody(options: StartProsodyOptions = {}): Promise<ProsodyServer> {
  await requireProgram("prosody", "prosody");
  await requireProgram("prosodyctl", "prosody");
  await requireProgram("openssl", "openssl");
  const domain = options.domain ?? "xmpp.test";
  const dir = await Deno.makeTempDir({ prefix: "prosody-test-" });
  try {
    // The directory is ours: its owner tells whether we are root without asking for --allow-sys.
    const asRoot = (await Deno.stat(dir)).uid === 0;
    const runAs: RunAs = asRoot ? "prosody" : null;
    if (asRoot) await requireProgram("setpriv", "util-linux");
    const owner = asRoot ? await lookupUser("prosody") : null;

    // The CA key stays readable by root only; Prosody gets its own certificate and key.
    await Deno.mkdir(`${dir}/ca`, { mode: 0o700 });
    await Deno.mkdir(`${dir}/certs`, { mode: 0o750 });
    await Deno.mkdir(`${dir}/data`, { mode: 0o750 });
    const ca = await createTestCa(`${dir}/ca`);
    await issueServerCert(ca, `${dir}/certs`, {
      dnsNames: [domain, "localhost"],
      ipAddresses: [HOST],
    }, domain);
    if (owner !== null) {
      await chownTree(`${dir}/certs`, owner);
      await chownTree(`${dir}/data`, owner);
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
        smacksHibernationSeconds: options.smacksHibernationSeconds ?? 600,
        scramIterations: options.scramIterations ?? 4096,
        startTimeoutMs: options.startTimeoutMs ?? 20_000,
        directTls: options.directTls ?? false,
      },
    });
    try {
      await server.configure(freePort(HOST));
      for (const account of options.users ?? []) {
        await server.addUser(account.user, account.password);
      }
      await server.launchOnFreePort();
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
