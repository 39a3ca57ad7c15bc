import assert from "node:assert/strict";
import { freePort, lookupUser, requireProgram } from "./host_system.ts";

Deno.test("a missing program is named with its Debian package", async () => {
  await assert.rejects(
    requireProgram("prosody-does-not-exist", "prosody"),
    /`prosody-does-not-exist` was not found.*Debian package `prosody` \(apt-get install -y prosody\)/,
  );
  await requireProgram("sh", "dash"); // present on every Debian system
});

Deno.test("system users are read from /etc/passwd", async () => {
  assert.deepEqual(await lookupUser("root"), { uid: 0, gid: 0 });
  await assert.rejects(lookupUser("no-such-user-here"), /no system user `no-such-user-here`/);
});

Deno.test("freePort gives a port that can be bound", () => {
  const port = freePort("127.0.0.1");
  using listener = Deno.listen({ hostname: "127.0.0.1", port });
  assert.equal(listener.addr.port, port);
});
