import assert from "node:assert/strict";
import { htmlToText } from "../text/html.ts";
import {
  type CommandName,
  COMMANDS,
  type Origin,
  type ParsedMessage,
  parseMessage,
  type ParseOptions,
} from "./parse.ts";

const FROM_FEDI: Origin = 0;
const FROM_XMPP: Origin = 1;

const BASE: ParseOptions = {
  prefixes: { fedi: "@", xmpp: "xmpp:", command: "!", lang: "!lang=" },
  commandWords: COMMANDS,
  apInstance: "bridge.example",
  botAddresses: { fedi: "xmpp_bridge@bridge.example", xmpp: "ap_bridge@chat.example" },
  from: FROM_XMPP,
};

/** Only the fields a case cares about; the rest must be empty / default. */
interface Expected {
  readonly commands?: readonly CommandName[];
  readonly unknownCommands?: readonly string[];
  readonly langs?: readonly string[];
  readonly fediRecipients?: readonly string[];
  readonly xmppRecipients?: readonly string[];
  readonly shortMentions?: readonly string[];
  readonly domains?: readonly string[];
  readonly badAddresses?: readonly string[];
  /** Defaults to the input, trimmed. */
  readonly text?: string;
  readonly isEmpty?: boolean;
  readonly langOnly?: boolean;
}

interface Case {
  readonly name: string;
  readonly input: string;
  readonly from?: Origin;
  readonly options?: Partial<ParseOptions>;
  readonly expect: Expected;
}

