/** Media uploads: v2 with async processing, limits, rate limit, attaching (issue 17). */

import assert from "node:assert/strict";
import { MastodonTestServer, type MastodonTestServerOptions } from "./server.ts";
import { call, list, obj, pngBytes } from "./test_client.ts";

async function setup(options: MastodonTestServerOptions = {}) {
  let t = Date.UTC(2025, 0, 15, 12, 0, 0);
  const server = await MastodonTestServer.start({ domain: "fedi.test", now: () => t, ...options });
  const bot = server.createAccount({ username: "bridge", bot: true });
  return { server, bot, token: bot.token ?? "", tick: (ms: number) => (t += ms) };
}

interface UploadFields {
  file?: { bytes: Uint8Array; type: string; name?: string };
  description?: string;
  focus?: string;
}

async function upload(
  server: MastodonTestServer,
  token: string,
  fields: UploadFields,
  version: "v1" | "v2" = "v2",
) {
  const form = new FormData();
  if (fields.file) {
    const blob = new Blob([fields.file.bytes as BlobPart], { type: fields.file.type });
    form.append("file", blob, fields.file.name ?? "upload");
  }
  if (fields.description !== undefined) form.append("description", fields.description);
  if (fields.focus !== undefined) form.append("focus", fields.focus);
  const res = await fetch(`${server.url}/api/${version}/media`, {
    method: "POST",
    headers: { Authorization: `Bearer ${token}` },
    body: form,
  });
  return { status: res.status, headers: res.headers, body: obj(await res.json()) };
}

const png = (extra = 0) => ({ bytes: pngBytes(640, 480, extra), type: "image/png" });

Deno.test("POST /api/v2/media: an image is processed at once (200) with size, focus and description", async () => {
  const { server, bot, token } = await setup();
  await using _ = server;
  const res = await upload(server, token, { file: png(), description: "a cat", focus: "0.5,-2" });
  assert.equal(res.status, 200);
  const m = res.body;
  assert.equal(m.type, "image");
  assert.match(
    String(m.url),
    /^https:\/\/fedi\.test\/system\/media_attachments\/files\/\d+\/original\.png$/,
  );
  assert.equal(m.description, "a cat");
  assert.deepEqual(obj(obj(m.meta).original), {
    width: 640,
    height: 480,
    size: "640x480",
    aspect: 640 / 480,
  });
  assert.deepEqual(obj(obj(m.meta).focus), { x: 0.5, y: -1 });
  const stored = server.media(String(m.id));
  assert.deepEqual([stored.mimeType, stored.processing, stored.accountId], [
    "image/png",
    "done",
    bot.id,
  ]);
  assert.deepEqual(stored.bytes, pngBytes(640, 480));
  const shown = await call(server.url, "GET", `/api/v1/media/${m.id}`, { token });
  assert.equal(shown.status, 200);
  assert.equal(obj(shown.body).url, m.url);
  const v1 = await upload(server, token, { file: png() }, "v1");
  assert.equal(v1.status, 200);
});

Deno.test("async processing: 202 with url null, 206 while processing, 200 when done", async () => {
  const { server, token, tick } = await setup({ mediaProcessing: { async: true, delayMs: 5000 } });
  await using _ = server;
  const res = await upload(server, token, { file: png(), description: "later" });
  assert.equal(res.status, 202);
  assert.deepEqual([res.body.url, res.body.preview_url], [null, null]);
  const id = String(res.body.id);
  const look = () => call(server.url, "GET", `/api/v1/media/${id}`, { token });
  const during = await look();
  assert.deepEqual([during.status, obj(during.body).url], [206, null]);
  tick(5000);
  const after = await look();
  assert.equal(after.status, 200);
  assert.match(String(obj(after.body).url), /original\.png$/);

  // A test can end processing by hand instead of moving the clock.
  const second = await upload(server, token, { file: png() });
  assert.equal(second.status, 202);
  assert.equal(server.finishMediaProcessing(String(second.body.id)), 1);
  assert.equal(
    (await call(server.url, "GET", `/api/v1/media/${second.body.id}`, { token })).status,
    200,
  );

  // Video is processed after the answer even without the switch, as on Mastodon.
  server.setMediaProcessing({ async: false, delayMs: 0 });
  const video = await upload(server, token, {
    file: { bytes: new Uint8Array(100), type: "video/mp4" },
  });
  assert.deepEqual([video.status, video.body.type, video.body.url], [202, "video", null]);
  assert.equal(
    (await call(server.url, "GET", `/api/v1/media/${video.body.id}`, { token })).status,
    200,
  );
});

