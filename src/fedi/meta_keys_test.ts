import assert from "node:assert/strict";
import type { Config } from "../config/mod.ts";
import { openStore } from "../store/mod.ts";
import { domainBlocksFromMeta, fediLimitsFromMeta, META } from "./meta_keys.ts";
import { storeDomainBlocks, storeLimits, streamingBase } from "./server_info.ts";

Deno.test("limits come from meta once read, from the configuration before", () => {
  using store = openStore(":memory:");
  const config = { maxCharPerPost: 500 } as Config;
  assert.deepEqual(fediLimitsFromMeta(store, config), {
    maxCharacters: 500,
    charactersReservedPerUrl: 23,
  });
  storeLimits(store, {
    maxCharacters: 5000,
    charactersReservedPerUrl: 30,
    streamingUrl: null,
    source: "v2",
  });
  assert.deepEqual(fediLimitsFromMeta(store, config), {
    maxCharacters: 5000,
    charactersReservedPerUrl: 30,
  });
  store.meta.set(META.maxCharacters, "nonsense");
  assert.equal(fediLimitsFromMeta(store, config).maxCharacters, 500);
});

Deno.test("domain blocks are kept as a JSON list, and forgotten when unreadable", () => {
  using store = openStore(":memory:");
  assert.equal(domainBlocksFromMeta(store), null);
  storeDomainBlocks(store, ["a.example", "b.example"]);
  assert.deepEqual(domainBlocksFromMeta(store), ["a.example", "b.example"]);
  storeDomainBlocks(store, null);
  assert.equal(domainBlocksFromMeta(store), null);
});

Deno.test("the streaming address: the configured one, else the advertised one, as ws(s)", () => {
  const config = { apStreamingUrl: null, apApiUrl: "https://social.test" } as Config;
  assert.equal(streamingBase(config, "wss://stream.social.test/"), "wss://stream.social.test");
  assert.equal(streamingBase(config, null), "wss://social.test");
  assert.equal(
    streamingBase({ ...config, apStreamingUrl: "http://127.0.0.1:4000" }, "wss://x"),
    "ws://127.0.0.1:4000",
  );
});
