/**
 * Posting costs one request and no more: the server's limits and domain blocks come from the
 * store, where sign-in put them and a timer refreshes them.
 */
import assert from "node:assert/strict";
import { FEDI } from "../../src/core/types.ts";
import { domainBlocksFromMeta, fediLimitsFromMeta } from "../../src/fedi/meta_keys.ts";
import { PeriodicRefresh, refreshServerInfo } from "../../src/fedi/server_refresh.ts";
import { logger } from "../../src/log.ts";
import { ManualClock } from "../support/manual_clock.ts";
import { makeHarness } from "./support.ts";

Deno.test("a status costs one request: nothing about the server or the account is read per post", async () => {
  await using h = await makeHarness();
  const alice = h.server.createAccount({ username: "alice" });
  const before = h.server.requests.length;
  for (const n of [1, 2, 3]) {
    const result = await h.sender.send({
      kind: "deliver",
      to: [{ network: FEDI, address: alice.address }],
      from: { network: 1, address: "bob@chat.test" },
      text: `@${alice.address} hello ${n}`,
      inReplyTo: null,
      lang: "en",
      media: [],
      sourceId: `s${n}`,
      records: [],
      messageId: null,
      confirm: false,
      senderLang: "en",
    }, `key-${n}`);
    assert.equal(result.ok, true);
  }
  const made = h.server.requests.slice(before).map((r) => `${r.method} ${r.path}`);
  assert.deepEqual(made, Array(3).fill("POST /api/v1/statuses"));
});

Deno.test("the server's limits and domain blocks are read again on a timer, failures retried", async () => {
  await using h = await makeHarness();
  await refreshServerInfo(h.api, h.config, h.store);
  assert.equal(fediLimitsFromMeta(h.store, h.config).maxCharacters, 500);
  const clock = new ManualClock();
  using refresh = new PeriodicRefresh(
    () => refreshServerInfo(h.api, h.config, h.store),
    clock,
    60_000,
    logger("fedi"),
  );
  refresh.start();
  h.server.setMaxCharacters(1234);
  h.server.setDomainBlocks([{ domain: "bad.example", severity: "suspend" }]);
  clock.advance(59_999);
  assert.equal(refresh.running, null, "not before its time");
  clock.advance(1);
  await refresh.running;
  assert.equal(fediLimitsFromMeta(h.store, h.config).maxCharacters, 1234);
  assert.deepEqual(domainBlocksFromMeta(h.store), ["bad.example"]);

  // The server cannot answer: the figures stay, and the next round reads them.
  h.server.faults.serverErrorNext(4, { path: "/api/v", status: 502 });
  h.server.setMaxCharacters(2000);
  clock.advance(60_000);
  await refresh.running;
  assert.equal(fediLimitsFromMeta(h.store, h.config).maxCharacters, 1234);
  h.server.faults.clearServerErrors();
  clock.advance(60_000);
  await refresh.running;
  assert.equal(fediLimitsFromMeta(h.store, h.config).maxCharacters, 2000);
});
