/**
 * Issue 14 as an operator meets it, with the bridge as real subprocesses under the production
 * permission flags: a second process of a role refuses to start and names the holder,
 * `--status` of a third process reads the health the running one keeps in the database, and a
 * mention of the bot in a public status is handled, answered with a direct status that does not
 * ask a follower to follow.
 */
import assert from "node:assert/strict";
import { trustCaForNodeTls } from "../prosody/node_tls_trust.ts";
import { FEDI_DOMAIN, ROOT, World } from "./world.ts";
import type { Role } from "../../src/config/mod.ts";

const BOT_FEDI = `bridge@${FEDI_DOMAIN}`;

/** Runs main.ts once, to its end, with the production flags of `roles`. */
async function runOnce(
  world: World,
  roles: readonly Role[],
  args: readonly string[],
): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--quiet",
      "--no-prompt",
      ...world.flags(roles),
      `${ROOT}main.ts`,
      "--config",
      world.configPath,
      "--env-file",
      world.envPath,
      ...args,
    ],
    cwd: world.dir,
    clearEnv: true,
    env: { NO_COLOR: "1" },
    stdin: "null",
  }).output();
  const text = new TextDecoder();
  return { code: out.code, stdout: text.decode(out.stdout), stderr: text.decode(out.stderr) };
}

Deno.test("e2e: one process per role, --status, a public mention answered directly", async () => {
  // A free loopback port for the metrics.
  const probe = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const metricsPort = probe.addr.port;
  probe.close();
  await using world = await World.start({
    fediUsers: ["bob"],
    xmppUsers: ["alice"],
    extraConfig: `metrics-listen: 127.0.0.1:${metricsPort}\n`,
  });
  trustCaForNodeTls(world.prosody.caPem);
  const { mastodon } = world;
  const bob = world.fediUsers.get("bob")!;
  // Bob followed the bot before the bridge ever ran: no notification will say so.
  mastodon.follow(bob, world.fediBot);

  const first = world.startBridge(["fedi", "xmpp"]);
  try {
    await first.waitForLog(/running: /);

    // A second process of the Fediverse role: refused, naming the first one, exit 75.
    const second = world.startBridge(["fedi"]);
    // Either it refuses or it starts; the test waits for whichever it does.
    const said = await second.waitForLog(/cannot start|running: fedi/);
    const status =
      await (/running: fedi/.test(said) ? second.stop("SIGKILL") : second.child.status);
    const log = second.log.join("\n");
    assert.equal(status.code, 75, log);
    assert.match(log, new RegExp(`Fediverse bot is already running: pid ${first.child.pid} `));
    assert.match(log, /since \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ/);
    assert.doesNotMatch(log, /running: fedi/);

    // A public mention with a command: handled, the answer direct and without "follow me".
    const asked = mastodon.postAs(bob, { text: `@${BOT_FEDI} !register`, visibility: "public" });
    const answer = await mastodon.waitForStatus(
      world.fediBot,
      (s) => s.inReplyToId === asked.id,
    );
    assert.equal(answer.visibility, "direct");
    assert.match(answer.text, /Welcome aboard/);
    assert.doesNotMatch(answer.text, /please do/, "Bob follows the bot already");

    // --status from a third process: healthy once both sessions are live.
    await first.waitForLog(/the Fediverse bot is live/);
    const healthy = await runOnce(world, ["fedi", "xmpp"], ["--status"]);
    assert.equal(healthy.code, 0, healthy.stdout + healthy.stderr);
    assert.match(
      healthy.stdout,
      new RegExp(`Fediverse bot: OK\\n  running: pid ${first.child.pid}`),
    );
    assert.match(healthy.stdout, /XMPP bot: OK[^]*session: live/);
    assert.match(healthy.stdout, /Status: healthy/);

    // The metrics, served under the derived permissions.
    const metrics = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
    assert.equal(metrics.status, 200);
    const text = await metrics.text();
    assert.match(text, /^xmpp_ap_bridge_session_live\{role="fedi"\} 1$/m);
    assert.match(text, /^xmpp_ap_bridge_session_live\{role="xmpp"\} 1$/m);
  } finally {
    const stopped = await first.stop("SIGTERM");
    assert.equal(stopped.code, 0, first.log.join("\n"));
  }

  // Stopped cleanly: the roles are free, and --status says nothing runs.
  const down = await runOnce(world, ["fedi", "xmpp"], ["--status", "--xmpp"]);
  assert.equal(down.code, 1, down.stdout + down.stderr);
  assert.match(down.stdout, /XMPP bot: NOT OK\n {2}not running/);
  assert.doesNotMatch(down.stdout, /Fediverse bot/);
  const again = world.startBridge(["fedi"]);
  await again.waitForLog(/running: fedi/);
  await again.stop("SIGKILL");
  // Killed: its lease row is fresh, but its lock file is free, so the next start takes over at once.
  const third = world.startBridge(["fedi"]);
  const line = await third.waitForLog(/cannot start|running: fedi/);
  assert.match(line, /running: fedi/, third.log.join("\n"));
  assert.ok(
    third.log.some((l) => l.includes(`took over the fedi role from pid ${again.child.pid}`)),
    third.log.join("\n"),
  );
  assert.equal((await third.stop("SIGTERM")).code, 0);
});
