/**
 * A small world for end-to-end runs: the Mastodon API test server and a real Prosody on
 * 127.0.0.1, the two bot accounts and some users on each side, a configuration for the bridge,
 * and the bridge itself as one or two subprocesses started exactly as `deno task start` would
 * start them (the permission flags derived from that configuration). Used by the e2e tests and
 * by the sandbox command.
 */
import { fileURLToPath } from "node:url";
import { loadConfig, type Role } from "../../src/config/mod.ts";
import { bridgeFlags } from "../../src/permissions.ts";
import { MastodonTestServer } from "../mastodon/server.ts";
import type { TestAccount } from "../mastodon/test_api.ts";
import { type ProsodyServer, startProsody } from "../prosody/harness.ts";
import { startEjabberd } from "../ejabberd/harness.ts";

export const ROOT = fileURLToPath(new URL("../..", import.meta.url));
export const FEDI_DOMAIN = "social.test";
export const XMPP_DOMAIN = "xmpp.test";
export const PASSWORD = "correct horse battery staple";

export interface WorldOptions {
  /** Fediverse user names (local accounts of the test server). */
  readonly fediUsers?: readonly string[];
  /** XMPP user names. */
  readonly xmppUsers?: readonly string[];
  /** Appended to the generated configuration. */
  readonly extraConfig?: string;
  /** Where the bridge's data lives (default: a new temporary folder). */
  readonly dir?: string;
  /**
   * The XMPP server (default Prosody). With ejabberd, `world.prosody` is the ejabberd harness
   * (same interface).
   */
  readonly xmppServer?: "prosody" | "ejabberd";
}

export interface BridgeProcess {
  readonly roles: readonly Role[];
  readonly child: Deno.ChildProcess;
  /** Everything the process wrote to stderr (its log), as it comes. */
  readonly log: string[];
  /** Resolves when a log line matches (only lines from index `from` of `log` on, if given). */
  waitForLog(pattern: RegExp, timeoutMs?: number, from?: number): Promise<string>;
  /** Stops it with a signal and waits for the exit status. */
  stop(signal?: Deno.Signal): Promise<Deno.CommandStatus>;
}

export class World implements AsyncDisposable {
  readonly bridges: BridgeProcess[] = [];

  private constructor(
    readonly dir: string,
    readonly ownsDir: boolean,
    readonly mastodon: MastodonTestServer,
    readonly prosody: ProsodyServer,
    readonly fediBot: TestAccount,
    readonly fediUsers: ReadonlyMap<string, TestAccount>,
    readonly configPath: string,
    readonly envPath: string,
  ) {}

  static async start(opts: WorldOptions = {}): Promise<World> {
    const ownsDir = opts.dir === undefined;
    const dir = opts.dir ?? await Deno.makeTempDir({ prefix: "bridge-world-" });
    const mastodon = await MastodonTestServer.start({ domain: FEDI_DOMAIN, maxCharacters: 500 });
    const xmppUsers = ["bridge", "admin", ...(opts.xmppUsers ?? [])];
    let prosody: ProsodyServer;
    try {
      const xmppOptions = {
        domain: XMPP_DOMAIN,
        users: xmppUsers.map((user) => ({ user, password: PASSWORD })),
      };
      prosody = opts.xmppServer === "ejabberd"
        ? await startEjabberd(xmppOptions)
        : await startProsody(xmppOptions);
    } catch (e) {
      await mastodon.close();
      throw e;
    }
    const fediBot = mastodon.createAccount({ username: "bridge", bot: true });
    const fediUsers = new Map<string, TestAccount>();
    for (const name of opts.fediUsers ?? []) {
      fediUsers.set(name, mastodon.createAccount({ username: name, extraStatusesCount: 20 }));
    }
    const configPath = `${dir}/bridge.yml`;
    const envPath = `${dir}/bridge.env`;
    Deno.writeTextFileSync(
      configPath,
      `ap_instance: ${FEDI_DOMAIN}
xmpp_instance: ${XMPP_DOMAIN}
xmpp_admin: [admin@${XMPP_DOMAIN}]
ap_bridge_jid: bridge@${XMPP_DOMAIN}
xmpp_bridge_name: bridge@${FEDI_DOMAIN}
bridge-database-file: ${dir}/data/bridge.db
bridge-files-dir: ${dir}/files
bridge-log-file: ${dir}/log/bridge.log
min-ap-activity-posts: 0
silent-send: true
ap-api-url: ${mastodon.url}
xmpp-host: ${prosody.host}
xmpp-port: ${prosody.port}
xmpp-tls-ca-file: ${prosody.caFile}
log-level: debug
${opts.extraConfig ?? ""}`,
    );
    Deno.writeTextFileSync(
      envPath,
      `XMPP_BRIDGE_TOKEN=${fediBot.token}\nAP_BRIDGE_PASS=${PASSWORD}\n`,
    );
    for (const sub of ["data", "files", "log"]) {
      Deno.mkdirSync(`${dir}/${sub}`, { recursive: true });
    }
    return new World(
      dir,
      ownsDir,
      mastodon,
      prosody,
      fediBot,
      fediUsers,
      configPath,
      envPath,
    );
  }

