/**
 * The log as an operator meets it, from the real process against the test servers: the start
 * line, JSON lines and journald's priority prefixes, the log file reopened on SIGHUP (as
 * logrotate's postrotate does), and never a secret.
 */
import assert from "node:assert/strict";
import { PASSWORD, World } from "./world.ts";

Deno.test("the start line, --log-format json under journald, SIGHUP reopens the log file", async () => {
  await using world = await World.start();
  const bridge = world.startBridge(["fedi", "xmpp"], {
    args: ["--log-format", "json"],
    env: { JOURNAL_STREAM: "8:12345" },
  });
  await bridge.waitForLog(/running: fedi, xmpp/);
  const first = bridge.log[0]!;
  assert.match(first, /^<6>\{/, "journald's info priority, then the JSON object");
  const start = JSON.parse(first.slice(3));
  assert.match(start.message, /^xmpp-ap-bridge \S+ starting/);
  assert.equal(start.roles, "fedi, xmpp");
  assert.equal(start.fediServer, world.mastodon.url);
  assert.match(start.xmppServer, new RegExp(`xmpp\\.test via ${world.prosody.host}:`));
  assert.match(start.permissions, /^narrowed; all servers allowed/);
  for (const line of bridge.log) {
    assert.match(line, /^<\d>\{.*\}$/, "every line one prefixed JSON object");
    assert.doesNotMatch(line, /"time"/, "no timestamp for journald");
  }

  // logrotate moves the file away and sends SIGHUP: the lines after it go to a new file.
  const logFile = `${world.dir}/log/bridge.log`;
  Deno.renameSync(logFile, `${logFile}.1`);
  const from = bridge.log.length;
  bridge.child.kill("SIGHUP");
  await bridge.waitForLog(/state files re-read/, 20_000, from);
  // The file sink writes on its own schedule: wait (bounded) until the line is in the new file.
  const inFile = () =>
    Deno.readTextFileSync(logFile).trim().split("\n").find((l) =>
      l.includes("state files re-read")
    );
  await untilFileChanges(logFile, () => inFile() !== undefined, 10_000);
  const fresh = Deno.readTextFileSync(logFile).trim().split("\n");
  // Other lines may follow it (the test world logs at debug level).
  const rereadLine = inFile();
  assert.ok(rereadLine, `the new file has the line after SIGHUP:\n${fresh.join("\n")}`);
  const reread = JSON.parse(rereadLine);
  assert.match(reread.time, /^\d{4}-/, "the file keeps timestamps");
  assert.match(Deno.readTextFileSync(`${logFile}.1`), /starting/);

  const status = await bridge.stop();
  assert.equal(status.code, 0);
  const everything = bridge.log.join("\n") + Deno.readTextFileSync(logFile) +
    Deno.readTextFileSync(`${logFile}.1`);
  assert.ok(!everything.includes(PASSWORD), "no password in the logs");
  assert.ok(!everything.includes(world.fediBot.token!), "no token in the logs");
});

/** Resolves once `done()` holds, checking at every change of `path`, or after `ms` at the latest. */
async function untilFileChanges(path: string, done: () => boolean, ms: number): Promise<void> {
  const watcher = Deno.watchFs(path);
  const timer = setTimeout(() => watcher.close(), ms);
  try {
    if (done()) return;
    for await (const _event of watcher) {
      if (done()) return;
    }
  } finally {
    clearTimeout(timer);
    try {
      watcher.close();
    } catch {
      // Closed by the timer already.
    }
  }
}
