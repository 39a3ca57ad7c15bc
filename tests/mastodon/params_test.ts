import assert from "node:assert/strict";
import { paramBool, parseQuery, readParams } from "./params.ts";

Deno.test("Rails-style keys become arrays and hashes", () => {
  const q = parseQuery(
    new URLSearchParams("types[]=mention&types%5B%5D=follow&poll[options][]=a&limit=2"),
  );
  assert.deepEqual(q, { types: ["mention", "follow"], poll: { options: ["a"] }, limit: "2" });
});

Deno.test("form bodies with indexed keys, as masto sends them, become arrays", async () => {
  const form = new FormData();
  form.append("media_ids[1]", "b");
  form.append("media_ids[0]", "a");
  form.append("poll[options][0]", "x");
  const req = new Request("http://127.0.0.1/api/v1/statuses?status=q", {
    method: "POST",
    body: form,
  });
  const params = await readParams(req, new URL(req.url));
  assert.deepEqual(params, { status: "q", media_ids: ["a", "b"], poll: { options: ["x"] } });
});

Deno.test("booleans follow Rails' casting", () => {
  assert.deepEqual(
    ["true", "1", "false", "0", "off", "", "yes"].map((v) => paramBool({ v }, "v")),
    [true, true, false, false, false, null, true],
  );
  assert.equal(paramBool({ v: false }, "v"), false);
});
