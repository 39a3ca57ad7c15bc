import assert from "node:assert/strict";
import { loadConfig } from "./config/mod.ts";
import {
  bridgeFlags,
  derivePermissions,
  hostPort,
  LIBRARY_ENV_VARS,
  V8_HEAP,
} from "./permissions.ts";

const TEXT = `
ap_instance: social.example
xmpp_instance: chat.example
xmpp_admin: [admin@chat.example]
ap_bridge_jid: bridge@chat.example
ap_bridge_pass: p
xmpp_bridge_name: bridge
xmpp_bridge_token: t
bridge-database-file: /var/lib/bridge/db/bridge.db
bridge-files-dir: /var/lib/bridge/files
bridge-log-file: /var/log/bridge/bridge.log
translation-dir: /etc/bridge/texts
xmpp-tls-ca-file: /etc/bridge/ca.pem
`;

function config(extra = "") {
  return loadConfig({
    path: "/etc/bridge/config.yml",
    env: {},
    roles: ["fedi", "xmpp"],
    readFile: () => TEXT + extra,
  });
}

function flag(flags: string[], name: string): string[] | undefined {
  const f = flags.find((x) => x.startsWith(`--allow-${name}=`));
  return f?.slice(`--allow-${name}=`.length).split(",");
}

Deno.test("both roles: the two servers, the configured files, the bridge's variables only", () => {
  const flags = derivePermissions({
    config: config(),
    roles: ["fedi", "xmpp"],
    envFile: "/etc/bridge/env",
  });
  assert.deepEqual(flag(flags, "net"), ["social.example:443", "chat.example:5222"]);
  assert.deepEqual(flag(flags, "read")?.sort(), [
    "/etc/bridge/ca.pem",
    "/etc/bridge/config.yml",
    "/etc/bridge/env",
    "/etc/bridge/texts",
    "/run/credentials/xmpp-ap-bridge-fedi.service",
    "/run/credentials/xmpp-ap-bridge-xmpp.service",
    "/var/lib/bridge/db",
    "/var/lib/bridge/files",
    "/var/log/bridge/bridge.log",
  ]);
  // The bridge's own files, not the database's folder.
  assert.deepEqual(flag(flags, "write")?.sort(), [
    "/var/lib/bridge/db/bridge.db",
    "/var/lib/bridge/db/bridge.db-fedi.lock",
    "/var/lib/bridge/db/bridge.db-journal",
    "/var/lib/bridge/db/bridge.db-shm",
    "/var/lib/bridge/db/bridge.db-wal",
    "/var/lib/bridge/db/bridge.db-xmpp.lock",
    // The copy made before a schema migration, and the old bridge's file once imported in place.
    "/var/lib/bridge/db/bridge.db.backup",
    "/var/lib/bridge/db/bridge.db.backup-journal",
    "/var/lib/bridge/db/bridge.db.old-bridge",
    "/var/lib/bridge/db/bridge.db.old-bridge-journal",
    "/var/lib/bridge/files",
    "/var/log/bridge/bridge.log",
  ]);
  assert.deepEqual(flag(flags, "env"), [
    "XMPP_BRIDGE_CONFIG_FILE",
    "XMPP_BRIDGE_NAME",
    "XMPP_BRIDGE_TOKEN",
    "AP_BRIDGE_JID",
    "AP_BRIDGE_PASS",
    "CREDENTIALS_DIRECTORY",
    ...LIBRARY_ENV_VARS,
    "JOURNAL_STREAM",
  ]);
  assert.equal(flags.length, 4, "nothing else: no run, ffi, sys or import");
  assert.ok(!flags.some((f) => f === "-A" || f === "--allow-all" || f === "--allow-net"));
});

Deno.test("one role reaches only its own server; overrides and ports are honoured", () => {
  const c = config(
    "ap-api-url: http://127.0.0.1:8080\nap-streaming-url: wss://stream.social.example\n" +
      "xmpp-host: xmpp.chat.example\nxmpp-port: 5223\n",
  );
  const fedi = derivePermissions({ config: c, roles: ["fedi"], envFile: null });
  assert.deepEqual(flag(fedi, "net"), ["127.0.0.1:8080", "stream.social.example:443"]);
  const xmpp = derivePermissions({ config: c, roles: ["xmpp"], envFile: null });
  assert.deepEqual(flag(xmpp, "net"), ["xmpp.chat.example:5223"]);
  const none = derivePermissions({ config: c, roles: [], envFile: null, extraRead: ["/old.db"] });
  assert.equal(flag(none, "net"), undefined, "an import connects nowhere");
  assert.ok(flag(none, "read")?.includes("/old.db"));
});

