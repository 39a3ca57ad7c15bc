/**
 * A tiny DNS server for tests, on 127.0.0.1 over UDP: answers SRV questions from a table and
 * says "no such name" to everything else. Enough for `Deno.resolveDns(name, "SRV",
 * { nameServer })`; not a general DNS server (no compression of answers beyond the question
 * pointer, no TCP, no other record types).
 *
 * @module
 */
import dgram from "node:dgram";
import type { SrvRecord } from "../../src/xmpp/srv.ts";

const TYPE_SRV = 33;
const CLASS_IN = 1;

function encodeName(name: string): number[] {
  const out: number[] = [];
  for (const label of name.replace(/\.$/, "").split(".")) {
    if (label === "") continue;
    const bytes = new TextEncoder().encode(label);
    out.push(bytes.length, ...bytes);
  }
  out.push(0);
  return out;
}

/** The question's name, type and where the question ends. */
function readQuestion(msg: Uint8Array): { name: string; type: number; end: number } {
  let i = 12;
  const labels: string[] = [];
  while (msg[i] !== 0) {
    const len = msg[i]!;
    labels.push(new TextDecoder().decode(msg.subarray(i + 1, i + 1 + len)));
    i += len + 1;
  }
  i += 1;
  const type = (msg[i]! << 8) | msg[i + 1]!;
  return { name: labels.join(".").toLowerCase(), type, end: i + 4 };
}

const u16 = (n: number) => [(n >> 8) & 0xff, n & 0xff];

export function answer(
  query: Uint8Array,
  table: ReadonlyMap<string, readonly SrvRecord[]>,
): Uint8Array {
  const q = readQuestion(query);
  const records = q.type === TYPE_SRV ? table.get(q.name) : undefined;
  const answers: number[] = [];
  for (const r of records ?? []) {
    const rdata = [...u16(r.priority), ...u16(r.weight), ...u16(r.port), ...encodeName(r.target)];
    // Name: a pointer to the question's name at offset 12.
    answers.push(0xc0, 12, ...u16(TYPE_SRV), ...u16(CLASS_IN), 0, 0, 0, 30);
    answers.push(...u16(rdata.length), ...rdata);
  }
  const rcode = records === undefined ? 3 : 0;
  const rd = query[2]! & 0x01;
  const header = [
    query[0]!,
    query[1]!,
    0x84 | rd, // response, authoritative, recursion desired as asked
    0x80 | rcode, // recursion available
    ...u16(1),
    ...u16(records?.length ?? 0),
    ...u16(0),
    ...u16(0),
  ];
  return new Uint8Array([...header, ...query.subarray(12, q.end), ...answers]);
}

export class DnsResponder implements AsyncDisposable {
  /** Names asked for, in order (lower-case). */
  readonly asked: string[] = [];
  readonly #socket: dgram.Socket;
  readonly #table = new Map<string, readonly SrvRecord[]>();

  private constructor(socket: dgram.Socket) {
    this.#socket = socket;
    socket.on("message", (msg: Uint8Array, rinfo: dgram.RemoteInfo) => {
      const query = new Uint8Array(msg);
      this.asked.push(readQuestion(query).name);
      socket.send(answer(query, this.#table), rinfo.port, rinfo.address);
    });
  }

  static start(): Promise<DnsResponder> {
    const socket = dgram.createSocket("udp4");
    return new Promise((resolve, reject) => {
      socket.once("error", reject);
      socket.bind(0, "127.0.0.1", () => resolve(new DnsResponder(socket)));
    });
  }

  /** The `nameServer` option of `Deno.resolveDns` that reaches this server. */
  get nameServer(): { ipAddr: string; port: number } {
    return { ipAddr: "127.0.0.1", port: this.#socket.address().port };
  }

  /** Sets the SRV records of `name` (an empty list: the name exists with no record). */
  set(name: string, records: readonly SrvRecord[]): void {
    this.#table.set(name.toLowerCase().replace(/\.$/, ""), records);
  }

  [Symbol.asyncDispose](): Promise<void> {
    return new Promise((resolve) => this.#socket.close(() => resolve()));
  }
}
