/**
 * The Fediverse side of a change to a carried message (an `amend` effect): the status is edited
 * (`PUT /api/v1/statuses/:id`, the text as the core re-rendered it, its mentions unchanged so the
 * recipients stay the same), deleted, or (un)favourited. Every call is safe to repeat: an edit
 * puts the same text again, a favourite is a favourite, and a deletion that finds the status gone
 * (a retry after a lost answer) counts as done.
 *
 * @module
 */
import { failed, type SendResult, sent } from "../core/ports.ts";
import type { AmendEffect } from "../core/types.ts";
import type { FediApi } from "./api.ts";
import { FediApiError } from "./errors.ts";

/** Sends one change; throws a transport or server failure for the sender to classify. */
export async function sendAmend(
  api: FediApi,
  effect: AmendEffect,
  key: string,
): Promise<SendResult> {
  const status = api.rest.v1.statuses.$select(effect.target);
  switch (effect.action) {
    case "edit":
      await api.call(
        "edit status",
        (m) => status.update.$raw({ status: effect.text, language: effect.lang }, m),
        { idempotencyKey: key },
      );
      return sent(effect.target);
    case "retract":
      try {
        await api.call("delete status", (m) => status.remove.$raw(undefined, m));
      } catch (e) {
        if (e instanceof FediApiError && e.status === 404) return sent(effect.target);
        throw e;
      }
      return sent(effect.target);
    case "react":
      if (effect.reactions.length > 0) {
        await api.call("favourite", (m) => status.favourite.$raw(undefined, m));
      } else {
        await api.call("unfavourite", (m) => status.unfavourite.$raw(undefined, m));
      }
      return sent(effect.target);
    default:
      return failed(`"${String(effect.action)}" is no change of a status`, true);
  }
}
