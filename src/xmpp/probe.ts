/**
 * `--check --online`, XMPP side: a full login with the configured TLS settings and CA file,
 * a look at the server's services (disco#items, then disco#info of each) for an HTTP upload
 * service (XEP-0363), and a clean close. No presence and no message goes out.
 *
 * @module
 */
import { AttemptWatch } from "./attempt.ts";
import { bareJid } from "./jid.ts";
import { systemClock } from "../time/clock.ts";
import { openClient } from "./client.ts";
import { trustCaFile } from "./tls_trust.ts";
import { element, type XmlElement } from "./xml.ts";
import { wireJid } from "../text/address.ts";

const DISCO_ITEMS = "http://jabber.org/protocol/disco#items";
const DISCO_INFO = "http://jabber.org/protocol/disco#info";
const UPLOAD = "urn:xmpp:http:upload:0";

export interface XmppProbeOptions {
  readonly jid: string;
  readonly password: string;
  /** `xmpp://host:port`. */
  readonly service: string;
  readonly caFile: string | null;
  readonly timeoutMs?: number;
}

/** The HTTP upload service a server announces. */
export interface UploadService {
  readonly jid: string;
  /** Largest file in bytes, when announced. */
  readonly maxFileSize: number | null;
}

/** The `max-file-size` field of an upload service's disco#info form, if any. */
export function maxFileSize(info: XmlElement): number | null {
  for (const x of info.getChildren("x", "jabber:x:data")) {
    for (const field of x.getChildren("field")) {
      if (field.attrs.var !== "max-file-size") continue;
      const n = Number(field.getChildText("value"));
      if (Number.isFinite(n) && n > 0) return n;
    }
  }
  return null;
}

/** Logs in, looks for an upload service, logs out; throws what the login threw. */
export async function probeXmpp(opts: XmppProbeOptions): Promise<string[]> {
  const timeoutMs = opts.timeoutMs ?? 15_000;
  if (opts.caFile) await trustCaFile(opts.caFile);
  const jid = bareJid(opts.jid);
  const domain = wireJid(jid).slice(jid.indexOf("@") + 1);
  const xmpp = openClient({
    jid,
    password: opts.password,
    domain,
    service: opts.service,
    resource: `check-${crypto.randomUUID().slice(0, 8)}`,
    stepTimeoutMs: timeoutMs,
    ackRequestDelayMs: 50,
  });
  const watch = new AttemptWatch(xmpp, xmpp.streamManagement, systemClock, timeoutMs * 2);
  try {
    await watch.guard(xmpp.connect(opts.service));
    await watch.guard(xmpp.open({ domain }));
    await watch.session;
    const ask = (to: string, ns: string) =>
      xmpp.iqCaller.request(
        element("iq", { type: "get", to }, element("query", { xmlns: ns })),
        timeoutMs,
      );
    const items = await ask(domain, DISCO_ITEMS);
    const jids = (items.getChild("query")?.getChildren("item") ?? [])
      .map((i) => String(i.attrs.jid ?? "")).filter((j) => j !== "");
    let upload: UploadService | null = null;
    for (const service of jids) {
      const info = await ask(service, DISCO_INFO).catch(() => null);
      const query = info?.getChild("query");
      if (!query?.getChildren("feature").some((f) => f.attrs.var === UPLOAD)) continue;
      upload = { jid: service, maxFileSize: maxFileSize(query) };
      break;
    }
    return [
      `XMPP: logged in at ${opts.service} as ${jid} (TLS verified` +
      `${opts.caFile ? ` with ${opts.caFile}` : ""})`,
      upload
        ? `XMPP: HTTP upload service ${upload.jid}` +
          (upload.maxFileSize ? ` (files up to ${upload.maxFileSize} bytes)` : "") +
          `; its host belongs in media-hosts`
        : "XMPP: the server announces no HTTP upload service",
    ];
  } finally {
    watch.close();
    await xmpp.stop().catch(() => {});
  }
}
