/**
 * Files from XMPP as attachments, long texts as threads: the Fediverse sender against the Mastodon
 * test server and the test upload host. A "crash" is a `save` that throws after keeping what it
 * was given, as the outbox row would keep it; the next attempt starts from that row.
 */
import assert from "node:assert/strict";
import type { SaveProgress, SendResult } from "../../src/core/ports.ts";
import { type Effect, FEDI, XMPP } from "../../src/core/types.ts";
import { UploadHost } from "../upload_host/server.ts";
import { pngBytes } from "../mastodon/test_client.ts";
import { makeHarness } from "./support.ts";

const ALICE = { network: XMPP, address: "alice@chat.test" } as const;
const CAROL = { network: FEDI, address: "carol@fedi.test" } as const;

function deliver(text: string, media: DeliverMedia[] = [], parts?: string[]): Effect {
  return {
    kind: "deliver",
    to: [CAROL],
    from: ALICE,
    text,
    ...(parts === undefined ? {} : { parts }),
    inReplyTo: null,
    lang: "en",
    media,
    sourceId: "s1",
    records: [],
    messageId: null,
    confirm: false,
    senderLang: "en",
  };
}
type DeliverMedia = { url: string; description: string | null; type: string };

async function rig(extra = "") {
  const host = await UploadHost.start();
  const h = await makeHarness({ extraConfig: `media-hosts: ["${host.host}"]\n${extra}` });
  h.server.createAccount({ username: "carol" });
  return {
    host,
    h,
    async [Symbol.asyncDispose]() {
      await h[Symbol.asyncDispose]();
      await host.close();
    },
  };
}

/** Sends like the outbox worker: the saved effect replaces the row's, a throw is a crash. */
class Row {
  constructor(public effect: Effect, readonly key: string) {}
  saves = 0;
  crashAt = -1;
  async attempt(send: (e: Effect, k: string, s: SaveProgress) => Promise<SendResult>) {
    return await send(this.effect, this.key, (e) => {
      this.effect = e;
      if (++this.saves === this.crashAt) throw new Error("crash");
    });
  }
}

Deno.test("a photo from XMPP arrives as an attachment with its alt text, its URL left out", async () => {
  await using r = await rig();
  const png = pngBytes(2, 2, 100);
  const url = r.host.put("cat.png", png, { type: "image/png" });
  const row = new Row(
    deliver(`@carol header\n${url}`, [{ url, description: "A cat", type: "unknown" }]),
    "k-1",
  );
  const result = await row.attempt((e, k, s) => r.h.sender.send(e, k, s));
  assert.ok(result.ok);
  assert.equal(result.asLinks, undefined);
  const [status, ...more] = r.h.server.statusesOf(r.h.botAccount);
  assert.equal(more.length, 0);
  assert.equal(status!.mediaIds.length, 1);
  assert.ok(!status!.text.includes(url));
  const media = r.h.server.media(status!.mediaIds[0]!);
  assert.equal(media.description, "A cat");
  assert.deepEqual(media.bytes, png);
});

Deno.test("a file over the limit (announced or not) or gone goes as a link, the sender to be told", async () => {
  await using r = await rig("media-max-mb: 1\n");
  const big = pngBytes(2, 2, 1024 * 1024 + 10);
  const url = r.host.put("big.png", big, { type: "image/png" });
  const lying = r.host.put("lie.png", big, { type: "image/png", contentLength: "absent" });
  const gone = r.host.put("gone.png", pngBytes(2, 2), { type: "image/png" });
  r.host.remove(gone);
  const items = [url, lying, gone].map((u) => ({ url: u, description: null, type: "unknown" }));
  const row = new Row(deliver(`@carol header\n${url} ${lying} ${gone}`, items), "k-2");
  const result = await row.attempt((e, k, s) => r.h.sender.send(e, k, s));
  assert.ok(result.ok);
  assert.deepEqual(result.asLinks, [url, lying, gone]);
  const [status] = r.h.server.statusesOf(r.h.botAccount);
  assert.deepEqual(status!.mediaIds, []);
  assert.ok(status!.text.includes(url) && status!.text.includes(lying));
  assert.equal(r.h.server.mediaOf(r.h.botAccount).length, 0);
});

