import assert from "node:assert/strict";
import { findUploadService, HTTP_UPLOAD, logUploadService } from "./upload_service.ts";
import { NS } from "./ns.ts";
import { element, type XmlElement } from "./xml.ts";
import type { Logger } from "@logtape/logtape";

const ITEMS = "http://jabber.org/protocol/disco#items";

/** A server with `upload.chat.test` announcing HTTP File Upload with a 10 MB limit. */
function server(withUpload: boolean) {
  const asked: string[] = [];
  const request = (iq: XmlElement): Promise<XmlElement> => {
    const to = iq.attrs.to!;
    const ns = iq.getChildElements()[0]!.attrs.xmlns;
    asked.push(`${to} ${ns}`);
    if (ns === ITEMS) {
      const items = ["conference.chat.test", "upload.chat.test"].map((jid) =>
        element("item", { jid })
      );
      return Promise.resolve(
        element("iq", { type: "result" }, element("query", { xmlns: ITEMS }, ...items)),
      );
    }
    if (to === "conference.chat.test") return Promise.reject(new Error("timeout"));
    const features = to === "upload.chat.test" && withUpload ? [HTTP_UPLOAD] : [NS.discoInfo];
    const form = element(
      "x",
      { xmlns: "jabber:x:data", type: "result" },
      element("field", { var: "max-file-size" }, element("value", {}, "10485760")),
    );
    return Promise.resolve(element(
      "iq",
      { type: "result" },
      element(
        "query",
        { xmlns: NS.discoInfo },
        ...features.map((v) => element("feature", { var: v })),
        ...(withUpload ? [form] : []),
      ),
    ));
  };
  return { request, asked };
}

function logSpy() {
  const lines: string[] = [];
  const log = {
    info: (msg: string, props: Record<string, unknown> = {}) =>
      lines.push(msg.replace(/\{(\w+)\}/g, (_, k) => String(props[k]))),
  } as unknown as Logger;
  return { log, lines };
}

Deno.test("the upload service is found through disco, with its largest file", async () => {
  const { request, asked } = server(true);
  assert.deepEqual(await findUploadService(request, "chat.test"), {
    jid: "upload.chat.test",
    maxFileSize: 10485760,
  });
  assert.equal(asked[0], `chat.test ${ITEMS}`);
  assert.equal(await findUploadService(server(false).request, "chat.test"), null);
});

Deno.test("the start log names the media-hosts line to add, or that it is there", async () => {
  const missing = logSpy();
  await logUploadService(server(true).request, "chat.test", [], missing.log);
  assert.match(missing.lines[0]!, /add `media-hosts: \[upload\.chat\.test\]`/);
  const listed = logSpy();
  await logUploadService(server(true).request, "chat.test", ["upload.chat.test"], listed.log);
  assert.match(listed.lines[0]!, /upload\.chat\.test is in media-hosts/);
  const none = logSpy();
  await logUploadService(server(false).request, "chat.test", [], none.log);
  assert.match(none.lines[0]!, /announces no HTTP File Upload/);
});