Deno.test("failing processing: 500 for a synchronous upload, 422 on the look after a 202", async () => {
  const { server, token } = await setup({ mediaProcessing: { fail: true } });
  await using _ = server;
  const sync = await upload(server, token, { file: png() });
  assert.deepEqual([sync.status, sync.body], [500, {
    error: "Error processing thumbnail for uploaded media",
  }]);
  server.setMediaProcessing({ async: true, delayMs: 1000 });
  const deferred = await upload(server, token, { file: png() });
  assert.equal(deferred.status, 202);
  server.finishMediaProcessing();
  const look = await call(server.url, "GET", `/api/v1/media/${deferred.body.id}`, { token });
  assert.deepEqual([look.status, look.body], [422, {
    error: "Error processing thumbnail for uploaded media",
  }]);
  const attach = await call(server.url, "POST", "/api/v1/statuses", {
    token,
    body: { status: "x", media_ids: [String(deferred.body.id)] },
  });
  assert.equal(attach.status, 422);
});

Deno.test("limits: type, size, a file that is not what it claims, description, no file", async () => {
  const { server, token } = await setup({ imageSizeLimit: 1000, videoSizeLimit: 2000 });
  await using _ = server;
  const instance = obj((await call(server.url, "GET", "/api/v2/instance")).body);
  const media = obj(obj(instance.configuration).media_attachments);
  assert.deepEqual([media.image_size_limit, media.video_size_limit], [1000, 2000]);
  assert.ok(Array.isArray(media.supported_mime_types));

  const tooBig = await upload(server, token, { file: png(1000 - 33 + 1) });
  assert.deepEqual([tooBig.status, tooBig.body], [422, {
    error: "Validation failed: File file size must be less than 1000 Bytes",
  }]);
  assert.equal((await upload(server, token, { file: png(1000 - 33) })).status, 200);
  const bigVideo = await upload(server, token, {
    file: { bytes: new Uint8Array(2001), type: "video/mp4" },
  });
  assert.equal(bigVideo.status, 422);
  assert.match(String(bigVideo.body.error), /less than 1\.95 KB/);
  const pdf = await upload(server, token, {
    file: { bytes: new Uint8Array(10), type: "application/pdf" },
  });
  assert.deepEqual([pdf.status, pdf.body], [422, {
    error: "Validation failed: File content type is invalid",
  }]);
  const fake = await upload(server, token, {
    file: { bytes: new TextEncoder().encode("not a png"), type: "image/png" },
  });
  assert.deepEqual([fake.status, fake.body], [422, {
    error: "File type of uploaded media could not be verified",
  }]);
  const long = await upload(server, token, { file: png(), description: "x".repeat(1501) });
  assert.equal(long.status, 422);
  assert.match(String(long.body.error), /Description is too long \(maximum is 1500 characters\)/);
  const none = await upload(server, token, { description: "nothing" });
  assert.deepEqual([none.status, none.body], [422, {
    error: "Validation failed: File can't be blank",
  }]);
  // An octet-stream upload is identified by its bytes.
  const sniffed = await upload(server, token, {
    file: { bytes: pngBytes(2, 2), type: "application/octet-stream" },
  });
  assert.deepEqual([sniffed.status, sniffed.body.type], [200, "image"]);
  server.setMediaLimits({ supportedMimeTypes: ["image/jpeg"] });
  assert.equal((await upload(server, token, { file: png() })).status, 422);
});

