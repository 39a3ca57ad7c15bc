/**
 * The sandbox as a newcomer uses it: `deno task sandbox`, then a line as each user; a message
 * must cross in each direction. Then as an attacker would: a JID holding U+FFFF, typed as
 * `\uFFFF`, gets a refusal naming it, and the next message still crosses. Then a correction, a
 * reaction and a retraction each way. Last, an image shared from XMPP (`xmpp-image PATH
 * description`) arrives attached with its alt text.
 */
import assert from "node:assert/strict";
import { ROOT } from "./world.ts";
import { pngBytes } from "../mastodon/test_client.ts";

Deno.test("the sandbox shows a message crossing in each direction; a hostile JID gets a refusal and the next message crosses; corrections, reactions and retractions cross too", async () => {
  const child = new Deno.Command("deno", {
    args: ["task", "--quiet", "sandbox"],
    cwd: ROOT,
    env: { NO_COLOR: "1" },
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let seen = "";
  // A broken sandbox fails the test instead of hanging it.
  const deadline = setTimeout(() => child.kill("SIGKILL"), 120_000);
  const waitFor = async (pattern: RegExp) => {
    while (!pattern.test(seen)) {
      const { value, done } = await reader.read();
      if (done) throw new Error(`the sandbox ended before ${pattern}:\n${seen}`);
      seen += value;
    }
  };
  const stderr = new Response(child.stderr).text();
  try {
    await waitFor(/Type a line and press Enter/);
    await writer.write(
      new TextEncoder().encode("xmpp @bob@social.test Hello from the XMPP side\n"),
    );
    await waitFor(/\[Fediverse\] Bob received[\s\S]*Hello from the XMPP side/);
    await writer.write(
      new TextEncoder().encode("fedi xmpp:alice@xmpp.test Hello from the Fediverse side\n"),
    );
    await waitFor(/\[XMPP\] Alice received[\s\S]*Hello from the Fediverse side/);
    // `\uFFFF` typed as six characters: the sandbox turns it into U+FFFF.
    await writer.write(new TextEncoder().encode("fedi xmpp:a\\uFFFFb@xmpp.test hi\n"));
    await waitFor(/\[Fediverse\] Bob received[^\n]*\n[^\n]*xmpp:a\\uFFFFb@xmpp\.test/);
    await writer.write(new TextEncoder().encode("fedi xmpp:alice@xmpp.test right after\n"));
    await waitFor(/\[XMPP\] Alice received[\s\S]*right after/);
    // Corrections, retractions and reactions, each way.
    const say = (line: string) => writer.write(new TextEncoder().encode(`${line}\n`));
    await say("xmpp-fix @bob@social.test Hello from the XMPP side, fixed");
    await waitFor(/\[Fediverse\] the bot edited status/);
    await say("xmpp-react \u{1F44D}");
    await waitFor(/\[Fediverse\] the bot favourited status/);
    await say("fedi-edit right after, edited");
    await waitFor(/\[XMPP\] Alice received a correction of [\s\S]*right after, edited/);
    await say("fedi-fav");
    await waitFor(/\[XMPP\] Alice received the reactions \[\u2b50\]/);
    await say("xmpp-retract");
    await waitFor(/\[Fediverse\] the bot deleted status/);
    await say("fedi-delete");
    await waitFor(/\[XMPP\] Alice received a retraction of /);
    // An image shared from XMPP arrives attached, with its description as alt text.
    const image = await Deno.makeTempFile({ suffix: ".png" });
    await Deno.writeFile(image, pngBytes(3, 3, 50));
    await writer.write(new TextEncoder().encode(`xmpp-image ${image} A tiny test square\n`));
    await waitFor(/\[attached image, \d+ bytes, alt text: A tiny test square\]/);
    await Deno.remove(image);
    await writer.write(new TextEncoder().encode("quit\n"));
    await writer.close();
    const status = await child.status;
    assert.equal(status.code, 0, await stderr);
  } finally {
    clearTimeout(deadline);
    try {
      child.kill("SIGKILL");
    } catch {
      // It has exited.
    }
    await reader.cancel().catch(() => {});
    await stderr.catch(() => "");
  }
});
