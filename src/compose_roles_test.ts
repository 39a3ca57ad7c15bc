import assert from "node:assert/strict";

/** One module of `deno info --json`, with what it imports. */
interface InfoModule {
  readonly specifier: string;
  readonly dependencies?: {
    readonly code?: { readonly specifier?: string };
    readonly isDynamic?: boolean;
  }[];
}

/**
 * What loading `entry` loads before any dynamic import runs: the modules reachable over static
 * code imports (type-only imports and `import()` left out), npm packages by name.
 */
async function loadedAtStart(entry: string): Promise<Set<string>> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", new URL(entry, import.meta.url).pathname],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.ok(out.success, new TextDecoder().decode(out.stderr));
  const info = JSON.parse(new TextDecoder().decode(out.stdout)) as { modules: InfoModule[] };
  const modules = new Map(info.modules.map((m) => [m.specifier, m]));
  const root = new URL(entry, import.meta.url).href;
  const seen = new Set<string>();
  const todo = [root];
  while (todo.length > 0) {
    const specifier = todo.pop()!;
    if (seen.has(specifier)) continue;
    seen.add(specifier);
    for (const dep of modules.get(specifier)?.dependencies ?? []) {
      const to = dep.code?.specifier;
      if (to !== undefined && !dep.isDynamic) todo.push(to);
    }
  }
  return seen;
}

Deno.test("each role's adapter and client library load only when the role runs", async () => {
  const loaded = [...await loadedAtStart("../main.ts")];
  const has = (pattern: RegExp) => loaded.filter((s) => pattern.test(s));
  assert.deepEqual(has(/masto@|@xmpp\/client/), [], "no network library before a role starts");
  assert.deepEqual(has(/\/src\/(fedi|xmpp)\/(adapter|bot|sender|api|client)\.ts$/), []);
  const fedi = [...await loadedAtStart("./compose_fedi.ts")];
  assert.ok(fedi.some((s) => /masto@/.test(s)), "the Fediverse role brings the Mastodon client");
  assert.ok(!fedi.some((s) => /@xmpp\/client/.test(s)), "and not the XMPP one");
  const xmpp = [...await loadedAtStart("./compose_xmpp.ts")];
  assert.ok(xmpp.some((s) => /@xmpp\/client/.test(s)), "the XMPP role brings the XMPP client");
  assert.ok(!xmpp.some((s) => /masto@/.test(s)), "and not the Mastodon one");
});
