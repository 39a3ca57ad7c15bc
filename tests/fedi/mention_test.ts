/** Private mentions reach the core as messages; the core's answers go back as direct statuses. */
import assert from "node:assert/strict";
import { FEDI } from "../../src/core/types.ts";
import { makeHarness, notificationsUntil } from "./support.ts";

Deno.test("a direct mention reaches the core with sender, text, ids, warning, media and poll", async () => {
  await using h = await makeHarness();
  const alice = h.server.createAccount({ username: "alice", domain: "other.example" });
  h.server.createAccount({ username: "bob", domain: "third.example" });
  await h.bot.start();
  const earlier = h.server.postAs(h.botAccount, {
    text: "@alice@other.example hi",
    visibility: "direct",
  });

  const handled = notificationsUntil(h.bot, (s) => s.length === 2);
  const status = h.server.postAs(alice, {
    text: "@bridge@fedi.test Hello <there> & @bob@third.example\n\nsecond line",
    visibility: "direct",
    inReplyToId: earlier.id,
    language: "de",
    spoilerText: "food",
    media: [{ description: "a cat", type: "image", url: "https://other.example/cat.png" }, {
      type: "video",
      url: "https://other.example/clip.mp4",
    }],
  });
  // Mastodon takes media or a poll, not both.
  const polled = h.server.postAs(alice, {
    text: "@bridge@fedi.test which?",
    visibility: "direct",
    poll: { options: ["yes", "no"], expiresIn: 3600 },
  });
  const [event] = await handled;
  assert.equal(event?.type, "mention");
  const call = h.spy.calls[0];
  assert.ok(call);
  assert.equal(call.key, `notif:${event?.id}`);
  const statusUrl = (h.server.statusJson(polled.id, h.botAccount) as { url: string }).url;
  assert.deepEqual(call.inbound, {
    kind: "message",
    from: { network: FEDI, address: "alice@other.example" },
    id: status.id,
    text: "@bridge@fedi.test Hello <there> & @bob@third.example\n\nsecond line",
    inReplyTo: earlier.id,
    lang: "de",
    extras: {
      spoiler: "food",
      media: [
        { url: "https://other.example/cat.png", description: "a cat", type: "image" },
        { url: "https://other.example/clip.mp4", description: null, type: "video" },
      ],
      pollUrl: null,
    },
  });
  const second = h.spy.calls[1]?.inbound;
  assert.ok(second?.kind === "message");
  assert.equal(second.text, "@bridge@fedi.test which?");
  assert.deepEqual(second.extras, { spoiler: null, media: [], pollUrl: statusUrl });
  assert.equal(second.lang, null);
});

Deno.test("an answer of the core is a direct status in reply, mentioning the user", async () => {
  await using h = await makeHarness();
  const alice = h.server.createAccount({ username: "alice", domain: "other.example" });
  await h.bot.start();
  const status = h.server.postAs(alice, { text: "@bridge@fedi.test !help", visibility: "direct" });
  const answer = await h.server.waitForStatus(h.botAccount, (s) => s.inReplyToId === status.id);
  await h.queue.settled();
  assert.equal(answer.visibility, "direct");
  assert.deepEqual(answer.mentions, ["alice@other.example"]);
  assert.ok(answer.text.startsWith("@alice@other.example "));
  const sent = h.queue.sent.find((s) => s.effect.kind === "notice");
  assert.ok(sent?.result.ok);
  assert.equal(answer.idempotencyKey, sent.key);
  assert.equal(answer.language, "en");
});

Deno.test("a mention of any visibility is handled, and answered directly (issue 14)", async () => {
  await using h = await makeHarness();
  const alice = h.server.createAccount({ username: "alice", domain: "other.example" });
  await h.bot.start();
  const seen = notificationsUntil(h.bot, (s) => s.length === 4);
  const posted = (["public", "unlisted", "private", "direct"] as const).map((visibility) =>
    h.server.postAs(alice, { text: "@bridge@fedi.test !help", visibility })
  );
  assert.deepEqual((await seen).map((d) => d.outcome), [
    "handled",
    "handled",
    "handled",
    "handled",
  ]);
  assert.deepEqual(
    h.spy.calls.map((c) => c.inbound.kind === "message" && c.inbound.id),
    posted.map((s) => s.id),
  );
  for (const status of posted) {
    const answer = await h.server.waitForStatus(h.botAccount, (s) => s.inReplyToId === status.id);
    assert.equal(answer.visibility, "direct", `the answer to a ${status.visibility} mention`);
  }
});
