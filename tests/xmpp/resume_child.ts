/**
 * A bot process for the resumption tests (resume_test.ts): the real XMPP bot with its stream
 * state in a real store file, and a stand-in core that records each message it commits in that
 * store (so that a message handled before a crash is known after it, like the core's dedupe
 * key). It reports on stdout, one line each:
 *
 * - `event <online|resumed|offline|stopped>` for session changes;
 * - `received <dedupe key>` when a message reaches the core;
 * - `handled <dedupe key>` when the core committed it, `duplicate <dedupe key>` when it had
 *   been committed before (a resent stanza the dedupe drops).
 *
 * With `"mode": "hang"` the core never commits anything (a crash between receipt and commit).
 * SIGTERM stops the bot cleanly. Usage: `deno run ... resume_child.ts <settings.json>`.
 *
 * @module
 */
import type { Inbound } from "../../src/core/types.ts";
import { setupLogging } from "../../src/log.ts";
import { openStore } from "../../src/store/mod.ts";
import { logger } from "../../src/log.ts";
import { XmppBot } from "../../src/xmpp/bot.ts";
import { MetaSmStateStore } from "../../src/xmpp/sm_state.ts";

export interface ChildSettings {
  readonly jid: string;
  readonly password: string;
  readonly host: string;
  readonly port: number;
  readonly caFile: string;
  readonly database: string;
  readonly mode: "commit" | "hang";
}

const settings = JSON.parse(Deno.readTextFileSync(Deno.args[0]!)) as ChildSettings;
await setupLogging({ level: "info", file: null });
const store = openStore(settings.database);
const encoder = new TextEncoder();
const say = (line: string) => Deno.stdout.writeSync(encoder.encode(`${line}\n`));

const core = {
  handle(inbound: Inbound, dedupeKey: string | null): Promise<boolean> {
    if (inbound.kind !== "message" || dedupeKey === null) return Promise.resolve(true);
    say(`received ${dedupeKey}`);
    if (settings.mode === "hang") return new Promise(() => {});
    const mark = `test.handled.${dedupeKey}`;
    if (store.meta.get(mark) !== undefined) {
      say(`duplicate ${dedupeKey}`);
      return Promise.resolve(false);
    }
    store.meta.set(mark, "1");
    say(`handled ${dedupeKey}`);
    return Promise.resolve(true);
  },
};

const bot = new XmppBot({
  config: {
    xmppJid: settings.jid,
    xmppPassword: settings.password,
    xmppHost: settings.host,
    xmppPort: settings.port,
    xmppCaFile: settings.caFile,
  },
  core,
  log: logger("xmpp"),
  smStore: new MetaSmStateStore(store.meta),
  tuning: {
    backoff: { minMs: 100, maxMs: 1_000 },
    stepTimeoutMs: 5_000,
    sessionTimeoutMs: 15_000,
    requestTimeoutMs: 5_000,
    ackRequestDelayMs: 10,
  },
});
bot.onEvent((event) => say(`event ${event}`));
Deno.addSignalListener("SIGTERM", async () => {
  await bot[Symbol.asyncDispose]();
  store[Symbol.dispose]();
  Deno.exit(0);
});
await bot.start();