Deno.test("the media rate limit: 30 uploads per 30 minutes with its own headers", async () => {
  const { server, token, tick } = await setup();
  await using _ = server;
  let last = await upload(server, token, { file: png() });
  assert.deepEqual(
    [last.headers.get("x-ratelimit-limit"), last.headers.get("x-ratelimit-remaining")],
    ["30", "29"],
  );
  assert.equal(last.headers.get("x-ratelimit-reset"), "2025-01-15T12:30:00.000000Z");
  for (let i = 1; i < 30; i++) last = await upload(server, token, { file: png() });
  assert.deepEqual([last.status, last.headers.get("x-ratelimit-remaining")], [200, "0"]);
  const refused = await upload(server, token, { file: png() });
  assert.deepEqual([refused.status, refused.body], [429, { error: "Too many requests" }]);
  assert.equal(refused.headers.get("x-ratelimit-limit"), "30");
  // Other requests keep the general limit and its headers.
  const other = await call(server.url, "GET", "/api/v1/accounts/verify_credentials", { token });
  assert.deepEqual([other.status, other.headers.get("x-ratelimit-limit")], [200, "300"]);
  tick(30 * 60 * 1000);
  assert.equal((await upload(server, token, { file: png() })).status, 200);
  server.setMediaRateLimit(1);
  assert.equal((await upload(server, token, { file: png() })).status, 200);
  assert.equal((await upload(server, token, { file: png() })).status, 429);
});

Deno.test("media_ids on POST /api/v1/statuses: up to 4, own and processed, Idempotency-Key kept", async () => {
  const { server, bot, token } = await setup({ mediaProcessing: { async: true, delayMs: 1000 } });
  await using _ = server;
  const carol = server.createAccount({ username: "carol" });
  const ids: string[] = [];
  for (let i = 0; i < 5; i++) {
    ids.push(String((await upload(server, token, { file: png(), description: `p${i}` })).body.id));
  }
  const post = (mediaIds: string[], key?: string) =>
    call(server.url, "POST", "/api/v1/statuses", {
      token,
      body: { status: "pictures", media_ids: mediaIds },
      ...(key ? { headers: { "Idempotency-Key": key } } : {}),
    });
  const early = await post(ids.slice(0, 1));
  assert.deepEqual([early.status, early.body], [422, {
    error: "Cannot attach files that have not finished processing. Try again in a moment!",
  }]);
  server.finishMediaProcessing();
  const five = await post(ids);
  assert.deepEqual([five.status, five.body], [422, {
    error: "Validation failed: Cannot attach more than 4 files",
  }]);
  const foreign = server.addMedia(carol);
  const stolen = await post([foreign]);
  assert.equal(stolen.status, 422);
  const unknown = await post(["999999"]);
  assert.equal(unknown.status, 422);

  const ok = await post(ids.slice(0, 4), "with-media-1");
  assert.equal(ok.status, 200);
  const attached = list(obj(ok.body).media_attachments);
  assert.deepEqual(attached.map((m) => [m.id, m.description]), [
    [ids[0], "p0"],
    [ids[1], "p1"],
    [ids[2], "p2"],
    [ids[3], "p3"],
  ]);
  const statusId = String(obj(ok.body).id);
  assert.equal(server.media(ids[0] ?? "").statusId, statusId);
  // A repeated key answers the first status, even though its media are attached now.
  const repeat = await post(ids.slice(0, 4), "with-media-1");
  assert.deepEqual([repeat.status, obj(repeat.body).id], [200, statusId]);
  assert.equal(server.postStats(bot).created, 1);
  // Attached media are no longer found by GET /api/v1/media/:id.
  assert.equal((await call(server.url, "GET", `/api/v1/media/${ids[0]}`, { token })).status, 404);
  assert.equal(
    (await call(server.url, "GET", `/api/v1/media/${ids[4]}`, { token: carol.token })).status,
    404,
  );
});

Deno.test("PUT /api/v1/media/:id changes description and focus before attaching", async () => {
  const { server, token } = await setup();
  await using _ = server;
  const up = await upload(server, token, { file: png() });
  const res = await call(server.url, "PUT", `/api/v1/media/${up.body.id}`, {
    token,
    body: { description: "now described", focus: "-0.25,0.75" },
  });
  assert.equal(res.status, 200);
  assert.equal(obj(res.body).description, "now described");
  assert.deepEqual(obj(obj(res.body).meta).focus, { x: -0.25, y: 0.75 });
});
