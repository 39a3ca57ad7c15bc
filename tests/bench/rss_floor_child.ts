/**
 * A child process for the memory floor: with `--load` it imports the bridge's code (main.ts and
 * everything it imports, npm packages included) without starting anything; without, nothing.
 * It prints "ready" and waits for its standard input to close, so the parent can read its memory
 * figures meanwhile.
 */
if (Deno.args.includes("--load")) await import("../../main.ts");
console.log("ready");
await Deno.stdin.readable.pipeTo(new WritableStream());
