/**
 * A core as production builds it (src/compose.ts), minus the networks: a file-backed store in WAL
 * mode, the list files, the shipped texts, the outbox as the core's `emit`, and the fake
 * Fediverse directory of the core's unit tests instead of the Mastodon API.
 */
import { loadConfig } from "../../src/config/mod.ts";
import type { Config } from "../../src/config/mod.ts";
import { composeCore } from "../../src/compose.ts";
import type { Core } from "../../src/core/engine.ts";
import { BASE_CONFIG, FakeFediDirectory } from "../support/core.ts";
import { openLists } from "../../src/lists/mod.ts";
import { loadTranslations } from "../../src/i18n/mod.ts";
import type { Outbox } from "../../src/outbox/outbox.ts";
import { openStore, type Store } from "../../src/store/store.ts";
import type { CoreDeps } from "../../src/core/deps.ts";

export interface CoreRig extends Disposable {
  readonly config: Config;
  readonly store: Store;
  readonly deps: CoreDeps;
  readonly core: Core;
  readonly outbox: Outbox;
  readonly fedi: FakeFediDirectory;
}

export interface CoreRigOptions {
  /** The database file (WAL, as in production). */
  readonly dbPath: string;
  /** Folder for the configuration's list files. */
  readonly dir: string;
  /** YAML appended to the core tests' base configuration. */
  readonly extraConfig?: string;
  readonly now?: () => number;
}

export function openCoreRig(opts: CoreRigOptions): CoreRig {
  const config = loadConfig({
    path: `${opts.dir}/config.yml`,
    env: {},
    roles: ["fedi", "xmpp"],
    readFile: () => BASE_CONFIG + (opts.extraConfig ?? ""),
  });
  const now = opts.now ?? Date.now;
  const store = openStore(opts.dbPath);
  const i18n = loadTranslations(config);
  const words = config.commandWords;
  const lists = openLists({
    dir: config.filesDir,
    words: { start: words[7]!, stop: words[8]!, open: words[20]!, close: words[21]! },
    now,
  });
  const fedi = new FakeFediDirectory();
  let ids = 0;
  const { deps, core, outbox } = composeCore({
    config,
    store,
    lists,
    i18n,
    now,
    fedi,
    fediLimits: () => ({ maxCharacters: config.maxCharPerPost, charactersReservedPerUrl: 23 }),
    newMessageId: () => `bench-msg-${++ids}`,
    version: "bench",
  });
  return {
    config,
    store,
    deps,
    core,
    outbox,
    fedi,
    [Symbol.dispose]() {
      store.close();
    },
  };
}
