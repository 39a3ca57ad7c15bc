/**
 * The sandbox's commands for corrections, retractions and reactions (issue 16): Alice corrects,
 * retracts or reacts on XMPP, Bob edits, deletes or favourites on the Fediverse, and what the
 * other side gets is printed.
 */
import { element, type ReceivedMessage, type XmppUser } from "../tests/prosody/xmpp_user.ts";
import { FEDI_DOMAIN, type World, XMPP_DOMAIN } from "../tests/e2e/world.ts";

const BOT_FEDI = `bridge@${FEDI_DOMAIN}`;
const BOT_XMPP = `bridge@${XMPP_DOMAIN}`;
const CORRECT = "urn:xmpp:message-correct:0";
const RETRACT = "urn:xmpp:message-retract:1";
const REACTIONS = "urn:xmpp:reactions:0";
const FALLBACK = "urn:xmpp:fallback:0";
/** How long the sandbox watches for the other side's answer to a change. */
const WATCH_MS = 30_000;

export const NATIVE_HELP = `  xmpp-fix <text>   Alice corrects her last message (XEP-0308)
  xmpp-retract      Alice takes her last message back (XEP-0424)
  xmpp-react [emoji]  Alice reacts to the last message she got (none: takes reactions back)
  fedi-edit <text>  Bob edits his last status
  fedi-delete       Bob deletes his last status
  fedi-fav          Bob favourites the last status he got from the bot`;

/** A line about a correction, retraction or reaction Alice received, or null for a plain one. */
export function describeNative(m: ReceivedMessage): string | null {
  const replace = m.stanza.getChild("replace", CORRECT);
  if (replace) return `[XMPP] Alice received a correction of ${replace.attrs.id}:\n  ${m.body}`;
  const retract = m.stanza.getChild("retract", RETRACT);
  if (retract) return `[XMPP] Alice received a retraction of ${retract.attrs.id}`;
  const reactions = m.stanza.getChild("reactions", REACTIONS);
  if (!reactions) return null;
  const list = reactions.getChildren("reaction").map((r) => r.toString().replace(/<[^>]*>/g, ""));
  return `[XMPP] Alice received the reactions [${list.join(" ")}] to ${reactions.attrs.id}`;
}

/** What the demo remembers to aim its changes at. */
export class NativeDemo {
  /** Alice's last message id, Bob's last status id, the last of each that crossed to them. */
  aliceSent: string | null = null;
  aliceGot: string | null = null;
  bobPosted: string | null = null;
  bobGot: string | null = null;

  constructor(
    readonly world: World,
    readonly alice: XmppUser,
    readonly print: (line: string) => void,
  ) {}

  /** Runs one of the commands of {@link NATIVE_HELP}; false when `word` is none of them. */
  async run(word: string, text: string): Promise<boolean> {
    switch (word) {
      case "xmpp-fix":
      case "xmpp-retract":
      case "xmpp-react":
        await this.#xmpp(word, text);
        return true;
      case "fedi-edit":
      case "fedi-delete":
      case "fedi-fav":
        this.#fedi(word, text);
        return true;
      default:
        return false;
    }
  }

  async #xmpp(word: string, text: string): Promise<void> {
    const react = word === "xmpp-react";
    const target = react ? this.aliceGot : this.aliceSent;
    if (target === null) return this.print("(nothing to aim at yet)");
    // The status on the other side: Bob's own (a reaction), or the one Alice's message became.
    const status = react ? this.bobPosted : this.bobGot;
    if (word === "xmpp-fix") {
      await this.alice.send(BOT_XMPP, text, {
        children: [element("replace", { xmlns: CORRECT, id: target })],
      });
      const before = status ? this.#text(status) : undefined;
      if (status) this.#watch(status, "edited", () => this.#text(status) !== before);
    } else if (word === "xmpp-retract") {
      await this.alice.send(BOT_XMPP, "(retracted)", {
        children: [
          element("retract", { xmlns: RETRACT, id: target }),
          element("fallback", { xmlns: FALLBACK, for: RETRACT }),
        ],
      });
      if (status) this.#watch(status, "deleted", () => this.#text(status) === undefined);
    } else {
      const emoji = text.split(/\s+/).filter((e) => e !== "");
      await this.alice.sendStanza(element(
        "message",
        { to: BOT_XMPP, type: "chat", id: crypto.randomUUID() },
        element(
          "reactions",
          { xmlns: REACTIONS, id: target },
          ...emoji.map((e) => element("reaction", {}, e)),
        ),
      ));
      const wanted = emoji.length > 0;
      if (status) {
        this.#watch(
          status,
          wanted ? "favourited" : "unfavourited",
          () => this.world.mastodon.favouritesOf(status).includes(BOT_FEDI) === wanted,
        );
      }
    }
    this.print("(Alice sent it)");
  }

  #fedi(word: string, text: string): void {
    const { mastodon } = this.world;
    const bob = this.world.fediUsers.get("bob")!;
    const target = word === "fedi-fav" ? this.bobGot : this.bobPosted;
    if (target === null) return this.print("(nothing to aim at yet)");
    if (word === "fedi-edit") {
      const mention = `@${BOT_FEDI} xmpp:alice@${XMPP_DOMAIN}`;
      mastodon.editAs(bob, target, {
        text: text.includes("xmpp:") ? `@${BOT_FEDI} ${text}` : `${mention} ${text}`,
      });
    } else if (word === "fedi-delete") {
      mastodon.deleteAs(bob, target);
    } else {
      mastodon.favourite(bob, target);
    }
    this.print("(Bob did it)");
  }

  #text(statusId: string): string | undefined {
    return this.world.mastodon.statusesOf(this.world.fediBot).find((s) => s.id === statusId)
      ?.text;
  }

  /** Prints once the bot's status `id` was changed as expected (gives up quietly later). */
  #watch(id: string, what: string, done: () => boolean): void {
    this.world.mastodon.waitUntil(done, { timeoutMs: WATCH_MS }).then(
      () => this.print(`\n[Fediverse] the bot ${what} status ${id}`),
      () => {},
    );
  }
}