const CASES: readonly Case[] = [
  // Empty messages.
  { name: "empty", input: "", expect: { isEmpty: true } },
  { name: "white space only", input: " \n\t \u00a0", expect: { isEmpty: true, text: "" } },

  // Plain messages and recipients.
  {
    name: "one fedi recipient from XMPP",
    input: "@alice@mastodon.example hello there",
    expect: { fediRecipients: ["alice@mastodon.example"] },
  },
  {
    name: "mixed case addresses are lower-cased, text kept as typed",
    input: "@Alice@Mastodon.Example and xmpp:Bob@Chat.Example/Phone hi",
    expect: {
      fediRecipients: ["alice@mastodon.example"],
      xmppRecipients: ["bob@chat.example"],
    },
  },
  {
    name: "several recipients, duplicates removed, order kept",
    input: "@b@x.example @a@y.example @B@X.example @c@z.example hi",
    expect: { fediRecipients: ["b@x.example", "a@y.example", "c@z.example"] },
  },
  {
    name: "newline-separated recipients",
    input: "@a@one.example\n@b@two.example\nxmpp:c@three.example\n\nThe message.",
    expect: {
      fediRecipients: ["a@one.example", "b@two.example"],
      xmppRecipients: ["c@three.example"],
    },
  },
  {
    name: "trailing punctuation is not part of an address",
    input: "Hi @bob@host.tld, @carol@host.tld. and (@dan@host.tld) or @eve@host.tld!",
    expect: { fediRecipients: ["bob@host.tld", "carol@host.tld", "dan@host.tld", "eve@host.tld"] },
  },
  {
    name: "addresses separated by commas without spaces",
    input: "@a@x.example,@b@y.example;xmpp:c@z.example hi",
    expect: { fediRecipients: ["a@x.example", "b@y.example"], xmppRecipients: ["c@z.example"] },
  },
  {
    name: "xmpp resource and query dropped, punctuation too",
    input: "xmpp:a@x.example/laptop xmpp:b@y.example?message xmpp:c@z.example, xmpp:d@w.example.",
    expect: { xmppRecipients: ["a@x.example", "b@y.example", "c@z.example", "d@w.example"] },
  },
  {
    name: "capitalised xmpp prefix (phone keyboards)",
    input: "Xmpp:bob@chat.example hello",
    from: FROM_FEDI,
    expect: { xmppRecipients: ["bob@chat.example"] },
  },
  {
    name: "subdomains, hyphens, digits and IDN",
    input: "@a_b.c@sub.my-host2.example xmpp:jörg@bücher.example",
    expect: {
      fediRecipients: ["a_b.c@sub.my-host2.example"],
      xmppRecipients: ["jörg@xn--bcher-kva.example"],
    },
  },
  {
    name: "an IDN domain written in Unicode gives the A-label form Mastodon reports",
    input: "@alice@Bücher.Example xmpp:bob@XN--BCHER-KVA.example !addred bücher.example",
    expect: {
      commands: ["addred"],
      fediRecipients: ["alice@xn--bcher-kva.example"],
      xmppRecipients: ["bob@xn--bcher-kva.example"],
      domains: ["xn--bcher-kva.example"],
    },
  },
  {
    name: "a control character in a JID makes it a bad address, not a recipient",
    input: "xmpp:a\u0001b@chat.example hi",
    expect: { badAddresses: ["xmpp:a\\u0001b@chat.example"] },
  },
  {
    name: "U+FFFF, U+FFFE and a lone surrogate in a JID make it a bad address",
    input: "xmpp:a\uFFFFb@chat.example xmpp:c\uFFFEd@chat.example xmpp:e\uD800f@chat.example",
    expect: {
      badAddresses: [
        "xmpp:a\\uFFFFb@chat.example",
        "xmpp:c\\uFFFEd@chat.example",
        "xmpp:e\\uD800f@chat.example",
      ],
    },
  },
  {
    name: "a Fediverse name Mastodon would not take is a bad address; a short one is text",
    input: "@bob+x@host.example @jos\u00e9@host.example and @jos\u00e9 too",
    from: 0,
    expect: { badAddresses: ["@bob+x@host.example", "@jos\u00e9@host.example"] },
  },
  {
    name: "localhost accepted for addresses (test servers), not as a domain",
    input: "@alice@localhost xmpp:bob@localhost localhost",
    expect: { fediRecipients: ["alice@localhost"], xmppRecipients: ["bob@localhost"] },
  },
  {
    name: "a URL holds no mention, domain or command",
    input: "look https://host.example/@alice and https://x.example/!help?u=@b@c.example",
    expect: {},
  },
  {
    name: "an e-mail address is not a recipient or a domain",
    input: "mail me at john.doe@mail.example or jane@mail.example",
    expect: {},
  },
  {
    name: "a fedi address must start a word",
    input: "foo@alice@host.example x@y.example",
    expect: {},
  },
  {
    name: "address followed by another @ is no address",
    input: "@a@b.example@c.example",
    expect: {},
  },
  {
    name: "xmpp prefix inside a word is ignored",
    input: "notxmpp:a@b.example",
    expect: {},
  },

  // The bots' own addresses.
  {
    name: "bot fedi address stripped and never a recipient (from Fedi)",
    input: "@xmpp_bridge@bridge.example xmpp:bob@chat.example Hello Bob",
    from: FROM_FEDI,
    expect: { xmppRecipients: ["bob@chat.example"], text: "xmpp:bob@chat.example Hello Bob" },
  },
  {
    name: "bot addresses in any case, anywhere",
    input: "hi @XMPP_Bridge@Bridge.Example, and xmpp:AP_bridge@chat.example: yes",
    expect: { text: "hi and yes" },
  },
  {
    name: "bot short mention from Fedi is the bot",
    input: "@xmpp_bridge !help",
    from: FROM_FEDI,
    expect: { commands: ["help"], text: "!help" },
  },
  {
    name: "bot on its own line goes with its line",
    input: "@xmpp_bridge@bridge.example\n@alice@m.example\nhello",
    from: FROM_FEDI,
    expect: { fediRecipients: ["alice@m.example"], text: "@alice@m.example\nhello" },
  },
  {
    name: "bot name given without host means on apInstance",
    input: "@xmpp_bridge@bridge.example hi",
    from: FROM_FEDI,
    options: { botAddresses: { fedi: "xmpp_bridge", xmpp: "ap_bridge@chat.example/res" } },
    expect: { text: "hi" },
  },
  {
    name: "only the bot address",
    input: "@xmpp_bridge@bridge.example",
    from: FROM_FEDI,
    expect: { text: "" },
  },

  // Short mentions.
  {
    name: "short mention from XMPP is listed, not a recipient",
    input: "@alice hello and @Bob.",
    expect: { shortMentions: ["alice", "bob"] },
  },
  {
    name: "short mention from Fedi gets the bot's server",
    input: "@xmpp_bridge@bridge.example @alice hello",
    from: FROM_FEDI,
    expect: { fediRecipients: ["alice@bridge.example"], text: "@alice hello" },
  },
  {
    name: "apInstance given as a URL",
    input: "@alice hi",
    from: FROM_FEDI,
    options: { apInstance: "https://Bridge.Example/" },
    expect: { fediRecipients: ["alice@bridge.example"] },
  },
  {
    name: "lone @ is nothing",
    input: "see you @ 5 or @, fine",
    expect: {},
  },

  // Commands.
  { name: "a command", input: "!help", expect: { commands: ["help"] } },
  { name: "command in capitals", input: "!HELP", expect: { commands: ["help"] } },
  {
    name: "command with arguments",
    input: "!block @a@b.c xmpp:d@e.f",
    expect: { commands: ["block"], fediRecipients: ["a@b.c"], xmppRecipients: ["d@e.f"] },
  },
  {
    name: "command after the bot mention (from Fedi)",
    input: "@xmpp_bridge@bridge.example !unblock xmpp:d@e.example",
    from: FROM_FEDI,
    expect: {
      commands: ["unblock"],
      xmppRecipients: ["d@e.example"],
      text: "!unblock xmpp:d@e.example",
    },
  },
  {
    name: "two commands",
    input: "!register !help",
    expect: { commands: ["register", "help"] },
  },
  { name: "same command twice counts once", input: "!help !Help", expect: { commands: ["help"] } },
  { name: "unknown command", input: "!foo", expect: { unknownCommands: ["foo"] } },
  {
    name: "known and unknown commands",
    input: "!status !Foo !bar !foo",
    expect: { commands: ["status"], unknownCommands: ["foo", "bar"] },
  },
  {
    name: "exclamation marks in sentences are no commands",
    input: "hello! how are you!! great!!! wow!great ! yes 5 ! (!) !? !1 !-x",
    expect: {},
  },
  { name: "command in parentheses", input: "(!help)", expect: { commands: ["help"] } },
  { name: "command at a line start", input: "hi\n!listblock", expect: { commands: ["listblock"] } },
  {
    name: "admin domain command",
    input: "!addred spam.example, Bad.Example. other.example:\n(fourth.example)",
    expect: {
      commands: ["addred"],
      domains: ["spam.example", "bad.example", "other.example", "fourth.example"],
    },
  },
  {
    name: "domains of addresses and URLs are not bare domains",
    input:
      "!addgreen @a@one.example xmpp:b@two.example https://three.example/x four.example/x five.example",
    expect: {
      commands: ["addgreen"],
      fediRecipients: ["a@one.example"],
      xmppRecipients: ["b@two.example"],
      domains: ["five.example"],
    },
  },
  {
    name: "things that look like numbers or abbreviations are no domains",
    input: "version 1.2.3 costs 3.50, e.g. this i.e. that",
    expect: {},
  },
  {
    name: "punycode top-level domain",
    input: "!delred xn--bcher-kva.xn--p1ai",
    expect: { commands: ["delred"], domains: ["xn--bcher-kva.xn--p1ai"] },
  },
  {
    name: "every default command word is known, in SPEC order",
    input: COMMANDS.map((c) => `!${c}`).join(" "),
    expect: { commands: COMMANDS },
  },

  // Language.
  {
    name: "language only",
    input: "!lang=DE",
    expect: { langs: ["de"], text: "", langOnly: true },
  },
  {
    name: "language is not a command named lang=de",
    input: "!lang=fr hello @a@b.example",
    expect: { langs: ["fr"], fediRecipients: ["a@b.example"], text: "hello @a@b.example" },
  },
  {
    name: "language after the bot mention, from Fedi",
    input: "@xmpp_bridge@bridge.example !lang=pt",
    from: FROM_FEDI,
    expect: { langs: ["pt"], text: "", langOnly: true },
  },
  {
    name: "two languages",
    input: "!lang=de !lang=EN !lang=de",
    expect: { langs: ["de", "en"], text: "", langOnly: true },
  },
  {
    name: "region code kept whole",
    input: "!lang=pt-BR.",
    expect: { langs: ["pt-br"], text: ".", langOnly: false },
  },
  {
    name: "trailing hyphen of a code dropped",
    input: "!lang=de-",
    expect: { langs: ["de"], text: "", langOnly: true },
  },
  {
    name: "empty language code",
    input: "!lang=",
    expect: { langs: [""], text: "", langOnly: true },
  },
  {
    name: "!lang without = is an unknown command",
    input: "!lang de",
    expect: { unknownCommands: ["lang"] },
  },
  {
    name: "language and a command",
    input: "!lang=it !help",
    expect: { langs: ["it"], commands: ["help"], text: "!help" },
  },

  // Configured prefixes and words.
  {
    name: "custom prefixes",
    input: "/l=NL /aide jid:bob@chat.example ~alice@m.example !help @x@y.example",
    options: {
      prefixes: { fedi: "~", xmpp: "jid:", command: "/", lang: "/l=" },
      commandWords: ["register", "unregister", "report", "aide"],
    },
    expect: {
      langs: ["nl"],
      commands: ["help"],
      xmppRecipients: ["bob@chat.example"],
      fediRecipients: ["alice@m.example"],
      text: "/aide jid:bob@chat.example ~alice@m.example !help @x@y.example",
    },
  },
  {
    name: "renamed command: the old word is unknown",
    input: "!hilfe !help",
    options: { commandWords: COMMANDS.map((c) => (c === "help" ? "hilfe" : c)) },
    expect: { commands: ["help"], unknownCommands: ["help"] },
  },
  {
    name: "empty prefix never matches",
    input: "bob@chat.example !help",
    options: { prefixes: { fedi: "@", xmpp: "", command: "!", lang: "" } },
    expect: { commands: ["help"] },
  },

  // Quotes.
  {
    name: "quoted lines are not read",
    input: "> Message from @alice@m.example: !help\n  > xmpp:q@x.example\n@bob@n.example thanks",
    expect: { fediRecipients: ["bob@n.example"] },
  },
  {
    name: "a > inside a line is no quote",
    input: "a > b @bob@n.example",
    expect: { fediRecipients: ["bob@n.example"] },
  },

  // Text tidying.
  {
    name: "CRLF unified and trailing spaces dropped",
    input: "  line one  \r\nline two\r\n\r\n",
    expect: { text: "line one\nline two" },
  },
];

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
