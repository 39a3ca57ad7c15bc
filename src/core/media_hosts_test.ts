import assert from "node:assert/strict";
import { mediaHostAllowed } from "./media_hosts.ts";

Deno.test("a file URL is allowed by its host name (any port) or host:port (that port)", () => {
  const hosts = ["upload.chat.test", "127.0.0.1:8080"];
  assert.ok(mediaHostAllowed("https://upload.chat.test/a/b.png", hosts));
  assert.ok(mediaHostAllowed("https://UPLOAD.chat.test:5281/a.png", hosts));
  assert.ok(mediaHostAllowed("http://127.0.0.1:8080/upload/x", hosts));
  assert.ok(!mediaHostAllowed("http://127.0.0.1:9090/upload/x", hosts));
  assert.ok(!mediaHostAllowed("https://evil.test/upload.chat.test.png", hosts));
  assert.ok(!mediaHostAllowed("https://upload.chat.test.evil.test/x", hosts));
  assert.ok(!mediaHostAllowed("ftp://upload.chat.test/x", hosts));
  assert.ok(!mediaHostAllowed("https://user:pw@upload.chat.test/x", hosts));
  assert.ok(!mediaHostAllowed("not a url", hosts));
  assert.ok(!mediaHostAllowed("https://upload.chat.test/x", []));
});
