/**
 * Files and long texts end to end (issue 17), the bridge running as its own process with the
 * permissions `media-hosts` derives: a photo shared from XMPP (XEP-0363 URL with a XEP-0066
 * `<x/>`) arrives as an attachment with its alt text; a file over the limit arrives as a link and
 * its sender is told; a kill -9 between the upload and the post ends with exactly one status with
 * the file; a 12,000-character message arrives as a numbered thread in order; `!help` on a
 * 500-character server arrives whole.
 */
import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { element, XmppUser } from "../prosody/xmpp_user.ts";
import { pngBytes } from "../mastodon/test_client.ts";
import { UploadHost } from "../upload_host/server.ts";
import { FEDI_DOMAIN, PASSWORD } from "./world.ts";
import {
  BOT_FEDI,
  BOT_XMPP,
  fediUser,
  inLayout,
  killBridges,
  ONE_PROCESS,
  outboxDrained,
  registerFedi,
  registerXmpp,
  type Scene,
  startBridges,
  waitFor,
} from "./faults_kit.ts";

/** A message sharing `url` as HTTP File Upload clients do, `desc` as its description. */
function shareFile(user: XmppUser, to: string, text: string, url: string, desc?: string) {
  const oob = element(
    "x",
    { xmlns: "jabber:x:oob" },
    element("url", {}, url),
    ...(desc === undefined ? [] : [element("desc", {}, desc)]),
  );
  return user.send(to, text, { children: [oob] });
}

/** Registered users: bob on the Fediverse, alice on XMPP (connected). */
async function meet(scene: Scene): Promise<XmppUser> {
  const { world } = scene;
  await startBridges(scene);
  const alice = XmppUser.of(world.prosody, "alice", PASSWORD);
  await alice.connect();
  scene.step = "registration";
  await registerFedi(world, fediUser(world, "bob"));
  await registerXmpp(alice);
  await outboxDrained(scene);
  return alice;
}

/** The payload of every pending Fediverse row (another process's database, read only). */
function pendingPayloads(scene: Scene): string[] {
  const db = new DatabaseSync(scene.outbox.path, { readOnly: true });
  try {
    const rows = db.prepare("SELECT payload FROM outbox WHERE state = 0 AND network = 0").all();
    return rows.map((r) => String(r.payload));
  } finally {
    db.close();
  }
}

Deno.test("e2e: a photo arrives as an attachment with its alt text; a file over the limit as a link with a notice", async () => {
  await using host = await UploadHost.start();
  const options = {
    fediUsers: ["bob"],
    xmppUsers: ["alice"],
    extraConfig: `media-hosts: ["${host.host}"]\nmedia-max-mb: 1\n`,
  };
  await inLayout("media", ONE_PROCESS, options, async (scene) => {
    const { mastodon, fediBot } = scene.world;
    await using alice = await meet(scene);
    const png = pngBytes(4, 3, 2000);
    const photo = host.put("cat.png", png, { type: "image/png" });
    scene.step = "a photo with a description";
    await shareFile(alice, BOT_XMPP, `@bob@${FEDI_DOMAIN} ${photo}`, photo, "A cat on a mat");
    const status = await mastodon.waitForStatus(fediBot, (s) => s.mediaIds.length > 0, {
      timeoutMs: 30_000,
    });
    const media = mastodon.media(status.mediaIds[0]!);
    assert.equal(media.description, "A cat on a mat");
    assert.deepEqual(media.bytes, png);
    assert.ok(!status.text.includes(photo), "the URL of an attached file is left out");

    scene.step = "a file over media-max-mb";
    const big = host.put("big.png", pngBytes(4, 3, 1024 * 1024 + 1), { type: "image/png" });
    await shareFile(alice, BOT_XMPP, `@bob@${FEDI_DOMAIN} ${big}`, big);
    const link = await mastodon.waitForStatus(fediBot, (s) => s.text.includes(big), {
      timeoutMs: 30_000,
    });
    assert.deepEqual(link.mediaIds, []);
    const notice = await alice.nextMessage((m) => (m.body ?? "").includes(big), 30_000);
    assert.ok(notice.from.startsWith(BOT_XMPP));
    assert.equal(mastodon.mediaOf(fediBot).length, 1);
  });
});