Deno.test("a crash between upload and post: one upload, exactly one status with the file", async () => {
  await using r = await rig();
  const url = r.host.put("cat.png", pngBytes(2, 2), { type: "image/png" });
  const row = new Row(
    deliver(`@carol header\n${url}`, [{ url, description: null, type: "unknown" }]),
    "k-3",
  );
  row.crashAt = 1;
  const first = await row.attempt((e, k, s) => r.h.sender.send(e, k, s));
  assert.equal(first.ok, false);
  assert.equal(r.h.server.statusesOf(r.h.botAccount).length, 0);
  assert.equal(r.h.server.mediaOf(r.h.botAccount).length, 1);
  const second = await row.attempt((e, k, s) => r.h.sender.send(e, k, s));
  assert.ok(second.ok);
  // And once more, as after a crash between the post and the row's close.
  assert.ok((await row.attempt((e, k, s) => r.h.sender.send(e, k, s))).ok);
  const statuses = r.h.server.statusesOf(r.h.botAccount);
  assert.equal(statuses.length, 1);
  assert.equal(statuses[0]!.mediaIds.length, 1);
  assert.equal(r.h.server.mediaOf(r.h.botAccount).length, 1);
});

Deno.test("a thread is posted in order, each part answering the one before, also after a crash", async () => {
  await using r = await rig();
  const parts = ["@carol one\n1/3", "@carol two\n2/3", "@carol three\n3/3"];
  const row = new Row(deliver(parts.join("\n\n"), [], parts), "k-4");
  row.crashAt = 2; // after part 2 was posted and saved
  assert.equal((await row.attempt((e, k, s) => r.h.sender.send(e, k, s))).ok, false);
  const result = await row.attempt((e, k, s) => r.h.sender.send(e, k, s));
  assert.ok(result.ok);
  const statuses = r.h.server.statusesOf(r.h.botAccount);
  assert.deepEqual(statuses.map((s) => s.text), parts);
  assert.equal(statuses[0]!.inReplyToId, null);
  assert.equal(statuses[1]!.inReplyToId, statuses[0]!.id);
  assert.equal(statuses[2]!.inReplyToId, statuses[1]!.id);
  assert.equal(result.postedId, statuses[2]!.id);
  assert.equal(new Set(statuses.map((s) => s.idempotencyKey)).size, 3);
});

Deno.test("a long notice of the bot arrives whole, as a numbered thread", async () => {
  await using r = await rig();
  // The server allows 500 characters, as the sender assumes until the bot has read its limits.
  const text = Array.from({ length: 60 }, (_, i) => `Line ${i}: a command and what it does.`)
    .join("\n");
  const parts = r.h.sender.noticeParts(CAROL, text);
  assert.ok(parts.length > 1);
  const result = await r.h.sender.send({ kind: "notice", to: CAROL, text, inReplyTo: null }, "k-5");
  assert.ok(result.ok);
  const statuses = r.h.server.statusesOf(r.h.botAccount);
  assert.equal(statuses.length, parts.length);
  const words = (s: string) => s.split(/\s+/).filter((w) => w !== "" && !/^\d+\/\d+$/.test(w));
  const joined = statuses.map((s) => s.text.replace(/^@carol@fedi\.test /, "")).join(" ");
  assert.deepEqual(words(joined), words(`@carol@fedi.test ${text}`).slice(1));
  statuses.forEach((s, i) => {
    assert.ok([...s.text].length <= 500 + "@fedi.test".length);
    assert.ok(s.text.endsWith(`${i + 1}/${statuses.length}`));
  });
});

Deno.test("a file the server processes later (202) is waited for; one whose processing fails goes as a link", async () => {
  await using r = await rig();
  const { MediaUploader } = await import("../../src/fedi/media.ts");
  r.h.server.setMediaProcessing({ async: true, delayMs: 3_600_000 });
  let looks = 0;
  // A clock whose waits end at once, after the server has finished (or failed) its work.
  const clock = {
    now: () => Date.now(),
    setTimeout: (fn: () => void) => {
      looks++;
      if (looks === 2) r.h.server.finishMediaProcessing();
      return setTimeout(fn, 0);
    },
    clearTimeout: (h: unknown) => clearTimeout(h as number),
  };
  const uploader = new MediaUploader({ api: r.h.api, config: r.h.config, clock });
  const url = r.host.put("cat.png", pngBytes(2, 2), { type: "image/png" });
  const id = await uploader.upload({ url, description: null, type: "unknown" });
  assert.ok(id !== null);
  assert.equal(looks, 2, "looked while processing, then once done");
  assert.equal(r.h.server.media(id).processing, "done");

  r.h.server.setMediaProcessing({ async: true, delayMs: 0, fail: true });
  assert.equal(await uploader.upload({ url, description: null, type: "unknown" }), null);
});
