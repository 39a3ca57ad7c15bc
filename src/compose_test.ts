import assert from "node:assert/strict";
import { composeBridge, composeCore } from "./compose.ts";
import { loadConfig } from "./config/mod.ts";
import { type Effect, FEDI, XMPP } from "./core/types.ts";
import { loadTranslations } from "./i18n/mod.ts";
import { openLists } from "./lists/mod.ts";
import { openStore } from "./store/mod.ts";
import { BASE_CONFIG, FakeFediDirectory } from "../tests/support/core.ts";

function testConfig(dir: string) {
  return loadConfig({
    path: `${dir}/config.yml`,
    env: {},
    roles: ["fedi", "xmpp"],
    readFile: () => BASE_CONFIG,
  });
}

Deno.test("composeBridge builds one adapter and worker per selected role, same shape, nothing started", async () => {
  const dir = Deno.makeTempDirSync({ prefix: "compose-test-" });
  try {
    const config = testConfig(dir);
    const i18n = loadTranslations(config);
    for (
      const [roles, networks] of [
        [["fedi", "xmpp"], [FEDI, XMPP]],
        [["xmpp"], [XMPP]],
        [["fedi"], [FEDI]],
      ] as const
    ) {
      const bridge = await composeBridge({ config, roles, i18n, version: "test" });
      await using _ = bridge.stack;
      assert.deepEqual(bridge.networks.map((n) => n.adapter.network), networks);
      for (const { adapter, worker } of bridge.networks) {
        assert.equal(adapter.sender.network, adapter.network, "the sender speaks its network");
        assert.equal(worker.network, adapter.network, "the worker sends that network's rows");
        assert.equal(typeof adapter.start, "function");
        const off = adapter.reconnected(() => {});
        assert.equal(typeof off, "function", "reconnected gives its unsubscribe");
        off();
      }
      assert.equal(bridge.deps.fedi === null, !roles.includes("fedi" as never));
      assert.equal(bridge.deps.store, bridge.store, "the core works on the bridge's store");
    }
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("composeCore sends effects to the outbox unless a stand-in is given", () => {
  const dir = Deno.makeTempDirSync({ prefix: "compose-test-" });
  try {
    const config = testConfig(dir);
    using store = openStore(":memory:");
    const parts = {
      config,
      store,
      lists: openLists({
        dir: config.filesDir,
        words: { start: "a", stop: "b", open: "c", close: "d" },
      }),
      i18n: loadTranslations(config),
      version: "test",
      now: () => 1000,
      fedi: new FakeFediDirectory(),
    };
    const notice: Effect = {
      kind: "notice",
      to: { network: XMPP, address: "someone@chat.test" },
      text: "hello",
      inReplyTo: null,
    };
    const viaOutbox = composeCore(parts);
    assert.ok(viaOutbox.deps.nextSettled, "the outbox tells the core when deliveries settle");
    store.transaction(() => viaOutbox.deps.emit([notice]));
    assert.equal(store.outbox.countPending(XMPP), 1);

    const caught: unknown[] = [];
    const standIn = composeCore({ ...parts, emit: (effects) => caught.push(...effects) });
    standIn.deps.emit([notice]);
    assert.deepEqual(caught, [notice]);
    assert.equal(store.outbox.countPending(XMPP), 1, "nothing more in the outbox");
    assert.equal(standIn.deps.nextSettled, undefined);
    const ids = new Set([viaOutbox.deps.newMessageId(), viaOutbox.deps.newMessageId()]);
    assert.equal(ids.size, 2, "message ids are unique");
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});
