/**
 * Poison containment: a stanza that makes the server close the stream as malformed
 * (`not-well-formed`, `policy-violation` for one too big...) must not be sent again by itself.
 *
 * `@xmpp/stream-management` keeps every unacknowledged stanza and writes them all again after a
 * resumption; the stanza that broke the stream would break the resumed one too, about once a
 * second, forever. So when such a stream error arrives, the stanzas still unacknowledged (the
 * ones in flight when it came: up to a send window of rows, one of them the culprit) are taken
 * out of the library's queue, the session is not resumed (the server's count and ours would no
 * longer agree; a new session starts), and each is failed with `suspect` set. The outbox then
 * decides: it retries a suspect after its backoff only, and alone (nothing else in flight, so a
 * second stream error can only be its own), and the XMPP sender gives a row up after its second
 * such failure ({@link SUSPECT_LIMIT}), with the sender told. The innocent ones go through on
 * their lone retry.
 *
 * @module
 */
import type { Logger } from "@logtape/logtape";
import type { AckTracker } from "./ack_tracker.ts";
import type { Emitter, XmlElement } from "./xml.ts";

/**
 * Stream error conditions (RFC 6120 §4.9.3) that blame what we sent rather than the link or the
 * server's state.
 */
export const MALFORMED_CONDITIONS: ReadonlySet<string> = new Set([
  "bad-format",
  "bad-namespace-prefix",
  "improper-addressing",
  "invalid-namespace",
  "invalid-xml",
  "not-well-formed",
  "policy-violation",
  "restricted-xml",
  "unsupported-encoding",
  "unsupported-stanza-type",
  "xml-not-well-formed",
]);

/** Stream errors traced to one outbox row after which the XMPP sender gives it up. */
export const SUSPECT_LIMIT = 2;

/** The parts of the stream-management plugin this reads and changes. */
export interface SmQueue {
  /** Unacknowledged stanzas, oldest first (the library's own queue). */
  outbound_q: { readonly stanza: XmlElement }[];
  /** The resumable session's id; empty means no resumption is tried. */
  id: string;
}

/** Whether `error` is a stream error that blames what we sent; its condition, or null. */
export function malformedCondition(error: unknown): string | null {
  if (typeof error !== "object" || error === null) return null;
  const { name, condition } = error as { name?: unknown; condition?: unknown };
  if (name !== "StreamError" || typeof condition !== "string") return null;
  return MALFORMED_CONDITIONS.has(condition) ? condition : null;
}

export class PoisonGuard {
  /** Stream errors of this kind seen so far (for logs and tests). */
  count = 0;

  /** Listens to `client`'s errors; `sm` is its stream-management plugin. */
  constructor(client: Emitter, sm: SmQueue, tracker: AckTracker, log: Logger) {
    client.on("error", (error: unknown) => {
      const condition = malformedCondition(error);
      if (condition === null) return;
      this.count++;
      // Synchronously, before the library closes the socket and tries to resume.
      const suspects = sm.outbound_q.splice(0);
      sm.id = "";
      log.warning(
        "the XMPP server closed the stream as {condition}; {count} unacknowledged stanza(s) " +
          "will not be resent by the session",
        { condition, count: suspects.length },
      );
      const reason = `the XMPP server closed the stream (${condition}) with this in flight`;
      for (const { stanza } of suspects) {
        tracker.settle(stanza, { ok: false, reason, suspect: true });
      }
    });
  }
}
