import assert from "node:assert/strict";
import {
  nameServersOf,
  NoXmppServiceError,
  orderSrv,
  resolveXmpp,
  srvDomainOf,
  type SrvLookup,
  type SrvRecord,
  targetNet,
  TargetRotation,
  targetService,
} from "./srv.ts";

const rec = (priority: number, weight: number, target: string, port = 5222): SrvRecord => ({
  priority,
  weight,
  port,
  target,
});

function table(entries: Record<string, readonly SrvRecord[]>): SrvLookup & { asked: string[] } {
  const asked: string[] = [];
  const lookup = (name: string) => {
    asked.push(name);
    return Promise.resolve(entries[name] ?? []);
  };
  return Object.assign(lookup, { asked });
}

/** A random source that returns the given values in turn. */
function sequence(...values: number[]): () => number {
  let i = 0;
  return () => values[i++ % values.length]!;
}

Deno.test("SRV order: lowest priority first, whatever the weights", () => {
  const ordered = orderSrv(
    [rec(20, 100, "c"), rec(10, 0, "a"), rec(30, 5, "d"), rec(10, 0, "b")],
    sequence(0),
  );
  assert.deepEqual(ordered.map((r) => r.priority), [10, 10, 20, 30]);
  assert.deepEqual(ordered.slice(2).map((r) => r.target), ["c", "d"]);
});

Deno.test("SRV order: within a priority, a draw weighted by the running sum (RFC 2782)", () => {
  const records = [rec(1, 10, "light"), rec(1, 90, "heavy"), rec(1, 0, "zero")];
  // Sum 100, running sums light 10, heavy 100: a draw of 50 falls in heavy's share.
  assert.deepEqual(orderSrv(records, sequence(0.5, 0.05, 0)).map((r) => r.target), [
    "heavy",
    "light",
    "zero",
  ]);
  // A draw of 5 falls in light's share.
  assert.equal(orderSrv(records, sequence(0.05, 0))[0]!.target, "light");
  // Weight 0 goes after the weighted ones, whatever the draw.
  for (const draw of [0, 0.5, 0.999]) {
    assert.equal(orderSrv(records, sequence(draw)).at(-1)!.target, "zero");
  }
});

Deno.test("SRV order: over many draws the share follows the weights", () => {
  let seed = 7;
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  const records = [rec(1, 1, "one"), rec(1, 3, "three")];
  let three = 0;
  for (let i = 0; i < 4000; i++) if (orderSrv(records, random)[0]!.target === "three") three++;
  // Expected 3/4 of 4000 (3000); the draws are fixed by the seed, the band is for the method.
  assert.ok(three > 2700 && three < 3300, `picked "three" ${three} times of 4000`);
});

Deno.test("resolution: direct TLS records first, then STARTTLS ones, trailing dots dropped", async () => {
  const lookup = table({
    "_xmpps-client._tcp.chat.example": [rec(5, 0, "tls.chat.example.", 5223)],
    "_xmpp-client._tcp.chat.example": [rec(0, 0, "Plain.Chat.Example.", 5222)],
  });
  const r = await resolveXmpp("chat.example", 5222, lookup, sequence(0));
  assert.equal(r.source, "srv");
  assert.deepEqual(r.targets, [
    { host: "tls.chat.example", port: 5223, directTls: true },
    { host: "plain.chat.example", port: 5222, directTls: false },
  ]);
  assert.deepEqual(lookup.asked, [
    "_xmpps-client._tcp.chat.example",
    "_xmpp-client._tcp.chat.example",
  ]);
  assert.deepEqual(r.targets.map(targetService), [
    "xmpps://tls.chat.example:5223",
    "xmpp://plain.chat.example:5222",
  ]);
});

Deno.test("resolution: no records means the domain itself on the configured port", async () => {
  const r = await resolveXmpp("chat.example", 5299, table({}), sequence(0));
  assert.equal(r.source, "domain");
  assert.deepEqual(r.targets, [{ host: "chat.example", port: 5299, directTls: false }]);
});

Deno.test("resolution: a '.' target means no service there (RFC 2782)", async () => {
  const none = [rec(0, 0, ".")];
  // Only direct TLS refused: STARTTLS records still count.
  const some = await resolveXmpp(
    "chat.example",
    5222,
    table({
      "_xmpps-client._tcp.chat.example": none,
      "_xmpp-client._tcp.chat.example": [rec(0, 0, "xmpp.chat.example")],
    }),
  );
  assert.deepEqual(some.targets.map((t) => t.host), ["xmpp.chat.example"]);
  // Both refused: no fallback to the domain, an error naming xmpp-host.
  await assert.rejects(
    resolveXmpp(
      "chat.example",
      5222,
      table({
        "_xmpps-client._tcp.chat.example": none,
        "_xmpp-client._tcp.chat.example": none,
      }),
    ),
    (e: Error) => e instanceof NoXmppServiceError && /xmpp-host/.test(e.message),
  );
});

Deno.test("rotation: each attempt the next target, then the records are read again", async () => {
  const records: Record<string, SrvRecord[]> = {
    "_xmpp-client._tcp.chat.example": [rec(0, 0, "a.example"), rec(1, 0, "b.example")],
  };
  const lookup = table(records);
  const rotation = new TargetRotation("chat.example", 5222, lookup, sequence(0));
  assert.equal(await rotation.next(), "xmpp://a.example:5222");
  assert.equal(await rotation.next(), "xmpp://b.example:5222");
  assert.equal(lookup.asked.length, 2, "one resolution for both");
  records["_xmpp-client._tcp.chat.example"] = [rec(0, 0, "c.example", 5269)];
  assert.equal(await rotation.next(), "xmpp://c.example:5269");
  assert.equal(lookup.asked.length, 4);
});

Deno.test("name servers of resolv.conf as --allow-net names them", () => {
  const conf = "# comment\nsearch example\nnameserver 10.0.0.53\nnameserver fe80::1%eth0\n" +
    "  nameserver 127.0.0.53 \noptions edns0\n";
  assert.deepEqual(nameServersOf(conf), ["10.0.0.53:53", "[fe80::1]:53", "127.0.0.53:53"]);
  assert.equal(targetNet({ host: "::1", port: 5222, directTls: false }), "[::1]:5222");
});

Deno.test("the SRV domain is the JID's, in A-labels", () => {
  assert.equal(srvDomainOf("bot@chat.example"), "chat.example");
  assert.equal(srvDomainOf("bot@bücher.example"), "xn--bcher-kva.example");
});
