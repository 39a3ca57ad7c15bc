import assert from "node:assert/strict";
import { FILE_NAMES, type ListWarning, openLists, type StateWords } from "./mod.ts";

/** Every temporary folder of this file lives here and goes at the end. */
const TMP = Deno.makeTempDirSync({ prefix: "lists_test_" });
globalThis.addEventListener("unload", () => Deno.removeSync(TMP, { recursive: true }));

const WORDS: StateWords = { start: "start", stop: "stop", open: "open", close: "close" };
const DAY = Date.UTC(2025, 4, 17, 12, 0, 0);

function setup(dir?: string) {
  const base = dir ?? Deno.makeTempDirSync({ dir: TMP });
  const warnings: ListWarning[] = [];
  const lists = openLists({
    dir: base,
    words: WORDS,
    now: () => DAY,
    onWarning: (w) => warnings.push(w),
  });
  return { dir: base, lists, warnings };
}

const read = (path: string) => Deno.readTextFileSync(path);

/** Replaces a file's content in place and moves its time on, as a slow editor would. */
function editInPlace(path: string, content: string) {
  const before = Deno.statSync(path).mtime!.getTime();
  Deno.writeTextFileSync(path, content);
  Deno.utimeSync(path, new Date(before + 5000), new Date(before + 5000));
}

