/**
 * The XMPP bot's avatar: when the bot's account has none, the picture of assets/ is published
 * as XEP-0084 user avatar (the data node, then the metadata node, on the account's PEP
 * service), written into the account's vCard (XEP-0054) when that has no photo, and announced
 * in presence with its XEP-0153 hash, so clients of either generation show it. An account that
 * already has an avatar keeps it: nothing is published or overwritten.
 *
 * Runs once a session is up (again after a failure); any trouble is logged and never stops the
 * bot. Prosody 0.12 offers PEP (mod_pep) and, with mod_vcard_legacy, keeps vCard and PEP
 * avatar in step by itself; the vCard step then finds the photo there and does nothing.
 *
 * @module
 */
import type { Logger } from "@logtape/logtape";
import { AVATAR_PNG_BASE64 } from "./avatar_image.ts";
import { capsElement, capsVer } from "./disco.ts";
import { describeError } from "./errors.ts";
import { NS } from "./ns.ts";
import { element, type XmlElement } from "./xml.ts";

/** The avatar as XEP-0084 describes it. */
export interface AvatarImage {
  readonly base64: string;
  /** Size in bytes. */
  readonly bytes: number;
  /** SHA-1 of the bytes, lower-case hex: the item id and the XEP-0153 photo hash. */
  readonly sha1: string;
  readonly width: number;
  readonly height: number;
  readonly type: "image/png";
}

