import assert from "node:assert/strict";
import { ConfigError, loadConfig } from "../config/mod.ts";
import { loopbackListen } from "../config/mod.ts";
import { derivePermissions } from "../permissions.ts";
import { openStore } from "../store/mod.ts";
import { FEDI, XMPP } from "../store/types.ts";
import { RoleLease } from "../lease.ts";
import { HealthBoard } from "./board.ts";
import { metricsText, serveMetrics } from "./metrics.ts";

const BASE = `
ap_instance: social.example
xmpp_instance: chat.example
xmpp_admin: [admin@chat.example]
ap_bridge_jid: bridge@chat.example
ap_bridge_pass: p
xmpp_bridge_name: bridge
xmpp_bridge_token: t
bridge-database-file: /var/lib/bridge/bridge.db
bridge-files-dir: /var/lib/bridge/files
`;

function config(extra: string) {
  return loadConfig({
    path: "/etc/bridge/config.yml",
    env: {},
    roles: ["fedi", "xmpp"],
    readFile: () => BASE + extra,
  });
}

Deno.test("metrics-listen: off by default; a loopback address is allowed to listen", () => {
  assert.equal(config("").metricsListen, null);
  const c = config("metrics-listen: 127.0.0.1:9464\n");
  assert.equal(c.metricsListen, "127.0.0.1:9464");
  const net = derivePermissions({ config: c, roles: ["xmpp"], envFile: null })
    .find((f) => f.startsWith("--allow-net="));
  assert.equal(net, "--allow-net=chat.example:5222,127.0.0.1:9464");
  const withoutMetrics = derivePermissions({ config: config(""), roles: ["xmpp"], envFile: null });
  assert.ok(!withoutMetrics.some((f) => f.includes("9464")));
});

Deno.test("metrics-listen: anything but a loopback host:port is refused, naming the key", () => {
  for (const bad of ["0.0.0.0:9464", "192.0.2.1:9464", "127.0.0.1", "localhost:70000", "::1:80"]) {
    assert.throws(() => config(`metrics-listen: "${bad}"\n`), (e: unknown) => {
      assert.ok(e instanceof ConfigError);
      assert.match(e.message, /metrics-listen/);
      return true;
    }, bad);
  }
  assert.deepEqual(loopbackListen("[::1]:9100"), { hostname: "::1", port: 9100 });
  assert.deepEqual(loopbackListen("localhost:9100"), { hostname: "localhost", port: 9100 });
  assert.equal(loopbackListen("127.0.0.300:9100"), null);
});

Deno.test("metrics: both roles from the database, in Prometheus text, over HTTP", async () => {
  using store = openStore(":memory:");
  const clock = { now: 1_000_000 };
  const board = new HealthBoard(store, () => clock.now);
  board.track("fedi", (set) => {
    set("live");
    return () => {};
  });
  // This process runs the Fediverse bot only; nobody runs the XMPP bot.
  using lease = RoleLease.acquire({
    store,
    roles: ["fedi"],
    now: () => clock.now,
    timer: { every: () => () => {} },
    health: (role) => board.report(role),
  });
  store.outbox.insert(FEDI, "lane", "{}", clock.now);
  store.outbox.insert(XMPP, "lane", "{}", clock.now);
  clock.now += 42_000;
  lease.beat();
  const text = metricsText(store, clock.now, 30_000);
  assert.match(text, /^xmpp_ap_bridge_running\{role="fedi"\} 1$/m);
  assert.match(text, /^xmpp_ap_bridge_running\{role="xmpp"\} 0$/m);
  assert.match(text, /^xmpp_ap_bridge_session_live\{role="fedi"\} 1$/m);
  assert.match(text, /^xmpp_ap_bridge_session_live\{role="xmpp"\} 0$/m);
  assert.match(text, /^xmpp_ap_bridge_outbox_pending\{role="fedi"\} 1$/m);
  assert.match(text, /^xmpp_ap_bridge_outbox_pending\{role="xmpp"\} 1$/m);
  assert.match(text, /^xmpp_ap_bridge_outbox_oldest_pending_seconds\{role="fedi"\} 42$/m);
  assert.match(text, /^# TYPE xmpp_ap_bridge_outbox_pending gauge$/m);
  // A heartbeat that stopped: not running, not live.
  const later = metricsText(store, clock.now + 30_000, 30_000);
  assert.match(later, /^xmpp_ap_bridge_session_live\{role="fedi"\} 0$/m);

  await using server = serveMetrics(
    { hostname: "127.0.0.1", port: 0 },
    () => metricsText(store, clock.now, 30_000),
  );
  const res = await fetch(`http://127.0.0.1:${server.port}/metrics`);
  assert.equal(res.status, 200);
  assert.match(res.headers.get("content-type") ?? "", /^text\/plain/);
  assert.match(await res.text(), /session_live\{role="fedi"\} 1/);
  const other = await fetch(`http://127.0.0.1:${server.port}/`);
  assert.equal(other.status, 404);
  await other.body?.cancel();
});
