/**
 * The files an operator needs beside the binary, built into it so that the binary alone is
 * enough: `--print-config` (the annotated example configuration), `--print-unit fedi|xmpp` (the
 * systemd units) and `--print-env` (the credentials file example). The texts are imported as
 * text, so `deno compile` embeds them and they are always those of the build.
 *
 * @module
 */

import exampleConfig from "../../config/xmpp-bridge-config.yml" with { type: "text" };
import envExample from "../../config/env.example" with { type: "text" };
import fediUnit from "../../dist/xmpp-ap-bridge-fedi.service" with { type: "text" };
import xmppUnit from "../../dist/xmpp-ap-bridge-xmpp.service" with { type: "text" };
import type { Role } from "../config/mod.ts";

/** What each `--print-*` option writes, and the file in the repository/bundle it comes from. */
export const SHIPPED_TEXTS = {
  config: { file: "config/xmpp-bridge-config.yml", text: exampleConfig },
  env: { file: "config/env.example", text: envExample },
  "unit-fedi": { file: "dist/xmpp-ap-bridge-fedi.service", text: fediUnit },
  "unit-xmpp": { file: "dist/xmpp-ap-bridge-xmpp.service", text: xmppUnit },
} as const;

/** The unit of a role. */
export function unitText(role: Role): string {
  return SHIPPED_TEXTS[`unit-${role}`].text;
}
