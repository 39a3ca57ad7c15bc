/**
 * Configuration, the public face: one YAML file (the old bridge's keys, plus a few of ours),
 * credentials from the environment or a `.env` file, validated in one pass into a read-only
 * {@link Config}. Every problem is collected and reported together, each naming the file, the
 * key (and its line when known), what was expected and what was found.
 *
 * - `settings.ts`: the table of settings (key, type, default, variable, help);
 * - `types.ts`: {@link Config}, {@link ConfigError} and the options of {@link loadConfig};
 * - `load.ts`: file, YAML, `.env` and environment; `reader.ts`: the checks, key by key;
 * - `values.ts`: address and value checks.
 *
 * @module
 */
export { bridgeEnv, loadConfig, readDotEnv, resolveConfigPath, stateWords } from "./load.ts";
export {
  ENV_VARS,
  KNOWN_KEYS,
  type Setting,
  SETTINGS,
  settingsMarkdown,
  type SettingType,
} from "./settings.ts";
export {
  type Config,
  ConfigError,
  DEFAULT_COMMAND_WORDS,
  DEFAULT_CONFIG_PATH,
  type LoadOptions,
  LOG_LEVELS,
  type LogLevel,
  type Prefixes,
  type Role,
  ROLES,
} from "./types.ts";
export { bareJid, fediAddress, loopbackListen } from "./values.ts";
