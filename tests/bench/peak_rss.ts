/**
 * Peak memory of the bridge (both roles in one process) with `users` registered users: the
 * database is filled before the bridge starts, some traffic crosses each way, then the peak
 * resident set of the subprocess (VmHWM) is read. Beside it, the floor: what Deno alone and the
 * bridge's loaded code take (see rss_floor.ts).
 */
import type { BenchWorld } from "./bench_world.ts";
import { fediToXmpp } from "./fedi_to_xmpp.ts";
import type { FigureSet } from "./figures.ts";
import { readMemory } from "./proc_status.ts";
import { floorMemory } from "./rss_floor.ts";
import { recordStartup } from "./startup.ts";
import { xmppToFedi } from "./xmpp_to_fedi.ts";

export async function benchPeakRss(
  bench: BenchWorld,
  figures: FigureSet,
  opts: { users: number; messages: number; burst: number; runs: number },
): Promise<void> {
  bench.fillUsers(opts.users);
  const users = bench.registered.toLocaleString("en");
  for (let run = 0; run < opts.runs; run++) {
    const bridge = await bench.startBridge();
    try {
      recordStartup(figures, bench.registered, true, bridge.startupMs);
      const idle = await readMemory(bridge.pid);
      const load = { kind: "bursts", count: opts.messages, size: opts.burst } as const;
      await fediToXmpp(bench, `rss${run}f`, load);
      await xmppToFedi(bench, `rss${run}x`, load);
      const after = await readMemory(bridge.pid);
      figures.record("rss.peak", {
        label: `Peak RSS, both roles, ${users} users, after ${opts.messages} messages each way`,
        unit: "MB",
        target: { op: "<=", value: 80 },
      }, after.peakMb);
      figures.record("rss.idle", {
        label: "  RSS once started, before any message",
        unit: "MB",
      }, idle.rssMb);
    } finally {
      await bench.stopBridge(bridge);
    }
    for (const load of [false, true]) {
      figures.record(load ? "rss.code" : "rss.deno", {
        label: load
          ? "  floor: the bridge's code loaded, nothing started"
          : "  floor: an idle Deno process",
        unit: "MB",
      }, (await floorMemory(load)).peakMb);
    }
  }
}
