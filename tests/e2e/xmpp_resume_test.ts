/**
 * The whole bridge killed (SIGKILL) while two XMPP users write to the Fediverse through it, on
 * Prosody and on ejabberd: the restarted bridge resumes its XEP-0198 session (kept in its
 * database), the server resends what the dead process had not committed and what came while it
 * was dead, and every message becomes exactly one status.
 */
import assert from "node:assert/strict";
import { XmppUser } from "../prosody/xmpp_user.ts";
import { FEDI_DOMAIN, PASSWORD } from "./world.ts";
import {
  BOT_XMPP,
  fediTally,
  fediUser,
  inLayout,
  killBridges,
  ONE_PROCESS,
  outboxDrained,
  registerFedi,
  registerXmpp,
  startBridges,
  stopBridges,
  tag,
  waitForFediTags,
} from "./faults_kit.ts";

const PER_USER = 8;
const KILL_AFTER = 3;

for (const server of ["prosody", "ejabberd"] as const) {
  Deno.test(`fault: the bridge is killed (SIGKILL) while two XMPP users write to it [${server}]: every message handled once`, async () => {
    await inLayout(`bridge killed under XMPP senders, ${server}`, ONE_PROCESS, {
      fediUsers: ["dora"],
      xmppUsers: ["alice", "carol"],
      xmppServer: server,
    }, async (scene) => {
      const { world } = scene;
      const { mastodon } = world;
      const dora = fediUser(world, "dora");
      await startBridges(scene);
      await using alice = XmppUser.of(world.prosody, "alice", PASSWORD);
      await using carol = XmppUser.of(world.prosody, "carol", PASSWORD);
      await alice.connect();
      await carol.connect();

      scene.step = "registration";
      await registerFedi(world, dora);
      await registerXmpp(alice);
      await registerXmpp(carol);
      await outboxDrained(scene);
      const before = mastodon.postStats(world.fediBot);

      scene.step = "both users write; the bridge is killed once the first statuses are posted";
      const tags: string[] = [];
      const write = async (user: XmppUser, name: string) => {
        for (let i = 0; i < PER_USER; i++) {
          const t = tag("r1", name, i);
          tags.push(t);
          await user.send(BOT_XMPP, `@dora@${FEDI_DOMAIN} ${t} message ${i} of ${name}`);
        }
      };
      const expected = [...Array(PER_USER).keys()].flatMap((i) => [
        tag("r1", "alice", i),
        tag("r1", "carol", i),
      ]);
      let postedAtKill = 0;
      const kill = (async () => {
        await mastodon.waitUntil(() => fediTally(world, expected).distinct >= KILL_AFTER, {
          timeoutMs: 30_000,
        });
        await killBridges(scene);
        postedAtKill = fediTally(world, expected).distinct;
      })();
      await Promise.all([write(alice, "alice"), write(carol, "carol"), kill]);
      const xmppLog = () => scene.bridges.flatMap((b) => b.log);

      scene.step = "the bridge restarted: it resumes the session and every message is posted";
      await startBridges(scene);
      await waitForFediTags(world, expected, 60_000);
      await outboxDrained(scene);
      const after = mastodon.postStats(world.fediBot);
      const tally = fediTally(world, expected);
      const resumed = xmppLog().some((l) => /resumed the XMPP stream of the previous run/.test(l));
      console.log(
        `${scene.label}: killed with ${postedAtKill} of ${expected.length} statuses posted; ` +
          `${tally.distinct} distinct statuses in the end, ${after.created - before.created} ` +
          `created, ${tally.duplicates} duplicate(s); session resumed: ${resumed}`,
      );
      assert.deepEqual(tally.missing, []);
      assert.equal(tally.duplicates, 0, `posted twice: ${tally.repeated.join(", ")}`);
      assert.equal(after.created - before.created, expected.length, "one status per message");
      assert.ok(resumed, "the restarted bridge resumed its XMPP session");
      for (const status of mastodon.statusesOf(world.fediBot)) {
        if (tags.some((t) => status.text.includes(t))) {
          assert.deepEqual(status.mentions, [dora.address]);
        }
      }
      assert.ok(await stopBridges(scene), "the restarted bridge stops cleanly");
    });
  });
}
