/**
 * npm masto (the client library the bot uses) against the routes of issues
 * 16 and 17: edits, history, deletions, favourites, their stream events, and
 * media uploads with asynchronous processing.
 */

import assert from "node:assert/strict";
import { createRestAPIClient, createStreamingAPIClient } from "masto";
import { MastodonTestServer } from "./server.ts";
import { pngBytes } from "./test_client.ts";

Deno.test("npm masto edits, reads history, favourites and deletes; user stream events parse", async () => {
  await using server = await MastodonTestServer.start({ domain: "fedi.test" });
  const bot = server.createAccount({ username: "bridge", bot: true });
  const alice = server.createAccount({ username: "alice", domain: "other.example" });
  const rest = createRestAPIClient({ url: server.url, accessToken: bot.token ?? "" });

  const status = await rest.v1.statuses.create({ status: "first try", visibility: "public" });
  const edited = await rest.v1.statuses.$select(status.id).update({
    status: "second try",
    spoilerText: "cw",
    language: "fr",
  });
  assert.equal(edited.content, "<p>second try</p>");
  assert.deepEqual([edited.spoilerText, edited.sensitive, edited.language], ["cw", true, "fr"]);
  assert.equal(typeof edited.editedAt, "string");
  const history = await rest.v1.statuses.$select(status.id).history.list();
  assert.deepEqual(history.map((h) => [h.content, h.spoilerText]), [
    ["<p>first try</p>", ""],
    ["<p>second try</p>", "cw"],
  ]);
  assert.equal(history[0]?.account.acct, "bridge");

  const theirs = server.postAs(alice, { text: "@bridge@fedi.test hi", visibility: "direct" });
  const fav = await rest.v1.statuses.$select(theirs.id).favourite();
  assert.deepEqual([fav.favourited, fav.favouritesCount], [true, 1]);
  const unfav = await rest.v1.statuses.$select(theirs.id).unfavourite();
  assert.deepEqual([unfav.favourited, unfav.favouritesCount], [false, 0]);

  server.favourite(alice, status.id);
  const favs = await rest.v1.notifications.list({ types: ["favourite"] });
  assert.deepEqual(favs.map((n) => [n.type, n.status?.id, n.account.acct]), [
    ["favourite", status.id, "alice@other.example"],
  ]);

  const streaming = createStreamingAPIClient({
    streamingApiUrl: server.streamingUrl,
    accessToken: bot.token ?? "",
    implementation: WebSocket,
  });
  const events = streaming.user.subscribe()[Symbol.asyncIterator]();
  const first = events.next();
  await server.waitForStream(bot, "user");
  server.editAs(alice, theirs.id, { text: "@bridge@fedi.test hi, edited" });
  const update = (await first).value;
  assert.ok(update?.event === "status.update");
  assert.equal(update.payload.id, theirs.id);
  assert.match(update.payload.content, /hi, edited/);
  const deletion = events.next();
  server.deleteAs(alice, theirs.id);
  const gone = (await deletion).value;
  assert.ok(gone?.event === "delete");
  assert.equal(gone.payload, theirs.id);

  const removed = await rest.v1.statuses.$select(status.id).remove();
  assert.equal(removed.text, "second try");
  streaming.close();
  await events.return?.(undefined).catch(() => {});
});

Deno.test("npm masto uploads media with v2, follows 202/206 processing and posts with media_ids", async () => {
  await using server = await MastodonTestServer.start({
    domain: "fedi.test",
    mediaProcessing: { async: true, delayMs: 60 * 60 * 1000 },
  });
  const bot = server.createAccount({ username: "bridge", bot: true });
  const rest = createRestAPIClient({ url: server.url, accessToken: bot.token ?? "" });
  const file = new Blob([pngBytes(32, 16) as BlobPart], { type: "image/png" });

  const pending = await rest.v2.media.create({
    file,
    description: "a tiny picture",
    focus: "0,0.5",
    skipPolling: true,
  });
  assert.equal(pending.url, null);
  const stillPending = await rest.v1.media.$select(pending.id).fetch();
  assert.equal(stillPending.url, null);
  assert.equal(server.finishMediaProcessing(pending.id), 1);
  const ready = await rest.v1.media.$select(pending.id).fetch();
  assert.match(ready.url ?? "", /original\.png$/);
  assert.equal(ready.meta?.original?.width, 32);
  assert.equal(ready.description, "a tiny picture");

  // Processed at once: masto's own polling (one look after a second) returns it.
  server.setMediaProcessing({ async: false });
  const direct = await rest.v2.media.create({ file, description: "second" });
  assert.match(direct.url ?? "", /original\.png$/);

  const status = await rest.v1.statuses.create({
    status: "two pictures",
    mediaIds: [pending.id, direct.id],
  });
  assert.deepEqual(status.mediaAttachments.map((m) => m.description), [
    "a tiny picture",
    "second",
  ]);
  assert.deepEqual(server.media(direct.id).bytes, pngBytes(32, 16));
});
