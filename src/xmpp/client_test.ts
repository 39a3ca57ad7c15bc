import assert from "node:assert/strict";
import { chooseMechanism, destroySocket } from "./client.ts";

Deno.test("SCRAM is preferred, PLAIN is the fallback, ANONYMOUS never", () => {
  assert.equal(chooseMechanism(["SCRAM-SHA-1", "PLAIN", "ANONYMOUS"]), "SCRAM-SHA-1");
  assert.equal(chooseMechanism(["PLAIN", "SCRAM-SHA-1"]), "SCRAM-SHA-1");
  assert.equal(chooseMechanism(["ANONYMOUS", "PLAIN"]), "PLAIN");
  assert.equal(chooseMechanism(["ANONYMOUS"]), undefined);
  assert.equal(chooseMechanism([]), undefined);
});

Deno.test("destroySocket reaches the TLS socket inside @xmpp/tls's wrapper", () => {
  const calls: string[] = [];
  destroySocket({ destroy: () => calls.push("plain") });
  destroySocket({ socket: { destroy: () => calls.push("tls") } });
  destroySocket(null);
  destroySocket({ socket: null, destroy: () => calls.push("wrapper without socket") });
  assert.deepEqual(calls, ["plain", "tls", "wrapper without socket"]);
});
