/**
 * Encrypted messages through a real Prosody: never read as text, explained to the sender at
 * most once an hour, never confirmed with a receipt.
 */
import assert from "node:assert/strict";
import { NS } from "../../src/xmpp/ns.ts";
import { element } from "../../src/xmpp/xml.ts";
import { XmppUser } from "../prosody/xmpp_user.ts";
import { ALICE, BOT, startServer, TestBridge } from "./support.ts";
import { loadTranslations } from "../../src/i18n/mod.ts";

Deno.test("an OMEMO or OpenPGP message is explained once an hour, never parsed", async () => {
  await using server = await startServer();
  await using bridge = await TestBridge.start(server);
  const bot = server.jid(BOT.user);
  const carol = bridge.fediUser("carol@social.test");
  await using alice = XmppUser.of(server, ALICE.user, ALICE.password);
  await alice.connect();
  const i18n = loadTranslations(bridge.config);
  const explanation = `${i18n.t("en", "encryption.unreadable")}\n${i18n.t("en", "help.privacy")}`;
  const request = element("request", { xmlns: NS.receipts });

  // Conversations' OMEMO message: a fallback body naming a recipient, the payload, the marker.
  await alice.send(bot, `I sent you an OMEMO encrypted message. fedi:${carol.address}`, {
    id: "omemo-1",
    children: [
      element(
        "encrypted",
        { xmlns: NS.omemoLegacy },
        element("header", { sid: "1" }),
        element("payload", {}, "c2VjcmV0"),
      ),
      element("encryption", { xmlns: NS.eme, namespace: NS.omemoLegacy, name: "OMEMO" }),
      element("store", { xmlns: "urn:xmpp:hints" }),
      request,
    ],
  });
  const told = await alice.nextMessageFrom(bot);
  assert.equal(told.body, explanation);
  const handled = await bridge.nextHandled((h) => h.key === `xmpp:${alice.jid}:omemo-1`);
  assert.equal(handled.inbound.kind, "encrypted");

  // OpenPGP for XMPP within the hour: no second explanation.
  await alice.send(bot, "This message is encrypted with OpenPGP.", {
    id: "pgp-1",
    children: [element("openpgp", { xmlns: NS.openpgp }, "LS0tLS1CRUdJTg=="), request],
  });
  await bridge.nextHandled((h) => h.key === `xmpp:${alice.jid}:pgp-1`);
  // A plain command afterwards: its answer is the next message, not a second explanation.
  await alice.send(bot, "!help", { id: "help-1" });
  const next = await alice.nextMessageFrom(bot);
  assert.notEqual(next.body, explanation);
  assert.match(next.body ?? "", /!/);

  // An hour later, a legacy OpenPGP message is explained again.
  bridge.clock.now += 61 * 60_000;
  await alice.send(bot, "[This message is encrypted]", {
    id: "x-1",
    children: [element("x", { xmlns: NS.pgpLegacy }, "hQEMA...")],
  });
  assert.equal((await alice.nextMessageFrom(bot)).body, explanation);

  // Nothing was carried, and no encrypted message was confirmed.
  assert.equal(bridge.pump.fedi.pending.length, 0);
  assert.equal(
    alice.messages.pending.some((m) => m.stanza.getChild("received", NS.receipts)),
    false,
  );
  const last = await bridge.nextHandled((h) => h.key === `xmpp:${alice.jid}:x-1`);
  assert.equal(last.inbound.kind, "encrypted");
});
