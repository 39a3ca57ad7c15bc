/**
 * Small facts about the host the tests run on: installed programs, system users,
 * file ownership, free ports.
 *
 * @module
 */

import { prosodyEnv } from "./prosody_process.ts";

/** Where programs are looked up (the PATH given to Prosody). */
const SEARCH_PATH: readonly string[] = prosodyEnv("/").PATH!.split(":");

/** Throw a clear error, naming the Debian package, when `program` is not installed. */
export async function requireProgram(program: string, debianPackage: string): Promise<void> {
  for (const dir of SEARCH_PATH) {
    try {
      const info = await Deno.stat(`${dir}/${program}`);
      if (info.isFile) return;
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    }
  }
  throw new Error(
    `\`${program}\` was not found: the XMPP integration tests need the Debian package ` +
      `\`${debianPackage}\` (apt-get install -y ${debianPackage}).`,
  );
}

/** uid and gid of a system user, from /etc/passwd. */
export async function lookupUser(name: string): Promise<{ uid: number; gid: number }> {
  const passwd = await Deno.readTextFile("/etc/passwd");
  for (const line of passwd.split("\n")) {
    const [user, , uid, gid] = line.split(":");
    if (user === name && uid !== undefined && gid !== undefined) {
      return { uid: Number(uid), gid: Number(gid) };
    }
  }
  throw new Error(`no system user \`${name}\`: is the Debian package \`prosody\` installed?`);
}

/** Give `path` and everything below it to `owner`. */
export async function chownTree(path: string, owner: { uid: number; gid: number }): Promise<void> {
  await Deno.chown(path, owner.uid, owner.gid);
  const info = await Deno.stat(path);
  if (!info.isDirectory) return;
  for await (const entry of Deno.readDir(path)) {
    await chownTree(`${path}/${entry.name}`, owner);
  }
}

/**
 * A port that was free a moment ago on `host` (the OS picks it). Another process may take it
 * before we bind it; the harness retries on another port then.
 */
export function freePort(host: string): number {
  const listener = Deno.listen({ hostname: host, port: 0, transport: "tcp" });
  const { port } = listener.addr;
  listener.close();
  return port;
}