/** Width and height of a PNG (from its IHDR chunk); throws when the bytes are no PNG. */
export function pngSize(bytes: Uint8Array): { width: number; height: number } {
  const signature = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  const ihdr = String.fromCharCode(...bytes.subarray(12, 16));
  if (bytes.length < 24 || signature.some((b, i) => bytes[i] !== b) || ihdr !== "IHDR") {
    throw new Error("the avatar is not a PNG image");
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return { width: view.getUint32(16), height: view.getUint32(20) };
}

/** The bot's built-in avatar. */
export async function botAvatar(base64: string = AVATAR_PNG_BASE64): Promise<AvatarImage> {
  const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-1", bytes));
  const sha1 = [...digest].map((b) => b.toString(16).padStart(2, "0")).join("");
  return { base64, bytes: bytes.length, sha1, ...pngSize(bytes), type: "image/png" };
}

function pubsubIq(type: "get" | "set", payload: XmlElement): XmlElement {
  return element("iq", { type }, element("pubsub", { xmlns: NS.pubsub }, payload));
}

/** Asks the account's own PEP service for its avatar metadata (the newest item). */
export function metadataRequest(): XmlElement {
  return pubsubIq(
    "get",
    element("items", { node: NS.avatarMetadata, max_items: "1" }),
  );
}

/** The hash of the avatar an answer to {@link metadataRequest} names, or null for none. */
export function publishedHash(result: XmlElement): string | null {
  const items = result.getChild("pubsub", NS.pubsub)?.getChild("items");
  for (const item of items?.getChildren("item") ?? []) {
    const info = item.getChild("metadata", NS.avatarMetadata)?.getChild("info");
    if (info !== undefined) return info.attrs.id ?? item.attrs.id ?? "";
  }
  return null;
}

/** Publishes `payload` as item `id` of the PEP node `node`. */
function publishIq(node: string, id: string, payload: XmlElement): XmlElement {
  return pubsubIq("set", element("publish", { node }, element("item", { id }, payload)));
}

/** Publishes the image to the data node (first, as XEP-0084 asks). */
export function publishDataIq(image: AvatarImage): XmlElement {
  const data = element("data", { xmlns: NS.avatarData }, image.base64);
  return publishIq(NS.avatarData, image.sha1, data);
}

/** Publishes the metadata that points to the data just published. */
export function publishMetadataIq(image: AvatarImage): XmlElement {
  const info = element("info", {
    bytes: String(image.bytes),
    id: image.sha1,
    height: String(image.height),
    width: String(image.width),
    type: image.type,
  });
  const metadata = element("metadata", { xmlns: NS.avatarMetadata }, info);
  return publishIq(NS.avatarMetadata, image.sha1, metadata);
}

/** Asks for the account's own vCard. */
export function vcardRequest(): XmlElement {
  return element("iq", { type: "get" }, element("vCard", { xmlns: NS.vcard }));
}

/** The account's vCard as it is, with the photo added (nothing else changes). */
export function vcardWithPhoto(current: XmlElement | undefined, image: AvatarImage): XmlElement {
  const kept = (current?.getChildElements() ?? []).filter((c) => c.name !== "PHOTO");
  return element(
    "iq",
    { type: "set" },
    element(
      "vCard",
      { xmlns: NS.vcard },
      ...kept,
      element("PHOTO", {}, element("TYPE", {}, image.type), element("BINVAL", {}, image.base64)),
    ),
  );
}

/** The bot's presence with its capabilities and the XEP-0153 photo hash. */
export function presenceWithPhoto(ver: string, sha1: string): XmlElement {
  return element(
    "presence",
    {},
    capsElement(ver),
    element("x", { xmlns: NS.vcardUpdate }, element("photo", {}, sha1)),
  );
}

/** What {@link AvatarKeeper} needs of the session. */
export interface AvatarLink {
  request(iq: XmlElement): Promise<XmlElement>;
  sendBestEffort(stanza: XmlElement): Promise<boolean>;
}

/** What became of the avatar on a session: ours published, the account's own kept, or trouble. */
export type AvatarOutcome = "published" | "kept" | "failed";

/** Publishes the avatar when the account has none; see the module comment. */
export class AvatarKeeper {
  /** Settled: the account's avatar is known (ours, published; or its own). */
  #outcome: "published" | "kept" | null = null;
  #image: AvatarImage | null = null;

  constructor(
    readonly link: AvatarLink,
    readonly log: Logger,
    readonly onOutcome: (outcome: AvatarOutcome) => void = () => {},
  ) {}

  /** A new session is up: publish when needed, announce the hash of ours in presence. */
  async online(): Promise<AvatarOutcome> {
    let outcome: AvatarOutcome;
    try {
      outcome = this.#outcome ?? await this.#settle();
      this.#outcome = outcome;
      if (outcome === "published") {
        const image = this.#image ??= await botAvatar();
        await this.link.sendBestEffort(presenceWithPhoto(await capsVer(), image.sha1));
      }
    } catch (error) {
      this.log.warn("could not publish the bot's avatar: {error}", { error: describeError(error) });
      outcome = "failed";
    }
    this.onOutcome(outcome);
    return outcome;
  }

  async #settle(): Promise<"published" | "kept"> {
    const existing = await this.#existingHash();
    if (existing !== null) {
      this.log.debug("the bot's account has an avatar already; it is kept", { hash: existing });
      return "kept";
    }
    const image = this.#image ??= await botAvatar();
    await this.link.request(publishDataIq(image));
    await this.link.request(publishMetadataIq(image));
    await this.#vcardPhoto(image);
    this.log.info("published the bot's avatar", { hash: image.sha1 });
    return "published";
  }

  /** The hash of the avatar the account has on PEP, or null when it has none. */
  async #existingHash(): Promise<string | null> {
    try {
      return publishedHash(await this.link.request(metadataRequest()));
    } catch (error) {
      if ((error as { condition?: unknown }).condition === "item-not-found") return null;
      throw error;
    }
  }

  /** Adds the photo to the vCard when it has none (a server without vCards is left alone). */
  async #vcardPhoto(image: AvatarImage): Promise<void> {
    let current: XmlElement | undefined;
    try {
      current = (await this.link.request(vcardRequest())).getChild("vCard", NS.vcard);
    } catch (error) {
      const condition = (error as { condition?: unknown }).condition;
      if (condition !== "item-not-found") {
        this.log.debug("no vCard photo: {error}", { error: describeError(error) });
        return;
      }
    }
    if (current?.getChild("PHOTO") !== undefined) return;
    await this.link.request(vcardWithPhoto(current, image));
  }
}
