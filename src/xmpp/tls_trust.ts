/**
 * Trusting a private certificate authority for the XMPP connection (`xmpp-tls-ca-file`).
 *
 * `@xmpp/client` upgrades the socket with `node:tls` and passes it no options of ours (no `ca`),
 * so a private CA can only be trusted process-wide. Two ways, both with verification on:
 *
 * - `xmpp-tls-ca-file` in the configuration: the bot calls `tls.setDefaultCACertificates` with
 *   the certificates of that file before connecting. This REPLACES node:tls's default list (the
 *   public roots cannot be read without `--allow-sys`), so `node:tls` then trusts only that CA.
 *   Only the XMPP connection uses `node:tls` here (`fetch` and Deno's own TLS keep the
 *   public roots), so this is the setting for a server whose certificate comes from a private CA.
 * - `DENO_CERT=/path/ca.pem` in the bot's environment: Deno adds the file to its trusted roots,
 *   for `node:tls` too, keeping the public ones.
 *
 * @module
 */
import tls from "node:tls";

/** Deno implements it (Node 22.19+ API); the bundled Node typings do not declare it yet. */
const nodeTls = tls as typeof tls & {
  setDefaultCACertificates?: (certs: readonly string[]) => void;
};

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/** Every certificate trusted so far in this process (the list is replaced as a whole). */
const trusted = new Set<string>();

/** The PEM certificates in `text`. */
export function pemCertificates(text: string): string[] {
  return [...text.matchAll(PEM_CERTIFICATE)].map((m) => m[0].replace(/\r\n/g, "\n"));
}

/**
 * Makes `node:tls` trust the certificates of the PEM file at `path` (with the ones trusted
 * before by this function). Throws, naming the file, when it holds no certificate.
 */
export async function trustCaFile(
  path: string,
  readTextFile: (path: string) => Promise<string> = Deno.readTextFile,
): Promise<number> {
  const certificates = pemCertificates(await readTextFile(path));
  if (certificates.length === 0) {
    throw new Error(`${path} holds no PEM certificate (-----BEGIN CERTIFICATE-----)`);
  }
  if (typeof nodeTls.setDefaultCACertificates !== "function") {
    throw new Error(
      "this Deno cannot change node:tls's trusted certificates; start it with " +
        `DENO_CERT=${path} instead of setting xmpp-tls-ca-file`,
    );
  }
  const before = trusted.size;
  for (const pem of certificates) trusted.add(pem);
  if (trusted.size !== before) nodeTls.setDefaultCACertificates([...trusted]);
  return certificates.length;
}
