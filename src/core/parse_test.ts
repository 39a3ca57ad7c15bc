import assert from "node:assert/strict";
import { htmlToText } from "../text/html.ts";
import { COMMANDS, type ParsedMessage, parseMessage, type ParseOptions } from "./parse.ts";
import { BASE, type Case, CASES, FROM_FEDI, FROM_XMPP } from "./parse_cases.ts";

function check(c: Case): void {
  const options: ParseOptions = { ...BASE, from: c.from ?? BASE.from, ...c.options };
  const got = parseMessage(c.input, options);
  const words = options.commandWords;
  const e = c.expect;
  const expected: ParsedMessage = {
    commands: (e.commands ?? []).map((name) => {
      const index = COMMANDS.indexOf(name);
      return { index, name, word: words[index] ?? name };
    }),
    unknownCommands: e.unknownCommands ?? [],
    langs: e.langs ?? [],
    lang: e.langs?.[0] ?? null,
    fediRecipients: e.fediRecipients ?? [],
    xmppRecipients: e.xmppRecipients ?? [],
    shortMentions: e.shortMentions ?? [],
    domains: e.domains ?? [],
    badAddresses: e.badAddresses ?? [],
    text: e.text ?? c.input.trim(),
    isEmpty: e.isEmpty ?? false,
    langOnly: e.langOnly ?? false,
  };
  assert.deepEqual(got, expected);
}

for (const c of CASES) {
  Deno.test(`parseMessage: ${c.name}`, () => check(c));
}

Deno.test("COMMANDS: 23 words in SPEC order", () => {
  assert.equal(COMMANDS.length, 23);
  assert.equal(COMMANDS[0], "register");
  assert.equal(COMMANDS[14], "addred");
  assert.equal(COMMANDS[22], "status");
});

Deno.test("parseMessage: the command index follows the configured position", () => {
  const words: string[] = [...COMMANDS];
  words[3] = "aide";
  const got = parseMessage("!aide", { ...BASE, commandWords: words });
  assert.deepEqual(got.commands, [{ index: 3, name: "help", word: "aide" }]);
});

Deno.test("parseMessage: short mention handling depends only on the origin", () => {
  const fromFedi = parseMessage("@alice hi", { ...BASE, from: FROM_FEDI });
  const fromXmpp = parseMessage("@alice hi", { ...BASE, from: FROM_XMPP });
  assert.deepEqual(fromFedi.fediRecipients, ["alice@bridge.example"]);
  assert.deepEqual(fromFedi.shortMentions, []);
  assert.deepEqual(fromXmpp.fediRecipients, []);
  assert.deepEqual(fromXmpp.shortMentions, ["alice"]);
});

Deno.test("parseMessage: odd input never throws", () => {
  const pieces = ["@", "!", "xmpp:", "!lang=", ".", "a", "b.c", " ", "\n", "/", ",", "é", "://"];
  let seed = 7;
  const next = (): number => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed;
  };
  for (let i = 0; i < 500; i++) {
    let input = "";
    for (let j = 0; j < 40; j++) input += pieces[next() % pieces.length];
    const got = parseMessage(input, BASE);
    for (const address of [...got.fediRecipients, ...got.xmppRecipients]) {
      assert.match(address, /^[^@\s]+@[^@\s]+$/);
    }
  }
});

Deno.test("parseMessage: a Mastodon direct status, through htmlToText", () => {
  const html =
    '<p><span class="h-card" translate="no"><a href="https://bridge.example/@xmpp_bridge" ' +
    'class="u-url mention">@<span>xmpp_bridge</span></a></span> <span class="h-card" translate="no">' +
    '<a href="https://bridge.example/@carol" class="u-url mention">@<span>carol</span></a></span> ' +
    '<a href="xmpp:Bob@Chat.Example" target="_blank" rel="nofollow noopener" translate="no">' +
    '<span class="invisible">xmpp:</span><span class="">Bob@Chat.Example</span>' +
    '<span class="invisible"></span></a> Hi Bob!</p><p>See <a href="https://blog.example/a/@x@y.example" ' +
    'target="_blank" rel="nofollow noopener" translate="no"><span class="invisible">https://</span>' +
    '<span class="">blog.example/a/@x@y.example</span><span class="invisible"></span></a></p>';
  const got = parseMessage(htmlToText(html), { ...BASE, from: FROM_FEDI });
  assert.deepEqual(got.xmppRecipients, ["bob@chat.example"]);
  assert.deepEqual(got.fediRecipients, ["carol@bridge.example"]);
  assert.deepEqual(got.commands, []);
  assert.deepEqual(got.unknownCommands, []);
  assert.deepEqual(got.domains, []);
  assert.equal(
    got.text,
    "@carol@bridge.example xmpp:Bob@Chat.Example Hi Bob!\n\nSee https://blog.example/a/@x@y.example",
  );
});
