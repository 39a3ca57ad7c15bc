/**
 * Helpers for the tests of registration.ts and the commands: build messages the way the engine
 * does, run a command or a registration on a fresh turn, and compare answers with the texts of
 * their keys.
 *
 * @module
 */
import assert from "node:assert/strict";
import { createI18n } from "../../src/i18n/mod.ts";
import type { Params } from "../../src/i18n/mod.ts";
import { BUILTIN_CATALOGS, REFERENCE_LANGUAGE } from "../../src/i18n/mod.ts";
import { handleCommand } from "../../src/core/commands.ts";
import { Turn } from "../../src/core/context.ts";
import { type ParsedMessage } from "../../src/core/parse.ts";
import { registerAccount, type RegisterHow } from "../../src/core/registration.ts";
import type { TestCore } from "./core.ts";
import { type Account, type Effect, FEDI, type Inbound, XMPP } from "../../src/core/types.ts";
import type { CoreDeps } from "../../src/core/deps.ts";
import type { I18n } from "../../src/i18n/mod.ts";
import type { MessageKey } from "../../src/i18n/mod.ts";
import { parseFor } from "../../src/core/deps.ts";

export const fedi = (address: string): Account => ({ network: FEDI, address });
export const xmpp = (address: string): Account => ({ network: XMPP, address });

// The accounts of the command and registration tests.
export const ALICE = fedi("alice@remote.example");
export const BOB = xmpp("bob@jabber.example");
export const SPAM = fedi("spam@bad.example");
export const XMPP_ADMIN = xmpp("admin@chat.test");
export const FEDI_ADMIN = fedi("admin@social.test");
/** A day, in milliseconds. */
export const DAY = 24 * 3600_000;

/** One part of an expected answer: a key and its parameters. */
export type Part = readonly [key: MessageKey, params?: Params];

/** The text of `key`, failing when the key does not exist or a parameter is missing. */
export function text(deps: CoreDeps, lang: string, key: MessageKey, params?: Params): string {
  assert.ok(deps.i18n.keys().includes(key), `locales/en.json has no key "${key}"`);
  const out = deps.i18n.translate(lang, key, params);
  assert.deepEqual(out.problems.map((p) => p.message), [], `problems with "${key}"`);
  return out.text;
}

/** The texts of `parts`, one per line, as an answer joins them. */
export function lines(deps: CoreDeps, lang: string, ...parts: readonly Part[]): string {
  return parts.map(([key, params]) => text(deps, lang, key, params)).join("\n");
}

/** Asserts that `effect` is a notice to `to` reading `parts`. */
export function assertNotice(
  deps: CoreDeps,
  effect: Effect | undefined,
  to: Account,
  parts: readonly Part[],
  lang = "en",
): void {
  assert.ok(effect, "expected a notice");
  assert.equal(effect.kind, "notice");
  assert.deepEqual(effect.to, to);
  assert.equal(effect.text, lines(deps, lang, ...parts));
}

/** Asserts that `effect` is the contact change `action` for `to`. */
export function assertContact(
  effect: Effect | undefined,
  to: Account,
  action: string,
  accountId: string | null = null,
): void {
  assert.deepEqual(effect, { kind: "contact", to, action, accountId });
}

export function parse(deps: CoreDeps, from: Account, body: string): ParsedMessage {
  return parseFor(deps.config, body, from);
}

export function messageOf(
  from: Account,
  body: string,
  lang: string | null = null,
): Extract<Inbound, { kind: "message" }> {
  return { kind: "message", from, id: "msg-1", text: body, inReplyTo: null, lang, extras: null };
}

/**
 * A maker of chat messages (or statuses) from `from`, each with a fresh id: `m-1`, `m-2`, ...
 * (the count is the maker's own, so one test file's ids do not depend on another's).
 */
export function chatMaker(): (from: Account, text: string) => Inbound {
  let ids = 0;
  return (from, text) => ({
    kind: "message",
    from,
    id: `m-${++ids}`,
    text,
    inReplyTo: null,
    lang: null,
    extras: null,
  });
}

/** The shipped catalogues, English as the default and fallback language. */
export function englishI18n(): I18n {
  return createI18n({
    builtin: BUILTIN_CATALOGS,
    reference: REFERENCE_LANGUAGE,
    overridesDir: null,
    unknownLanguage: "en",
    defaultLanguage: "en",
  });
}

/**
 * Runs the single command of `body` from `from` and returns the effects it emitted. Also checks
 * that nothing was left uncommitted.
 */
export async function runCommand(
  core: TestCore,
  from: Account,
  body: string,
  deps: CoreDeps = core.deps,
): Promise<Effect[]> {
  const parsed = parse(deps, from, body);
  const [command] = parsed.commands;
  assert.ok(command, `"${body}" holds no command`);
  const before = core.emitted.length;
  const turn = new Turn(deps, from, "msg-1");
  await handleCommand(turn, command, parsed, messageOf(from, body));
  assert.deepEqual(turn.effects, [], "effects left uncommitted");
  return core.emitted.slice(before);
}

/** Runs a registration of `from` and returns its result and the effects it emitted. */
export async function runRegister(
  core: TestCore,
  from: Account,
  how: RegisterHow,
  deps: CoreDeps = core.deps,
): Promise<{ ok: boolean; effects: Effect[] }> {
  const before = core.emitted.length;
  const turn = new Turn(deps, from, how.trigger === "command" ? "msg-1" : null);
  const ok = await registerAccount(turn, how);
  assert.deepEqual(turn.effects, [], "effects left uncommitted");
  return { ok, effects: core.emitted.slice(before) };
}

/** Registers an account directly in the store (no checks), as a starting state. */
export function seedUser(core: TestCore, account: Account, at = core.clock.now): void {
  core.deps.store.users.register({
    type: account.network,
    address: account.address,
    at,
    lang: null,
    app: account.network === FEDI ? "Mastodon" : "XMPP",
    accountId: account.network === FEDI ? `id-${account.address}` : null,
  });
}

/**
 * The deps of `core` with a second shipped language, "de", whose texts are the English ones
 * marked with "[de] " (same keys and placeholders), to see which language an answer is in.
 */
export function withGerman(core: TestCore): CoreDeps {
  const en = BUILTIN_CATALOGS[REFERENCE_LANGUAGE]!;
  const de = Object.fromEntries(Object.entries(en).map(([k, v]) => [k, `[de] ${v}`]));
  const i18n = createI18n({
    builtin: { en, de },
    reference: REFERENCE_LANGUAGE,
    overridesDir: null,
    unknownLanguage: core.config.unknownLanguage,
    defaultLanguage: core.config.defaultLanguage,
  });
  return { ...core.deps, i18n };
}

/** The user row, or undefined. */
export function userOf(core: TestCore, account: Account) {
  return core.deps.store.users.get(account.network, account.address);
}

/** The list answer: heading, then one "- item" line each. */
export function listText(core: TestCore, key: MessageKey, items: string[]): string {
  return [core.deps.i18n.t("en", key, { count: items.length }), ...items.map((i) => `- ${i}`)]
    .join("\n");
}

/** The first answer to a Fediverse or an XMPP newcomer. */
export const WELCOME_FEDI: Part = ["reg.welcome_fedi", { help: "!help" }];
export const WELCOME_XMPP: Part = ["reg.welcome_xmpp", { help: "!help" }];

/** Registers ALICE in the fake directory as an ordinary, active account. */
export function knowAlice(core: TestCore, opts: Parameters<TestCore["fedi"]["add"]>[1] = {}) {
  return core.fedi.add(ALICE.address, { id: "77", now: core.clock.now, ...opts });
}
