/**
 * "Nothing lost" across a crash of the bridge, on Prosody and on ejabberd: the bot runs as a
 * real subprocess (resume_child.ts) that is killed with SIGKILL while XMPP users write to it.
 * The restarted bot resumes its XEP-0198 session (kept in its store), and the server resends
 * what the dead process had received but not committed, or what came while it was dead. Every
 * message must be committed exactly once over all the bot processes (resent copies the dedupe
 * drops are counted and reported, not failures).
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { startEjabberd } from "../ejabberd/harness.ts";
import { EventQueue } from "../prosody/event_queue.ts";
import { type ProsodyServer, startProsody, type TestAccount } from "../prosody/harness.ts";
import { trustCaForNodeTls } from "../prosody/node_tls_trust.ts";
import { XmppUser } from "../prosody/xmpp_user.ts";
import type { Inbound } from "../../src/core/types.ts";
import { logger, setupLogging } from "../../src/log.ts";
import { XmppBot } from "../../src/xmpp/bot.ts";
import { MemorySmStateStore } from "../../src/xmpp/sm_state.ts";
import { LinkCutter } from "./link_cutter.ts";
import type { ChildSettings } from "./resume_child.ts";

const BOT: TestAccount = { user: "bot", password: "bot-pw" };
const ALICE: TestAccount = { user: "alice", password: "alice-pw" };
const BOB: TestAccount = { user: "bob", password: "bob-pw" };
const RESOURCE = "xmpp-ap-bridge";
const CHILD = fileURLToPath(new URL("./resume_child.ts", import.meta.url));
const WAIT_MS = 30_000;
if (Deno.env.get("XMPP_TEST_LOG") === "debug") await setupLogging({ level: "debug", file: null });

type ServerKind = "prosody" | "ejabberd";
const SERVERS: readonly ServerKind[] = ["prosody", "ejabberd"];

async function startServer(kind: ServerKind): Promise<ProsodyServer> {
  const users = [BOT, ALICE, BOB];
  const server = kind === "prosody"
    ? await startProsody({ users })
    : await startEjabberd({ users });
  trustCaForNodeTls(server.caPem);
  return server;
}

/** What every bot process of a test said, in order. */
class Transcript {
  readonly lines: string[] = [];

  /** How many `handled <key>` lines name `key`, over all processes. */
  handled(key: string): number {
    return this.lines.filter((l) => l === `handled ${key}`).length;
  }

  /**
   * How many times `key` was committed. A process killed right after its commit may die before
   * it says `handled`: the next one then finds the key in the store and says `duplicate`, which
   * proves that one commit.
   */
  committed(key: string): number {
    const said = this.handled(key);
    return said > 0 ? said : this.lines.includes(`duplicate ${key}`) ? 1 : 0;
  }

  duplicates(): number {
    return this.lines.filter((l) => l.startsWith("duplicate ")).length;
  }
}

/** One bot subprocess. */
class BotProcess implements AsyncDisposable {
  readonly events: EventQueue<string>;
  readonly #child: Deno.ChildProcess;
  readonly #log: string[] = [];
  #exited = false;

