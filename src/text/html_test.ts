import assert from "node:assert/strict";
import { cleanPlainText, htmlToText, type HtmlToTextOptions } from "./html.ts";

const FIXTURES = new URL("../../tests/fixtures/html/", import.meta.url);

Deno.test("htmlToText: every fixture gives its expected text", async (t) => {
  const names: string[] = [];
  for await (const entry of Deno.readDir(FIXTURES)) {
    if (entry.isFile && entry.name.endsWith(".html")) names.push(entry.name.slice(0, -5));
  }
  names.sort();
  // Guards against a moved directory making this test pass on nothing.
  assert.ok(names.length >= 15, `only ${names.length} fixtures found`);
  for (const name of names) {
    await t.step(name, async () => {
      const html = await Deno.readTextFile(new URL(`${name}.html`, FIXTURES));
      const expected = (await Deno.readTextFile(new URL(`${name}.txt`, FIXTURES)))
        .replace(/\n$/, "");
      assert.equal(htmlToText(html), expected);
    });
  }
});

interface Case {
  readonly name: string;
  readonly html: string;
  readonly text: string;
  readonly options?: HtmlToTextOptions;
}

const CASES: readonly Case[] = [
  { name: "empty string", html: "", text: "" },
  { name: "only white space", html: "  \n\t ", text: "" },
  { name: "empty paragraphs", html: "<p></p><p> </p><p><br></p>", text: "" },
  { name: "plain text without tags", html: "hello world", text: "hello world" },
  { name: "br variants", html: "a<br>b<br/>c<BR />d", text: "a\nb\nc\nd" },
  { name: "two br make a blank line", html: "<p>a<br><br>b</p>", text: "a\n\nb" },
  { name: "paragraphs", html: "<p>one</p><p>two</p><p>three</p>", text: "one\n\ntwo\n\nthree" },
  {
    name: "no leading or trailing blank lines",
    html: "<p><br></p><p>text</p><p><br /></p>",
    text: "text",
  },
  { name: "spaces around br dropped", html: "<p>a <br> b</p>", text: "a\nb" },
  { name: "white space collapses", html: "<p>a \n\t  b</p>\n\n<p>  c  </p>", text: "a b\n\nc" },
  { name: "nbsp kept as a space", html: "a&nbsp;&nbsp;b", text: "a  b" },
  {
    name: "entities decoded",
    html: "&lt;b&gt; &amp;amp; &#39; &#x1F600; &eacute; &hellip;",
    text: "<b> &amp; ' 😀 é …",
  },
  { name: "unknown entity left alone", html: "&bogus; x", text: "&bogus; x" },
  {
    name: "unknown tags keep their text",
    html: "<custom-tag>in</custom-tag> <b>bold</b>",
    text: "in bold",
  },
  {
    name: "script and style dropped",
    html: "<p>a<script>alert(1)</script><style>p{}</style>b</p>",
    text: "ab",
  },
  {
    name: "img gives alt text",
    html: 'look <img src="x.png" alt="a cat"> here',
    text: "look a cat here",
  },
  // Malformed markup: never throws, keeps what text it can.
  { name: "unclosed tags", html: "<p><b>bold <i>both", text: "bold both" },
  { name: "stray less-than", html: "1 < 2 and 3 <> 4", text: "1 < 2 and 3 <> 4" },
  { name: "stray closing tags", html: "</p></a>text</span>", text: "text" },
  { name: "unterminated tag", html: 'text <a href="https://x.example', text: "text" },
  { name: "unterminated comment", html: "a <!-- b", text: "a" },
  { name: "unclosed link", html: '<a href="https://a.example/x">link', text: "link" },
  // Mentions.
  {
    name: "mastodon mention",
    html: '<a href="https://mastodon.example/@alice" class="u-url mention">@<span>alice</span></a>',
    text: "@alice@mastodon.example",
  },
  {
    name: "mention host lower-cased, port dropped",
    html: '<a href="https://Social.Example:8443/@Bob" class="mention">@<span>Bob</span></a>',
    text: "@Bob@social.example",
  },
  {
    name: "mention text with two @ kept",
    html: '<a href="https://b.example/@al" class="u-url mention">@<span>al@c.example</span></a>',
    text: "@al@c.example",
  },
  {
    name: "mention with a relative href keeps its text",
    html: '<a href="/@alice" class="u-url mention">@alice</a>',
    text: "@alice",
  },
  {
    name: "mention without @ and nothing before it keeps its text",
    html: '<a href="https://f.example/profile/x" class="mention">x</a>',
    text: "x",
  },
  {
    name: "group mention with ! keeps its text",
    html: '<a href="https://f.example/profile/grp" class="u-url mention">!<span>grp</span></a>',
    text: "!grp",
  },
  {
    name: "mentions listed by the API win over the link host",
    html:
      '<p><a href="https://social.example.com/@alice" class="u-url mention">@<span>alice</span></a> ' +
      '<a href="https://web.example/@zed" class="u-url mention">@<span>zed</span></a> ' +
      '<a href="https://other.example/@yan" class="u-url mention">@<span>yan</span></a></p>',
    options: {
      mentions: [
        { url: "https://social.example.com/@alice", acct: "alice@example.com" },
        { url: "https://web.example/@zed", acct: "zed" },
      ],
      localDomain: "example.net",
    },
    text: "@alice@example.com @zed@example.net @yan@other.example",
  },
  {
    name: "local acct without localDomain falls back to the link host",
    html: '<a href="https://web.example/@zed" class="u-url mention">@<span>zed</span></a>',
    options: { mentions: [{ url: "https://web.example/@zed", acct: "zed" }] },
    text: "@zed@web.example",
  },
  {
    name: "hashtag with mention class is not a mention",
    html:
      '<a href="https://m.example/tags/a" class="mention hashtag" rel="tag">#<span>a</span></a>',
    text: "#a",
  },
  // Links.
  {
    name: "xmpp link keeps its text",
    html: '<a href="xmpp:bob@chat.example?message">talk to Bob</a>',
    text: "talk to Bob",
  },
  {
    name: "xmpp link with a bare JID as text gets its scheme back",
    html: '<a href="xmpp:Bob@chat.example">Bob@chat.example</a>',
    text: "xmpp:Bob@chat.example",
  },
  {
    name: "link keeps its visible text",
    html: '<a href="https://example.com/page">the page</a>',
    text: "the page",
  },
  {
    name: "empty link gives its address",
    html: 'see <a href="https://example.com/x"></a>',
    text: "see https://example.com/x",
  },
  {
    name: "ellipsis text that is not a cut of the href is kept",
    html: '<a href="https://example.com/x">wait for it…</a>',
    text: "wait for it…",
  },
  {
    name: "three dots cut is expanded",
    html: '<a href="https://example.com/a/very/long/path">example.com/a/very...</a>',
    text: "https://example.com/a/very/long/path",
  },
  {
    name: "invisible span outside a link still counts",
    html: '<span class="invisible">https://</span><span class="ellipsis">example.com/</span>',
    text: "https://example.com/",
  },
  {
    name: "text around a link joins correctly",
    html:
      '<p>go to<a href="https://e.example/" rel="nofollow noopener" target="_blank"><span class="invisible">https://</span><span class="">e.example/</span><span class="invisible"></span></a>, now</p>',
    text: "go tohttps://e.example/, now",
  },
];

