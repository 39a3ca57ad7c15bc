import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import {
  bridgeEnv,
  type Config,
  ConfigError,
  DEFAULT_COMMAND_WORDS,
  DEFAULT_CONFIG_PATH,
  ENV_VARS,
  loadConfig,
  type LoadOptions,
  readDotEnv,
  resolveConfigPath,
} from "./mod.ts";

const OLD = fileURLToPath(new URL("../../tests/fixtures/old-config.yml", import.meta.url));

const MINIMAL = `
ap_instance: social.example
xmpp_instance: chat.example
xmpp_admin: [Admin@Chat.Example]
ap_bridge_jid: bridge@chat.example
ap_bridge_pass: xmpp-secret
xmpp_bridge_name: bridge
xmpp_bridge_token: fedi-secret
bridge-database-file: data/bridge.db
bridge-files-dir: /var/lib/bridge/files
`;

function load(text: string, extra: Partial<LoadOptions> = {}): Config {
  return loadConfig({
    path: "/etc/bridge/test.yml",
    env: {},
    roles: ["fedi", "xmpp"],
    readFile: () => text,
    ...extra,
  });
}

function problemsOf(text: string, extra: Partial<LoadOptions> = {}): string[] {
  try {
    load(text, extra);
  } catch (e) {
    assert.ok(e instanceof ConfigError, `expected a ConfigError, got ${e}`);
    assert.equal(e.file, "/etc/bridge/test.yml");
    assert.ok(e.message.includes("/etc/bridge/test.yml"), "the message names the file");
    return [...e.problems];
  }
  assert.fail("the configuration was accepted");
}

