/**
 * The benchmarks of the bridge: figures only, never a verdict on speed (a benchmark fails only
 * when something broke, a message lost say). Prints a table of each figure's median over
 * repeated runs, its range, the target it is compared with, and for the trip times their floor
 * (the same path without the bridge, measured in the same run: floors.ts) and the ratio to it.
 *
 *   deno run --allow-read --allow-write --allow-env --allow-run \
 *     --allow-net=127.0.0.1,localhost tests/bench/run.ts [--quick] [--json=PATH] [--only=LIST]
 *
 * `--quick` runs small sizes (a smoke test that every benchmark works), `--json` also writes the
 * figures to a file, `--only` runs some of: core, cleanup, hostile, latency, burst, rss, disorder.
 * Needs Prosody installed (tests/run.sh installs it); everything listens on 127.0.0.1. The full
 * run takes about seven minutes on two cores.
 */
import { parseArgs } from "node:util";
import { BenchWorld } from "./bench_world.ts";
import { benchBurstFairness } from "./burst_fairness.ts";
import { benchCoreThroughput } from "./core_throughput.ts";
import { benchDisorder } from "./disorder_burst.ts";
import { benchLatency } from "./e2e_latency.ts";
import { FigureSet } from "./figures.ts";
import { benchHostileInput } from "./hostile_input.ts";
import { benchPeakRss } from "./peak_rss.ts";
import { FULL, QUICK, type Sizes } from "./sizes.ts";
import { benchStartupCleanup } from "./startup_cleanup.ts";
import { describeMachine, renderTable } from "./table.ts";

export const BENCHMARKS = [
  "core",
  "cleanup",
  "hostile",
  "latency",
  "burst",
  "rss",
  "disorder",
] as const;
export type BenchmarkName = typeof BENCHMARKS[number];

function progress(text: string): void {
  console.error(`== ${text}`);
}

/** Runs the selected benchmarks into `figures`; the end-to-end ones share one world. */
export async function runBenchmarks(
  sizes: Sizes,
  only: ReadonlySet<BenchmarkName>,
  figures: FigureSet,
): Promise<void> {
  if (only.has("core")) {
    progress(`core throughput: ${sizes.core.runs} run(s) of ${sizes.core.messages} messages`);
    await benchCoreThroughput(figures, sizes.core);
  }
  if (only.has("cleanup")) {
    progress(`start-up cleanup: ${sizes.cleanup.rows} records, ${sizes.cleanup.runs} run(s)`);
    await benchStartupCleanup(figures, sizes.cleanup);
  }
  if (only.has("hostile")) {
    progress(
      `hostile input: samples of ${sizes.hostile.size} code units, ${sizes.hostile.runs} run(s)`,
    );
    benchHostileInput(figures, sizes.hostile);
  }
  if (!["latency", "burst", "rss", "disorder"].some((b) => only.has(b as BenchmarkName))) return;
  progress("starting the Mastodon API test server, Prosody and the benchmark users");
  await using bench = await BenchWorld.start(sizes.world);
  if (only.has("latency")) {
    progress(`trip times: ${sizes.latency.runs} run(s)`);
    await benchLatency(bench, figures, sizes.latency);
  }
  if (only.has("burst")) {
    progress(`rate-limited burst: ${sizes.burst.runs} run(s)`);
    await benchBurstFairness(bench, figures, sizes.burst);
  }
  if (only.has("disorder")) {
    progress(`concurrent senders, out-of-order stream: ${sizes.disorder.runs} run(s)`);
    await benchDisorder(bench, figures, sizes.disorder);
  }
  if (only.has("rss")) {
    progress(`memory with ${sizes.rss.users} users: ${sizes.rss.runs} run(s)`);
    await benchPeakRss(bench, figures, sizes.rss);
  }
}

async function main(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      quick: { type: "boolean" },
      json: { type: "string" },
      only: { type: "string" },
    },
  });
  const mode = values.quick ? "quick" : "full";
  const only = new Set<BenchmarkName>();
  for (const name of (values.only ?? BENCHMARKS.join(",")).split(",")) {
    if (!(BENCHMARKS as readonly string[]).includes(name)) {
      console.error(`--only takes some of ${BENCHMARKS.join(", ")}, not '${name}'`);
      return 2;
    }
    only.add(name as BenchmarkName);
  }
  const machine = await describeMachine(mode);
  const figures = new FigureSet();
  const started = performance.now();
  let failure: unknown = null;
  try {
    await runBenchmarks(mode === "quick" ? QUICK : FULL, only, figures);
  } catch (e) {
    failure = e;
  }
  const reports = figures.reports();
  console.log(renderTable(machine, reports));
  console.log(`\n(${Math.round((performance.now() - started) / 1000)} s in all)`);
  if (values.json !== undefined) {
    Deno.writeTextFileSync(values.json, JSON.stringify({ machine, figures: reports }, null, 2));
  }
  if (failure !== null) {
    console.error("a benchmark broke (this is not about speed):", failure);
    return 1;
  }
  return 0;
}

if (import.meta.main) {
  Deno.exit(await main(Deno.args));
}
