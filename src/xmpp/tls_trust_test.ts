import assert from "node:assert/strict";
import { pemCertificates, trustCaFile } from "./tls_trust.ts";

const PEM = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----";

Deno.test("PEM certificates are found in a bundle, keys and comments skipped", () => {
  const text = `# comment\r\n${PEM.replaceAll("\n", "\r\n")}\n-----BEGIN PRIVATE KEY-----\nx\n` +
    `-----END PRIVATE KEY-----\n${PEM.replace("MIIB", "MIIC")}\n`;
  assert.deepEqual(pemCertificates(text), [PEM, PEM.replace("MIIB", "MIIC")]);
  assert.deepEqual(pemCertificates("nothing"), []);
});

Deno.test("a file without certificate is refused with its name", async () => {
  await assert.rejects(
    trustCaFile("/etc/ca.pem", () => Promise.resolve("not a certificate")),
    /\/etc\/ca\.pem holds no PEM certificate/,
  );
});
