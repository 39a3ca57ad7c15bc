/**
 * Integration tests of the Prosody harness and the test user, against a real Prosody.
 * Run: deno test --allow-net=127.0.0.1 --allow-read --allow-write --allow-run tests/prosody
 */

import assert from "node:assert/strict";
import { startProsody } from "./harness.ts";
import { trustCaForNodeTls } from "./node_tls_trust.ts";
import { XmppUser } from "./xmpp_user.ts";

const ALICE = { user: "alice", password: "alice-test-pw" };
const BOB = { user: "bob", password: "bob-test-pw" };
const CAROL = { user: "carol", password: "carol-test-pw" };

Deno.test("two users log in over verified TLS and exchange messages", async () => {
  await using server = await startProsody({ users: [ALICE, BOB] });
  trustCaForNodeTls(server.caPem);
  assert.equal(server.host, "127.0.0.1");
  assert.equal(server.service, `xmpp://127.0.0.1:${server.port}`);

  await using alice = XmppUser.of(server, ALICE.user, ALICE.password, { resource: "phone" });
  await using bob = XmppUser.of(server, BOB.user, BOB.password);
  assert.equal(await alice.connect(), "alice@xmpp.test/phone");
  assert.match(await bob.connect(), /^bob@xmpp\.test\/.+/);

  const id = await alice.send(bob.jid, "hello bob");
  const received = await bob.nextMessageFrom(alice.jid);
  assert.equal(received.body, "hello bob");
  assert.equal(received.id, id);
  assert.equal(received.from, "alice@xmpp.test/phone");
  assert.equal(received.type, "chat");

  await bob.send(received.from, "hi alice");
  assert.equal((await alice.nextMessageFrom(bob.jid)).body, "hi alice");
  // Stream management (XEP-0198) was negotiated after resource binding.
  assert.equal(alice.streamManagementEnabled, true);
});

Deno.test("a wrong password is refused", async () => {
  await using server = await startProsody({ users: [ALICE] });
  trustCaForNodeTls(server.caPem);
  await using alice = XmppUser.of(server, ALICE.user, "not-the-password");
  await assert.rejects(alice.connect(), /not-authorized/);
});

Deno.test("presence subscription shows up in both rosters", async () => {
  await using server = await startProsody({ users: [ALICE, BOB] });
  trustCaForNodeTls(server.caPem);
  await using alice = XmppUser.of(server, ALICE.user, ALICE.password);
  await using bob = XmppUser.of(server, BOB.user, BOB.password);
  await alice.connect();
  await bob.connect();
  assert.deepEqual(await alice.roster(), []);

  await alice.subscribe(bob.jid);
  const request = await bob.nextPresence((p) => p.type === "subscribe");
  assert.equal(request.from, alice.jid);
  await bob.approve(alice.jid);
  await alice.nextPresence((p) => p.type === "subscribed" && p.from === bob.jid);
  // Once subscribed, alice receives bob's current presence.
  await alice.nextPresence((p) => p.type === "available" && p.from.startsWith(`${bob.jid}/`));
  await alice.rosterPushes.next((i) => i.jid === bob.jid && i.subscription === "to", 5000, "push");

  assert.deepEqual(
    (await alice.roster()).map((i) => [i.jid, i.subscription]),
    [[bob.jid, "to"]],
  );
  assert.deepEqual(
    (await bob.roster()).map((i) => [i.jid, i.subscription]),
    [[alice.jid, "from"]],
  );
});

Deno.test("a message to an offline user is delivered at their next login", async () => {
  await using server = await startProsody({ users: [ALICE, BOB] });
  trustCaForNodeTls(server.caPem);
  await using alice = XmppUser.of(server, ALICE.user, ALICE.password);
  await alice.connect();
  await alice.send(server.jid(BOB.user), "while you were away");
  // Prosody handles a stream's stanzas in order: once the roster answer is back, the message
  // has been stored.
  await alice.roster();

  await using bob = XmppUser.of(server, BOB.user, BOB.password);
  await bob.connect();
  const stored = await bob.nextMessageFrom(alice.jid);
  assert.equal(stored.body, "while you were away");
  // mod_offline marks it with a XEP-0203 delay.
  assert.equal(stored.stanza.getChild("delay", "urn:xmpp:delay")?.attrs.from, "xmpp.test");
});

Deno.test("after SIGKILL and restart, users reconnect and offline messages survive", async () => {
  await using server = await startProsody({ users: [ALICE, BOB, CAROL] });
  trustCaForNodeTls(server.caPem);
  const port = server.port;
  const firstPid = server.pid;
  assert.notEqual(firstPid, null);

  await using alice = XmppUser.of(server, ALICE.user, ALICE.password, { autoReconnect: true });
  await using bob = XmppUser.of(server, BOB.user, BOB.password);
  await alice.connect();
  await bob.connect();
  await alice.send(server.jid(CAROL.user), "stored before the crash");
  await alice.roster(); // the message is stored once this answer arrives

  await server.kill("SIGKILL");
  assert.equal(server.pid, null);
  await alice.sessions.next((e) => e.kind === "disconnect", 5000, "disconnect");
  await bob.sessions.next((e) => e.kind === "disconnect", 5000, "disconnect");

  await server.restart();
  assert.equal(server.port, port);
  assert.notEqual(server.pid, firstPid);

  // @xmpp/client reconnects by itself; the server lost the session, so this is a new one.
  const session = await alice.nextSession(15_000);
  assert.equal(session.kind, "online");
  // bob has no automatic reconnection: he logs in again with a new connection.
  await bob.disconnect();
  await using bob2 = XmppUser.of(server, BOB.user, BOB.password);
  await bob2.connect();
  await bob2.send(alice.jid, "are you back?");
  assert.equal((await alice.nextMessageFrom(bob2.jid)).body, "are you back?");

  await using carol = XmppUser.of(server, CAROL.user, CAROL.password);
  await carol.connect();
  assert.equal((await carol.nextMessageFrom(alice.jid)).body, "stored before the crash");
});

Deno.test("a server certificate from an unknown CA is refused", async () => {
  // A second server with its own CA, which this process never trusts.
  await using untrusted = await startProsody({ users: [ALICE] });
  await using alice = XmppUser.of(untrusted, ALICE.user, ALICE.password);
  await assert.rejects(alice.connect(), /certificate|verify/i);
  assert.notEqual(alice.status, "online");
});
