/**
 * Configuration: one YAML file (the old bridge's keys, plus a few of ours), credentials from the
 * environment or a `.env` file, validated in one pass into a read-only {@link Config}.
 *
 * Every problem is collected and reported together, each naming the file, the key (and its line
 * when known), what was expected and what was found, so an operator fixes a file in one go.
 */
import { isMap, isScalar, LineCounter, parseDocument } from "yaml";
import { resolve } from "node:path";
import { parseEnv } from "node:util";
import { COMMANDS } from "../words.ts";
import { Reader } from "./reader.ts";
import { ENV_VARS } from "./settings.ts";
import { type Config, ConfigError, DEFAULT_CONFIG_PATH, type LoadOptions } from "./types.ts";

/** The configured words that are also the contents of the state files (SPEC §6). */
export function stateWords(config: Config): {
  start: string;
  stop: string;
  open: string;
  close: string;
} {
  const word = (name: (typeof COMMANDS)[number]) => config.commandWords[COMMANDS.indexOf(name)]!;
  return { start: word("start"), stop: word("stop"), open: word("open"), close: word("close") };
}

/** Picks the configuration file: the flag, then `XMPP_BRIDGE_CONFIG_FILE`, then the default. */
export function resolveConfigPath(
  flag: string | undefined,
  env: Readonly<Record<string, string | undefined>>,
): string {
  const chosen = flag || env[ENV_VARS.configFile] || DEFAULT_CONFIG_PATH;
  return resolve(chosen);
}

/**
 * Reads a `.env` file into a record. A missing file is fine unless `required` (it was named on
 * the command line); anything else unreadable is an error naming the file.
 */
export function readDotEnv(path: string, required: boolean): Record<string, string> {
  let text: string;
  try {
    text = Deno.readTextFileSync(path);
  } catch (e) {
    // The default `.env` is optional: absent, or outside what this process may read, is fine.
    const absent = e instanceof Deno.errors.NotFound || e instanceof Deno.errors.NotCapable;
    if (absent && !required) return {};
    throw new ConfigError(path, [`cannot read the environment file: ${errorText(e)}`]);
  }
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(parseEnv(text))) if (v !== undefined) out[k] = v;
  return out;
}

/**
 * The variables the bridge uses, from the real environment first, then the `.env` values.
 * Only the names in {@link ENV_VARS} are read, so `--allow-env` can name exactly those.
 */
export function bridgeEnv(
  dotEnv: Readonly<Record<string, string>>,
  getEnv: (name: string) => string | undefined = (n) => Deno.env.get(n),
): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const name of Object.values(ENV_VARS)) {
    const value = getEnv(name) || dotEnv[name];
    if (value) out[name] = value;
  }
  return out;
}

/** Reads, parses and checks the file at `opts.path`; throws a {@link ConfigError} naming every problem. */
export function loadConfig(opts: LoadOptions): Config {
  const file = opts.path;
  let text: string;
  try {
    text = (opts.readFile ?? Deno.readTextFileSync)(file);
  } catch (e) {
    const hint = e instanceof Deno.errors.NotFound
      ? ` (give its path with --config or ${ENV_VARS.configFile})`
      : "";
    throw new ConfigError(file, [`cannot read the configuration file: ${errorText(e)}${hint}`]);
  }
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new ConfigError(
      file,
      doc.errors.map((err) => {
        const pos = lines.linePos(err.pos[0]);
        const where = pos ? `line ${pos.line}, column ${pos.col}: ` : "";
        return `${where}this is not valid YAML (${err.message.split("\n")[0]})`;
      }),
    );
  }
  const root = doc.contents;
  if (root !== null && !isMap(root)) {
    throw new ConfigError(file, ["the file must be a map of `key: value` lines at its top level"]);
  }
  const data: Record<string, unknown> = {};
  const lineOf = new Map<string, number>();
  for (const pair of root?.items ?? []) {
    const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
    data[key] = (pair.value as { toJSON?: () => unknown } | null)?.toJSON?.() ?? null;
    const range = isScalar(pair.key) ? pair.key.range : undefined;
    if (range) lineOf.set(key, lines.linePos(range[0]).line);
  }
  return new Reader(file, data, lineOf, opts).build();
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
