import assert from "node:assert/strict";
import tls from "node:tls";
import { createTestCa, issueServerCert, type ServerCert } from "./test_ca.ts";

/**
 * Serve one TLS handshake on 127.0.0.1 with `cert`, and connect to it with node:tls trusting
 * only `caPem` and verifying the name `servername` (an IP address or a DNS name).
 */
async function handshake(cert: ServerCert, caPem: string, servername: string): Promise<void> {
  using listener = Deno.listenTls({
    hostname: "127.0.0.1",
    port: 0,
    cert: await Deno.readTextFile(cert.certFile),
    key: await Deno.readTextFile(cert.keyFile),
  });
  const accepted = listener.accept().then(async (conn) => {
    try {
      await conn.handshake();
    } catch {
      // the client refused us: that is the point of some tests
    } finally {
      conn.close();
    }
  });
  try {
    await new Promise<void>((resolve, reject) => {
      const socket = tls.connect({
        host: "127.0.0.1",
        port: listener.addr.port,
        ca: [caPem],
        ...(/^[\d.]+$/.test(servername) ? {} : { servername }),
      });
      socket.once("secureConnect", () => {
        socket.end();
        resolve();
      });
      socket.once("error", (error) => {
        socket.destroy();
        reject(error);
      });
    });
  } finally {
    await accepted;
  }
}

Deno.test("a server certificate verifies for its names and address, and only with its CA", async () => {
  const dir = await Deno.makeTempDir({ prefix: "test-ca-" });
  try {
    const ca = await createTestCa(dir);
    const other = await createTestCa(dir, "other-ca");
    const cert = await issueServerCert(ca, dir, {
      dnsNames: ["xmpp.test", "localhost"],
      ipAddresses: ["127.0.0.1"],
    });
    assert.equal((await Deno.stat(cert.keyFile)).mode! & 0o777, 0o600);
    await handshake(cert, ca.certPem, "127.0.0.1");
    await handshake(cert, ca.certPem, "xmpp.test");
    await handshake(cert, ca.certPem, "localhost");
    await assert.rejects(handshake(cert, ca.certPem, "other.test"), /altnames/);
    await assert.rejects(handshake(cert, other.certPem, "xmpp.test"), /unable to verify/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
