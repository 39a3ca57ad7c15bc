/**
 * `deno task sandbox`: try the bridge without any account anywhere. It starts the Mastodon API
 * test server and a real Prosody (Debian package `prosody`) on 127.0.0.1 with two demo users,
 * runs the bridge between them in this process (src/app.ts, which builds it with
 * src/compose.ts), and lets you write as either user from this terminal.
 */
import { trustCaForNodeTls } from "../tests/prosody/node_tls_trust.ts";
import { element, XmppUser } from "../tests/prosody/xmpp_user.ts";
import { UploadHost } from "../tests/upload_host/server.ts";
import { FEDI_DOMAIN, PASSWORD, World, XMPP_DOMAIN } from "../tests/e2e/world.ts";
import { startBridge } from "../src/app.ts";
import { loadConfig } from "../src/config/mod.ts";
import { loadTranslations } from "../src/i18n/mod.ts";
import { describeNative, NATIVE_HELP, NativeDemo } from "./sandbox_native.ts";

const BOT_FEDI = `bridge@${FEDI_DOMAIN}`;
const BOT_XMPP = `bridge@${XMPP_DOMAIN}`;

const HELP = `
Two demo users are ready:
  bob@${FEDI_DOMAIN}   on the Fediverse (the Mastodon API test server)
  alice@${XMPP_DOMAIN}  on XMPP (a real Prosody)
Both are registered with the bridge. Type a line and press Enter:
  fedi <text>   Bob sends the Fediverse bot a direct message, e.g.
                fedi xmpp:alice@${XMPP_DOMAIN} Hello from the Fediverse!
  xmpp <text>   Alice sends the XMPP bot a chat message, e.g.
                xmpp @bob@${FEDI_DOMAIN} Hello from XMPP!
  xmpp-image <path> [description]
                Alice shares an image file with Bob as XMPP clients do (HTTP File
                Upload URL and XEP-0066 description); Bob gets it attached
${NATIVE_HELP}
  help          this text
  quit          stop everything
In <text>, \\uXXXX or \\u{X...} stands for any character (a control, U+FFFF...), to try
what the bridge does with hostile input, e.g.  fedi xmpp:a\\uFFFFb@${XMPP_DOMAIN} hi
What each user receives is printed as it arrives.
`;

/**
 * `text` with each `\uXXXX` (four hex digits) or `\u{X...}` (one to six) replaced by that
 * UTF-16 code unit or code point, so any character can be typed, even a lone surrogate;
 * a doubled backslash stands for one.
 */
export function unescapeLine(text: string): string {
  return text.replace(
    /\\(?:u\{([0-9a-fA-F]{1,6})\}|u([0-9a-fA-F]{4})|(\\))/g,
    (whole, braced: string | undefined, four: string | undefined, slash: string | undefined) => {
      if (slash !== undefined) return "\\";
      if (four !== undefined) return String.fromCharCode(parseInt(four, 16));
      const cp = parseInt(braced!, 16);
      return cp <= 0x10ffff ? String.fromCodePoint(cp) : whole;
    },
  );
}

function print(line: string): void {
  console.log(line);
}

/** The bridge between the two demo users, in this process, both roles. */
function startDemoBridge(world: World) {
  const config = loadConfig({
    path: world.configPath,
    env: { XMPP_BRIDGE_TOKEN: world.fediBot.token ?? "", AP_BRIDGE_PASS: PASSWORD },
    roles: ["fedi", "xmpp"],
  });
  const version = "sandbox";
  return startBridge({ config, roles: ["fedi", "xmpp"], i18n: loadTranslations(config), version });
}

async function main(): Promise<number> {
  print("Starting the Mastodon API test server, Prosody and the bridge on 127.0.0.1...");
  // Alice's server's file host: its downloads are what the bridge attaches (media-hosts).
  await using uploads = await UploadHost.start();
  await using world = await World.start({
    fediUsers: ["bob"],
    xmppUsers: ["alice"],
    extraConfig: `media-hosts: ["${uploads.host}"]\n`,
  });
  trustCaForNodeTls(world.prosody.caPem);
  await using _bridge = await startDemoBridge(world);
  const { mastodon } = world;
  const bob = world.fediUsers.get("bob")!;
  await using alice = XmppUser.of(world.prosody, "alice", PASSWORD);
  await alice.connect();

  // Registration, as a person would do it: Bob follows the bot, Alice adds it as a contact.
  mastodon.follow(bob, world.fediBot);
  await mastodon.waitUntil(() => mastodon.relationship(world.fediBot, bob).following === true);
  await alice.subscribe(BOT_XMPP);
  await alice.nextMessageFrom(BOT_XMPP, 30_000);
  return await chat(world, alice, uploads);
}

