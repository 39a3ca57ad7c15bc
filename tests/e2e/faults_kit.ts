/**
 * Tools of the fault tests (faults_test.ts): the two process layouts, bridge start and kill,
 * registration of test users, a read-only look at the outbox table, and the counting of tagged
 * messages on both networks (how many arrived, which are missing, how many came twice).
 */
import { DatabaseSync } from "node:sqlite";
import type { Role } from "../../src/config/mod.ts";
import type { TestAccount } from "../mastodon/test_api.ts";
import { trustCaForNodeTls } from "../prosody/node_tls_trust.ts";
import type { ReceivedMessage, XmppUser } from "../prosody/xmpp_user.ts";
import { type BridgeProcess, FEDI_DOMAIN, World, type WorldOptions, XMPP_DOMAIN } from "./world.ts";

export const BOT_FEDI = `bridge@${FEDI_DOMAIN}`;
export const BOT_XMPP = `bridge@${XMPP_DOMAIN}`;

/** How the roles are spread over processes. */
export interface Layout {
  readonly name: string;
  readonly groups: readonly (readonly Role[])[];
}

export const ONE_PROCESS: Layout = { name: "one process", groups: [["fedi", "xmpp"]] };
export const TWO_PROCESSES: Layout = { name: "two processes", groups: [["fedi"], ["xmpp"]] };
export const LAYOUTS: readonly Layout[] = [ONE_PROCESS, TWO_PROCESSES];

/** What a scenario gets: its world, its layout, and a place to say what it is doing. */
export interface Scene {
  readonly world: World;
  readonly layout: Layout;
  readonly label: string;
  readonly outbox: OutboxProbe;
  /** The step under way, printed when the scenario fails. */
  step: string;
  /** The bridge processes started last (one per group of the layout). */
  bridges: BridgeProcess[];
}

/**
 * Runs `body` in a fresh world for every layout, all layouts at the same time (each world has its
 * own servers and ports). A failure prints the step and every bridge log of that world, then the
 * test fails with the first error.
 */
export async function inEveryLayout(
  fault: string,
  options: WorldOptions,
  body: (scene: Scene) => Promise<void>,
): Promise<void> {
  const results = await Promise.allSettled(
    LAYOUTS.map((layout) => runScene(`${fault} [${layout.name}]`, layout, options, body)),
  );
  const failures = results.flatMap((r) => r.status === "rejected" ? [r.reason] : []);
  if (failures.length > 0) throw failures[0];
}

/** Runs `body` in a fresh world with one layout (see {@link inEveryLayout}). */
export function inLayout(
  fault: string,
  layout: Layout,
  options: WorldOptions,
  body: (scene: Scene) => Promise<void>,
): Promise<void> {
  return runScene(`${fault} [${layout.name}]`, layout, options, body);
}

async function runScene(
  label: string,
  layout: Layout,
  options: WorldOptions,
  body: (scene: Scene) => Promise<void>,
): Promise<void> {
  await using world = await World.start(options);
  trustCaForNodeTls(world.prosody.caPem);
  using outbox = new OutboxProbe(`${world.dir}/data/bridge.db`);
  const scene: Scene = { world, layout, label, outbox, step: "start", bridges: [] };
  const logs = () => {
    const bridges = world.bridges.map((b, i) =>
      `--- ${label}: bridge process ${i + 1} (${b.roles.join(", ")}):\n${b.log.join("\n")}`
    );
    let prosody: string;
    try {
      prosody = Deno.readTextFileSync(world.prosody.logFile);
    } catch (e) {
      prosody = `(not readable: ${e instanceof Error ? e.message : e})`;
    }
    return [...bridges, `--- ${label}: the XMPP server's log:\n${prosody}`].join("\n");
  };
  try {
    await body(scene);
    if (Deno.env.get("FAULTS_SHOW_LOGS") === "1") console.error(logs());
  } catch (e) {
    // What the bridge logged is what explains a failure.
    console.error(`${label} failed at: ${scene.step}\n${logs()}`);
    throw new Error(`${label}, at "${scene.step}": ${e instanceof Error ? e.message : e}`, {
      cause: e,
    });
  }
}

/**
 * Starts one bridge process per group of the layout; resolves once each one runs. `together`
 * starts them all at once (as a service manager would); otherwise one after the other, as
 * flow_test.ts does: two processes creating the database file at the same moment can trip
 * over each other (one of them sometimes reads the other's new tables before its schema version
 * and refuses the file).
 */
export async function startBridges(
  scene: Scene,
  together = false,
): Promise<BridgeProcess[]> {
  scene.bridges = [];
  const start = (roles: readonly Role[]) => {
    const bridge = scene.world.startBridge(roles);
    scene.bridges.push(bridge);
    return running(bridge);
  };
  if (together) await Promise.all(scene.layout.groups.map(start));
  else for (const roles of scene.layout.groups) await start(roles);
  return scene.bridges;
}

