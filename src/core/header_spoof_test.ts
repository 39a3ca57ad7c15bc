/**
 * A carried message cannot pass for another (issue 12, item 8): body lines that read like the
 * bridge's own header are marked as quotes, on both networks, and look-alike addresses are shown
 * so that they cannot pass for others (A-label domains, spelt-out local parts).
 */
import assert from "node:assert/strict";
import { displayAddress, displayDomain, isLookalike, skeleton } from "./lookalike.ts";
import { fediStatusText, markHeaderLookalikes, renderHeader, renderStatusBody } from "./render.ts";
import {
  ALICE,
  BOB,
  CAROL,
  DAVE,
  join,
  onlyDeliver,
  send,
  t,
} from "../../tests/support/sending.ts";
import { makeCore, type TestCore } from "../../tests/support/core.ts";
import { FEDI, XMPP } from "./types.ts";

function world(): TestCore {
  const core = makeCore();
  for (const a of [ALICE, DAVE, BOB, CAROL]) join(core, a);
  return core;
}

Deno.test("a body line imitating the header is shown as a quote (XMPP to the Fediverse)", async () => {
  using core = world();
  const fake = t(core, "header.new", { app: "XMPP", user: "boss@corp.example" });
  const effects = await send(core, ALICE, `@bob@social.test ok\n${fake}\nsend me the codes`);
  const lines = onlyDeliver(effects).text.split("\n");
  assert.equal(lines.length, 4, lines.join("\n"));
  assert.ok(lines[0]!.startsWith("@bob@social.test "));
  assert.equal(lines[1], "@\u200Bbob@social.test ok");
  assert.equal(lines[2], `> ${fake}`);
  assert.equal(lines[3], "send me the codes");
});

Deno.test("a body line imitating the header is shown as a quote (Fediverse to XMPP)", async () => {
  using core = world();
  const fake = t(core, "header.reply", { app: "XMPP", user: "boss@corp.example" });
  const effects = await send(core, BOB, `xmpp:alice@chat.test hi\n${fake}\nplease pay`);
  const lines = onlyDeliver(effects).text.split("\n");
  assert.equal(lines[0], t(core, "header.new", { app: "Mastodon", user: "@bob@social.test" }));
  assert.deepEqual(lines.slice(1), ["xmpp:alice@chat.test hi", `> ${fake}`, "please pay"]);
});

Deno.test("header imitations in other languages, look-alike letters and invisible characters are caught", () => {
  using core = world();
  const { i18n } = core.deps;
  const imitations = [
    "Neue Nachricht von xmpp:chef@firma.example (XMPP):",
    "Nouveau message de xmpp:chef@firma.example (XMPP) :",
    "xmpp:chef@firma.example (XMPP) ha risposto:",
    // Cyrillic е and о, full-width letters, a zero-width space, no colon.
    "N\u0435w m\u0435ssage fr\u043Em XMPP user xmpp:boss@corp.example",
    "Ｎｅｗ message from XMPP user xmpp:boss@corp.example:",
    "New mes\u200Bsage from  XMPP   user xmpp:boss@corp.example:",
    "  @x@evil.example New message from XMPP user xmpp:boss@corp.example:",
  ];
  for (const line of imitations) {
    assert.equal(markHeaderLookalikes(i18n, `hi\n${line}`), `hi\n> ${line}`, line);
  }
  const harmless = [
    "I got a new message from my sister",
    "New message from",
    "> New message from XMPP user xmpp:boss@corp.example:",
    "user replied",
  ];
  for (const line of harmless) assert.equal(markHeaderLookalikes(i18n, line), line, line);
});

Deno.test("the content warning and attachment lines are checked like the text", () => {
  using core = world();
  const { i18n } = core.deps;
  const fake = i18n.t("en", "header.new", { app: "XMPP", user: "xmpp:boss@corp.example" });
  const body = renderStatusBody(i18n, "en", "text", {
    spoiler: `cw\n${fake}`,
    media: [],
    pollUrl: null,
  });
  assert.ok(body.split("\n").includes(`> ${fake}`), body);
});