/** Prints what each user receives and sends what is typed, until `quit` or the end of input. */
async function chat(world: World, alice: XmppUser, uploads: UploadHost): Promise<number> {
  const { mastodon } = world;
  const demo = new NativeDemo(world, alice, print);
  const stopStatuses = mastodon.onStatus((s) => {
    if (s.accountId !== world.fediBot.id) return;
    if (!s.mentions.includes(`bob@${FEDI_DOMAIN}`)) return;
    if (s.text.includes(`alice@${XMPP_DOMAIN}`)) demo.bobGot = s.id;
    print(`\n[Fediverse] Bob received a ${s.visibility} status from the bot:\n  ${s.text}`);
    for (const id of s.mediaIds) {
      const m = mastodon.media(id);
      print(
        `  [attached ${m.type}, ${m.bytes?.length ?? 0} bytes, alt text: ${
          m.description ?? "none"
        }]`,
      );
    }
  });
  let running = true;
  const inbox = (async () => {
    while (running) {
      try {
        const m = await alice.nextMessage(
          (m) => m.body !== null || describeNative(m) !== null,
          3_600_000,
        );
        const native = describeNative(m);
        if (native === null && m.id !== undefined) demo.aliceGot = m.id;
        print(`\n${native ?? `[XMPP] Alice received from ${m.from.split("/")[0]}:\n  ${m.body}`}`);
      } catch {
        return;
      }
    }
  })();
  print(HELP);
  await readCommands(world, alice, uploads, demo);
  running = false;
  stopStatuses();
  print("Stopping...");
  await alice.disconnect();
  await inbox.catch(() => {});
  return 0;
}

/** Sends each typed line as Bob or Alice, until `quit` or the end of input. */
async function readCommands(
  world: World,
  alice: XmppUser,
  uploads: UploadHost,
  demo: NativeDemo,
): Promise<void> {
  const bob = world.fediUsers.get("bob")!;
  const decoder = new TextDecoder();
  let pending = "";
  for await (const chunk of Deno.stdin.readable) {
    pending += decoder.decode(chunk, { stream: true });
    const lines = pending.split("\n");
    pending = lines.pop() ?? "";
    for (const raw of lines) {
      const line = raw.trim();
      const [word, ...rest] = line.split(/\s+/);
      const text = unescapeLine(rest.join(" "));
      if (word === "quit" || word === "exit") return;
      if (word === "fedi" && text) {
        const posted = world.mastodon.postAs(bob, {
          text: `@${BOT_FEDI} ${text}`,
          visibility: "direct",
        });
        demo.bobPosted = posted.id;
        print("(Bob sent it)");
      } else if (word === "xmpp" && text) {
        demo.aliceSent = await alice.send(BOT_XMPP, text);
        print("(Alice sent it)");
      } else if (word === "xmpp-image" && rest.length > 0) {
        await shareImage(alice, uploads, rest[0]!, rest.slice(1).join(" "));
      } else if (await demo.run(word ?? "", text)) {
        continue;
      } else if (line !== "") {
        print(HELP);
      }
    }
  }
}

/** Puts the file on the upload host and has Alice share its URL with Bob. */
async function shareImage(
  alice: XmppUser,
  uploads: UploadHost,
  path: string,
  description: string,
): Promise<void> {
  let bytes: Uint8Array;
  try {
    bytes = await Deno.readFile(path);
  } catch (e) {
    print(`(cannot read ${path}: ${e instanceof Error ? e.message : e})`);
    return;
  }
  const name = path.split("/").pop() || "image";
  const ext = name.split(".").pop()?.toLowerCase() ?? "";
  const types: Record<string, string> = {
    png: "image/png",
    jpg: "image/jpeg",
    jpeg: "image/jpeg",
    gif: "image/gif",
    webp: "image/webp",
  };
  const url = uploads.put(name, bytes, { type: types[ext] ?? "application/octet-stream" });
  const oob = element(
    "x",
    { xmlns: "jabber:x:oob" },
    element("url", {}, url),
    ...(description === "" ? [] : [element("desc", {}, description)]),
  );
  await alice.send(BOT_XMPP, `@bob@${FEDI_DOMAIN} ${url}`, { children: [oob] });
  print(`(Alice shared ${name}, ${bytes.length} bytes)`);
}

if (import.meta.main) {
  Deno.exit(await main());
}
