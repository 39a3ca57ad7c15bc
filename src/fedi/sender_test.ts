import assert from "node:assert/strict";
import type { Config } from "../config/mod.ts";
import { FEDI } from "../core/types.ts";
import { createI18n } from "../i18n/mod.ts";
import { BUILTIN_CATALOGS, REFERENCE_LANGUAGE } from "../i18n/mod.ts";
import type { FediApi } from "./api.ts";
import { FediSender } from "./sender.ts";
import { RateGate } from "./rate_gate.ts";
import { ManualClock } from "../../tests/support/manual_clock.ts";

function sender(maxCharacters = 500) {
  const i18n = createI18n({
    builtin: BUILTIN_CATALOGS,
    reference: REFERENCE_LANGUAGE,
    overridesDir: null,
    unknownLanguage: "en",
    defaultLanguage: "en",
  });
  return {
    i18n,
    sender: new FediSender({
      api: {} as FediApi,
      config: { apInstance: "social.test" } as Config,
      i18n,
      limits: () => ({ maxCharacters, charactersReservedPerUrl: 23 }),
      languageOf: () => "de",
    }),
  };
}

const ALICE = { network: FEDI, address: "alice@other.example" } as const;

Deno.test("a notice starts with the recipient's mention unless it has it", () => {
  const { sender: s } = sender();
  assert.equal(s.noticeText(ALICE, "Welcome!"), "@alice@other.example Welcome!");
  assert.equal(s.noticeText(ALICE, "Hi @Alice@other.example."), "Hi @Alice@other.example.");
  const local = { network: FEDI, address: "bob@social.test" } as const;
  assert.equal(s.noticeText(local, "@bob hi"), "@bob hi");
});

Deno.test("other mentions in a notice are made inert: a direct status reaches all it names", () => {
  const { sender: s } = sender();
  assert.equal(
    s.noticeText(ALICE, "Users: @carol@x.example, @dave"),
    "@alice@other.example Users: @\u200Bcarol@x.example, @\u200Bdave",
  );
});

Deno.test("a long notice is cut with the truncation note in the recipient's language", () => {
  const { sender: s, i18n } = sender(150);
  const text = s.noticeText(ALICE, "word ".repeat(60));
  assert.ok(text.startsWith("@alice@other.example word"));
  assert.ok(text.endsWith(i18n.t("de", "render.truncated")));
  assert.ok(text.length <= 150 + "other.example".length, `${text.length}`);
  assert.ok(text.length < "word ".repeat(60).length);
});

Deno.test("effects of the other network are refused for good", async () => {
  const { sender: s } = sender();
  const result = await s.send({
    kind: "contact",
    to: { network: 1, address: "bob@chat.test" },
    action: "subscribe",
    accountId: null,
  }, "k");
  assert.equal(result.ok, false);
  assert.ok(!result.ok && result.permanent);
});

Deno.test("the sender's window is what the rate-limit gate leaves room for", () => {
  const timers = new ManualClock();
  const gate = new RateGate({ timers });
  const s = new FediSender({
    api: { gate } as FediApi,
    config: { apInstance: "social.test" } as Config,
    i18n: sender().i18n,
    limits: () => ({ maxCharacters: 500, charactersReservedPerUrl: 23 }),
    languageOf: () => "en",
    maxInFlight: 8,
  });
  assert.equal(s.window, 8);
  const resetAt = new Date(timers.now() + 60_000).toISOString();
  gate.observe(
    new Headers({
      "X-RateLimit-Limit": "300",
      "X-RateLimit-Remaining": "33",
      "X-RateLimit-Reset": resetAt,
    }),
  );
  assert.equal(s.window, 3);
});
