/**
 * The permission set that ships is the one that is tested: the flags the compile task bakes for
 * the test configuration are the flags the e2e suite runs the bridge with, and under them Deno
 * refuses a third host, a write outside the bridge's own files and folders (the database's
 * folder included: only the database and its companion files are writable there), other
 * environment variables and running programs.
 */
import assert from "node:assert/strict";
import { ROOT, World } from "./world.ts";

Deno.test("the compile task's flags are the e2e flags, and they confine the bridge", async () => {
  await using world = await World.start();
  const e2eFlags = world.flags(["fedi", "xmpp"]);

  // What `deno task compile --config ... --env-file ...` would bake (the launcher's own view).
  const printed = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--quiet",
      "--allow-read",
      "--allow-env",
      "--allow-run=deno",
      `${ROOT}tools/launch.ts`,
      "compile-flags",
      "--config",
      world.configPath,
      "--env-file",
      world.envPath,
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(printed.code, 0, new TextDecoder().decode(printed.stderr));
  const compileFlags = new TextDecoder().decode(printed.stdout).trim().split("\n");
  assert.deepEqual(compileFlags, e2eFlags);
  assert.ok(!e2eFlags.some((f) => f === "-A" || f.startsWith("--allow-all")));

  const probe = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--quiet",
      "--no-prompt",
      ...e2eFlags,
      `${ROOT}tests/e2e/permission_probe.ts`,
      `${world.mastodon.url}/api/v1/instance`,
      "http://127.0.0.2:8080/",
      `${world.dir}/files/probe.txt`,
      `${world.dir}/outside.txt`,
      // The database's folder is not the bridge's to write in: only its own files there are.
      `${world.dir}/data/probe.txt`,
    ],
    clearEnv: true,
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(probe.code, 0, new TextDecoder().decode(probe.stderr));
  const results = JSON.parse(new TextDecoder().decode(probe.stdout));
  assert.deepEqual(results, {
    allowedNet: "ok",
    thirdNet: "NotCapable",
    insideWrite: "ok",
    outsideWrite: "NotCapable",
    besideDatabase: "NotCapable",
    otherEnv: "NotCapable",
    run: "NotCapable",
  });
});
