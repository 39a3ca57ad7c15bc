/** `--status` and `--max-outbox-age` on the command line (issue 14, item 6). */
import assert from "node:assert/strict";
import { main, parseCli } from "../main.ts";

Deno.test("--status: its limit is a number of seconds, given with --status only", () => {
  assert.equal(parseCli(["--status"]).maxOutboxAgeS, 900);
  assert.equal(parseCli(["--status", "--max-outbox-age", "60"]).maxOutboxAgeS, 60);
  assert.throws(() => parseCli(["--status", "--max-outbox-age", "soon"]), /--max-outbox-age/);
  assert.throws(() => parseCli(["--max-outbox-age", "60"]), /goes with --status/);
});

Deno.test("--status without credentials: no database yet is unhealthy, said plainly", async () => {
  const dir = await Deno.makeTempDir({ prefix: "status-cli-" });
  try {
    // No password and no token in it: --status needs none.
    await Deno.writeTextFile(
      `${dir}/c.yml`,
      `ap_instance: social.example
xmpp_instance: chat.example
xmpp_admin: [admin@chat.example]
ap_bridge_jid: bridge@chat.example
xmpp_bridge_name: bridge
bridge-database-file: ${dir}/bridge.db
bridge-files-dir: ${dir}
`,
    );
    await Deno.writeTextFile(`${dir}/empty.env`, "");
    const out: string[] = [];
    const err: string[] = [];
    const code = await main([
      "--status",
      "--config",
      `${dir}/c.yml`,
      "--env-file",
      `${dir}/empty.env`,
    ], {
      out: (t) => out.push(t),
      err: (t) => err.push(t),
    });
    assert.equal(code, 1, err.join("\n"));
    assert.match(
      out.join("\n") + err.join("\n"),
      /No database at .*bridge\.db: the bridge has never run/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
