import assert from "node:assert/strict";
import {
  canonicalAddress,
  checkAcct,
  checkDomain,
  checkJid,
  isReservedDomain,
  showAddress,
  wireJid,
} from "./address.ts";

Deno.test("domains compare as lower-case A-labels; broken ones are refused", () => {
  for (
    const [input, want] of [
      ["Bücher.Example", "xn--bcher-kva.example"],
      ["XN--BCHER-KVA.example.", "xn--bcher-kva.example"],
      ["localhost", "localhost"],
      ["παράδειγμα.δοκιμή", "xn--hxajbheg2az3al.xn--jxalpdlp"],
    ]
  ) {
    assert.deepEqual(checkDomain(input!), { ok: true, value: want }, input);
  }
  for (
    const bad of [
      "",
      "a\u0001b.example",
      "ex\uFFFFample.com",
      "a\uD800.com",
      "a_b.com",
      "%41.com",
      "a..b",
      "-a.com",
      "xn--zz.com",
      "a b.com",
      "host.example:5222",
      `${"a".repeat(64)}.com`,
    ]
  ) {
    assert.equal(checkDomain(bad).ok, false, JSON.stringify(bad));
  }
});

Deno.test("JIDs follow RFC 7622: no controls, noncharacters, lone surrogates; parts up to 1023 octets", () => {
  assert.deepEqual(checkJid("Jörg@Bücher.Example/Phone"), {
    ok: true,
    value: "jörg@xn--bcher-kva.example",
  });
  assert.deepEqual(checkJid("a.b+c_d-e!#$%=?^~|{}@xmpp.test"), {
    ok: true,
    value: "a.b+c_d-e!#$%=?^~|{}@xmpp.test",
  });
  for (
    const bad of [
      "a\u0001b@chat.example",
      "a\uFFFFb@chat.example",
      "a\uFFFEb@chat.example",
      "a\uFDD0b@chat.example",
      "a\uD800b@chat.example",
      "a\u{1FFFF}b@chat.example",
      "a\u0085b@chat.example",
      "a b@chat.example",
      'a"b@chat.example',
      "a&b@chat.example",
      "a'b@chat.example",
      "a:b@chat.example",
      "a<b@chat.example",
      "a>b@chat.example",
      "a\u00A0b@chat.example",
      "a\u2192b@chat.example",
      "@chat.example",
      "chat.example",
      "alice@chat.example/",
      "alice@chat.example/a\u0001",
      `${"a".repeat(1024)}@chat.example`,
      `${"ü".repeat(512)}@chat.example`,
      `alice@chat.example/${"r".repeat(1024)}`,
    ]
  ) {
    assert.equal(checkJid(bad).ok, false, JSON.stringify(bad));
  }
  assert.equal(checkJid(`${"a".repeat(1023)}@chat.example`).ok, true, "1023 octets are fine");
});

Deno.test("Fediverse accts follow Mastodon's user name rule", () => {
  assert.deepEqual(checkAcct("Alice_B.c-d@Bücher.Example"), {
    ok: true,
    value: "alice_b.c-d@xn--bcher-kva.example",
  });
  for (
    const bad of ["bob+x@host.example", "josé@host.example", "a.@host.example", "a@", "@host"]
  ) {
    assert.equal(checkAcct(bad).ok, false, bad);
  }
});

Deno.test("canonical, shown and wire forms", () => {
  assert.equal(canonicalAddress(" Alice@Bücher.Example "), "alice@xn--bcher-kva.example");
  assert.equal(
    canonicalAddress("odd name@host"),
    "odd name@host",
    "non-addresses only lower-cased",
  );
  assert.equal(wireJid("jörg@xn--bcher-kva.example"), "jörg@bücher.example");
  assert.equal(wireJid("bob@xmpp.test"), "bob@xmpp.test");
  assert.equal(showAddress("a\u0001b\uFFFF\u{1FFFF}c"), "a\\u0001b\\uFFFF\\u{1FFFF}c");
});

Deno.test("names reserved for examples and tests are recognised, real ones and addresses not", () => {
  for (const name of ["chat.example", "social.test", "a.invalid", "localhost", "x.example.org"]) {
    assert.ok(isReservedDomain(name), name);
  }
  for (const name of ["example.social", "example.im", "mastodon.social", "127.0.0.1", "::1"]) {
    assert.ok(!isReservedDomain(name), name);
  }
});
