/**
 * Finds the XMPP server's HTTP File Upload service (XEP-0363) through service discovery
 * (XEP-0030: the items of the server's domain, then the features of each) and logs, once after the
 * start, the `media-hosts` line an operator adds so that files shared through it are attached on
 * the Fediverse (the `--check --online` of the configuration check may show the same later).
 *
 * @module
 */
import type { Logger } from "@logtape/logtape";
import { element, type XmlElement } from "./xml.ts";
import { NS } from "./ns.ts";

/** The namespace an upload service announces. */
export const HTTP_UPLOAD = "urn:xmpp:http:upload:0";
const DISCO_ITEMS = "http://jabber.org/protocol/disco#items";

/** Sends one IQ and resolves with the answer (the XMPP session's `request`). */
export type IqRequest = (iq: XmlElement) => Promise<XmlElement>;

/** What the server announces: the service's address and its largest file, when it says. */
export interface UploadService {
  readonly jid: string;
  readonly maxFileSize: number | null;
}

function query(to: string, ns: string): XmlElement {
  return element(
    "iq",
    { type: "get", to, id: crypto.randomUUID() },
    element("query", { xmlns: ns }),
  );
}

/** The largest file from the service's XEP-0128 form (`max-file-size`), or null. */
function maxFileSize(info: XmlElement): number | null {
  for (const x of info.getChild("query", NS.discoInfo)?.getChildren("x", "jabber:x:data") ?? []) {
    for (const field of x.getChildren("field")) {
      if (field.attrs.var !== "max-file-size") continue;
      const n = Number(field.getChildText("value"));
      if (Number.isFinite(n) && n > 0) return n;
    }
  }
  return null;
}

function hasUpload(info: XmlElement): boolean {
  return (info.getChild("query", NS.discoInfo)?.getChildren("feature") ?? [])
    .some((f) => f.attrs.var === HTTP_UPLOAD);
}

/** The first upload service the server `domain` lists (itself included), or null. */
export async function findUploadService(
  request: IqRequest,
  domain: string,
): Promise<UploadService | null> {
  const items = await request(query(domain, DISCO_ITEMS));
  const jids = (items.getChild("query", DISCO_ITEMS)?.getChildren("item") ?? [])
    .map((i) => i.attrs.jid).filter((j): j is string => typeof j === "string" && j !== "");
  for (const jid of [domain, ...jids.slice(0, 20)]) {
    try {
      const info = await request(query(jid, NS.discoInfo));
      if (hasUpload(info)) return { jid, maxFileSize: maxFileSize(info) };
    } catch {
      // An item that does not answer is no upload service.
    }
  }
  return null;
}

/**
 * Logs what was found: the line to add to `media-hosts` when the service is not in it yet (or
 * that it is), or that the server announces none. Never throws.
 */
export async function logUploadService(
  request: IqRequest,
  domain: string,
  mediaHosts: readonly string[],
  log: Logger,
): Promise<void> {
  let found: UploadService | null;
  try {
    found = await findUploadService(request, domain);
  } catch (e) {
    log.info("Could not ask the XMPP server for its upload service: {reason}", {
      reason: e instanceof Error ? e.message : String(e),
    });
    return;
  }
  if (found === null) {
    log.info("The XMPP server announces no HTTP File Upload service (XEP-0363)");
    return;
  }
  const host = found.jid.toLowerCase();
  const listed = mediaHosts.some((h) => h === host || h.startsWith(`${host}:`));
  log.info(
    listed
      ? "The XMPP server's upload service {jid} is in media-hosts: files shared through it are attached"
      : "The XMPP server's upload service is {jid}: to attach files shared through it, add " +
        "`media-hosts: [{jid}]` to the configuration (the host of its download URLs, if another)",
    { jid: host, maxFileSize: found.maxFileSize },
  );
}
