import assert from "node:assert/strict";
import { logger, redactSecrets, reopenLogFile, setupLogging, stopLogging } from "./log.ts";

Deno.test("log lines carry the category and properties, never secrets or bodies", async () => {
  const lines: string[] = [];
  const dir = Deno.makeTempDirSync();
  const file = `${dir}/bridge.log`;
  try {
    await setupLogging({ level: "info", file, write: (l) => lines.push(l) });
    redactSecrets("hunter2-password", "tok_0123456789");
    const log = logger("xmpp", "session");
    log.info("connected as {jid}", { jid: "bot@example.org" });
    log.warn("login failed with {detail}", { detail: "bad password hunter2-password" });
    log.info("sending", { token: "tok_0123456789", body: "a private message", to: "a@b.c" });
    log.info("auth header {authorization}", { authorization: "Bearer anything" });
    log.debug("not shown at info level");
    await stopLogging();

    assert.equal(lines.length, 4);
    assert.match(lines[0]!, /INFO bridge\.xmpp\.session: connected as bot@example\.org\n$/);
    const all = lines.join("");
    for (const secret of ["hunter2-password", "tok_0123456789", "a private message", "Bearer"]) {
      assert.ok(!all.includes(secret), `${secret} leaked into: ${all}`);
    }
    assert.match(lines[2]!, /token=\[redacted\] body=\[redacted\] to=a@b\.c/);
    assert.equal(Deno.readTextFileSync(file), all, "the log file gets the same lines");
  } finally {
    await stopLogging();
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("reopenLogFile writes to a new file after the old one was moved away", async () => {
  const dir = Deno.makeTempDirSync();
  const file = `${dir}/bridge.log`;
  try {
    await setupLogging({ level: "info", file, write: () => {} });
    const log = logger("log");
    log.info("before {n}", { n: 1 });
    Deno.renameSync(file, `${file}.1`);
    log.info("still old {n}", { n: 2 });
    reopenLogFile();
    log.info("after {n}", { n: 3 });
    await stopLogging();

    const old = Deno.readTextFileSync(`${file}.1`);
    assert.match(old, /before 1\n.*still old 2\n$/);
    const fresh = Deno.readTextFileSync(file);
    assert.match(fresh, /^\S+ INFO bridge\.log: after 3\n$/);
    if (Deno.build.os !== "windows") assert.equal(Deno.statSync(file).mode! & 0o777, 0o600);
  } finally {
    await stopLogging();
    Deno.removeSync(dir, { recursive: true });
  }
});