Deno.test("a look-alike domain in the header is shown in its A-label form", async () => {
  using core = world();
  // "аpple.example" with a Cyrillic а: mixed scripts in one label.
  const spoof = { network: XMPP, address: "ceo@\u0430pple.example" } as const;
  join(core, spoof);
  const effects = await send(core, spoof, "@bob@social.test hello");
  const header = onlyDeliver(effects).text.split("\n")[0]!;
  assert.ok(header.includes("xmpp:ceo@xn--pple-43d.example"), header);
  assert.ok(!header.includes("\u0430"), header);
});

Deno.test("displayDomain: mixed scripts and whole-script look-alikes in A-label form, others as they are", () => {
  const cases: ReadonlyArray<readonly [string, string]> = [
    ["social.example", "social.example"],
    ["bücher.example", "bücher.example"],
    ["пример.рф", "пример.рф"],
    ["例え.テスト", "例え.テスト"],
    ["\u0430pple.example", "xn--pple-43d.example"],
    // All-Cyrillic letters that look like Latin ones: "сосо".
    [
      "\u0441\u043E\u0441\u043E.example",
      new URL("http://\u0441\u043E\u0441\u043E.example").hostname,
    ],
    // A dotless ı in a Latin label.
    ["paypa\u0131.example", new URL("http://paypa\u0131.example").hostname],
    // Greek ο inside a Latin label.
    ["g\u03BFogle.example", new URL("http://g\u03BFogle.example").hostname],
  ];
  for (const [domain, shown] of cases) {
    assert.equal(displayDomain(domain), shown, domain);
    if (shown !== domain) assert.ok(/^[!-~]+$/.test(shown), domain);
  }
});

Deno.test("displayAddress: a mixed-script local part is spelt out, the prefix is kept", () => {
  assert.equal(displayAddress("xmpp:alice@chat.test"), "xmpp:alice@chat.test");
  assert.equal(displayAddress("@bob@social.test"), "@bob@social.test");
  assert.equal(displayAddress("xmpp:алиса@chat.test"), "xmpp:алиса@chat.test");
  assert.equal(displayAddress("xmpp:\u0430dmin@chat.test"), "xmpp:[U+0430]dmin@chat.test");
  assert.equal(
    displayAddress("xmpp:\u0430dmin@\u0430pple.example"),
    "xmpp:[U+0430]dmin@xn--pple-43d.example",
  );
  assert.equal(displayAddress("no address"), "no address");
  assert.ok(isLookalike("a\u200Bb"), "an invisible character");
  assert.ok(!isLookalike("josé"));
});

Deno.test("renderHeader shows a look-alike sender in A-label form in every language", () => {
  using core = world();
  for (const lang of core.deps.i18n.languages()) {
    const header = renderHeader(core.deps.i18n, lang, "new", "XMPP", "xmpp:x@\u0430pple.example");
    assert.ok(header.includes("xmpp:x@xn--pple-43d.example"), `${lang}: ${header}`);
  }
});

Deno.test("skeleton folds look-alikes, compatibility forms and invisible characters", () => {
  assert.equal(skeleton("  Ｎ\u0435w\u200B  MESSAGE "), "new message");
  assert.equal(skeleton("𝐍𝐞𝐰"), "new");
});

Deno.test("a status to the Fediverse marks header look-alikes before defusing mentions", () => {
  using core = world();
  const { i18n } = core.deps;
  const header = renderHeader(i18n, "en", "new", "XMPP", "xmpp:alice@chat.test");
  const fake = i18n.t("en", "header.new", { app: "XMPP", user: "xmpp:boss@corp.example" });
  const out = fediStatusText(i18n, [BOB.address], header, `@carol@other.social\n${fake}`, "x");
  assert.equal(out, `@bob@social.test ${header}\n@\u200Bcarol@other.social\n> ${fake}`);
  assert.equal(BOB.network, FEDI);
});

Deno.test("a safe internationalised domain kept in A-label form is shown in its own letters; a look-alike one stays an A-label", () => {
  assert.equal(displayDomain("xn--bcher-kva.example"), "bücher.example");
  // "аpple" with a Cyrillic а: stored as its A-label, shown as it.
  const spoof = new URL("http://\u0430pple.example").hostname;
  assert.ok(spoof.startsWith("xn--"), spoof);
  assert.equal(displayDomain(spoof), spoof);
  assert.equal(displayDomain("chat.example"), "chat.example");
});
