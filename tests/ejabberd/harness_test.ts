/**
 * Integration tests of the ejabberd harness with the Prosody harness's test user, against a real
 * ejabberd 23.01 (Debian package).
 * Run: deno test --allow-net=127.0.0.1 --allow-read --allow-write --allow-run tests/ejabberd
 */

import assert from "node:assert/strict";
import { startEjabberd } from "./harness.ts";
import { renderEjabberdConfig } from "./ejabberd_config.ts";
import { trustCaForNodeTls } from "../prosody/node_tls_trust.ts";
import { XmppUser } from "../prosody/xmpp_user.ts";

const ALICE = { user: "alice", password: "alice test pw" };
const BOB = { user: "bob", password: 'bob "quoted" \\ pw' };
const CAROL = { user: "carol", password: "carol-test-pw" };

Deno.test("ejabberd: users log in over verified TLS, exchange messages, survive a restart", async () => {
  const started = performance.now();
  await using server = await startEjabberd({ users: [ALICE, BOB] });
  console.log(`ejabberd started with 2 accounts in ${Math.round(performance.now() - started)} ms`);
  trustCaForNodeTls(server.caPem);
  assert.equal(server.service, `xmpp://127.0.0.1:${server.port}`);

  await using alice = XmppUser.of(server, ALICE.user, ALICE.password, { resource: "phone" });
  await using bob = XmppUser.of(server, BOB.user, BOB.password);
  assert.equal(await alice.connect(), "alice@xmpp.test/phone");
  await bob.connect();
  const id = await alice.send(bob.jid, "hello bob");
  const received = await bob.nextMessageFrom(alice.jid);
  assert.equal(received.body, "hello bob");
  assert.equal(received.id, id);
  assert.equal(alice.streamManagementEnabled, true, "XEP-0198 is on");

  // An account added while running survives a SIGKILL of the server (the harness flushes it).
  await server.addUser(CAROL.user, CAROL.password);
  const port = server.port;
  const pid = server.pid;
  await server.kill("SIGKILL");
  assert.equal(server.pid, null);
  await server.restart();
  assert.equal(server.port, port);
  assert.notEqual(server.pid, pid);

  // A message stored for an offline user is kept across a restart (SIGTERM: a SIGKILL of
  // ejabberd can lose its latest Mnesia writes, see README.md).
  await using alice2 = XmppUser.of(server, ALICE.user, ALICE.password);
  await alice2.connect();
  await alice2.send(server.jid(CAROL.user), "stored before the restart");
  await alice2.roster(); // ejabberd handles one stream in order: the message is stored now
  await server.restart();

  await using carol = XmppUser.of(server, CAROL.user, CAROL.password);
  await carol.connect();
  const stored = await carol.nextMessageFrom(alice2.jid);
  assert.equal(stored.body, "stored before the restart");
  assert.ok(stored.stanza.getChild("delay", "urn:xmpp:delay"), "an offline message has a delay");
});

Deno.test("ejabberd: a wrong password is refused, an untrusted CA too", async () => {
  await using server = await startEjabberd({ users: [ALICE] });
  await using untrusted = XmppUser.of(server, ALICE.user, ALICE.password);
  await assert.rejects(untrusted.connect(), /certificate|verify/i);
  trustCaForNodeTls(server.caPem);
  await using wrong = XmppUser.of(server, ALICE.user, "not-the-password");
  await assert.rejects(wrong.connect(), /not-authorized/);
});

Deno.test("ejabberd configuration: checked values, stream management and offline storage on", () => {
  const base = {
    domain: "xmpp.test",
    host: "127.0.0.1",
    port: 5222,
    certFile: "/tmp/x/xmpp.test.crt",
    keyFile: "/tmp/x/xmpp.test.key",
    logLevel: "info" as const,
    resumeTimeoutSeconds: 300,
  };
  const text = renderEjabberdConfig(base);
  assert.match(text, /mod_stream_mgmt:\n\s+resume_timeout: 300/);
  assert.match(text, /mod_offline: \{\}/);
  assert.match(text, /starttls_required: true/);
  assert.match(text, /ip: "127\.0\.0\.1"/);
  assert.throws(() => renderEjabberdConfig({ ...base, port: 0 }), /not a port: 0/);
  assert.throws(() => renderEjabberdConfig({ ...base, domain: "a b" }), /not a test domain/);
  assert.throws(
    () => renderEjabberdConfig({ ...base, resumeTimeoutSeconds: 0 }),
    /positive number of seconds/,
  );
});
