/**
 * How big each benchmark is: the full run (the published figures, under ten minutes on two
 * cores) and the quick run (a smoke test that every benchmark still works).
 */
export interface Sizes {
  readonly world: { readonly fediUsers: number; readonly xmppUsers: number };
  readonly core: { readonly messages: number; readonly runs: number };
  readonly cleanup: { readonly rows: number; readonly runs: number };
  readonly latency: {
    readonly steady: number;
    readonly perSecond: number;
    readonly bursts: number;
    readonly burstSize: number;
    readonly runs: number;
  };
  readonly burst: {
    readonly users: number;
    readonly perUser: number;
    readonly limit: number;
    readonly windowMs: number;
    readonly runs: number;
  };
  readonly rss: {
    readonly users: number;
    readonly messages: number;
    readonly burst: number;
    readonly runs: number;
  };
  readonly disorder: {
    readonly perSender: number;
    readonly dropRate: number;
    readonly maxDelayMs: number;
    readonly perSecond: number;
    readonly runs: number;
  };
  /** Hostile input: code units of each sample of the corpus. */
  readonly hostile: { readonly size: number; readonly runs: number };
}

export const FULL: Sizes = {
  world: { fediUsers: 20, xmppUsers: 20 },
  core: { messages: 5_000, runs: 3 },
  cleanup: { rows: 1_000_000, runs: 3 },
  // 10/s each way, as in the figures before the XMPP sender was pipelined (issue 15).
  latency: { steady: 500, perSecond: 10, bursts: 500, burstSize: 100, runs: 3 },
  // Mastodon's 300 requests per 5 minutes, with the window shrunk to 10 s.
  burst: { users: 20, perUser: 30, limit: 300, windowMs: 10_000, runs: 3 },
  rss: { users: 10_000, messages: 100, burst: 50, runs: 3 },
  // The burst: two senders, 50 mentions each, 10 % of the stream's events lost.
  disorder: { perSender: 50, dropRate: 0.1, maxDelayMs: 200, perSecond: 20, runs: 3 },
  hostile: { size: 1_000_000, runs: 3 },
};

export const QUICK: Sizes = {
  world: { fediUsers: 4, xmppUsers: 4 },
  core: { messages: 200, runs: 1 },
  cleanup: { rows: 20_000, runs: 1 },
  latency: { steady: 20, perSecond: 10, bursts: 20, burstSize: 10, runs: 1 },
  burst: { users: 4, perUser: 5, limit: 10, windowMs: 1_000, runs: 1 },
  rss: { users: 500, messages: 10, burst: 10, runs: 1 },
  disorder: { perSender: 10, dropRate: 0.1, maxDelayMs: 200, perSecond: 20, runs: 1 },
  hostile: { size: 100_000, runs: 1 },
};
