import assert from "node:assert/strict";
import { FEDI } from "../core/types.ts";
import { readNotification, statusExtras } from "./notification.ts";
import { fakeNotification, fakeStatus } from "../../tests/support/fedi_fakes.ts";

const CTX = { apInstance: "social.test", botId: "1", botAddress: "bridge@social.test" };
const ALICE = { id: "7", acct: "Alice@Other.Example" };

Deno.test("a direct mention becomes a message with its text, ids, language and extras", () => {
  const status = fakeStatus({
    id: "300",
    content:
      '<p><span class="h-card"><a href="https://social.test/@bridge" class="u-url mention">' +
      "@<span>bridge</span></a></span> hi &amp; <br>bye</p>",
    mentions: [{ id: "1", username: "bridge", acct: "bridge", url: "https://social.test/@bridge" }],
    inReplyToId: "299",
    language: "fr",
    spoilerText: "cw",
    mediaAttachments: [
      {
        id: "m1",
        type: "image",
        url: null,
        remoteUrl: "https://other.example/a.png",
        description: "alt",
      },
      {
        id: "m2",
        type: "audio",
        url: "https://social.test/b.mp3",
        remoteUrl: null,
        description: null,
      },
      { id: "m3", type: "unknown", url: null, remoteUrl: null, description: null },
    ] as never,
  });
  const reading = readNotification(fakeNotification("50", "mention", ALICE, status), CTX);
  assert.deepEqual(reading.inbound, {
    kind: "message",
    from: { network: FEDI, address: "alice@other.example" },
    id: "300",
    text: "@bridge@social.test hi &\nbye",
    inReplyTo: "299",
    lang: "fr",
    extras: {
      spoiler: "cw",
      media: [
        { url: "https://other.example/a.png", description: "alt", type: "image" },
        { url: "https://social.test/b.mp3", description: null, type: "audio" },
      ],
      pollUrl: null,
    },
  });
});

Deno.test("a local account gets the server's domain; a status without extras has none", () => {
  const reading = readNotification(
    fakeNotification("51", "mention", { id: "8", acct: "bob" }, fakeStatus({ id: "301" })),
    CTX,
  );
  assert.equal(reading.inbound?.from.address, "bob@social.test");
  assert.equal(reading.inbound?.kind === "message" && reading.inbound.extras, null);
  assert.deepEqual(
    statusExtras(fakeStatus({ id: "9", poll: { id: "p" } as never, url: null })),
    { spoiler: null, media: [], pollUrl: "https://social.test/users/x/statuses/9" },
  );
});

Deno.test("follows and follow requests become follow events", () => {
  assert.deepEqual(readNotification(fakeNotification("52", "follow", ALICE), CTX).inbound, {
    kind: "follow",
    from: { network: FEDI, address: "alice@other.example" },
    accountId: "7",
    request: false,
  });
  const request = readNotification(fakeNotification("53", "follow_request", ALICE), CTX);
  assert.equal(request.inbound?.kind === "follow" && request.inbound.request, true);
});

Deno.test("the bot's own, status-less and other notifications are skipped", () => {
  const skip = (n: Parameters<typeof readNotification>[0]) => readNotification(n, CTX).skip;
  assert.equal(
    skip(fakeNotification("1", "mention", { id: "1", acct: "bridge" }, fakeStatus({ id: "2" }))),
    "own",
  );
  // By address too, when the id is not known yet.
  assert.equal(
    readNotification(fakeNotification("1", "follow", { id: "99", acct: "bridge" }), {
      ...CTX,
      botId: null,
    }).skip,
    "own",
  );
  assert.equal(skip(fakeNotification("3", "mention", ALICE, null)), "no-status");
  assert.equal(skip(fakeNotification("4", "reblog", ALICE, fakeStatus({ id: "4" }))), "type");
  assert.equal(skip(fakeNotification("5", "favourite", ALICE, null)), "no-status");
});

Deno.test("a favourite is a star reaction to the bot's status; an update notification an edit", () => {
  const fav =
    readNotification(fakeNotification("7", "favourite", ALICE, fakeStatus({ id: "8" })), CTX)
      .inbound;
  assert.ok(fav?.kind === "amend");
  assert.deepEqual(
    [fav.action, fav.target, fav.reactions, fav.version, fav.from.network],
    ["react", "8", ["\u2b50"], "7", FEDI],
  );
  const edited = fakeStatus({ id: "9", editedAt: "2026-11-25T12:00:00.000Z" });
  const edit = readNotification(fakeNotification("10", "update", ALICE, edited), CTX).inbound;
  assert.ok(edit?.kind === "amend");
  // The version is the edit's time, as for the stream event: the two dedupe as one.
  assert.deepEqual(
    [edit.action, edit.target, edit.version],
    ["edit", "9", "2026-11-25T12:00:00.000Z"],
  );
  assert.equal(edit.text, "hello");
});

Deno.test("a mention is a message whatever its visibility (issue 14)", () => {
  for (const visibility of ["public", "unlisted", "private", "direct"] as const) {
    const reading = readNotification(
      fakeNotification("2", "mention", ALICE, fakeStatus({ id: "3", visibility })),
      CTX,
    );
    assert.equal(reading.skip, undefined, visibility);
    assert.equal(reading.inbound?.kind, "message", visibility);
    if (reading.inbound?.kind === "message") assert.equal(reading.inbound.id, "3");
  }
});
