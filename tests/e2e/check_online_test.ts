/**
 * `--check --online` against the test servers, through main.ts under the derived permission
 * set: both bots sign in, what the servers say is printed, nothing is sent; a refused token or
 * password exits 78 naming the key, a host outside the permission set 77.
 */
import assert from "node:assert/strict";
import { ROOT, World } from "./world.ts";

async function check(
  world: World,
  flags: readonly string[],
  extra: readonly string[] = [],
) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--quiet",
      "--no-prompt",
      ...flags,
      `${ROOT}main.ts`,
      "--check",
      "--online",
      "--config",
      world.configPath,
      "--env-file",
      world.envPath,
      ...extra,
    ],
    clearEnv: true,
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

Deno.test("--check --online signs both bots in, prints what it found, sends nothing", async () => {
  await using world = await World.start();
  const before = world.mastodon.requests.length;
  const r = await check(world, world.flags(["fedi", "xmpp"]));
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(
    r.stdout,
    /Fediverse: signed in at http:\/\/127\.0\.0\.1:\d+ as bridge@social\.test/,
  );
  assert.match(r.stdout, /Fediverse: posts up to 500 characters/);
  assert.match(r.stdout, /Fediverse: streaming at ws:\/\/127\.0\.0\.1:\d+/);
  assert.match(r.stdout, /XMPP: logged in at xmpp:\/\/\S+ as bridge@xmpp\.test \(TLS verified/);
  assert.match(r.stdout, /XMPP: (HTTP upload service \S+|the server announces no HTTP upload)/);
  const calls = world.mastodon.requests.slice(before);
  assert.ok(calls.length > 0, "the Fediverse server was asked");
  assert.deepEqual(calls.filter((c) => c.method !== "GET"), [], "only reads");
  assert.deepEqual(world.mastodon.statusesOf(world.fediBot), []);
  assert.ok(!(r.stdout + r.stderr).includes(world.fediBot.token!), "no token printed");
});

Deno.test("--check --online: refused credentials exit 78 naming them, one role at a time", async () => {
  await using world = await World.start();
  // The deployment's credentials file (the one its permission set may read), now wrong.
  Deno.writeTextFileSync(
    world.envPath,
    "XMPP_BRIDGE_TOKEN=not-the-token\nAP_BRIDGE_PASS=wrong-pass\n",
  );
  const fedi = await check(world, world.flags(["fedi"]), ["--fedi"]);
  assert.equal(fedi.code, 78, fedi.stdout + fedi.stderr);
  assert.match(fedi.stdout, /Error: .*refused the bot's access token \(xmpp_bridge_token/);
  const xmpp = await check(world, world.flags(["xmpp"]), ["--xmpp"]);
  assert.equal(xmpp.code, 78, xmpp.stdout);
  assert.match(xmpp.stdout, /Error: the XMPP server at \S+ refused the login .*ap_bridge_pass/);
  assert.ok(!(fedi.stdout + xmpp.stdout).includes("wrong-pass"));
});

Deno.test("--check --online: a server outside the permission set exits 77 naming the key", async () => {
  await using world = await World.start();
  // The XMPP role's flags, asked to check the Fediverse bot too.
  const r = await check(world, world.flags(["xmpp"]));
  assert.equal(r.code, 77, r.stdout + r.stderr);
  assert.match(r.stdout, /Error: key "ap-api-url": the permission set does not allow/);
});