  /** The flags `deno task start` derives for these roles: the production set. */
  flags(roles: readonly Role[]): string[] {
    const config = loadConfig({ path: this.configPath, env: {}, roles: [] });
    return bridgeFlags({ config, roles, envFile: this.envPath });
  }

  /**
   * Starts the bridge with the given roles (both by default) as a subprocess; `extra` adds
   * command-line arguments and environment variables.
   */
  startBridge(
    roles: readonly Role[] = ["fedi", "xmpp"],
    extra: { args?: readonly string[]; env?: Readonly<Record<string, string>> } = {},
  ): BridgeProcess {
    const roleFlags = roles.length === 2 ? [] : roles.map((r) => `--${r}`);
    const child = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--quiet",
        "--no-prompt",
        ...this.flags(roles),
        `${ROOT}main.ts`,
        "--config",
        this.configPath,
        "--env-file",
        this.envPath,
        ...roleFlags,
        ...extra.args ?? [],
      ],
      cwd: this.dir,
      clearEnv: true,
      env: { NO_COLOR: "1", ...extra.env },
      stdin: "null",
      stdout: "null",
      stderr: "piped",
    }).spawn();
    const log: string[] = [];
    const watchers: { pattern: RegExp; resolve: (line: string) => void }[] = [];
    (async () => {
      const decoder = new TextDecoder();
      let rest = "";
      for await (const chunk of child.stderr) {
        rest += decoder.decode(chunk, { stream: true });
        const lines = rest.split("\n");
        rest = lines.pop() ?? "";
        for (const line of lines) {
          log.push(line);
          for (const w of watchers.splice(0)) {
            if (w.pattern.test(line)) w.resolve(line);
            else watchers.push(w);
          }
        }
      }
    })();
    const process: BridgeProcess = {
      roles,
      child,
      log,
      waitForLog(pattern, timeoutMs = 20_000, from = 0) {
        const seen = log.slice(from).find((l) => pattern.test(l));
        if (seen) return Promise.resolve(seen);
        return new Promise((resolve, reject) => {
          const timer = setTimeout(
            () =>
              reject(
                new Error(`no log line ${pattern} within ${timeoutMs} ms:\n${log.join("\n")}`),
              ),
            timeoutMs,
          );
          watchers.push({
            pattern,
            resolve: (line) => {
              clearTimeout(timer);
              resolve(line);
            },
          });
        });
      },
      async stop(signal: Deno.Signal = "SIGTERM") {
        try {
          child.kill(signal);
        } catch {
          // Already gone.
        }
        return await child.status;
      },
    };
    this.bridges.push(process);
    return process;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    for (const b of this.bridges) await b.stop("SIGKILL");
    await this.prosody.stop();
    await this.mastodon.close();
    if (this.ownsDir) await Deno.remove(this.dir, { recursive: true }).catch(() => {});
  }
}
