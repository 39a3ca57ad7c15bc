/**
 * The Fediverse role's part of the composition (src/compose.ts loads this module only when the
 * process runs that role, so an XMPP-only process never loads the Mastodon client): the API
 * client, the directory and the budget share the core needs, then the adapter.
 *
 * @module
 */
import type { Config } from "./config/mod.ts";
import type { Clock, FediDirectory } from "./core/ports.ts";
import type { Account } from "./core/types.ts";
import { FediApi, MastoDirectory, NodeInfoClient, serverBaseUrl } from "./fedi/mod.ts";
import { BudgetShare } from "./fedi/share.ts";
import { systemClock } from "./time/clock.ts";

/** What the Fediverse role builds before the core: API client, directory, budget share. */
export interface FediParts {
  readonly api: FediApi;
  readonly directory: FediDirectory;
  readonly share: BudgetShare;
}

/**
 * Builds the Fediverse parts the core needs before the adapter exists; the API client goes on
 * `stack`. `onSlowed` is told when an account's share of the rate limits runs out.
 */
export function fediParts(
  config: Config,
  clock: Clock,
  stack: AsyncDisposableStack,
  onSlowed: (account: Account) => void,
): FediParts {
  // Each account's share of the Fediverse bot's rate limits; a slowed account is told once.
  const share = new BudgetShare({
    percent: config.maxShareOfServerBudget,
    now: () => clock.now(),
    onSlowed,
  });
  const api = stack.use(
    new FediApi({
      config,
      timers: systemClock,
      observe: (what, headers) => share.observe(what, headers),
    }),
  );
  const nodeinfo = new NodeInfoClient({
    userAgent: config.userAgent,
    timers: systemClock,
    baseUrl: (domain) => serverBaseUrl(config, domain),
  });
  return { api, directory: new MastoDirectory({ api, config, nodeinfo }), share };
}

export { fediAdapter } from "./fedi/adapter.ts";