  private constructor(child: Deno.ChildProcess, transcript: Transcript, label: string) {
    this.#child = child;
    this.events = new EventQueue(label);
    this.#read(child.stdout, (line) => {
      transcript.lines.push(line);
      this.events.push(line);
    });
    this.#read(child.stderr, (line) => this.#log.push(line));
    child.status.then(() => {
      this.#exited = true;
    });
  }

  static async start(
    dir: string,
    server: ProsodyServer,
    mode: ChildSettings["mode"],
    transcript: Transcript,
    label: string,
    via: LinkCutter | null = null,
  ): Promise<BotProcess> {
    const settings: ChildSettings = {
      jid: server.jid(BOT.user),
      password: BOT.password,
      host: server.host,
      port: via?.port ?? server.port,
      caFile: server.caFile,
      database: `${dir}/bot.db`,
      mode,
    };
    const file = `${dir}/${label}.json`;
    await Deno.writeTextFile(file, JSON.stringify(settings));
    const child = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--quiet",
        "--no-prompt",
        `--allow-read`,
        `--allow-write=${dir}`,
        "--allow-net=127.0.0.1",
        "--allow-env",
        CHILD,
        file,
      ],
      clearEnv: true,
      env: { NO_COLOR: "1" },
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    return new BotProcess(child, transcript, label);
  }

  /** Waits for a line; the error carries what the process logged. */
  async next(line: string | RegExp, what: string): Promise<string> {
    try {
      return await this.events.next(
        (l) => typeof line === "string" ? l === line : line.test(l),
        WAIT_MS,
        what,
      );
    } catch (e) {
      throw new Error(
        `${e instanceof Error ? e.message : e}\n--- bot log:\n${this.#log.join("\n")}`,
      );
    }
  }

  /** Sends `signal` and waits for the exit. */
  async stop(signal: Deno.Signal): Promise<Deno.CommandStatus> {
    if (!this.#exited) {
      try {
        this.#child.kill(signal);
      } catch {
        // Already gone.
      }
    }
    return await this.#child.status;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop("SIGKILL");
  }

  async #read(stream: ReadableStream<Uint8Array>, onLine: (line: string) => void): Promise<void> {
    let rest = "";
    for await (const text of stream.pipeThrough(new TextDecoderStream())) {
      rest += text;
      const lines = rest.split("\n");
      rest = lines.pop() ?? "";
      for (const line of lines) onLine(line);
    }
  }
}

/** The line that settles `key`: handled now, or found committed before (see `committed`). */
function settled(key: string): RegExp {
  return new RegExp(`^(handled|duplicate) ${key.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$`);
}

function keyOf(server: ProsodyServer, user: TestAccount, id: string): string {
  return `xmpp:${server.jid(user.user)}:${id}`;
}

