/**
 * The layering as a test. It reads the import graph of every module in src/, main.ts and tools/
 * (`deno info --json`) and fails when a rule below is broken:
 *
 * | module in        | must not import                                    |
 * | ---------------- | -------------------------------------------------- |
 * | src/core         | src/fedi, src/xmpp, npm:masto, npm:@xmpp/*, htmlparser2 |
 * | src/fedi         | src/xmpp                                           |
 * | src/xmpp         | src/fedi                                           |
 * | src/store        | src/core                                           |
 * | setup: src/config*, src/i18n*, src/lists*, src/locales*, src/log* | src/core |
 * | src/, main.ts    | tests/                                             |
 * | src/ (any)       | anything that leads back to it (no cycles)         |
 *
 * The rules themselves live in tests/support/import_graph.ts; docs/architecture.md shows the same
 * table.
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { checkLayering, type ImportEdge, readImportGraph } from "./support/import_graph.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url)).replace(/\/$/, "");

/**
 * Violations accepted for a while, each a `detail` string as the checker reports it (none now). An
 * entry that no longer matches fails the test, so the list can only shrink.
 */
const KNOWN: readonly string[] = [];

async function productModules(): Promise<string[]> {
  const found = ["main.ts"];
  const walk = async (dir: string): Promise<void> => {
    for await (const entry of Deno.readDir(`${ROOT}/${dir}`)) {
      const path = `${dir}/${entry.name}`;
      if (entry.isDirectory) await walk(path);
      else if (path.endsWith(".ts") && !path.endsWith("_test.ts")) found.push(path);
    }
  };
  await walk("src");
  await walk("tools");
  return found.sort();
}

Deno.test("the import graph keeps the layering: no forbidden import, no cycle in src/", async () => {
  const edges = await readImportGraph(ROOT, await productModules());
  assert.ok(edges.some((e) => e.from === "main.ts"), "the graph holds main.ts's imports");
  const violations = checkLayering(edges);
  const unexpected = violations.filter((v) => !KNOWN.includes(v.detail));
  assert.deepEqual(unexpected, [], "imports that break the layering");
  const stale = KNOWN.filter((k) => !violations.some((v) => v.detail === k));
  assert.deepEqual(stale, [], "known violations that are gone: remove them from KNOWN");
});

Deno.test("the checker reports each kind of violation in a small graph built to break them", () => {
  const edges: ImportEdge[] = [
    { from: "src/core/engine.ts", to: "src/core/types.ts" },
    { from: "src/core/engine.ts", to: "src/fedi/api.ts" },
    { from: "src/core/render.ts", to: "npm:htmlparser2" },
    { from: "src/core/render.ts", to: "src/text/html.ts" },
    { from: "src/text/html.ts", to: "npm:htmlparser2" },
    { from: "src/xmpp/bot.ts", to: "src/fedi/html.ts" },
    { from: "src/fedi/bot.ts", to: "src/core/ports.ts" },
    { from: "src/store/users.ts", to: "src/core/types.ts" },
    { from: "src/config.ts", to: "src/core/parse.ts" },
    { from: "src/app.ts", to: "tests/support/fakes.ts" },
    { from: "tests/e2e/world.ts", to: "src/app.ts" },
    { from: "src/outbox/a.ts", to: "src/outbox/b.ts" },
    { from: "src/outbox/b.ts", to: "src/outbox/c.ts" },
    { from: "src/outbox/c.ts", to: "src/outbox/a.ts" },
  ];
  const details = checkLayering(edges).map((v) => v.detail).sort();
  assert.deepEqual(details, [
    "src/app.ts imports tests/support/fakes.ts",
    "src/config.ts imports src/core/parse.ts",
    "src/core/engine.ts imports src/fedi/api.ts",
    "src/core/render.ts imports npm:htmlparser2",
    "src/outbox/a.ts -> src/outbox/b.ts -> src/outbox/c.ts",
    "src/store/users.ts imports src/core/types.ts",
    "src/xmpp/bot.ts imports src/fedi/html.ts",
  ]);
  assert.deepEqual(checkLayering(edges.slice(0, 1)), [], "a clean graph has no violation");
});
