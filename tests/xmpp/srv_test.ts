/**
 * The XMPP bot finds its server the way XMPP clients do when `xmpp-host` is unset: SRV records
 * (from a DNS server of the test's own on 127.0.0.1) pointing at a real Prosody, with STARTTLS
 * and with direct TLS (XEP-0368).
 */
import assert from "node:assert/strict";
import { logger } from "../../src/log.ts";
import { XmppBot, type XmppBotConfig } from "../../src/xmpp/bot.ts";
import { denoSrvLookup } from "../../src/xmpp/srv.ts";
import { discover } from "../../src/discovery.ts";
import { derivePermissions } from "../../src/permissions.ts";
import { loadConfig } from "../../src/config/mod.ts";
import { DnsResponder } from "./dns_responder.ts";
import { BOT, FAST_TUNING, startServer } from "./support.ts";
import { freePort } from "../prosody/host_system.ts";
import { abortion, deadlineSignal } from "../prosody/deadline.ts";

/** Starts the bot; without the SRV records it would retry the dead fallback port forever. */
async function startWithin(bot: XmppBot): Promise<void> {
  using deadline = deadlineSignal(20_000, "the bot never came online through the SRV records");
  await Promise.race([bot.start(), abortion(deadline.signal)]);
}

const core = { handle: () => Promise.resolve(true) };

function srvConfig(jid: string, caFile: string, fallbackPort: number): XmppBotConfig {
  return {
    xmppJid: jid,
    xmppPassword: BOT.password,
    // The domain itself, on a port nobody listens on: reaching Prosody needs the SRV records.
    xmppHost: jid.slice(jid.indexOf("@") + 1),
    xmppPort: fallbackPort,
    xmppCaFile: caFile,
    xmppSrv: true,
  };
}

Deno.test("SRV: _xmpp-client._tcp leads the bot to the server, with STARTTLS", async () => {
  await using server = await startServer();
  await using dns = await DnsResponder.start();
  dns.set(`_xmpp-client._tcp.${server.domain}`, [
    { priority: 10, weight: 5, port: server.port, target: `${server.host}.` },
  ]);
  await using bot = new XmppBot({
    config: srvConfig(server.jid(BOT.user), server.caFile, freePort(server.host)),
    core,
    log: logger("xmpp", "test"),
    tuning: FAST_TUNING,
    srvLookup: denoSrvLookup(dns.nameServer),
  });
  await startWithin(bot);
  assert.equal(bot.ready, true);
  assert.deepEqual(dns.asked.slice(0, 2), [
    `_xmpps-client._tcp.${server.domain}`,
    `_xmpp-client._tcp.${server.domain}`,
  ]);
});

Deno.test("SRV: _xmpps-client._tcp leads the bot to direct TLS, checked against the domain", async () => {
  await using server = await startServer({ directTls: true });
  await using dns = await DnsResponder.start();
  const directTlsPort = server.directTlsPort;
  assert.ok(typeof directTlsPort === "number", "the harness listens for direct TLS");
  // Only the direct TLS port: STARTTLS there would get no answer the bot understands.
  dns.set(`_xmpps-client._tcp.${server.domain}`, [
    { priority: 0, weight: 0, port: directTlsPort, target: server.host },
  ]);
  await using bot = new XmppBot({
    config: srvConfig(server.jid(BOT.user), server.caFile, freePort(server.host)),
    core,
    log: logger("xmpp", "test"),
    tuning: FAST_TUNING,
    srvLookup: denoSrvLookup(dns.nameServer),
  });
  await startWithin(bot);
  assert.equal(bot.ready, true);
  // Both names are asked; only the direct TLS one names the server, the fallback is dead.
  assert.deepEqual(dns.asked.slice(0, 2), [
    `_xmpps-client._tcp.${server.domain}`,
    `_xmpp-client._tcp.${server.domain}`,
  ]);
});

Deno.test("SRV: flags and --check derive the same targets into --allow-net", async () => {
  await using dns = await DnsResponder.start();
  dns.set("_xmpps-client._tcp.chat.example", [
    { priority: 0, weight: 0, port: 5223, target: "tls.chat.example." },
  ]);
  dns.set("_xmpp-client._tcp.chat.example", [
    { priority: 0, weight: 0, port: 5222, target: "xmpp.chat.example." },
  ]);
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/c.yml`;
    await Deno.writeTextFile(
      path,
      [
        "ap_instance: social.example",
        "xmpp_instance: chat.example",
        "ap_bridge_jid: bridge@chat.example",
        "xmpp_admin: [admin@chat.example]",
        `bridge-database-file: ${dir}/db.sqlite`,
        `bridge-files-dir: ${dir}`,
        "ap-streaming-url: wss://stream.social.example",
      ].join("\n"),
    );
    const config = loadConfig({
      path,
      env: { XMPP_BRIDGE_NAME: "bot@social.example", AP_BRIDGE_PASS: "x", XMPP_BRIDGE_TOKEN: "t" },
      roles: ["xmpp"],
    });
    const found = await discover(config, ["xmpp"], {
      lookup: denoSrvLookup(dns.nameServer),
      resolvConf: () => "nameserver 10.1.2.3\n",
    });
    assert.deepEqual(found.problems, []);
    const flags = derivePermissions({
      config,
      roles: ["xmpp"],
      envFile: null,
      xmppTargets: found.xmppTargets,
      nameServers: found.nameServers,
    });
    const net = flags.find((f) => f.startsWith("--allow-net="))!.slice(12).split(",").sort();
    assert.deepEqual(net, [
      "10.1.2.3:53",
      "chat.example:5222",
      "tls.chat.example:5223",
      "xmpp.chat.example:5222",
    ]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
