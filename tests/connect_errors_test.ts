/**
 * A server that cannot be reached: both bots' log lines name the address they tried and the
 * cause, the process keeps retrying (no exit), and no secret shows. The real entry point in a
 * subprocess, pointed at ports on 127.0.0.1 where nothing listens.
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { loadConfig } from "../src/config/mod.ts";
import { derivePermissions } from "../src/permissions.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

/** A port on 127.0.0.1 that nothing listens on (taken, then closed again). */
function closedPort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

/** Reads stderr until every pattern has matched a line; returns the lines read. */
async function linesUntil(
  stream: ReadableStream<Uint8Array>,
  patterns: readonly RegExp[],
): Promise<string[]> {
  const seen: string[] = [];
  const left = [...patterns];
  let rest = "";
  const decoder = new TextDecoder();
  for await (const chunk of stream) {
    rest += decoder.decode(chunk, { stream: true });
    const lines = rest.split("\n");
    rest = lines.pop() ?? "";
    for (const line of lines) {
      seen.push(line);
      const i = left.findIndex((p) => p.test(line));
      if (i >= 0) left.splice(i, 1);
    }
    if (left.length === 0) return seen;
  }
  throw new Error(`the process ended before ${left.join(", ")}:\n${seen.join("\n")}`);
}

Deno.test("connection errors name the server's address and the cause, for both bots", async () => {
  const dir = Deno.makeTempDirSync();
  const fediPort = closedPort();
  const xmppPort = closedPort();
  try {
    for (const sub of ["data", "files"]) Deno.mkdirSync(`${dir}/${sub}`);
    const path = `${dir}/bridge.yml`;
    Deno.writeTextFileSync(
      path,
      `ap_instance: social.test
xmpp_instance: xmpp.test
xmpp_admin: [admin@xmpp.test]
ap_bridge_jid: bridge@xmpp.test
ap_bridge_pass: xmpp-pass-9876
xmpp_bridge_name: bridge
xmpp_bridge_token: fedi-token-5432
bridge-database-file: ${dir}/data/bridge.db
bridge-files-dir: ${dir}/files
ap-api-url: http://127.0.0.1:${fediPort}
xmpp-host: 127.0.0.1
xmpp-port: ${xmppPort}
`,
    );
    const config = loadConfig({ path, env: {}, roles: [] });
    const flags = derivePermissions({ config, roles: ["fedi", "xmpp"], envFile: null });
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", "--quiet", "--no-prompt", ...flags, `${ROOT}main.ts`, "-c", path],
      clearEnv: true,
      env: { NO_COLOR: "1" },
      stdin: "null",
      stdout: "null",
      stderr: "piped",
    }).spawn();
    // The first retry warning of each bot, whatever it says.
    const fediWarning = /WARN bridge\.fedi.*cannot be reached/;
    const xmppWarning = /WARN bridge\.xmpp.*XMPP connection/;
    const lines = await linesUntil(child.stderr, [fediWarning, xmppWarning]);
    child.kill("SIGTERM");
    assert.match(
      lines.find((l) => fediWarning.test(l))!,
      new RegExp(`at http://127\\.0\\.0\\.1:${fediPort} cannot be reached \\(\\S`),
    );
    assert.match(
      lines.find((l) => xmppWarning.test(l))!,
      new RegExp(`connection to \\S*127\\.0\\.0\\.1:${xmppPort} failed: \\S`),
    );
    const status = await child.status;
    assert.equal(status.code, 0, "a passing fault is retried; a stop is a clean stop");
    const text = lines.join("\n");
    assert.match(text, /refused|ECONNREFUSED/i, "the cause is named");
    assert.ok(!text.includes("fedi-token-5432") && !text.includes("xmpp-pass-9876"));
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});
