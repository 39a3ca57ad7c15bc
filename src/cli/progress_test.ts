import assert from "node:assert/strict";
import { progressLine, progressReporter } from "./progress.ts";

Deno.test("progress line: table name, bar, percentage and counts", () => {
  assert.equal(
    progressLine({ table: "users", done: 250, total: 1000 }),
    "users                [######..................]  25% (250/1000)",
  );
  assert.match(
    progressLine({ table: "comm", done: 0, total: 0 }),
    /^conversation records +\[#{24}\] 100% \(0\/0\)$/,
  );
});

Deno.test("on a terminal: one line per table, rewritten in place as rows go by", () => {
  const written: string[] = [];
  const r = progressReporter((t) => written.push(t), true);
  r.onProgress({ table: "users", done: 0, total: 512 });
  r.onProgress({ table: "users", done: 256, total: 512 });
  r.onProgress({ table: "users", done: 512, total: 512 });
  r.onProgress({ table: "blocks", done: 0, total: 3 });
  r.onProgress({ table: "blocks", done: 3, total: 3 });
  r.finish(true);
  const text = written.join("");
  // Carriage returns rewrite a line; a line end only when the next table starts, and at the end.
  assert.equal(text.split("\n").length, 3);
  assert.match(text, /\rusers +\[#{12}\.{12}\] {2}50% \(256\/512\)\rusers/);
  assert.match(text, /\rpersonal blocks +\[#{24}\] 100% \(3\/3\)\n$/);
});

Deno.test("not on a terminal: nothing while it runs, one summary line at the end", () => {
  const written: string[] = [];
  let clock = 1000;
  const r = progressReporter((t) => written.push(t), false, () => clock);
  r.onProgress({ table: "users", done: 0, total: 300 });
  r.onProgress({ table: "users", done: 256, total: 300 });
  r.onProgress({ table: "users", done: 300, total: 300 });
  r.onProgress({ table: "comm", done: 2, total: 2 });
  assert.deepEqual(written, []);
  clock = 3500;
  r.finish(true);
  assert.deepEqual(written, ["import done: 302 rows read from 2 old tables in 2.5 s\n"]);
});