/** Resolves once the process logs that it runs; rejects at once if it exits first. */
async function running(bridge: BridgeProcess): Promise<void> {
  const exited = bridge.child.status.then((status) => {
    throw new Error(`the bridge (${bridge.roles.join(", ")}) exited with code ${status.code}`);
  });
  exited.catch(() => {});
  await Promise.race([bridge.waitForLog(/running: /, 30_000), exited]);
}

/** The process that runs `role`. */
export function bridgeOf(scene: Scene, role: Role): BridgeProcess {
  const found = scene.bridges.find((b) => b.roles.includes(role));
  if (found === undefined) throw new Error(`no bridge process runs the ${role} role`);
  return found;
}

/** Kills every bridge process of the scene at once with SIGKILL. */
export async function killBridges(scene: Scene): Promise<void> {
  await Promise.all(scene.bridges.map((b) => b.stop("SIGKILL")));
}

/** Stops every bridge process with SIGTERM; true when each exited with status 0. */
export async function stopBridges(scene: Scene): Promise<boolean> {
  const statuses = await Promise.all(scene.bridges.map((b) => b.stop("SIGTERM")));
  return statuses.every((s) => s.code === 0);
}

/** A Fediverse user follows the bot and waits until the bot follows back (registered). */
export async function registerFedi(world: World, account: TestAccount): Promise<void> {
  const { mastodon } = world;
  mastodon.follow(account, world.fediBot);
  await mastodon.waitUntil(
    () => mastodon.relationship(world.fediBot, account).following === true,
    { timeoutMs: 20_000 },
  );
}

/** An XMPP user subscribes to the bot and waits for its welcome (registered). */
export async function registerXmpp(user: XmppUser): Promise<void> {
  await user.subscribe(BOT_XMPP);
  await user.nextMessageFrom(BOT_XMPP, 20_000);
}

/** The test account of a Fediverse user of the world. */
export function fediUser(world: World, name: string): TestAccount {
  const account = world.fediUsers.get(name);
  if (account === undefined) throw new Error(`no Fediverse user ${name} in this world`);
  return account;
}

/** Outbox row states (src/store/outbox.ts). */
export const PENDING = 0;
export const SENT = 1;
export const GIVEN_UP = 2;

/** The outbox table as the bridge left it, read through a read-only connection. */
export class OutboxProbe implements Disposable {
  #db: DatabaseSync | null = null;

  constructor(readonly path: string) {}

  /** Every row: id, network (0 Fediverse, 1 XMPP), state, attempts. */
  rows(): { id: number; network: number; state: number; attempts: number }[] {
    const rows = this.#open().prepare(
      "SELECT id, network, state, attempts FROM outbox ORDER BY id",
    ).all();
    return rows.map((r) => ({
      id: Number(r.id),
      network: Number(r.network),
      state: Number(r.state),
      attempts: Number(r.attempts),
    }));
  }

  /** How many rows are still to send. */
  pending(): number {
    return this.rows().filter((r) => r.state === PENDING).length;
  }

  [Symbol.dispose](): void {
    this.#db?.close();
    this.#db = null;
  }

  #open(): DatabaseSync {
    this.#db ??= new DatabaseSync(this.path, { readOnly: true });
    return this.#db;
  }
}

/**
 * Re-checks `condition` every `everyMs` until it holds; rejects after `timeoutMs`. For state that
 * sends no event (rows of a SQLite file another process writes): a wait for a condition, not a
 * sleep for a guessed time.
 */
