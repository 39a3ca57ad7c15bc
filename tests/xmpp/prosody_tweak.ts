/**
 * Raises the test Prosody's limit on the size of a stanza a client may send
 * (`c2s_stanza_size_limit`, 256 KiB by default in 0.12: a bigger stanza closes the sender's
 * stream, so it never reaches the bot). The harness has no option for it yet, so this edits the
 * configuration file it wrote (beside the `data/` folder of the log file) and restarts the server.
 *
 * @module
 */
import { dirname } from "node:path";
import type { ProsodyServer } from "../prosody/harness.ts";

export async function raiseStanzaSizeLimit(server: ProsodyServer, bytes: number): Promise<void> {
  const file = `${dirname(dirname(server.logFile))}/prosody.cfg.lua`;
  const text = await Deno.readTextFile(file);
  const marker = "\nVirtualHost ";
  if (!text.includes(marker) || text.includes("c2s_stanza_size_limit")) {
    throw new Error(`unexpected Prosody configuration layout in ${file}`);
  }
  // A global option: it must come before the VirtualHost section.
  await Deno.writeTextFile(
    file,
    text.replace(marker, `\nc2s_stanza_size_limit = ${Math.floor(bytes)}\n${marker}`),
  );
  await server.restart();
}
