/**
 * A Fediverse server that announces its streaming API on another host (here `localhost`
 * beside the API's `127.0.0.1`): the launcher reads it and puts it in `--allow-net`; a run
 * whose permissions lack it stops at once with one error naming `ap-streaming-url` and exit
 * code 77; a refused token exits 78. The real entry point runs in a subprocess.
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { MastodonTestServer } from "./mastodon/server.ts";
import { loadConfig } from "../src/config/mod.ts";
import { derivePermissions } from "../src/permissions.ts";
import { discover } from "../src/discovery.ts";
import { EXIT_CONFIG, EXIT_NOPERM } from "../src/exit_codes.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

interface Setup extends AsyncDisposable {
  readonly server: MastodonTestServer;
  readonly dir: string;
  readonly configPath: string;
  readonly envPath: string;
}

async function setup(token?: string): Promise<Setup> {
  const server = await MastodonTestServer.start({
    domain: "social.test",
    announcedStreamingUrl: (port) => `ws://localhost:${port}`,
  });
  const bot = server.createAccount({ username: "bridge", bot: true });
  const dir = await Deno.makeTempDir({ prefix: "streaming-host-" });
  const configPath = `${dir}/bridge.yml`;
  const envPath = `${dir}/bridge.env`;
  await Deno.writeTextFile(
    configPath,
    [
      "ap_instance: social.test",
      "xmpp_instance: xmpp.test",
      "xmpp_admin: [admin@xmpp.test]",
      "ap_bridge_jid: bridge@xmpp.test",
      "xmpp_bridge_name: bridge@social.test",
      `bridge-database-file: ${dir}/bridge.db`,
      `bridge-files-dir: ${dir}`,
      `ap-api-url: ${server.url}`,
      "xmpp-host: 127.0.0.1",
      "",
    ].join("\n"),
  );
  await Deno.writeTextFile(envPath, `XMPP_BRIDGE_TOKEN=${token ?? bot.token}\n`);
  return {
    server,
    dir,
    configPath,
    envPath,
    async [Symbol.asyncDispose]() {
      await server.close();
      await Deno.remove(dir, { recursive: true });
    },
  };
}

function configOf(s: Setup) {
  return loadConfig({
    path: s.configPath,
    env: { XMPP_BRIDGE_TOKEN: "t" },
    roles: ["fedi"],
  });
}

function bridge(flags: string[], s: Setup): Deno.ChildProcess {
  return new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--quiet",
      "--no-prompt",
      ...flags,
      `${ROOT}main.ts`,
      "--fedi",
      "--config",
      s.configPath,
      "--env-file",
      s.envPath,
    ],
    clearEnv: true,
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
    // A guard only: a bridge that retries forever instead of exiting is killed, and fails.
    signal: AbortSignal.timeout(60_000),
  }).spawn();
}

async function finish(child: Deno.ChildProcess): Promise<{ code: number; text: string }> {
  const out = await child.output();
  const dec = new TextDecoder();
  return { code: out.code, text: dec.decode(out.stdout) + dec.decode(out.stderr) };
}

Deno.test("the announced streaming host is read and derived into --allow-net", async () => {
  await using s = await setup();
  const port = s.server.port;
  const found = await discover(configOf(s), ["fedi"]);
  assert.equal(found.streamingUrl, `ws://localhost:${port}`);
  // The launcher prints the same flags (it reads the instance the same way).
  const printed = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--quiet",
      "--allow-read",
      "--allow-env",
      `--allow-net=127.0.0.1:${port}`,
      "--allow-run=deno",
      `${ROOT}tools/launch.ts`,
      "flags",
      "--fedi",
      "--config",
      s.configPath,
      "--env-file",
      s.envPath,
    ],
    clearEnv: true,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stderr = new TextDecoder().decode(printed.stderr);
  assert.equal(printed.code, 0, stderr);
  const net = new TextDecoder().decode(printed.stdout).split("\n")
    .find((f) => f.startsWith("--allow-net="));
  assert.equal(net, `--allow-net=127.0.0.1:${port},localhost:${port}`);
  assert.match(stderr, new RegExp(`Streaming API: ws://localhost:${port}`));
});

Deno.test("with the derived flags the Fediverse bot comes live on the other host", async () => {
  await using s = await setup();
  const found = await discover(configOf(s), ["fedi"]);
  const flags = derivePermissions({
    config: configOf(s),
    roles: ["fedi"],
    envFile: s.envPath,
    streamingUrl: found.streamingUrl,
  });
  const child = bridge(flags, s);
  // Read the log until the bot says it runs, then stop it.
  let seen = "";
  const lines = child.stderr.pipeThrough(new TextDecoderStream());
  for await (const chunk of lines) {
    seen += chunk;
    if (/running: fedi/.test(seen)) break;
  }
  assert.match(seen, /running: fedi/);
  child.kill("SIGTERM");
  const status = await child.status;
  await child.stdout.cancel();
  assert.equal(status.code, 0, seen);
});

Deno.test("a streaming host outside the permissions: one error naming ap-streaming-url, exit 77", async () => {
  await using s = await setup();
  // The permissions as they were before the server moved its streaming: the API host only.
  const flags = derivePermissions({ config: configOf(s), roles: ["fedi"], envFile: s.envPath });
  assert.ok(!flags.some((f) => f.includes("localhost")));
  const r = await finish(bridge(flags, s));
  assert.equal(r.code, EXIT_NOPERM, r.text);
  assert.match(r.text, /ap-streaming-url/);
  assert.match(r.text, new RegExp(`ws://localhost:${s.server.port}`));
  assert.equal(r.text.match(/ap-streaming-url/g)?.length, 1, "said once");
});

Deno.test("a refused token exits 78, which the units do not restart", async () => {
  await using s = await setup("not-a-token");
  const flags = derivePermissions({
    config: configOf(s),
    roles: ["fedi"],
    envFile: s.envPath,
    streamingUrl: `ws://localhost:${s.server.port}`,
  });
  const r = await finish(bridge(flags, s));
  assert.equal(r.code, EXIT_CONFIG, r.text);
  assert.match(r.text, /token/i);
});

Deno.test("an XMPP host outside the permissions: one error naming xmpp-host, exit 77", async () => {
  await using s = await setup();
  await Deno.writeTextFile(
    s.configPath,
    (await Deno.readTextFile(s.configPath)).replace("xmpp-host: 127.0.0.1", "xmpp-host: localhost"),
  );
  await Deno.writeTextFile(s.envPath, "AP_BRIDGE_PASS=secret\n");
  const config = loadConfig({ path: s.configPath, env: { AP_BRIDGE_PASS: "p" }, roles: ["xmpp"] });
  // The permissions of the host the XMPP server used to be on.
  const flags = derivePermissions({ config, roles: ["xmpp"], envFile: s.envPath })
    .map((f) => f.startsWith("--allow-net=") ? "--allow-net=127.0.0.1:5222" : f);
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--quiet",
      "--no-prompt",
      ...flags,
      `${ROOT}main.ts`,
      "--xmpp",
      "--config",
      s.configPath,
      "--env-file",
      s.envPath,
    ],
    clearEnv: true,
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(60_000),
  }).spawn();
  const r = await finish(child);
  assert.equal(r.code, EXIT_NOPERM, r.text);
  const lines = r.text.split("\n").filter((l) => /xmpp-host/.test(l));
  assert.equal(lines.length, 1, `one error line: ${r.text}`);
  assert.match(r.text, /localhost/);
  assert.doesNotMatch(r.text, /secret/);
});
