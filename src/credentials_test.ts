import assert from "node:assert/strict";
import { ConfigError } from "./config/mod.ts";
import {
  CREDENTIAL_FILES,
  credentialDirs,
  credentialsDirectory,
  readCredentials,
} from "./credentials.ts";

Deno.test("credentials: each file stands for one secret, the line break dropped", () => {
  const dir = Deno.makeTempDirSync();
  try {
    Deno.writeTextFileSync(`${dir}/xmpp-bridge-token`, "t0ken\n");
    assert.deepEqual(readCredentials(dir), { XMPP_BRIDGE_TOKEN: "t0ken" });
    Deno.writeTextFileSync(`${dir}/ap-bridge-pass`, "pass word\r\n");
    assert.deepEqual(readCredentials(dir), {
      XMPP_BRIDGE_TOKEN: "t0ken",
      AP_BRIDGE_PASS: "pass word",
    });
    // Only the two secrets: other files in the folder are not read.
    assert.deepEqual(Object.values(CREDENTIAL_FILES).sort(), [
      "AP_BRIDGE_PASS",
      "XMPP_BRIDGE_TOKEN",
    ]);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("credentials: no folder, nothing read; an unreadable file is a configuration error", () => {
  assert.deepEqual(readCredentials(null), {});
  assert.equal(credentialsDirectory(() => undefined), null);
  assert.equal(
    credentialsDirectory(() => "/run/credentials/x.service"),
    "/run/credentials/x.service",
  );
  assert.throws(
    () =>
      readCredentials("/run/credentials/x", () => {
        throw new Deno.errors.PermissionDenied("denied");
      }),
    (e: Error) => e instanceof ConfigError && /xmpp-bridge-token/.test(e.message),
  );
});

Deno.test("credentials: each role may read its own unit's folder only", () => {
  assert.deepEqual(credentialDirs(["fedi"], null), [
    "/run/credentials/xmpp-ap-bridge-fedi.service",
  ]);
  assert.deepEqual(credentialDirs(["xmpp"], "/run/credentials/renamed.service"), [
    "/run/credentials/xmpp-ap-bridge-xmpp.service",
    "/run/credentials/renamed.service",
  ]);
});
