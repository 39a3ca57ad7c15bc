import assert from "node:assert/strict";
import { domainListed, normalizeDomain } from "./mod.ts";

Deno.test("normalizeDomain: case, trailing dot, unicode, wildcards, junk", () => {
  assert.equal(normalizeDomain(" Example.COM. "), "example.com");
  assert.equal(normalizeDomain("Bücher.de"), "xn--bcher-kva.de");
  assert.equal(normalizeDomain("xn--bcher-kva.de"), "xn--bcher-kva.de");
  assert.equal(normalizeDomain("*.Example.com"), "*.example.com");
  assert.equal(normalizeDomain("localhost"), "localhost");
  for (
    const junk of [
      "",
      "*.",
      "not a domain",
      "https://example.com/",
      "user@example.com",
      "example.com:443",
      "exa_mple.com",
      "-bad.example.com",
      "a..b",
      "ümlaut.de/path",
      "x@bücher.de",
      "a.*.example.com",
      `${"a".repeat(64)}.com`,
    ]
  ) {
    assert.equal(normalizeDomain(junk), null, junk);
  }
});

Deno.test("domainListed: exact names, and *. entries for subdomains only", () => {
  const set = new Set(["example.com", "*.hosted.org"]);
  assert.equal(domainListed("example.com", set), true);
  assert.equal(domainListed("a.example.com", set), false);
  assert.equal(domainListed("hosted.org", set), false);
  assert.equal(domainListed("a.hosted.org", set), true);
  assert.equal(domainListed("a.b.hosted.org", set), true);
  assert.equal(domainListed("nothosted.org", set), false);
});