Deno.test("an old bridge configuration loads unchanged with every value kept", () => {
  const c = loadConfig({ path: OLD, env: {}, roles: ["fedi", "xmpp"] });
  assert.equal(c.apInstance, "example.social");
  assert.equal(c.xmppInstance, "example.im");
  assert.deepEqual(c.apAdmins, ["fediaccount@example.com"]);
  assert.deepEqual(c.xmppAdmins, ["xmppjid@example.net"]);
  assert.equal(c.xmppJid, "ap_bridge@example.im");
  assert.equal(c.xmppPassword, "YourSecretPasswordHere");
  assert.equal(c.fediHandle, "xmpp_bridge@example.social");
  assert.equal(c.fediToken, "YourSecretTokenHere");
  assert.equal(c.logFile, "/path/to/logfile/xmpp-bridge.log");
  assert.equal(c.databaseFile, "/path/to/dbfile/bridge.db");
  assert.equal(c.filesDir, "/path/to/bridgefiles");
  assert.equal(c.translationDir, "/path/to/translationfiles/bridge-messages-translations");
  assert.equal(c.greenlistMode, false);
  assert.equal(c.maxRegUsers, 100);
  assert.equal(c.minApActivityPosts, 5);
  assert.equal(c.maxApRegistrations, 8);
  assert.equal(c.maxDestToSend, 4);
  assert.equal(c.maxUserRate, 30);
  assert.equal(c.silentBlock, true);
  assert.equal(c.silentSend, true);
  assert.equal(c.maxMinutesForReply, 90);
  assert.equal(c.maxRetentionDaysRevokedUser, 30);
  assert.equal(c.commMaxLimitDays, 30);
  assert.equal(c.defaultLanguage, "fr");
  assert.equal(c.unknownLanguage, "en");
  assert.deepEqual(c.prefixes, { fedi: "@", xmpp: "xmpp:", command: "!", lang: "!lang=" });
  assert.deepEqual(c.commandWords, [...DEFAULT_COMMAND_WORDS]);
  assert.equal(c.userAgent, "XMPP/AP Bridge Bot");
  assert.equal(c.maxCharPerPost, 500);
  assert.deepEqual(Object.keys(c.helpUrl).sort(), ["de", "en", "es", "fr", "it", "nl", "pt"]);
  assert.deepEqual(Object.keys(c.ahelpUrl).sort(), ["de", "en", "es", "fr", "it", "nl", "pt"]);
  assert.match(c.helpUrl.en ?? "", /^https:\/\//);
  assert.equal(c.apApiUrl, "https://example.social");
  assert.equal(c.xmppHost, "example.im");
  assert.equal(c.xmppPort, 5222);
  assert.deepEqual(c.notes, []);
  assert.ok(Object.isFrozen(c) && Object.isFrozen(c.prefixes) && Object.isFrozen(c.apAdmins));
});

Deno.test("defaults fill the optional keys and relative paths follow the config file", () => {
  const c = load(MINIMAL);
  assert.equal(c.fediHandle, "bridge@social.example", "a local handle gets the server's domain");
  assert.deepEqual(c.xmppAdmins, ["admin@chat.example"], "addresses are lower-cased");
  assert.equal(c.databaseFile, "/etc/bridge/data/bridge.db");
  assert.equal(c.defaultLanguage, "en");
  assert.equal(c.greenlistMode, false);
  assert.equal(c.maxDestToSend, 4);
  assert.equal(c.logFile, null);
  assert.equal(c.translationDir, null);
  assert.equal(c.logLevel, "info");
});

Deno.test("a missing ap_instance is named together with the file", () => {
  const problems = problemsOf(MINIMAL.replace("ap_instance: social.example\n", ""));
  assert.equal(problems.length, 1);
  assert.match(problems[0]!, /"ap_instance" is missing/);
});

Deno.test("a wrong type names the key, its line, what was expected and what was found", () => {
  const problems = problemsOf(MINIMAL + `max-dest-to-send: "four"\n`);
  assert.equal(problems.length, 1);
  assert.match(problems[0]!, /"max-dest-to-send" \(line 11\)/);
  assert.match(problems[0]!, /expected a whole number/);
  assert.match(problems[0]!, /found the text "four"/);
});

Deno.test("every problem is reported at once", () => {
  const text = MINIMAL.replace("xmpp_instance: chat.example\n", "") +
    "silent-send: maybe\nmax-user-rate: -3\nbridge-prefixes: ['@', '@']\n";
  const problems = problemsOf(text);
  const joined = problems.join("\n");
  for (const key of ["xmpp_instance", "silent-send", "max-user-rate", "bridge-prefixes"]) {
    assert.ok(joined.includes(`"${key}"`), `${key} is named in:\n${joined}`);
  }
  assert.equal(problems.length, 4);
});

Deno.test("broken YAML names the file and the line", () => {
  const text = "ap_instance: a.example\nxmpp_admin: [unclosed\nfoo: bar\n";
  const problems = problemsOf(text);
  assert.ok(problems.length >= 1);
  assert.match(problems[0]!, /line \d+, column \d+: this is not valid YAML/);
});

Deno.test("a misspelt or unknown key is noted with the likely intended key, not refused", () => {
  const c = load(MINIMAL + "max-user-rates: 10\nfavourite-colour: blue\n");
  const notes = c.notes.filter((n) => n.includes("not a setting"));
  assert.equal(notes.length, 2);
  assert.match(notes[0]!, /"max-user-rates" \(line 11\).*ignored.*did you mean "max-user-rate"/);
  assert.match(notes[1]!, /"favourite-colour".*not a setting/);
  assert.equal(c.maxUserRate, 30);
});

Deno.test("YAML 1.1 booleans of the old bridge's loader are read for boolean keys", () => {
  const c = load(MINIMAL + "greenlist-mode: Yes\nsilent-block: off\nsilent-send: N\n");
  assert.equal(c.greenlistMode, true);
  assert.equal(c.silentBlock, false);
  assert.equal(c.silentSend, false);
  const d = load(MINIMAL + "greenlist-mode: ON\nsilent-block: no\nsilent-send: y\n");
  assert.deepEqual([d.greenlistMode, d.silentBlock, d.silentSend], [true, false, true]);
  const problems = problemsOf(MINIMAL + "silent-send: maybe\n");
  assert.equal(problems.length, 1);
  assert.match(problems[0]!, /"silent-send".*true or false/);
});

Deno.test("xmpp_admin is optional, as in the old bridge, and its absence is noted", () => {
  const c = load(MINIMAL.replace("xmpp_admin: [Admin@Chat.Example]\n", ""));
  assert.deepEqual(c.xmppAdmins, []);
  assert.ok(c.notes.some((n) => /"xmpp_admin" is not set/.test(n)), c.notes.join("\n"));
});

Deno.test("max-dest-to-send is clamped to 1..max-user-rate, min activity to 40", () => {
  const a = load(MINIMAL + "max-dest-to-send: 0\nmin-ap-activity-posts: 99\n");
  assert.equal(a.maxDestToSend, 1);
  assert.equal(a.minApActivityPosts, 40);
  assert.equal(a.notes.length, 2);
  const b = load(MINIMAL + "max-dest-to-send: 12\nmax-user-rate: 5\n");
  assert.equal(b.maxDestToSend, 5);
  const c = load(MINIMAL + "max-dest-to-send: 12\nmax-user-rate: 0\n");
  assert.equal(c.maxDestToSend, 12, "no rate limit, no upper bound");
});

Deno.test("each environment variable overrides its key", () => {
  const cases: [string, keyof Config, string, string][] = [
    [ENV_VARS.fediHandle, "fediHandle", "Other@Social.Example", "other@social.example"],
    [ENV_VARS.fediToken, "fediToken", "env-token", "env-token"],
    [ENV_VARS.xmppJid, "xmppJid", "Env@Chat.Example/phone", "env@chat.example"],
    [ENV_VARS.xmppPassword, "xmppPassword", "env-pass", "env-pass"],
  ];
  const base = load(MINIMAL);
  for (const [name, field, value, expected] of cases) {
    assert.notEqual(base[field], expected);
    const c = load(MINIMAL, { env: { [name]: value } });
    assert.equal(c[field], expected, `${name} -> ${field}`);
  }
});

Deno.test("credentials may come only from the environment", () => {
  const text = MINIMAL.replace(/^(ap_bridge_pass|xmpp_bridge_token):.*\n/gm, "");
  assert.equal(problemsOf(text).length, 2);
  const c = load(text, {
    env: { [ENV_VARS.fediToken]: "t0ken", [ENV_VARS.xmppPassword]: "passw0rd" },
  });
  assert.equal(c.fediToken, "t0ken");
  assert.equal(c.xmppPassword, "passw0rd");
});

Deno.test("a process running one role needs only that role's secret", () => {
  const text = MINIMAL.replace(/^(ap_bridge_pass|xmpp_bridge_token):.*\n/gm, "");
  const x = load(text + "ap_bridge_pass: p\n", { roles: ["xmpp"] });
  assert.equal(x.fediToken, "", "the XMPP process never holds the Fediverse token");
  const problems = problemsOf(text, { roles: ["fedi"] });
  assert.equal(problems.length, 1);
  assert.match(problems[0]!, /xmpp_bridge_token.*XMPP_BRIDGE_TOKEN/);
});

Deno.test("the config file comes from the flag, then the variable, then the default", () => {
  const env = { [ENV_VARS.configFile]: "/srv/env.yml" };
  assert.equal(resolveConfigPath("/srv/flag.yml", env), "/srv/flag.yml");
  assert.equal(resolveConfigPath(undefined, env), "/srv/env.yml");
  assert.equal(resolveConfigPath(undefined, {}), DEFAULT_CONFIG_PATH);
});

Deno.test(".env values fill in what the real environment lacks", () => {
  const dir = Deno.makeTempDirSync();
  try {
    const path = `${dir}/.env`;
    Deno.writeTextFileSync(
      path,
      "# credentials\nXMPP_BRIDGE_TOKEN=from-file\nAP_BRIDGE_PASS='quoted value'\nOTHER=x\n",
    );
    const dot = readDotEnv(path, true);
    const env = bridgeEnv(dot, (n) => n === ENV_VARS.xmppPassword ? "from-process" : undefined);
    assert.equal(env[ENV_VARS.fediToken], "from-file");
    assert.equal(env[ENV_VARS.xmppPassword], "from-process", "the real environment wins");
    assert.equal(env.OTHER, undefined, "only the bridge's variables are kept");
    assert.deepEqual(readDotEnv(`${dir}/missing.env`, false), {});
    assert.throws(() => readDotEnv(`${dir}/missing.env`, true), ConfigError);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("flood control keys: defaults when absent, bad values named with the key", () => {
  const c = load(MINIMAL);
  assert.equal(c.maxCommandsPerHour, 30);
  assert.equal(c.maxRefusalsPerHour, 10);
  assert.equal(c.maxRegistrationAttemptsPerDay, 20);
  assert.equal(c.maxReportsPerDay, 5);
  assert.equal(c.maxAnswersToOutsidersPerHour, 1);
  assert.equal(c.maxShareOfServerBudget, 10);
  assert.equal(c.negativeLookupCacheMinutes, 60);
  const set = load(
    MINIMAL + "max-commands-per-hour: 0\nmax-reports-per-day: 2\nmax-share-of-server-budget: 25\n",
  );
  assert.equal(set.maxCommandsPerHour, 0);
  assert.equal(set.maxReportsPerDay, 2);
  assert.equal(set.maxShareOfServerBudget, 25);
  const problems = problemsOf(
    MINIMAL + "max-share-of-server-budget: 150\nmax-refusals-per-hour: -1\n" +
      "negative-lookup-cache-minutes: soon\n",
  );
  assert.equal(problems.length, 3, problems.join("\n"));
  assert.match(problems[0]!, /max-share-of-server-budget.*percentage from 0 to 100.*150/);
  assert.ok(problems.some((p) => /max-refusals-per-hour.*whole number.*-1/.test(p)), problems[1]);
  assert.ok(problems.some((p) => /negative-lookup-cache-minutes.*"soon"/.test(p)));
});

Deno.test("max-parts, media-hosts and media-max-mb: defaults, values, clear errors", () => {
  const plain = load(MINIMAL);
  assert.equal(plain.maxParts, 5);
  assert.deepEqual(plain.mediaHosts, []);
  assert.equal(plain.mediaMaxMb, 16);
  const set = load(`${MINIMAL}max-parts: 9\nmedia-hosts: [Upload.Chat.Example, "10.0.0.1:8443"]\n`);
  assert.equal(set.maxParts, 9);
  assert.deepEqual(set.mediaHosts, ["upload.chat.example", "10.0.0.1:8443"]);
  const problems = problemsOf(
    `${MINIMAL}media-hosts: ["https://files.example", "a.example:99999"]\nmax-parts: 0\n`,
  );
  assert.equal(problems.filter((p) => p.includes('"media-hosts"')).length, 2, `${problems}`);
  assert.ok(problems.some((p) => p.includes('"max-parts"')), `${problems}`);
});
