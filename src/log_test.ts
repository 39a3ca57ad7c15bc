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

Deno.test("--log-format json: one JSON object per line, secrets and bodies masked", async () => {
  const lines: string[] = [];
  try {
    await setupLogging({ level: "info", file: null, format: "json", write: (l) => lines.push(l) });
    redactSecrets('pa"ss\\word-9');
    const log = logger("fedi");
    log.info("connecting to {url}", { url: "https://social.example/api", attempt: 2 });
    log.error("refused: {error}", { error: new Error('bad password pa"ss\\word-9') });
    log.info("posting", { text: "a private message", to: "a@b.c" });
    await stopLogging();

    assert.equal(lines.length, 3);
    for (const line of lines) assert.ok(line.endsWith("}\n") && !line.slice(0, -1).includes("\n"));
    const [first, second, third] = lines.map((l) => JSON.parse(l));
    assert.equal(first.level, "info");
    assert.equal(first.logger, "bridge.fedi");
    assert.equal(first.message, "connecting to https://social.example/api");
    assert.equal(first.attempt, 2);
    assert.match(first.time, /^\d{4}-\d\d-\d\dT/);
    assert.equal(second.level, "error");
    assert.equal(second.message, "refused: bad password [redacted]");
    assert.equal(third.text, "[redacted]");
    assert.ok(!lines.join("").includes("private message"));
  } finally {
    await stopLogging();
  }
});

Deno.test("under journald: priority prefixes and no timestamp on stderr, the file keeps both", async () => {
  const lines: string[] = [];
  const dir = Deno.makeTempDirSync();
  const file = `${dir}/bridge.log`;
  try {
    await setupLogging({ level: "debug", file, journal: true, write: (l) => lines.push(l) });
    const log = logger("main");
    log.debug("d");
    log.info("i");
    log.warn("w");
    log.error("e");
    await stopLogging();

    assert.deepEqual(lines, [
      "<7>DEBUG bridge.main: d\n",
      "<6>INFO bridge.main: i\n",
      "<4>WARN bridge.main: w\n",
      "<3>ERROR bridge.main: e\n",
    ]);
    const logged = Deno.readTextFileSync(file).split("\n");
    assert.match(logged[1]!, /^\d{4}-\d\d-\d\dT\S+ INFO bridge\.main: i$/);
  } finally {
    await stopLogging();
    Deno.removeSync(dir, { recursive: true });
  }
});