for (const c of CASES) {
  Deno.test(`htmlToText: ${c.name}`, () => {
    assert.equal(htmlToText(c.html, c.options), c.text);
  });
}

Deno.test("htmlToText: deep nesting neither throws nor loses text", () => {
  const depth = 20_000;
  const html = "<span>".repeat(depth) + "deep" + "</span>".repeat(depth) + " end";
  assert.equal(htmlToText(html), "deep end");
});

Deno.test("htmlToText: garbage input never throws", () => {
  const pieces = ["<", ">", "</", "a", "p", "br", "&", "#", ";", '"', "=", " ", "\n", "@", "/"];
  let seed = 42;
  const next = (): number => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed;
  };
  for (let i = 0; i < 300; i++) {
    let html = "";
    for (let j = 0; j < 60; j++) html += pieces[next() % pieces.length];
    assert.equal(typeof htmlToText(html), "string");
  }
});

Deno.test("cleanPlainText: trims, unifies line ends, drops control characters", () => {
  const cases: ReadonlyArray<readonly [string, string]> = [
    ["", ""],
    ["  CW: food \r\n", "CW: food"],
    ["line1\r\nline2\rline3", "line1\nline2\nline3"],
    ["a\u0000b\u0007c\td", "abc\td"],
    ["a&amp;b", "a&amp;b"],
    ["x\u00a0y", "x y"],
  ];
  for (const [input, expected] of cases) assert.equal(cleanPlainText(input), expected);
});
