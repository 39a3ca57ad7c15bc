/**
 * Run under a deployment's permission flags: tries what the bridge must be able to do and what
 * it must not, and prints one JSON line of outcomes (`ok` or the error's name).
 */
const [allowedUrl, thirdUrl, insideFile, outsideFile, besideDatabase] = Deno.args;

async function outcome(fn: () => Promise<unknown>): Promise<string> {
  try {
    await fn();
    return "ok";
  } catch (e) {
    // fetch wraps a permission refusal in a TypeError whose message (or cause) says so.
    const text = e instanceof Error ? `${e.message} ${String(e.cause ?? "")}` : String(e);
    if (e instanceof Deno.errors.NotCapable || /Requires \w+ access/.test(text)) {
      return "NotCapable";
    }
    return e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  }
}

const results = {
  allowedNet: await outcome(async () => (await fetch(allowedUrl!)).body?.cancel()),
  thirdNet: await outcome(async () => (await fetch(thirdUrl!)).body?.cancel()),
  insideWrite: await outcome(() => Deno.writeTextFile(insideFile!, "probe")),
  outsideWrite: await outcome(() => Deno.writeTextFile(outsideFile!, "probe")),
  besideDatabase: await outcome(() => Deno.writeTextFile(besideDatabase!, "probe")),
  otherEnv: await outcome(() => Promise.resolve(Deno.env.get("HOME"))),
  run: await outcome(() => new Deno.Command("/bin/true").output()),
};
console.log(JSON.stringify(results));
