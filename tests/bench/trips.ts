/**
 * Recording what one direction under one load measured: p50 and p99 of the trip times, each with
 * its target and the floor figure it is compared with, after checking that every message arrived
 * exactly once (a benchmark fails only when something broke).
 */
import type { FigureSet, FigureSpec, Target } from "./figures.ts";
import type { TripResult } from "./latency.ts";
import { percentile } from "./stats.ts";

/** Targets of the two percentiles, and the id prefix of the floor they are compared with. */
export interface TripSpecs {
  readonly p50?: Target;
  readonly p99?: Target;
  /** E.g. `floor.xmpp.steady`: the figures `<floor>.p50` and `<floor>.p99`. */
  readonly floor?: string;
}

export function recordTrips(
  figures: FigureSet,
  id: string,
  title: string,
  trips: TripResult,
  expected: number,
  specs: TripSpecs = {},
): void {
  if (trips.latencies.length !== expected || trips.duplicates !== 0) {
    throw new Error(
      `${title}: ${trips.latencies.length} of ${expected} arrived, ${trips.duplicates} twice`,
    );
  }
  for (const p of [50, 99] as const) {
    const target = p === 50 ? specs.p50 : specs.p99;
    const spec: FigureSpec = {
      label: `${title}: p${p}`,
      unit: "ms",
      ...(target === undefined ? {} : { target }),
      ...(specs.floor === undefined ? {} : { floor: `${specs.floor}.p${p}` }),
    };
    figures.record(`${id}.p${p}`, spec, percentile(trips.latencies, p));
  }
}
