/**
 * The layering rules of the bridge, checked on an import graph. The graph comes from
 * `deno info --json` (see {@link readImportGraph}); {@link checkLayering} is a pure function so the
 * architecture test can also run it on a small hand-made graph with a deliberate violation.
 */

/** One import: `from` imports `to`. Paths are relative to the repository root ("src/app.ts"); */
/** an npm package is written as its bare name ("npm:masto", "npm:@xmpp/client"). */
export interface ImportEdge {
  readonly from: string;
  readonly to: string;
}

/** A broken rule, with the import that breaks it (or the modules of a cycle). */
export interface Violation {
  readonly rule: string;
  readonly detail: string;
}

/** Where a module sits. */
export type Layer =
  | "core"
  | "fedi"
  | "xmpp"
  | "store"
  | "setup"
  | "outbox"
  | "text"
  | "app"
  | "tests"
  | "tools"
  | "sdk"
  | "other";

const SDKS = ["npm:masto", "npm:@xmpp/", "npm:htmlparser2"];
const SETUP = /^src\/(config|i18n|lists|locales|log)[^/]*(\.ts|\/)/;

/** The layer of a module path (repository-relative, or `npm:` for packages). */
export function layerOf(path: string): Layer {
  if (SDKS.some((sdk) => path.startsWith(sdk))) return "sdk";
  if (path.startsWith("src/core/")) return "core";
  if (path.startsWith("src/fedi/")) return "fedi";
  if (path.startsWith("src/xmpp/")) return "xmpp";
  if (path.startsWith("src/store/")) return "store";
  if (path.startsWith("src/outbox/")) return "outbox";
  if (path.startsWith("src/text/")) return "text";
  if (SETUP.test(path)) return "setup";
  if (path.startsWith("src/") || path === "main.ts") return "app";
  if (path.startsWith("tests/")) return "tests";
  if (path.startsWith("tools/")) return "tools";
  return "other";
}

/** Product code: what ships (src/ and main.ts). */
function isProduct(path: string): boolean {
  return path.startsWith("src/") || path === "main.ts";
}

/**
 * The rules, as a table: a module of layer `from` must not import one for which `forbids` holds.
 * The same table is in docs/architecture.md.
 */
export const RULES: readonly {
  readonly name: string;
  readonly applies: (from: string) => boolean;
  readonly forbids: (to: string) => boolean;
}[] = [
  {
    name: "the core imports no adapter and no SDK",
    applies: (f) => layerOf(f) === "core",
    forbids: (t) => ["fedi", "xmpp", "sdk"].includes(layerOf(t)),
  },
  {
    name: "the Fediverse adapter does not import the XMPP adapter",
    applies: (f) => layerOf(f) === "fedi",
    forbids: (t) => layerOf(t) === "xmpp",
  },
  {
    name: "the XMPP adapter does not import the Fediverse adapter",
    applies: (f) => layerOf(f) === "xmpp",
    forbids: (t) => layerOf(t) === "fedi",
  },
  {
    name: "the store does not import the core",
    applies: (f) => layerOf(f) === "store",
    forbids: (t) => layerOf(t) === "core",
  },
  {
    name: "setup (config, i18n, lists, log) does not import the core",
    applies: (f) => layerOf(f) === "setup",
    forbids: (t) => layerOf(t) === "core",
  },
  {
    name: "product code does not import tests/",
    applies: isProduct,
    forbids: (t) => layerOf(t) === "tests",
  },
];

/** Every broken rule of the graph, plus every import cycle among src/ modules. */
export function checkLayering(edges: readonly ImportEdge[]): Violation[] {
  const found: Violation[] = [];
  for (const { from, to } of edges) {
    for (const rule of RULES) {
      if (rule.applies(from) && rule.forbids(to)) {
        found.push({ rule: rule.name, detail: `${from} imports ${to}` });
      }
    }
  }
  for (const cycle of cyclesAmong(edges.filter((e) => isSrc(e.from) && isSrc(e.to)))) {
    found.push({ rule: "no import cycle among src/ modules", detail: cycle.join(" -> ") });
  }
  return found;
}

