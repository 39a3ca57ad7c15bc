import assert from "node:assert/strict";
import { ALICE, BOB, onlyDeliver, send, world } from "../../tests/support/sending.ts";
import { Turn } from "./context.ts";

Deno.test("the sender's user row is read once per message, not by each rule", async () => {
  using core = world();
  const { users } = core.deps.store;
  const get = users.get.bind(users);
  let reads = 0;
  users.get = (network, address) => {
    if (network === ALICE.network && address === ALICE.address) reads++;
    return get(network, address);
  };
  onlyDeliver(await send(core, ALICE, "@bob@social.test hello", { id: "s1" }));
  assert.equal(reads, 1);
});

Deno.test("the sender's row is read again after a commit, and as it is during one", () => {
  using core = world();
  const turn = new Turn(core.deps, BOB, null);
  assert.equal(turn.senderUser()?.lang, null);
  turn.commit(() => {
    core.deps.store.users.setLanguage(BOB.network, BOB.address, "de");
    assert.equal(turn.senderUser()?.lang, "de", "inside the commit: the row as changed");
  });
  assert.equal(turn.senderUser()?.lang, "de", "after it: read again");
});
