/**
 * The floors: what each path costs without the bridge, measured in the same run, under the same
 * loads, on the same servers, so that each bridge figure can be shown with its ratio to its floor.
 *
 * - XMPP (the last leg of Fediverse -> XMPP): the benchmark's XMPP users send one another chat
 *   messages with `@xmpp/client`, pipelined (no message waits for the one before), to Prosody;
 *   from the write to the recipient's client receiving it.
 * - Fediverse (the last leg of XMPP -> Fediverse): the benchmark's Fediverse users post statuses
 *   with plain `fetch` to the Mastodon API test server, all of a burst at once; from the request
 *   to the status being created. They mention nobody, so the bridge never sees them.
 */
import type { BenchWorld } from "./bench_world.ts";
import type { FigureSet } from "./figures.ts";
import { collectXmpp, drive, type Load, Tracker, type TripResult } from "./latency.ts";
import { tripsToStatuses } from "./xmpp_to_fedi.ts";
import { recordTrips } from "./trips.ts";

const TIMEOUT_MS = 60_000;

/** Raw XMPP: user k sends to user k + 1, pipelined. */
export async function xmppFloor(bench: BenchWorld, tag: string, load: Load): Promise<TripResult> {
  const { xmpp } = bench;
  if (xmpp.length < 2) throw new Error("the XMPP floor needs two XMPP users");
  const tracker = new Tracker();
  const perUser = xmpp.map((_, k) =>
    Array.from({ length: load.count }, (_, i) => i).filter((i) => i % xmpp.length === k).length
  );
  const collectors = xmpp.map((user, k) => collectXmpp(user, perUser[k]!, tracker, TIMEOUT_MS));
  const writes: Promise<unknown>[] = [];
  const start = performance.now();
  await drive(load, tracker, (i) => {
    const token = `bench-${tag}-${i}`;
    const to = xmpp[i % xmpp.length]!;
    const from = xmpp[(i + 1) % xmpp.length]!;
    tracker.sent(token);
    writes.push(from.send(to.jid, `${token} Hello from XMPP, a floor message.`));
  }, TIMEOUT_MS);
  const elapsedMs = performance.now() - start;
  await Promise.all([...writes, ...collectors]);
  return { latencies: tracker.latencies(), elapsedMs, duplicates: tracker.duplicates };
}

/** Raw Mastodon API: each message one `POST /api/v1/statuses`, none waiting for another. */
export function fediFloor(bench: BenchWorld, tag: string, load: Load): Promise<TripResult> {
  const { fedi, mastodon } = bench;
  const authors = new Set(fedi.map((a) => a.id));
  return tripsToStatuses(bench, authors, tag, load, TIMEOUT_MS, (token, i) => {
    const account = fedi[i % fedi.length]!;
    return post(mastodon.url, account.token!, `${token} Hello from the floor.`, token);
  });
}

async function post(base: string, token: string, status: string, key: string): Promise<void> {
  const res = await fetch(`${base}/api/v1/statuses`, {
    method: "POST",
    headers: {
      "Authorization": `Bearer ${token}`,
      "Content-Type": "application/json",
      "Idempotency-Key": key,
    },
    body: JSON.stringify({ status, visibility: "unlisted" }),
  });
  await res.text();
  if (!res.ok) throw new Error(`the floor's status POST was answered with HTTP ${res.status}`);
}

/** The id of the floor figure a bridge figure is compared with (`f2x.*` XMPP, `x2f.*` Fediverse). */
export function floorOf(id: string): string {
  return id.startsWith("f2x.") ? `floor.xmpp.${id.slice(4)}` : `floor.fedi.${id.slice(4)}`;
}

/**
 * Measures both floors under the loads of the bridge's trips, in the same order (steady both
 * ways at once, then the bursts one way after the other), and records them.
 */
export async function recordFloors(
  bench: BenchWorld,
  figures: FigureSet,
  run: number,
  loads: { readonly steady: Load; readonly bursts: Load },
): Promise<void> {
  const [x, f] = await Promise.all([
    xmppFloor(bench, `fs${run}x`, loads.steady),
    fediFloor(bench, `fs${run}f`, loads.steady),
  ]);
  recordTrips(figures, "floor.xmpp.steady", `${XMPP_FLOOR}, steady`, x, loads.steady.count);
  recordTrips(figures, "floor.fedi.steady", `${FEDI_FLOOR}, steady`, f, loads.steady.count);
  for (
    const [id, title, measure] of [
      ["floor.xmpp.bursts", `${XMPP_FLOOR}, bursts`, xmppFloor],
      ["floor.fedi.bursts", `${FEDI_FLOOR}, bursts`, fediFloor],
    ] as const
  ) {
    const trips = await measure(bench, `fb${run}${id[6]}`, loads.bursts);
    recordTrips(figures, id, title, trips, loads.bursts.count);
    figures.record(
      `${id}.rate`,
      { label: "  drained at", unit: "msg/s" },
      loads.bursts.count / (trips.elapsedMs / 1000),
    );
  }
}

const XMPP_FLOOR = "Floor: raw @xmpp/client → Prosody, pipelined";
const FEDI_FLOOR = "Floor: raw status POSTs → Mastodon API test server";
