/**
 * Encrypted messages (OMEMO, OpenPGP...): the bridge holds no keys, so it cannot read them and
 * never treats their fallback body as text. The sender is told why, with the privacy note, at
 * most once per {@link ENCRYPTED_NOTICE_WINDOW_MS} (counted in the flood table, so a restart does
 * not repeat it); the message itself goes nowhere and gets no receipt.
 *
 * @module
 */
import type { Turn } from "./context.ts";
import { HOUR_MS } from "./flood.ts";

/** At most one explanation per sender in this window. */
export const ENCRYPTED_NOTICE_WINDOW_MS = HOUR_MS;

/** The flood table's counter of the explanations. */
export const ENCRYPTED_KIND = "encrypted";

/** Answers an encrypted message: the explanation, unless the sender had it within the hour. */
export function handleEncrypted(turn: Turn): void {
  const { store, now } = turn.deps;
  const { sender } = turn;
  turn.commit(() => {
    const { count } = store.flood.charge(
      sender.network,
      sender.address,
      ENCRYPTED_KIND,
      ENCRYPTED_NOTICE_WINDOW_MS,
      now(),
    );
    if (count > 1) return;
    turn.replyText(`${turn.t("encryption.unreadable")}\n${turn.t("help.privacy")}`);
  });
}
