/**
 * The benchmarks still work: the quick run (small sizes) ends well, prints its table, and every
 * figure is there with finite values. Nothing here looks at how fast anything was.
 */
import assert from "node:assert/strict";
import type { FigureReport } from "./figures.ts";

const RUN = new URL("./run.ts", import.meta.url).pathname;

/** Every figure the benchmarks produce, whatever the sizes. */
const EXPECTED = [
  "core.throughput",
  "core.handle",
  "core.drain",
  "cleanup.startup",
  "cleanup.purge",
  "cleanup.slice",
  "cleanup.daily",
  "hostile.worst",
  "startup.small",
  "startup.filled",
  "f2x.steady.p50",
  "f2x.steady.p99",
  "x2f.steady.p50",
  "x2f.steady.p99",
  "f2x.bursts.p50",
  "f2x.bursts.p99",
  "f2x.bursts.rate",
  "x2f.bursts.p50",
  "x2f.bursts.p99",
  "x2f.bursts.rate",
  "rss.small",
  "floor.xmpp.steady.p50",
  "floor.xmpp.steady.p99",
  "floor.fedi.steady.p50",
  "floor.fedi.steady.p99",
  "floor.xmpp.bursts.p50",
  "floor.xmpp.bursts.p99",
  "floor.xmpp.bursts.rate",
  "floor.fedi.bursts.p50",
  "floor.fedi.bursts.p99",
  "floor.fedi.bursts.rate",
  "rss.peak",
  "rss.idle",
  "rss.deno",
  "rss.code",
  "burst.delivered",
  "burst.twice",
  "burst.created",
  "burst.keys",
  "burst.notices",
  "burst.left",
  "burst.429",
  "burst.drain",
  "burst.avg",
  "burst.worst",
  "burst.best",
  "burst.worst_best",
  "burst.worst_avg",
  "burst.mean_avg",
  "disorder.delivered",
  "disorder.twice",
  "disorder.dropped",
  "disorder.late",
  "disorder.last",
  "disorder.after",
];

Deno.test("the quick benchmark run gives every figure", async () => {
  const dir = await Deno.makeTempDir({ prefix: "bench-smoke-" });
  try {
    const json = `${dir}/figures.json`;
    const out = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--quiet",
        "--allow-read",
        "--allow-write",
        "--allow-env",
        "--allow-run",
        "--allow-net=127.0.0.1,localhost",
        RUN,
        "--quick",
        `--json=${json}`,
      ],
      env: { NO_COLOR: "1" },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const stdout = new TextDecoder().decode(out.stdout);
    const stderr = new TextDecoder().decode(out.stderr);
    assert.equal(out.code, 0, `the quick run failed:\n${stdout}\n${stderr}`);
    assert.match(stdout, /^machine: \d+ CPU\(s\)/m);
    assert.match(
      stdout,
      /^figure\s+unit\s+median\s+range\s+runs\s+floor\s+× floor\s+target\s+met$/m,
    );

    const result = JSON.parse(Deno.readTextFileSync(json)) as {
      machine: { cpus: number };
      figures: FigureReport[];
    };
    assert.ok(result.machine.cpus >= 1);
    const byId = new Map(result.figures.map((f) => [f.id, f]));
    for (const id of EXPECTED) {
      const figure = byId.get(id);
      assert.ok(figure !== undefined, `figure ${id} is missing`);
      assert.ok(figure.values.length >= 1, `figure ${id} has no value`);
      for (const v of [...figure.values, figure.median, figure.min, figure.max]) {
        // JSON turns NaN and infinities into null.
        assert.ok(typeof v === "number" && Number.isFinite(v), `figure ${id}: ${v}`);
      }
      assert.ok(stdout.includes(figure.label), `the table shows ${id}`);
    }
    // Each trip figure of the bridge is shown in ratio to its floor, measured in the same run.
    for (const id of EXPECTED.filter((id) => /^(f2x|x2f)\./.test(id))) {
      const figure = byId.get(id)!;
      assert.ok(figure.floor !== null, `${id} has a floor`);
      assert.equal(figure.floorRatio, figure.median / figure.floor.median, `${id}'s ratio`);
      assert.ok(byId.has(figure.floor.id), `${id}'s floor is a figure of the run`);
    }
    assert.deepEqual(
      [...byId.keys()].filter((id) => !EXPECTED.includes(id)),
      [],
      "no unknown figure",
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