Deno.test("hostPort makes the scheme's default port explicit", () => {
  assert.equal(hostPort("https://a.example"), "a.example:443");
  assert.equal(hostPort("wss://a.example/stream"), "a.example:443");
  assert.equal(hostPort("http://a.example"), "a.example:80");
  assert.equal(hostPort("http://127.0.0.1:3000/x"), "127.0.0.1:3000");
});

Deno.test("the write permission covers the bridge's own files, not the folders around them", () => {
  // The database in the files folder, the log beside it: still only those files and that folder.
  const c = loadConfig({
    path: "/etc/bridge/config.yml",
    env: {},
    roles: ["fedi"],
    readFile: () =>
      TEXT.replace(/^bridge-(database-file|files-dir|log-file):.*\n/gm, "") +
      "bridge-database-file: /srv/bridge/bridge.db\nbridge-files-dir: /srv/bridge/lists\n" +
      "bridge-log-file: /srv/bridge/bridge.log\n",
  });
  const write = flag(derivePermissions({ config: c, roles: ["fedi"], envFile: null }), "write");
  assert.deepEqual(write?.sort(), [
    "/srv/bridge/bridge.db",
    "/srv/bridge/bridge.db-fedi.lock",
    "/srv/bridge/bridge.db-journal",
    "/srv/bridge/bridge.db-shm",
    "/srv/bridge/bridge.db-wal",
    "/srv/bridge/bridge.db.backup",
    "/srv/bridge/bridge.db.backup-journal",
    "/srv/bridge/bridge.db.old-bridge",
    "/srv/bridge/bridge.db.old-bridge-journal",
    "/srv/bridge/bridge.log",
    "/srv/bridge/lists",
  ]);
  assert.ok(!write?.includes("/srv/bridge"), "not the folder that holds them");
});

Deno.test("the announced streaming host and the SRV targets join the network set", () => {
  const c = config();
  const fedi = derivePermissions({
    config: c,
    roles: ["fedi"],
    envFile: null,
    streamingUrl: "wss://streaming.social.example",
  });
  assert.deepEqual(flag(fedi, "net"), ["social.example:443", "streaming.social.example:443"]);
  // ap-streaming-url wins over what the server announces.
  const pinned = derivePermissions({
    config: config("ap-streaming-url: wss://mine.social.example\n"),
    roles: ["fedi"],
    envFile: null,
    streamingUrl: "wss://streaming.social.example",
  });
  assert.deepEqual(flag(pinned, "net"), ["social.example:443", "mine.social.example:443"]);
  const srv = {
    xmppTargets: [{ host: "tls.chat.example", port: 5223, directTls: true }],
    nameServers: ["10.0.0.53:53"],
  };
  const xmpp = derivePermissions({ config: c, roles: ["xmpp"], envFile: null, ...srv });
  assert.deepEqual(flag(xmpp, "net"), [
    "chat.example:5222",
    "10.0.0.53:53",
    "tls.chat.example:5223",
  ]);
  // xmpp-host set: no SRV, so neither the targets nor the name servers.
  const fixed = derivePermissions({
    config: config("xmpp-host: xmpp.chat.example\n"),
    roles: ["xmpp"],
    envFile: null,
    ...srv,
  });
  assert.deepEqual(flag(fixed, "net"), ["xmpp.chat.example:5222"]);
});

Deno.test("media-hosts: the Fediverse role may reach them (a name alone: any port)", () => {
  const c = config("media-hosts: [upload.chat.example, 127.0.0.1:8443]\n");
  const fedi = derivePermissions({ config: c, roles: ["fedi"], envFile: null });
  const net = flag(fedi, "net") ?? [];
  assert.ok(net.includes("upload.chat.example") && net.includes("127.0.0.1:8443"), `${net}`);
  const xmpp = derivePermissions({ config: c, roles: ["xmpp"], envFile: null });
  assert.ok(!(flag(xmpp, "net") ?? []).includes("upload.chat.example"));
});

Deno.test("the start and compile tasks add V8's heap limits to the permissions", () => {
  const input = { config: config(), roles: ["fedi", "xmpp"] as const, envFile: null };
  const flags = bridgeFlags(input);
  assert.deepEqual(flags.slice(0, -1), derivePermissions(input));
  assert.equal(
    flags.at(-1),
    `--v8-flags=--max-semi-space-size=${V8_HEAP.semiSpaceMb},` +
      `--max-old-space-size=${V8_HEAP.oldSpaceMb}`,
  );
  assert.ok(V8_HEAP.semiSpaceMb < 16, "smaller than V8's default semi-space");
  assert.ok(!derivePermissions(input).some((f) => f.startsWith("--v8-flags")));
});