Deno.test("e2e: kill -9 between the upload and the post ends with exactly one status with the file", async () => {
  await using host = await UploadHost.start();
  const options = {
    fediUsers: ["bob"],
    xmppUsers: ["alice"],
    extraConfig: `media-hosts: ["${host.host}"]\n`,
  };
  await inLayout("media crash", ONE_PROCESS, options, async (scene) => {
    const { mastodon, fediBot } = scene.world;
    await using alice = await meet(scene);
    const photo = host.put("cat.png", pngBytes(4, 3), { type: "image/png" });
    scene.step = "the upload goes through, the post does not";
    mastodon.faults.serverErrorUntilCleared({ path: "/api/v1/statuses", method: "POST" });
    await shareFile(alice, BOT_XMPP, `@bob@${FEDI_DOMAIN} ${photo}`, photo, "A cat");
    await waitFor(
      "the media id is kept in the row",
      () => pendingPayloads(scene).some((p) => p.includes('"progress":{"media":["')),
      30_000,
    );
    await killBridges(scene);
    mastodon.faults.clearServerErrors();
    scene.step = "restart";
    await startBridges(scene);
    await outboxDrained(scene);
    const statuses = mastodon.statusesOf(fediBot).filter((s) =>
      s.mentions.includes(`bob@${FEDI_DOMAIN}`)
    );
    const withFile = statuses.filter((s) => s.mediaIds.length > 0);
    assert.equal(withFile.length, 1, "exactly one status with the file");
    assert.equal(mastodon.mediaOf(fediBot).length, 1, "uploaded once");
    assert.equal(mastodon.media(withFile[0]!.mediaIds[0]!).description, "A cat");
  });
});

Deno.test("e2e: 12,000 characters arrive as a numbered thread in order; !help arrives whole", async () => {
  const options = { fediUsers: ["bob"], xmppUsers: ["alice"], extraConfig: "max-parts: 40\n" };
  await inLayout("threads", ONE_PROCESS, options, async (scene) => {
    const { mastodon, fediBot } = scene.world;
    const bob = fediUser(scene.world, "bob");
    await using alice = await meet(scene);
    scene.step = "a 12,000-character message";
    const sentences = Array.from({ length: 400 }, (_, i) => `Sentence number ${i} is here.`);
    const text = sentences.join(" ").slice(0, 12_000);
    const before = mastodon.statusesOf(fediBot).length;
    await alice.send(BOT_XMPP, `@bob@${FEDI_DOMAIN} ${text}`);
    // The last part: its number reads n/n.
    await mastodon.waitForStatus(fediBot, (s) => /\n(\d+)\/\1$/.test(s.text), {
      timeoutMs: 60_000,
    });
    const thread = mastodon.statusesOf(fediBot).slice(before);
    const n = thread.length;
    assert.ok(n >= 25, `${n} parts`);
    thread.forEach((s, i) => {
      assert.ok(s.text.endsWith(`${i + 1}/${n}`), `part ${i + 1}`);
      assert.equal(s.inReplyToId, i === 0 ? null : thread[i - 1]!.id);
      assert.ok(s.mentions.includes(`bob@${FEDI_DOMAIN}`));
    });
    const words = thread.map((s, i) =>
      s.text.split("\n").slice(i === 0 ? 1 : 0).join(" ").replace(/^@bob@social\.test /, "")
        .replace(/ ?\d+\/\d+$/, "")
    ).join(" ").split(/\s+/).filter((w) => w !== "");
    // The text's own mention of bob is made inert (a zero-width space after the at sign).
    const written = `@\u200Bbob@${FEDI_DOMAIN} ${text}`;
    assert.deepEqual(words, written.split(/\s+/).filter((w) => w !== ""));

    scene.step = "!help from the Fediverse";
    const mark = mastodon.statusesOf(fediBot).length;
    mastodon.postAs(bob, { text: `@${BOT_FEDI} !help`, visibility: "direct" });
    await mastodon.waitForStatus(fediBot, (s) => /\n1\/\d+$/.test(s.text), { timeoutMs: 30_000 });
    await outboxDrained(scene);
    const help = mastodon.statusesOf(fediBot).slice(mark);
    assert.ok(help.length > 1, "the help text needs more than one status here");
    help.forEach((s, i) => assert.ok(s.text.endsWith(`${i + 1}/${help.length}`)));
    for (const s of help) assert.ok(!/Cut short/.test(s.text), "nothing was cut");
  });
});
