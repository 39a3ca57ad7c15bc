import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { KNOWN_KEYS, loadConfig, SETTINGS, settingsMarkdown } from "./mod.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const EXAMPLE = `${ROOT}config/xmpp-bridge-config.yml`;
const DOCS = `${ROOT}docs/operators.md`;

/** The table rows of a Markdown text, cells trimmed and padding dashes collapsed. */
function tableRows(markdown: string): string[][] {
  return markdown.split("\n")
    .filter((line) => line.startsWith("|"))
    .map((line) => line.slice(1, -1).split("|").map((c) => c.trim().replace(/^-+$/, "---")));
}

Deno.test("the example configuration names exactly the table's keys, in the table's order", () => {
  const text = Deno.readTextFileSync(EXAMPLE);
  // A key is a line `key:` or a commented-out `# key:` (an optional setting shown off).
  const keys = [...text.matchAll(/^(?:# )?([a-z][a-z_-]*):/gm)].map((m) => m[1]!)
    .filter((k) => KNOWN_KEYS.includes(k) || !/^(true|false)$/.test(k));
  assert.deepEqual(keys, [...KNOWN_KEYS]);
});

Deno.test("docs/operators.md holds the settings table as the table renders it", () => {
  const docs = tableRows(Deno.readTextFileSync(DOCS));
  const table = tableRows(settingsMarkdown());
  const start = docs.findIndex((row) => row[0] === "key" && row[1] === "type");
  assert.ok(start >= 0, "the settings table (header `| key | type | ...`) is in the docs");
  assert.deepEqual(
    docs.slice(start, start + table.length),
    table,
    `replace the table in docs/operators.md with:\n\n${settingsMarkdown()}\n`,
  );
});

Deno.test("every key has one row, and every plain row's field is filled by the reader", () => {
  assert.equal(new Set(KNOWN_KEYS).size, SETTINGS.length);
  const config = loadConfig({
    path: "/etc/bridge/test.yml",
    env: {},
    roles: ["fedi", "xmpp"],
    readFile: () =>
      "ap_instance: a.example\nxmpp_instance: b.example\nxmpp_admin: [admin@b.example]\n" +
      "ap_bridge_jid: bot@b.example\nap_bridge_pass: p\nxmpp_bridge_name: bot\n" +
      "xmpp_bridge_token: t\nbridge-database-file: /d/b.db\nbridge-files-dir: /d/files\n",
  });
  for (const [field, value] of Object.entries(config)) {
    assert.notEqual(value, undefined, `${field} is set`);
  }
  for (const row of SETTINGS) {
    if (row.field) assert.ok(row.field in config, `${row.key} -> ${row.field}`);
  }
  // The fields the Config interface declares, read from its source: none missing, none extra.
  const source = Deno.readTextFileSync(`${ROOT}src/config/types.ts`);
  const body = source.slice(source.indexOf("export interface Config {"));
  const declared = [...body.slice(0, body.indexOf("\n}")).matchAll(/^ {2}readonly (\w+)/gm)]
    .map((m) => m[1]!);
  assert.deepEqual(Object.keys(config).sort(), declared.sort());
});
