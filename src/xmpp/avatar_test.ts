import assert from "node:assert/strict";
import { botAvatar, pngSize, publishedHash, vcardWithPhoto } from "./avatar.ts";
import { NS } from "./ns.ts";
import { element } from "./xml.ts";

Deno.test("the built-in avatar is assets/xmpp-bot-avatar.png, byte for byte", async () => {
  const file = await Deno.readFile(new URL("../../assets/xmpp-bot-avatar.png", import.meta.url));
  const image = await botAvatar();
  assert.deepEqual(Uint8Array.from(atob(image.base64), (c) => c.charCodeAt(0)), file);
  assert.equal(image.bytes, file.length);
  assert.deepEqual({ width: image.width, height: image.height }, { width: 400, height: 400 });
  assert.match(image.sha1, /^[0-9a-f]{40}$/);
});

Deno.test("pngSize refuses what is no PNG", () => {
  assert.throws(() => pngSize(new TextEncoder().encode("GIF89a and more bytes here")), /not a PNG/);
  assert.throws(() => pngSize(new Uint8Array(8)), /not a PNG/);
});

Deno.test("an empty metadata node means no avatar; an item with info names its hash", () => {
  const answer = (...item: ReturnType<typeof element>[]) =>
    element(
      "iq",
      { type: "result" },
      element("pubsub", { xmlns: NS.pubsub }, element("items", {}, ...item)),
    );
  assert.equal(publishedHash(answer()), null);
  const info = element("info", { id: "abc", bytes: "1", type: "image/png" });
  const metadata = element("metadata", { xmlns: NS.avatarMetadata }, info);
  assert.equal(publishedHash(answer(element("item", { id: "abc" }, metadata))), "abc");
});

Deno.test("the vCard keeps what it had and gains the photo", async () => {
  const image = await botAvatar();
  const current = element(
    "vCard",
    { xmlns: NS.vcard },
    element("FN", {}, "Bridge"),
    element("PHOTO", {}, element("EXTVAL", {}, "https://old.example/pic.png")),
  );
  const iq = vcardWithPhoto(current, image);
  const vcard = iq.getChild("vCard", NS.vcard);
  assert.equal(vcard?.getChildText("FN"), "Bridge");
  assert.equal(vcard?.getChildren("PHOTO").length, 1);
  assert.equal(vcard?.getChild("PHOTO")?.getChildText("BINVAL"), image.base64);
});
