/**
 * Trip times through the running bridge, per run of a fresh bridge process: first both
 * directions at once at a steady rate, then bursts, one direction after the other. Reports p50
 * and p99 of each, the throughput the bursts drained at, and the bridge's peak memory after it.
 */
import type { BenchWorld } from "./bench_world.ts";
import { fediToXmpp } from "./fedi_to_xmpp.ts";
import type { FigureSet, Target } from "./figures.ts";
import type { Load, TripResult } from "./latency.ts";
import { readMemory } from "./proc_status.ts";
import { recordStartup } from "./startup.ts";
import { percentile } from "./stats.ts";
import { xmppToFedi } from "./xmpp_to_fedi.ts";

export interface LatencyOptions {
  /** Messages per direction in the steady phase, and their rate (per direction). */
  readonly steady: number;
  readonly perSecond: number;
  /** Messages per direction in the burst phase, and the size of one burst. */
  readonly bursts: number;
  readonly burstSize: number;
  readonly runs: number;
}

const P50: Target = { op: "<=", value: 20 };
const P99: Target = { op: "<=", value: 100 };

function recordTrips(
  figures: FigureSet,
  id: string,
  title: string,
  trips: TripResult,
  expected: number,
): void {
  if (trips.latencies.length !== expected || trips.duplicates !== 0) {
    throw new Error(
      `${title}: ${trips.latencies.length} of ${expected} arrived, ${trips.duplicates} twice`,
    );
  }
  figures.record(
    `${id}.p50`,
    { label: `${title}: p50`, unit: "ms", target: P50 },
    percentile(trips.latencies, 50),
  );
  figures.record(
    `${id}.p99`,
    { label: `${title}: p99`, unit: "ms", target: P99 },
    percentile(trips.latencies, 99),
  );
}

export async function benchLatency(
  bench: BenchWorld,
  figures: FigureSet,
  opts: LatencyOptions,
): Promise<void> {
  const steady: Load = { kind: "steady", count: opts.steady, perSecond: opts.perSecond };
  const bursts: Load = { kind: "bursts", count: opts.bursts, size: opts.burstSize };
  const steadyTitle = (d: string) =>
    `${d}, steady ${opts.perSecond}/s each way, ${opts.steady} msgs`;
  const burstTitle = (d: string) => `${d}, bursts of ${opts.burstSize}, ${opts.bursts} msgs`;
  for (let run = 0; run < opts.runs; run++) {
    const bridge = await bench.startBridge();
    try {
      recordStartup(figures, bench.registered, false, bridge.startupMs);
      const [f2x, x2f] = await Promise.all([
        fediToXmpp(bench, `s${run}f`, steady),
        xmppToFedi(bench, `s${run}x`, steady),
      ]);
      recordTrips(figures, "f2x.steady", steadyTitle("Fediverse → XMPP"), f2x, opts.steady);
      recordTrips(figures, "x2f.steady", steadyTitle("XMPP → Fediverse"), x2f, opts.steady);
      for (
        const [id, name, direction] of [
          ["f2x.bursts", "Fediverse → XMPP", fediToXmpp],
          ["x2f.bursts", "XMPP → Fediverse", xmppToFedi],
        ] as const
      ) {
        const trips = await direction(bench, `b${run}${id[0]}`, bursts);
        recordTrips(figures, id, burstTitle(name), trips, opts.bursts);
        figures.record(
          `${id}.rate`,
          { label: "  drained at", unit: "msg/s" },
          opts.bursts / (trips.elapsedMs / 1000),
        );
      }
      figures.record("rss.small", {
        label: `Peak RSS, both roles, ${bench.registered} users, after the trips above`,
        unit: "MB",
      }, (await readMemory(bridge.pid)).peakMb);
    } finally {
      await bench.stopBridge(bridge);
    }
  }
}
