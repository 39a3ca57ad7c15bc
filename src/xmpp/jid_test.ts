import assert from "node:assert/strict";
import { bareJid, domainOfJid, isAccountJid, localOfJid } from "./jid.ts";

Deno.test("bareJid drops the resource and lower-cases", () => {
  assert.equal(bareJid("Alice@XMPP.test/Phone/1"), "alice@xmpp.test");
  assert.equal(bareJid("alice@xmpp.test"), "alice@xmpp.test");
  assert.equal(bareJid("xmpp.test"), "xmpp.test");
});

Deno.test("domain and local parts", () => {
  assert.equal(domainOfJid("bot@Chat.Example/res"), "chat.example");
  assert.equal(localOfJid("Bot@chat.example/res"), "bot");
  assert.equal(localOfJid("chat.example"), "");
  assert.equal(domainOfJid("chat.example"), "chat.example");
});

Deno.test("isAccountJid accepts user accounts only", () => {
  assert.equal(isAccountJid("alice@xmpp.test/res"), true);
  assert.equal(isAccountJid("alice@xmpp.test"), true);
  assert.equal(isAccountJid("xmpp.test"), false);
  assert.equal(isAccountJid("a@b@c"), false);
  assert.equal(isAccountJid("with space@xmpp.test"), false);
  assert.equal(isAccountJid(""), false);
});
