/**
 * Makes `node:tls` (which `@xmpp/client` uses for STARTTLS) trust a test CA, with
 * certificate verification left on.
 *
 * `@xmpp/client` 0.14 passes no TLS options of ours to the STARTTLS upgrade (only
 * `host: <domain>`), so a per-connection `ca` cannot be given. Instead the CA is added to the
 * process-wide default CA list of `node:tls` (`tls.setDefaultCACertificates`, which Deno
 * implements). This affects `node:tls` only: not `fetch`, not `Deno.connectTls`.
 *
 * @module
 */

import tls from "node:tls";

/** Deno has it (Node 22.19+ API); the bundled Node type definitions do not declare it yet. */
const nodeTls = tls as typeof tls & {
  setDefaultCACertificates?: (certs: readonly string[]) => void;
};

const added = new Set<string>();

/**
 * Trust `caPem` (a PEM certificate) for every later `node:tls` connection of this process.
 * The public roots are dropped from the default list: only test CAs remain trusted.
 */
export function trustCaForNodeTls(caPem: string): void {
  const pem = caPem.trim();
  if (!pem.startsWith("-----BEGIN CERTIFICATE-----")) {
    throw new Error("trustCaForNodeTls expects a PEM certificate");
  }
  if (added.has(pem)) return;
  if (typeof nodeTls.setDefaultCACertificates !== "function") {
    throw new Error(
      "node:tls.setDefaultCACertificates is missing in this Deno; start deno with " +
        "DENO_CERT=<CA file> instead",
    );
  }
  added.add(pem);
  // Reading the current list (tls.getCACertificates) would need --allow-sys; these tests
  // only talk to 127.0.0.1, so the default list becomes exactly the test CAs trusted so far.
  nodeTls.setDefaultCACertificates([...added]);
}
