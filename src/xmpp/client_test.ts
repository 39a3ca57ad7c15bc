import assert from "node:assert/strict";
import type { EventEmitter } from "node:events";
import { chooseMechanism, destroySocket, noDelay, openClient } from "./client.ts";

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

Deno.test("direct TLS (xmpps://) checks the certificate against the XMPP domain, not the SRV host", () => {
  const xmpp = openClient({
    jid: "bot@chat.example",
    password: "unused",
    domain: "chat.example",
    service: "",
    resource: "test",
    stepTimeoutMs: 1000,
    ackRequestDelayMs: 10,
  });
  // What connect(service) does first: pick the transport for the service's scheme.
  const entity = xmpp as unknown as {
    _findTransport(service: string): unknown;
    Transport: unknown;
    socketParameters(service: string): Record<string, unknown> | undefined;
  };
  const direct = "xmpps://xmpp-1.hosting.example:5223";
  entity.Transport = entity._findTransport(direct);
  assert.deepEqual(entity.socketParameters(direct), {
    port: 5223,
    host: "xmpp-1.hosting.example",
    servername: "chat.example",
  });
  // STARTTLS: the plain socket has no name to check; the upgrade checks the domain itself.
  const plain = "xmpp://xmpp-1.hosting.example:5222";
  entity.Transport = entity._findTransport(plain);
  assert.equal(entity.socketParameters(plain)?.servername, undefined);
});

Deno.test("the client's socket and the one inside the TLS wrapper send without delay", () => {
  const calls: string[] = [];
  noDelay({ setNoDelay: (on) => calls.push(`plain ${on}`) });
  noDelay({ socket: { setNoDelay: (on) => calls.push(`tls ${on}`) } });
  noDelay({
    setNoDelay: () => {
      throw new Error("closed");
    },
  });
  noDelay(null);
  assert.deepEqual(calls, ["plain true", "tls true"]);
});

Deno.test("a new connection of the client turns Nagle's algorithm off", () => {
  const xmpp = openClient({
    jid: "bot@chat.test",
    password: "secret",
    domain: "chat.test",
    service: "xmpp://127.0.0.1:5222",
    resource: "test",
    stepTimeoutMs: 1000,
    ackRequestDelayMs: 1,
  });
  const calls: boolean[] = [];
  xmpp.socket = { setNoDelay: (on) => calls.push(on === true) };
  (xmpp as unknown as EventEmitter).emit("connect");
  assert.deepEqual(calls, [true]);
  assert.equal(xmpp.streamManagement.requestAckDebounce, 1);
});
