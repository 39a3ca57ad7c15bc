/**
 * The memory floor under the bridge's figure: the peak resident set of a Deno process that does
 * nothing, and of one that has loaded the bridge's code (its modules and npm packages) but started
 * nothing. The difference to the running bridge is what its connections, database and work cost.
 */
import { type Memory, readMemory } from "./proc_status.ts";

const CHILD = new URL("./rss_floor_child.ts", import.meta.url).pathname;

/** Runs the floor child (`load`: with the bridge's code) and reads its memory once it is ready. */
export async function floorMemory(load: boolean): Promise<Memory> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--quiet", "--no-prompt", CHILD, ...(load ? ["--load"] : [])],
    stdin: "piped",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  try {
    let seen = "";
    while (!seen.includes("ready")) {
      const { value, done } = await reader.read();
      if (done) throw new Error("the memory floor child ended before it was ready");
      seen += value;
    }
    return await readMemory(child.pid);
  } finally {
    await child.stdin.close();
    await reader.cancel();
    await child.status;
  }
}
