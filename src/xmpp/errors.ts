/**
 * Sorting the errors of a connection attempt: those that retrying cannot fix (the server refused
 * our credentials, its certificate is not trusted, it offers no encryption) stop the first start
 * with a clear message; anything else (refused connection, timeout, stream error) is retried.
 *
 * @module
 */

/** Raised when the server would have us authenticate over an unencrypted stream. */
export class InsecureStreamError extends Error {
  constructor() {
    super(
      "the XMPP server did not secure the stream with STARTTLS; refusing to send the password",
    );
    this.name = "InsecureStreamError";
  }
}

/** TLS verification failures as node:tls reports them. */
const CERTIFICATE_CODES =
  /^(?:UNABLE_TO_|CERT_|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|ERR_TLS_CERT_ALTNAME_INVALID|HOSTNAME_MISMATCH)/;

/** SASL failures that mean the account or its password is wrong. */
const CREDENTIAL_CONDITIONS = new Set([
  "not-authorized",
  "account-disabled",
  "credentials-expired",
  "invalid-authzid",
  "invalid-mechanism",
  "mechanism-too-weak",
  "encryption-required",
]);

/** Whether `error` is a configuration or trust problem rather than a passing network fault. */
export function isPermanentConnectError(error: unknown): boolean {
  if (error instanceof InsecureStreamError) return true;
  if (typeof error !== "object" || error === null) return false;
  const { name, code, condition, message } = error as Record<string, unknown>;
  if (name === "SASLError") {
    return typeof condition !== "string" || CREDENTIAL_CONDITIONS.has(condition);
  }
  if (typeof code === "string" && CERTIFICATE_CODES.test(code)) return true;
  return typeof message === "string" &&
    /certificate|altnames|No compatible mechanism/i.test(message);
}

/** A one-line description for the log: the error's kind, message and code, nothing else. */
export function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as { code?: unknown }).code;
  const suffix = typeof code === "string" && !error.message.includes(code) ? ` (${code})` : "";
  return `${error.name}: ${error.message}${suffix}`;
}
