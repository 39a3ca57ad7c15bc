import assert from "node:assert/strict";
import { describeError, InsecureStreamError, isPermanentConnectError } from "./errors.ts";

function withProps(message: string, props: Record<string, unknown>): Error {
  return Object.assign(new Error(message), props);
}

Deno.test("credentials, trust and missing encryption are permanent", () => {
  assert.equal(isPermanentConnectError(new InsecureStreamError()), true);
  assert.equal(
    isPermanentConnectError(
      withProps("not-authorized", { name: "SASLError", condition: "not-authorized" }),
    ),
    true,
  );
  assert.equal(
    isPermanentConnectError(
      withProps("unable to verify the first certificate", {
        code: "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
      }),
    ),
    true,
  );
  assert.equal(
    isPermanentConnectError(
      withProps("Hostname/IP does not match certificate's altnames", {
        code: "ERR_TLS_CERT_ALTNAME_INVALID",
      }),
    ),
    true,
  );
});

Deno.test("network faults and temporary SASL trouble are retried", () => {
  assert.equal(
    isPermanentConnectError(withProps("connect ECONNREFUSED", { code: "ECONNREFUSED" })),
    false,
  );
  assert.equal(
    isPermanentConnectError(withProps("temporary-auth-failure", {
      name: "SASLError",
      condition: "temporary-auth-failure",
    })),
    false,
  );
  assert.equal(isPermanentConnectError(new Error("timeout")), false);
  assert.equal(isPermanentConnectError("text"), false);
  assert.equal(isPermanentConnectError(null), false);
});

Deno.test("errors are described on one line with their code", () => {
  assert.equal(
    describeError(withProps("connect failed", { code: "ECONNREFUSED" })),
    "Error: connect failed (ECONNREFUSED)",
  );
  assert.equal(
    describeError(withProps("ECONNREFUSED 127.0.0.1", { code: "ECONNREFUSED" })),
    "Error: ECONNREFUSED 127.0.0.1",
  );
  assert.equal(describeError("plain"), "plain");
});