function isSrc(path: string): boolean {
  return path.startsWith("src/");
}

/** One cycle per strongly connected component of more than one module (Tarjan's algorithm). */
function cyclesAmong(edges: readonly ImportEdge[]): string[][] {
  const next = new Map<string, string[]>();
  for (const { from, to } of edges) {
    if (from === to) continue;
    next.set(from, [...(next.get(from) ?? []), to]);
    if (!next.has(to)) next.set(to, []);
  }
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const cycles: string[][] = [];
  const visit = (node: string): void => {
    index.set(node, index.size);
    low.set(node, index.get(node)!);
    stack.push(node);
    onStack.add(node);
    for (const to of next.get(node)!) {
      if (!index.has(to)) {
        visit(to);
        low.set(node, Math.min(low.get(node)!, low.get(to)!));
      } else if (onStack.has(to)) {
        low.set(node, Math.min(low.get(node)!, index.get(to)!));
      }
    }
    if (low.get(node) !== index.get(node)) return;
    const component: string[] = [];
    let member: string;
    do {
      member = stack.pop()!;
      onStack.delete(member);
      component.push(member);
    } while (member !== node);
    if (component.length > 1) cycles.push(component.sort());
  };
  for (const node of [...next.keys()].sort()) if (!index.has(node)) visit(node);
  return cycles;
}

interface DenoInfo {
  readonly modules: readonly {
    readonly specifier: string;
    readonly dependencies?: readonly {
      readonly code?: { readonly specifier?: string };
      readonly type?: { readonly specifier?: string };
    }[];
  }[];
}

/**
 * The import graph of the given entry points (repository-relative paths), code and type imports
 * alike, as `deno info --json` reports it. Modules outside the repository (node: built-ins, npm
 * packages' own files) are left out; an import of an npm package is kept, by package name.
 */
export async function readImportGraph(
  root: string,
  entries: readonly string[],
): Promise<ImportEdge[]> {
  const rootUrl = new URL(root.endsWith("/") ? root : `${root}/`, "file:///").href;
  // One root that imports every entry, so one `deno info` call covers them all.
  const dir = await Deno.makeTempDir({ prefix: "import-graph-" });
  try {
    const hub = `${dir}/hub.ts`;
    await Deno.writeTextFile(
      hub,
      entries.map((e) => `import ${JSON.stringify(new URL(e, rootUrl).href)};\n`).join(""),
    );
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["info", "--json", "--config", `${root}/deno.json`, hub],
      stdout: "piped",
      stderr: "piped",
    }).output();
    if (!out.success) {
      throw new Error(`deno info failed: ${new TextDecoder().decode(out.stderr)}`);
    }
    const info = JSON.parse(new TextDecoder().decode(out.stdout)) as DenoInfo;
    return edgesOf(info, rootUrl);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

function edgesOf(info: DenoInfo, rootUrl: string): ImportEdge[] {
  const name = (specifier: string): string | null => {
    if (specifier.startsWith(rootUrl)) return specifier.slice(rootUrl.length);
    const npm = /^npm:\/?((?:@[^/@]+\/)?[^/@]+)/.exec(specifier);
    return npm ? `npm:${npm[1]}` : null;
  };
  const edges: ImportEdge[] = [];
  for (const module of info.modules) {
    const from = name(module.specifier);
    if (from === null || from.startsWith("npm:")) continue;
    for (const dep of module.dependencies ?? []) {
      for (const target of [dep.code?.specifier, dep.type?.specifier]) {
        const to = target === undefined ? null : name(target);
        if (to !== null && !edges.some((e) => e.from === from && e.to === to)) {
          edges.push({ from, to });
        }
      }
    }
  }
  return edges;
}
