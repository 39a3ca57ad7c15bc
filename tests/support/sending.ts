/**
 * Shared set-up of the sending tests: a few accounts, joining them directly in the store, and
 * one call that parses a text as the engine does and hands it to {@link handleSend}.
 */
import assert from "node:assert/strict";
import type { Params } from "../../src/i18n/mod.ts";
import { Turn } from "../../src/core/context.ts";
import { parseMessage } from "../../src/core/parse.ts";
import { handleSend } from "../../src/core/sending.ts";
import type { TestCore } from "./core.ts";
import { type Account, type Effect, FEDI, type StatusExtras, XMPP } from "../../src/core/types.ts";
import type { CoreDeps } from "../../src/core/deps.ts";
import type { MessageKey } from "../../src/i18n/mod.ts";
import { makeCore } from "./core.ts";

export const ALICE: Account = { network: XMPP, address: "alice@chat.test" };
export const DAVE: Account = { network: XMPP, address: "dave@chat.test" };
export const BOB: Account = { network: FEDI, address: "bob@social.test" };
export const CAROL: Account = { network: FEDI, address: "carol@other.social" };

export type Notice = Extract<Effect, { kind: "notice" }>;
export type Deliver = Extract<Effect, { kind: "deliver" }>;

/** Registers `account` directly in the store (Mastodon for the Fediverse, XMPP otherwise). */
export function join(core: TestCore, account: Account, lang: string | null = null): void {
  core.deps.store.users.register({
    type: account.network,
    address: account.address,
    at: core.clock.now,
    lang,
    app: account.network === FEDI ? "Mastodon" : "XMPP",
    accountId: null,
  });
}

export interface SendOptions {
  readonly id?: string;
  readonly inReplyTo?: string | null;
  readonly lang?: string | null;
  readonly extras?: StatusExtras | null;
  /** Other deps (other Fediverse limits, say); they must emit into `core.emitted`. */
  readonly deps?: CoreDeps;
}

let counter = 0;

/** Sends `text` from `from` through {@link handleSend}; returns the effects it emitted. */
export async function send(
  core: TestCore,
  from: Account,
  text: string,
  opts: SendOptions = {},
): Promise<Effect[]> {
  const deps = opts.deps ?? core.deps;
  const { config } = deps;
  const before = core.emitted.length;
  const id = opts.id ?? `in-${++counter}`;
  const parsed = parseMessage(text, {
    prefixes: config.prefixes,
    commandWords: config.commandWords,
    apInstance: config.apInstance,
    botAddresses: { fedi: config.fediHandle, xmpp: config.xmppJid },
    from: from.network,
  });
  await handleSend(new Turn(deps, from, id), parsed, {
    kind: "message",
    from,
    id,
    text,
    inReplyTo: opts.inReplyTo ?? null,
    lang: opts.lang ?? null,
    extras: opts.extras ?? null,
  });
  return core.emitted.slice(before);
}

/** The English text of `key`. */
export function t(core: TestCore, key: MessageKey, params?: Params): string {
  return core.deps.i18n.t("en", key, params);
}

export function notices(effects: readonly Effect[]): Notice[] {
  return effects.filter((e): e is Notice => e.kind === "notice");
}

export function delivers(effects: readonly Effect[]): Deliver[] {
  return effects.filter((e): e is Deliver => e.kind === "deliver");
}

/** The one deliver effect of `effects` (fails otherwise). */
export function onlyDeliver(effects: readonly Effect[]): Deliver {
  const found = delivers(effects);
  if (found.length !== 1) throw new Error(`expected one delivery, got ${found.length}`);
  return found[0]!;
}

/** How many deliveries `sender` ever made (records in the store). */
export function sentCount(core: TestCore, sender: Account): number {
  return core.deps.store.conversations.countSentSince(sender.network, sender.address, 0);
}

/** A core with Alice and Dave (XMPP) and Bob and Carol (Fediverse) registered. */
export function world(extraConfig = ""): TestCore {
  const core = makeCore(extraConfig);
  for (const a of [ALICE, DAVE, BOB, CAROL]) join(core, a);
  return core;
}

/** Exactly one effect: a notice to `to` with `text` (answering `inReplyTo` on the Fediverse). */
export function assertOnlyNotice(
  effects: readonly Effect[],
  to: typeof ALICE,
  text: string,
  inReplyTo: string | null = null,
): void {
  assert.deepEqual(effects, [{ kind: "notice", to, text, inReplyTo }]);
}
