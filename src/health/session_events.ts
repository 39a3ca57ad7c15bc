/**
 * How each bot tells that its session came up or went down, in one place for the adapters (their
 * `session()`) and the health board. Loads no network library.
 *
 * @module
 */

/** A session's change as the health board sees it. */
export type SessionChange = "live" | "down";

/** Follows a Fediverse bot's events (`ready`, `reconnected`, `disconnected`); returns the stop. */
export function fediSessionEvents(
  bot: EventTarget,
  listener: (state: SessionChange) => void,
): () => void {
  const live = () => listener("live");
  const down = () => listener("down");
  bot.addEventListener("ready", live);
  bot.addEventListener("reconnected", live);
  bot.addEventListener("disconnected", down);
  return () => {
    bot.removeEventListener("ready", live);
    bot.removeEventListener("reconnected", live);
    bot.removeEventListener("disconnected", down);
  };
}

/** Follows an XMPP bot's session events (`online`, `resumed`, `offline`, `stopped`). */
export function xmppSessionEvents(
  bot: { onEvent(listener: (event: string) => void): () => void; readonly ready: boolean },
  listener: (state: SessionChange) => void,
): () => void {
  if (bot.ready) listener("live");
  return bot.onEvent((event) => {
    if (event === "online" || event === "resumed") listener("live");
    else if (event === "offline" || event === "stopped") listener("down");
  });
}