export async function waitFor(
  what: string,
  condition: () => boolean,
  timeoutMs: number,
  everyMs = 100,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() >= deadline) throw new Error(`not within ${timeoutMs} ms: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

/** Waits until the outbox has nothing left to send. */
export function outboxDrained(scene: Scene, timeoutMs = 60_000): Promise<void> {
  return waitFor("the outbox has no pending row", () => scene.outbox.pending() === 0, timeoutMs);
}

/** Resolves after `ms` of wall-clock time: only for a fault that must last that long. */
export function holdFor(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Tags written into message texts so they can be counted on the other side. */
const TAG = /\bt-[a-z0-9]+-[a-z]+-\d{2}\b/g;

/** A tag for message `index` of `sender` in scenario `fault`. */
export function tag(fault: string, sender: string, index: number): string {
  return `t-${fault}-${sender}-${String(index).padStart(2, "0")}`;
}

/** The tags in a text. */
export function tagsIn(text: string | null): string[] {
  return text === null ? [] : [...text.matchAll(TAG)].map((m) => m[0]);
}

/** How often each expected tag was seen, and what that means. */
export class Tally {
  readonly counts = new Map<string, number>();
  /** Tags seen that were never sent. */
  readonly strays: string[] = [];

  constructor(readonly expected: readonly string[]) {
    for (const t of expected) this.counts.set(t, 0);
  }

  /** Per tag, a note on each copy (for XMPP: the stanza's id and delay, which tell its path). */
  readonly notes = new Map<string, string[]>();

  add(text: string | null, note?: string): void {
    for (const t of tagsIn(text)) {
      const n = this.counts.get(t);
      if (n === undefined) this.strays.push(t);
      else this.counts.set(t, n + 1);
      if (note !== undefined) this.notes.set(t, [...(this.notes.get(t) ?? []), note]);
    }
  }

  /** The notes of the tags seen more than once. */
  get repeatedNotes(): string[] {
    return [...this.counts].filter(([, c]) => c > 1).map(([t]) =>
      `${t}: ${(this.notes.get(t) ?? []).join(" | ")}`
    );
  }

  get missing(): string[] {
    return this.expected.filter((t) => this.counts.get(t) === 0);
  }

  get complete(): boolean {
    return this.missing.length === 0;
  }

  /** Copies beyond the first of every tag. */
  get duplicates(): number {
    let n = 0;
    for (const c of this.counts.values()) n += Math.max(0, c - 1);
    return n;
  }

  /** Distinct tags seen. */
  get distinct(): number {
    return this.expected.length - this.missing.length;
  }

  /** Tags seen more than once, with their counts. */
  get repeated(): string[] {
    return [...this.counts].filter(([, c]) => c > 1).map(([t, c]) => `${t} x${c}`);
  }
}

/**
 * Counts the tagged messages an XMPP user receives, consuming them from its queue, until `done`
 * (or the timeout: then it rejects, naming what is missing).
 */
export async function receiveTagged(
  user: XmppUser,
  tally: Tally,
  done: (tally: Tally) => boolean,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done(tally)) {
    const left = deadline - Date.now();
    let message: ReceivedMessage;
    try {
      message = await user.nextMessage((m) => tagsIn(m.body).length > 0, Math.max(1, left));
    } catch (e) {
      throw new Error(
        `${user.jid} got ${tally.distinct} of ${tally.expected.length} tagged messages; ` +
          `missing: ${tally.missing.join(" ")}`,
        { cause: e },
      );
    }
    tally.add(message.body, describeCopy(message));
  }
}

/** How a copy came: stanza id, and the delay stamp a server or a resending client added. */
export function describeCopy(m: ReceivedMessage): string {
  const delay = m.stanza.getChild("delay", "urn:xmpp:delay");
  const via = delay === undefined
    ? "live"
    : `delayed by ${delay.attrs.from ?? "?"} (stamp ${delay.attrs.stamp ?? "?"})`;
  return `id ${m.id ?? "none"}, ${via}, received ${new Date().toISOString()}`;
}

/** Counts (and consumes) the tagged messages already received and not yet counted. */
export async function takeReceived(user: XmppUser, tally: Tally): Promise<void> {
  while (user.messages.pending.some((m) => tagsIn(m.body).length > 0)) {
    const m = await user.nextMessage((m) => tagsIn(m.body).length > 0, 1);
    tally.add(m.body, describeCopy(m));
  }
}

/**
 * After everything was sent: one more message from a Fediverse user to an XMPP user. The bot
 * writes it after any earlier stanza, so once it arrives every earlier copy has arrived too;
 * tagged messages that come before it are counted (late duplicates).
 */
export async function syncXmpp(
  world: World,
  from: TestAccount,
  user: XmppUser,
  tally: Tally,
  timeoutMs = 30_000,
): Promise<void> {
  const word = `sentinel${crypto.randomUUID().slice(0, 8)}`;
  world.mastodon.postAs(from, {
    text: `@${BOT_FEDI} xmpp:${user.jid} ${word}`,
    visibility: "direct",
  });
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const m = await user.nextMessage(
      (m) => (m.body?.includes(word) ?? false) || tagsIn(m.body).length > 0,
      Math.max(1, deadline - Date.now()),
    );
    if (m.body?.includes(word)) return;
    tally.add(m.body, describeCopy(m));
  }
}

/** Counts the tagged statuses the Fediverse bot posted. */
export function fediTally(world: World, expected: readonly string[]): Tally {
  const tally = new Tally(expected);
  for (const s of world.mastodon.statusesOf(world.fediBot)) tally.add(s.text);
  return tally;
}

/** Waits until the Fediverse bot posted a status with every expected tag. */
export async function waitForFediTags(
  world: World,
  expected: readonly string[],
  timeoutMs: number,
): Promise<Tally> {
  try {
    await world.mastodon.waitUntil(() => fediTally(world, expected).complete, { timeoutMs });
  } catch (e) {
    const tally = fediTally(world, expected);
    throw new Error(
      `the Fediverse bot posted ${tally.distinct} of ${expected.length} tagged statuses; ` +
        `missing: ${tally.missing.join(" ")}`,
      { cause: e },
    );
  }
  return fediTally(world, expected);
}
