import assert from "node:assert/strict";
import { UploadHost } from "./server.ts";

const bytes = (n: number) => Uint8Array.from({ length: n }, (_, i) => i % 251);

async function readAll(res: Response): Promise<Uint8Array> {
  return new Uint8Array(await res.arrayBuffer());
}

Deno.test("upload host: a stored file is served with its type and exact length; HEAD too", async () => {
  await using host = await UploadHost.start();
  const data = bytes(5000);
  const url = host.put("cat photo.png", data, { type: "image/png" });
  assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/upload\/[0-9a-f]{24}\/cat%20photo\.png$/);
  assert.ok(url.startsWith(host.origin));
  const res = await fetch(url);
  assert.equal(res.status, 200);
  assert.equal(res.headers.get("content-type"), "image/png");
  assert.equal(res.headers.get("content-length"), "5000");
  assert.deepEqual(await readAll(res), data);
  const head = await fetch(url, { method: "HEAD" });
  assert.deepEqual([head.status, head.headers.get("content-length")], [200, "5000"]);
  await head.body?.cancel();
  assert.deepEqual(host.requests.map((r) => [r.method, r.status, r.sent, r.complete]), [
    ["GET", 200, 5000, true],
    ["HEAD", 200, 0, true],
  ]);
  const put = await fetch(url, { method: "PUT", body: "x" });
  assert.equal(put.status, 405);
  await put.body?.cancel();
});

Deno.test("upload host: 404 for unknown paths, removed files and the notFound switch", async () => {
  await using host = await UploadHost.start();
  const url = host.put("a.txt", bytes(10));
  const unknown = await fetch(`${host.origin}/upload/nothing/here.png`);
  assert.equal(unknown.status, 404);
  await unknown.body?.cancel();
  host.configure(url, { notFound: true });
  const switched = await fetch(url);
  assert.equal(switched.status, 404);
  await switched.body?.cancel();
  host.configure(url, { notFound: false });
  const back = await fetch(url);
  assert.equal(back.status, 200);
  await back.body?.cancel();
  host.remove(url);
  const removed = await fetch(url);
  assert.equal(removed.status, 404);
  await removed.body?.cancel();
  assert.throws(() => host.configure(url, {}), /no file at/);
  assert.throws(() => host.put("a/b", bytes(1)), /bad file name/);
});

Deno.test("upload host: no Content-Length, or chunked: the whole body still arrives", async () => {
  await using host = await UploadHost.start();
  const data = bytes(70_000);
  const absent = host.put("a.bin", data, { contentLength: "absent" });
  const res = await fetch(absent);
  assert.equal(res.headers.get("content-length"), null);
  assert.deepEqual(await readAll(res), data);
  const chunked = host.put("c.bin", data, {
    contentLength: "chunked",
    slow: { chunkSize: 16_384, intervalMs: 1 },
  });
  const res2 = await fetch(chunked);
  assert.equal(res2.headers.get("transfer-encoding"), "chunked");
  assert.equal(res2.headers.get("content-length"), null);
  assert.deepEqual(await readAll(res2), data);
});

Deno.test("upload host: a lying Content-Length (too big: cut body; too small: cut to it)", async () => {
  await using host = await UploadHost.start();
  const data = bytes(1000);
  const tooBig = host.put("big.bin", data, { contentLength: 5000 });
  const res = await fetch(tooBig);
  assert.equal(res.headers.get("content-length"), "5000");
  await assert.rejects(readAll(res));
  const tooSmall = host.put("small.bin", data, { contentLength: 100 });
  const res2 = await fetch(tooSmall);
  assert.equal(res2.headers.get("content-length"), "100");
  assert.deepEqual(await readAll(res2), data.subarray(0, 100));
});

Deno.test("upload host: stallAfter holds the body until release; a client that leaves is recorded", async () => {
  await using host = await UploadHost.start();
  const data = bytes(4096);
  const url = host.put("held.bin", data, { stallAfter: 1000 });
  const res = await fetch(url);
  const reader = res.body!.getReader();
  let got = 0;
  const parts: Uint8Array[] = [];
  while (got < 1000) {
    const { value, done } = await reader.read();
    assert.equal(done, false);
    parts.push(value!);
    got += value!.length;
  }
  assert.equal(got, 1000);
  await host.waitUntil(() => host.stalled === 1);
  host.release();
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    parts.push(value);
  }
  const whole = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let off = 0;
  for (const p of parts) {
    whole.set(p, off);
    off += p.length;
  }
  assert.deepEqual(whole, data);

  const size = 16 << 20;
  const second = host.put("left.bin", bytes(size), {
    stallAfter: 10,
    slow: { chunkSize: 65_536, intervalMs: 0 },
  });
  const res2 = await fetch(second);
  await host.waitUntil(() => host.stalled === 1);
  await res2.body?.cancel();
  host.release();
  await host.waitUntil(() => host.requests[1]?.finished === true);
  const r = host.requests[1];
  assert.equal(r?.complete, false);
  assert.ok((r?.sent ?? size) < size);
});