Deno.test("first start creates the folder and the four files with defaults", () => {
  const root = Deno.makeTempDirSync({ dir: TMP });
  const dir = `${root}/nested/files`;
  const { lists, warnings } = setup(dir);
  for (const name of Object.values(FILE_NAMES)) {
    assert.ok(Deno.statSync(`${dir}/${name}`).isFile, name);
  }
  assert.equal(read(lists.files.start).trim(), "start");
  assert.equal(read(lists.files.open).trim(), "open");
  assert.match(read(lists.files.red), /^# /);
  assert.match(read(lists.files.green), /^# /);
  assert.equal(lists.isSending(), true);
  assert.equal(lists.isOpen(), true);
  assert.equal(lists.red().size, 0);
  assert.equal(lists.green().size, 0);
  assert.deepEqual(warnings, []);
});

Deno.test("an old bridge's folder is used as it is, and never overwritten at start", () => {
  const dir = Deno.makeTempDirSync({ dir: TMP });
  // As the old bridge writes them: the bare word, no newline; comments after domains.
  Deno.writeTextFileSync(`${dir}/${FILE_NAMES.start}`, "stop");
  Deno.writeTextFileSync(`${dir}/${FILE_NAMES.open}`, "close");
  const red = "# my red list\nspam.example # too many reports\nbad.example\n";
  Deno.writeTextFileSync(`${dir}/${FILE_NAMES.red}`, red);
  Deno.writeTextFileSync(`${dir}/${FILE_NAMES.green}`, "friends.example\n");
  const { lists, warnings } = setup(dir);
  assert.equal(lists.isSending(), false);
  assert.equal(lists.isOpen(), false);
  assert.deepEqual([...lists.red()].sort(), ["bad.example", "spam.example"]);
  assert.equal(lists.isGreen("friends.example"), true);
  assert.equal(read(lists.files.red), red);
  assert.deepEqual(warnings, []);
});

Deno.test("state words come from the configured command list", () => {
  const dir = Deno.makeTempDirSync({ dir: TMP });
  const words = { start: "Demarrer", stop: "arreter", open: "ouvrir", close: "fermer" };
  const lists = openLists({ dir, words });
  assert.equal(read(lists.files.start).trim(), "demarrer");
  lists.setSending(false);
  assert.equal(read(lists.files.start).trim(), "arreter");
  assert.equal(lists.isSending(), false);
  lists.setOpen(false);
  assert.equal(read(lists.files.open).trim(), "fermer");
  assert.equal(lists.isOpen(), false);
  lists.setOpen(true);
  assert.equal(lists.isOpen(), true);
  assert.throws(() => openLists({ dir, words: { ...words, stop: "demarrer" } }), /must differ/);
  assert.throws(() => openLists({ dir, words: { ...words, open: "" } }), /"open"/);
});

Deno.test("a change written by another process is seen at once", () => {
  const { dir, lists } = setup();
  const other = openLists({ dir, words: WORDS });
  assert.equal(lists.isSending(), true);
  other.setSending(false);
  assert.equal(lists.isSending(), false);
  other.addRed(["spam.example"]);
  assert.equal(lists.isRed("spam.example"), true);
  other.delRed(["spam.example"]);
  assert.equal(lists.isRed("spam.example"), false);
});

Deno.test("hand edits take effect without a restart", async (t) => {
  const { lists } = setup();

  await t.step("a state file edited in place, same size, newer time", () => {
    assert.equal(lists.isOpen(), true);
    editInPlace(lists.files.open, "CLOSE");
    // "open\n" and "CLOSE" have the same size: only the time tells them apart.
    assert.equal(lists.isOpen(), false);
  });

  await t.step("a list saved by renaming a new file over it, same size and time", () => {
    Deno.writeTextFileSync(lists.files.green, "aaa.example\n");
    assert.equal(lists.isGreen("aaa.example"), true);
    const { mtime } = Deno.statSync(lists.files.green);
    Deno.writeTextFileSync(`${lists.files.green}.new`, "bbb.example\n");
    Deno.utimeSync(`${lists.files.green}.new`, mtime!, mtime!);
    Deno.renameSync(`${lists.files.green}.new`, lists.files.green);
    assert.equal(lists.isGreen("aaa.example"), false);
    assert.equal(lists.isGreen("bbb.example"), true);
  });

  await t.step("a list edited in place with a different size", () => {
    Deno.writeTextFileSync(lists.files.red, "spam.example\nmore.example\n");
    assert.deepEqual([...lists.red()].sort(), ["more.example", "spam.example"]);
  });
});

Deno.test("an unknown word in a state file warns once and keeps the default", () => {
  const { lists, warnings } = setup();
  editInPlace(lists.files.start, "# paused by hand\nstopp\n");
  assert.equal(lists.isSending(), true);
  assert.equal(lists.isSending(), true);
  assert.equal(warnings.length, 1);
  assert.equal(warnings[0]!.file, lists.files.start);
  assert.match(warnings[0]!.message, /"stopp".*"start" or "stop"/);
  // A comment line beside a known word is fine.
  editInPlace(lists.files.start, "# paused by hand\nstop\n");
  assert.equal(lists.isSending(), false);
  assert.equal(warnings.length, 1);
});

Deno.test("junk lines are named with file and line, ignored, the rest kept", () => {
  const { lists, warnings } = setup();
  Deno.writeTextFileSync(
    lists.files.red,
    [
      "# header",
      "Spam.Example",
      "this is not a domain",
      "https://web.example/",
      "   # indented comment",
      "@someone@mail.example",
      "",
      "ok.example   # reason",
      "",
    ].join("\n"),
  );
  assert.deepEqual([...lists.red()].sort(), ["ok.example", "spam.example"]);
  assert.deepEqual(warnings.map((w) => [w.file, w.line]), [
    [lists.files.red, 3],
    [lists.files.red, 4],
    [lists.files.red, 6],
  ]);
  assert.match(warnings[0]!.message, /"this is not a domain" is not a domain name/);
  lists.red();
  assert.equal(warnings.length, 3, "warned once per version of the file");
});

Deno.test("isRed / isGreen: exact match, wildcard opt-in, case and IDN forms", () => {
  const { lists } = setup();
  Deno.writeTextFileSync(lists.files.red, "example.com\n*.hosting.example\nbücher.de\n");
  assert.equal(lists.isRed("example.com"), true);
  assert.equal(lists.isRed("EXAMPLE.com."), true);
  assert.equal(lists.isRed("a.example.com"), false);
  assert.equal(lists.isRed("hosting.example"), false);
  assert.equal(lists.isRed("one.hosting.example"), true);
  assert.equal(lists.isRed("xn--bcher-kva.de"), true);
  assert.equal(lists.isRed("BÜCHER.de"), true);
  assert.equal(lists.isRed("not a domain"), false);
  assert.equal(lists.isRed("*.hosting.example"), false);
  assert.equal(lists.isGreen("example.com"), false);
});

Deno.test("addRed appends, keeps comments and the user's lines, reports what it did", () => {
  const { dir, lists } = setup();
  const original = "# my own notes\nold.example # kept\nnot a domain\n";
  Deno.writeTextFileSync(lists.files.red, original);
  const r = lists.addRed(
    ["New.Example", "old.example", "bücher.de", "new.example", "x y"],
    "by admin@a.example",
  );
  assert.deepEqual(r, {
    added: ["new.example", "xn--bcher-kva.de"],
    already: ["old.example"],
    invalid: ["x y"],
  });
  assert.equal(
    read(lists.files.red),
    original +
      "new.example  # added 2025-05-17 (by admin@a.example)\n" +
      "xn--bcher-kva.de  # added 2025-05-17 (by admin@a.example)\n",
  );
  assert.equal(lists.isRed("new.example"), true);
  assert.deepEqual(lists.addRed(["new.example"]), {
    added: [],
    already: ["new.example"],
    invalid: [],
  });
  const leftovers = [...Deno.readDirSync(dir)].map((e) => e.name).filter((n) => n.endsWith(".tmp"));
  assert.deepEqual(leftovers, []);
});

Deno.test("addGreen on a file without a final newline, and with CRLF lines", () => {
  const { lists } = setup();
  Deno.writeTextFileSync(lists.files.green, "a.example");
  lists.addGreen(["b.example"]);
  assert.equal(read(lists.files.green), "a.example\nb.example  # added 2025-05-17\n");
  Deno.writeTextFileSync(lists.files.green, "# notes\r\na.example\r\n");
  lists.addGreen(["c.example"]);
  assert.equal(
    read(lists.files.green),
    "# notes\r\na.example\r\nc.example  # added 2025-05-17\r\n",
  );
  assert.deepEqual([...lists.green()].sort(), ["a.example", "c.example"]);
});

Deno.test("delRed removes every line naming the domain and nothing else", () => {
  const { lists } = setup();
  Deno.writeTextFileSync(
    lists.files.red,
    "# keep me\nbücher.de # unicode form\nspam.example\njunk line here\nspam.example # twice\nstays.example",
  );
  const r = lists.delRed(["xn--bcher-kva.de", "SPAM.example", "never.example", "??"]);
  assert.deepEqual(r, {
    removed: ["xn--bcher-kva.de", "spam.example"],
    absent: ["never.example"],
    invalid: ["??"],
  });
  assert.equal(read(lists.files.red), "# keep me\njunk line here\nstays.example");
  assert.deepEqual([...lists.red()], ["stays.example"]);
});

Deno.test("delGreen leaves the file untouched when nothing matches", () => {
  const { lists } = setup();
  Deno.writeTextFileSync(lists.files.green, "a.example\n");
  const before = Deno.statSync(lists.files.green);
  assert.deepEqual(lists.delGreen(["b.example"]), {
    removed: [],
    absent: ["b.example"],
    invalid: [],
  });
  const after = Deno.statSync(lists.files.green);
  assert.equal(after.ino, before.ino);
  assert.equal(after.mtime?.getTime(), before.mtime?.getTime());
});

Deno.test("a list deleted by hand reads as empty, and a command writes it again", () => {
  const { lists, warnings } = setup();
  lists.addRed(["a.example"]);
  Deno.removeSync(lists.files.red);
  assert.equal(lists.isRed("a.example"), false);
  assert.equal(warnings.length, 1);
  assert.match(warnings[0]!.message, /missing/);
  assert.deepEqual(lists.delRed(["a.example"]).absent, ["a.example"]);
  lists.addRed(["b.example"]);
  assert.match(read(lists.files.red), /^# Red list[^]*\nb\.example {2}# added/);
  assert.equal(lists.isRed("b.example"), true);
});

Deno.test("a deleted state file means the default until it is written again", () => {
  const { lists, warnings } = setup();
  lists.setSending(false);
  Deno.removeSync(lists.files.start);
  assert.equal(lists.isSending(), true);
  assert.equal(warnings.length, 1);
  lists.setSending(false);
  assert.equal(lists.isSending(), false);
});

Deno.test({
  name: "rewriting keeps the file mode and a symbolic link",
  ignore: Deno.build.os === "windows",
  fn: () => {
    const { dir, lists } = setup();
    const shared = `${dir}/shared-blocklist.txt`;
    Deno.writeTextFileSync(shared, "a.example\n");
    Deno.chmodSync(shared, 0o640);
    Deno.removeSync(lists.files.red);
    Deno.symlinkSync(shared, lists.files.red);
    lists.addRed(["b.example"]);
    assert.ok(Deno.lstatSync(lists.files.red).isSymlink);
    assert.equal(read(shared), "a.example\nb.example  # added 2025-05-17\n");
    assert.equal(Deno.statSync(shared).mode! & 0o777, 0o640);
    assert.equal(lists.isRed("b.example"), true);
  },
});
