import assert from "node:assert/strict";
import { luaString, type ProsodyConfigOptions, renderProsodyConfig } from "./prosody_config.ts";

const OPTIONS: ProsodyConfigOptions = {
  domain: "xmpp.test",
  host: "127.0.0.1",
  port: 15222,
  dataDir: "/tmp/p/data",
  pidFile: "/tmp/p/data/prosody.pid",
  logFile: "/tmp/p/data/prosody.log",
  certDir: "/tmp/p/certs",
  certFile: "/tmp/p/certs/xmpp.test.crt",
  keyFile: "/tmp/p/certs/xmpp.test.key",
  logLevel: "info",
  smacksHibernationSeconds: 600,
  scramIterations: 4096,
};

Deno.test("luaString quotes backslashes and double quotes", () => {
  assert.equal(luaString(`a"b\\c`), `"a\\"b\\\\c"`);
  assert.throws(() => luaString("a\nb"), /control character/);
});

Deno.test("the config listens on loopback only, requires TLS and uses SCRAM", () => {
  const text = renderProsodyConfig(OPTIONS);
  assert.match(text, /^c2s_ports = \{ 15222 \}$/m);
  assert.match(text, /^c2s_interfaces = \{ "127\.0\.0\.1" \}$/m);
  assert.match(text, /^s2s_ports = \{ \}$/m);
  assert.match(text, /^c2s_require_encryption = true$/m);
  assert.match(text, /^authentication = "internal_hashed"$/m);
  assert.match(text, /^disable_sasl_mechanisms = \{ "PLAIN", "DIGEST-MD5" \}$/m);
  assert.match(text, /^default_iteration_count = 4096$/m);
  assert.match(text, /^modules_disabled = \{ "s2s", /m);
  assert.match(text, /"smacks"/);
  assert.match(text, /^VirtualHost "xmpp\.test"$/m);
  assert.match(text, /certificate = "\/tmp\/p\/certs\/xmpp\.test\.crt"/);
});

Deno.test("invalid numbers are refused", () => {
  assert.throws(() => renderProsodyConfig({ ...OPTIONS, port: 0 }), /invalid port/);
  assert.throws(() => renderProsodyConfig({ ...OPTIONS, scramIterations: 0 }), /SCRAM/);
  assert.throws(
    () => renderProsodyConfig({ ...OPTIONS, smacksHibernationSeconds: -1 }),
    /hibernation/,
  );
});
