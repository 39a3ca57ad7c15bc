/**
 * Trip times through the running bridge, per run of a fresh bridge process: first both
 * directions at once at a steady rate, then bursts, one direction after the other. Reports p50
 * and p99 of each, the throughput the bursts drained at, and the bridge's peak memory after it.
 */
import type { BenchWorld } from "./bench_world.ts";
import { fediToXmpp } from "./fedi_to_xmpp.ts";
import type { FigureSet, Target } from "./figures.ts";
import type { Load } from "./latency.ts";
import { readMemory } from "./proc_status.ts";
import { recordStartup } from "./startup.ts";
import { floorOf, recordFloors } from "./floors.ts";
import { recordTrips, type TripSpecs } from "./trips.ts";
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

/** The targets: steady both ways, and the bursts (their p50 keeps the old target). */
const STEADY: TripSpecs = { p50: { op: "<=", value: 5 }, p99: { op: "<=", value: 20 } };
const BURST_P50: Target = { op: "<=", value: 20 };
const BURSTS: Record<"f2x" | "x2f", TripSpecs & { rate?: Target }> = {
  f2x: { p50: BURST_P50, p99: { op: "<=", value: 300 }, rate: { op: ">=", value: 500 } },
  x2f: { p50: BURST_P50, p99: { op: "<=", value: 200 } },
};

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
    // The floors first, under the same loads, while no bridge runs.
    await recordFloors(bench, figures, run, { steady, bursts });
    const bridge = await bench.startBridge();
    try {
      recordStartup(figures, bench.registered, false, bridge.startupMs);
      const [f2x, x2f] = await Promise.all([
        fediToXmpp(bench, `s${run}f`, steady),
        xmppToFedi(bench, `s${run}x`, steady),
      ]);
      const steadySpecs = (id: string) => ({ ...STEADY, floor: floorOf(id) });
      const f2xTitle = steadyTitle("Fediverse → XMPP");
      recordTrips(figures, "f2x.steady", f2xTitle, f2x, opts.steady, steadySpecs("f2x.steady"));
      const x2fTitle = steadyTitle("XMPP → Fediverse");
      recordTrips(figures, "x2f.steady", x2fTitle, x2f, opts.steady, steadySpecs("x2f.steady"));
      for (
        const [dir, name, direction] of [
          ["f2x", "Fediverse → XMPP", fediToXmpp],
          ["x2f", "XMPP → Fediverse", xmppToFedi],
        ] as const
      ) {
        const id = `${dir}.bursts`;
        const trips = await direction(bench, `b${run}${id[0]}`, bursts);
        const { rate, ...specs } = BURSTS[dir];
        recordTrips(figures, id, burstTitle(name), trips, opts.bursts, {
          ...specs,
          floor: floorOf(id),
        });
        figures.record(
          `${id}.rate`,
          {
            label: "  drained at",
            unit: "msg/s",
            floor: floorOf(`${id}.rate`),
            ...(rate === undefined ? {} : { target: rate }),
          },
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