for (const kind of SERVERS) {
  Deno.test(`${kind}: a message received but not committed when the bridge is killed is handled after the restart`, async () => {
    await using server = await startServer(kind);
    const dir = await Deno.makeTempDir({ prefix: "resume-test-" });
    const transcript = new Transcript();
    const botJid = `${server.jid(BOT.user)}/${RESOURCE}`;
    try {
      await using first = await BotProcess.start(dir, server, "hang", transcript, "first");
      await first.next("event online", "the first bot online");
      await using alice = XmppUser.of(server, ALICE.user, ALICE.password);
      await alice.connect();

      const before = keyOf(server, ALICE, await alice.send(server.jid(BOT.user), "one"));
      await first.next(`received ${before}`, "the message reaching the core");
      // The server asks for an acknowledgement right after the message; once a ping sent
      // after it is answered, the bot has answered that request too.
      await alice.ping(botJid);
      await first.stop("SIGKILL");
      // Sent while the bridge is dead (the server still holds its session).
      const during = keyOf(server, ALICE, await alice.send(server.jid(BOT.user), "two"));

      await using second = await BotProcess.start(dir, server, "commit", transcript, "second");
      const session = await second.next(/^event (online|resumed)$/, "the restarted bot up");
      await second.next(`handled ${before}`, "the message the first bot never committed");
      await second.next(`handled ${during}`, "the message sent while the bridge was dead");
      await alice.ping(botJid);
      assert.equal(session, "event resumed", "the restarted bot resumed the session");
      assert.equal(transcript.handled(before), 1);
      assert.equal(transcript.handled(during), 1);
      console.log(`${kind}: ${transcript.duplicates()} resent copies dropped by the dedupe`);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });

  Deno.test(`${kind}: the bridge killed while two users send a burst, then stopped while they write: every message handled once`, async () => {
    const PER_USER = 15;
    const KILL_AFTER = 6;
    await using server = await startServer(kind);
    const dir = await Deno.makeTempDir({ prefix: "resume-test-" });
    const transcript = new Transcript();
    const botJid = `${server.jid(BOT.user)}/${RESOURCE}`;
    const bare = server.jid(BOT.user);
    try {
      await using alice = XmppUser.of(server, ALICE.user, ALICE.password);
      await using bob = XmppUser.of(server, BOB.user, BOB.password);
      await alice.connect();
      await bob.connect();
      const keys: string[] = [];

      await using first = await BotProcess.start(dir, server, "commit", transcript, "first");
      await first.next("event online", "the first bot online");
      // Both users write at once; the bridge is killed after a few were handled, while the
      // rest is on its way.
      const burst = async (user: XmppUser, account: TestAccount) => {
        for (let i = 0; i < PER_USER; i++) {
          keys.push(keyOf(server, account, await user.send(bare, `${account.user} ${i}`)));
        }
      };
      const kill = (async () => {
        for (let n = 0; n < KILL_AFTER; n++) await first.next(/^handled /, "handled messages");
        await first.stop("SIGKILL");
      })();
      await Promise.all([burst(alice, ALICE), burst(bob, BOB), kill]);

      await using second = await BotProcess.start(dir, server, "commit", transcript, "second");
      const session = await second.next(/^event (online|resumed)$/, "the restarted bot up");
      for (const key of keys) {
        if (transcript.committed(key) === 0) await second.next(settled(key), `${key} handled`);
      }
      await alice.ping(botJid);
      await bob.ping(botJid);
      assert.equal(session, "event resumed", "the restarted bot resumed the session");

      // A clean stop: the server ends the session, what comes meanwhile goes to offline storage.
      assert.equal((await second.stop("SIGTERM")).code, 0);
      const offline: string[] = [];
      for (let i = 0; i < 3; i++) {
        offline.push(keyOf(server, ALICE, await alice.send(bare, `while away ${i}`)));
      }
      await alice.roster(); // stored once the server answered a later request
      await using third = await BotProcess.start(dir, server, "commit", transcript, "third");
      await third.next("event online", "a new session after the clean stop");
      for (const key of offline) await third.next(`handled ${key}`, `${key} from offline storage`);
      await alice.ping(botJid);

      for (const key of [...keys, ...offline]) {
        assert.equal(transcript.committed(key), 1, `${key} handled once`);
      }
      assert.equal(keys.length, 2 * PER_USER);
      console.log(
        `${kind}: ${keys.length + offline.length} messages each handled once; ` +
          `${transcript.duplicates()} resent copies dropped by the dedupe`,
      );
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });

  Deno.test(`${kind}: the link cut in the middle of a burst from two users: the bot resumes, every message handled once`, async () => {
    const PER_USER = 15;
    const CUT_AFTER = 6;
    await using server = await startServer(kind);
    await using cutter = LinkCutter.start(server.port);
    const dir = await Deno.makeTempDir({ prefix: "resume-test-" });
    const transcript = new Transcript();
    const botJid = `${server.jid(BOT.user)}/${RESOURCE}`;
    const bare = server.jid(BOT.user);
    try {
      await using alice = XmppUser.of(server, ALICE.user, ALICE.password);
      await using bob = XmppUser.of(server, BOB.user, BOB.password);
      await alice.connect();
      await bob.connect();
      await using bot = await BotProcess.start(dir, server, "commit", transcript, "bot", cutter);
      await bot.next("event online", "the bot online");

      const keys: string[] = [];
      const burst = async (user: XmppUser, account: TestAccount) => {
        for (let i = 0; i < PER_USER; i++) {
          keys.push(keyOf(server, account, await user.send(bare, `${account.user} ${i}`)));
        }
      };
      const cut = (async () => {
        for (let n = 0; n < CUT_AFTER; n++) await bot.next(/^handled /, "handled messages");
        assert.equal(cutter.cut(), 1, "the bot's one connection cut");
      })();
      await Promise.all([burst(alice, ALICE), burst(bob, BOB), cut]);
      await bot.next("event offline", "the bot noticing the cut");
      await bot.next("event resumed", "the bot resuming its session");
      for (const key of keys) {
        if (transcript.committed(key) === 0) await bot.next(settled(key), `${key} handled`);
      }
      await alice.ping(botJid);
      await bob.ping(botJid);
      for (const key of keys) assert.equal(transcript.committed(key), 1, `${key} handled once`);
      console.log(
        `${kind}: ${keys.length} messages each handled once across the cut; ` +
          `${transcript.duplicates()} resent copies dropped by the dedupe`,
      );
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
}

for (const kind of SERVERS) {
  Deno.test(`${kind}: stopped while its link is down, the bridge resumes the session at the next start and gets what came meanwhile`, async () => {
    await using server = await startServer(kind);
    const cutter = LinkCutter.start(server.port);
    const dir = await Deno.makeTempDir({ prefix: "resume-test-" });
    const transcript = new Transcript();
    const bare = server.jid(BOT.user);
    try {
      await using alice = XmppUser.of(server, ALICE.user, ALICE.password);
      await alice.connect();
      await using first = await BotProcess.start(
        dir,
        server,
        "commit",
        transcript,
        "first",
        cutter,
      );
      await first.next("event online", "the bot online");
      // The network fails and stays down: the bot cannot reconnect.
      await cutter.close();
      await first.next("event offline", "the bot noticing the loss");
      const key = keyOf(server, ALICE, await alice.send(bare, "while the link is down"));
      await alice.roster(); // the server has routed it (to the held session) once this answers
      assert.equal((await first.stop("SIGTERM")).code, 0);

      await using second = await BotProcess.start(dir, server, "commit", transcript, "second");
      const session = await second.next(/^event (online|resumed)$/, "the bot up again");
      await second.next(`handled ${key}`, "the message sent while the link was down");
      assert.equal(session, "event resumed");
      assert.equal(transcript.handled(key), 1);
    } finally {
      await cutter.close();
      await Deno.remove(dir, { recursive: true });
    }
  });
}

Deno.test("prosody: a stop while a message is in hand leaves the session to the next run, which gets the message again", async () => {
  await using server = await startServer("prosody");
  const states = new MemorySmStateStore();
  const config = {
    xmppJid: server.jid(BOT.user),
    xmppPassword: BOT.password,
    xmppHost: server.host,
    xmppPort: server.port,
    xmppCaFile: server.caFile,
  };
  const calls = new EventQueue<string | null>("core calls");
  let release = () => {};
  const gate = new Promise<void>((resolve) => {
    release = resolve;
  });
  // A core whose commit never comes while the test runs (as if the process died in it).
  const held = {
    async handle(inbound: Inbound, key: string | null) {
      if (inbound.kind !== "message") return true;
      calls.push(key);
      await gate;
      return true;
    },
  };
  const first = new XmppBot({ config, core: held, log: logger("xmpp"), smStore: states });
  await first.start();
  await using alice = XmppUser.of(server, ALICE.user, ALICE.password);
  await alice.connect();
  const key = keyOf(server, ALICE, await alice.send(server.jid(BOT.user), "in hand"));
  assert.equal(await calls.next(() => true, WAIT_MS, "the message reaching the core"), key);

  const stopped = new Promise<void>((resolve) => {
    first.onEvent((e) => e === "stopped" && resolve());
  });
  // Disposal waits for the handling in hand; the session itself stops first.
  const disposed = first[Symbol.asyncDispose]();
  await stopped;
  const saved = states.state;
  assert.notEqual(saved, null, "the session is kept for a resumption");

  const seen = new EventQueue<string | null>("second core calls");
  const second = new XmppBot({
    config,
    core: {
      handle(inbound: Inbound, k: string | null) {
        if (inbound.kind === "message") seen.push(k);
        return Promise.resolve(true);
      },
    },
    log: logger("xmpp"),
    smStore: states,
  });
  const events: string[] = [];
  second.onEvent((e) => events.push(e));
  try {
    await second.start();
    assert.equal(await seen.next(() => true, WAIT_MS, "the message again"), key);
    assert.deepEqual(events, ["resumed"]);
    assert.equal(states.state?.id, saved?.id, "the same session, resumed");
  } finally {
    await second[Symbol.asyncDispose]();
    release();
    await disposed;
  }
  assert.equal(states.state, null, "a clean close with nothing in hand ends the session");
});
