/**
 * A small old-bridge database for the tests of legacy_import.ts: its layout, rows that cover every
 * case the import handles (odd types, addresses, dates, duplicates), and readers of the result.
 *
 * @module
 */
import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import type { Store } from "./store.ts";

/** The old bridge's layout, with timestamps as Python's sqlite3 adapter writes them. */
const OLD_SCHEMA = `
CREATE TABLE users (type INTEGER, req_user TEXT, req_date TIMESTAMP, nb_reg INTEGER,
  lang TEXT, revoke_date TIMESTAMP, app TEXT, acc_id INTEGER);
CREATE TABLE blocks (type INTEGER, blocking TEXT, blocked TEXT, block_date TIMESTAMP);
CREATE TABLE instb (type INTEGER, blocked TEXT, block_date TIMESTAMP);
CREATE TABLE comm (type INTEGER, user TEXT, from_u TEXT, from_date TIMESTAMP,
  id_from TEXT, id_to TEXT);
`;

export type Value = string | number | bigint | null;

export function buildOld(path: string, rows: Record<string, Value[][]>): void {
  const db = new DatabaseSync(path);
  try {
    db.exec(OLD_SCHEMA);
    for (const [table, list] of Object.entries(rows)) {
      for (const values of list) {
        const marks = values.map(() => "?").join(", ");
        db.prepare(`INSERT INTO ${table} VALUES (${marks})`).run(...values);
      }
    }
  } finally {
    db.close();
  }
}

export const FIXTURE: Record<string, Value[][]> = {
  users: [
    [
      0,
      "alice@fedi.example",
      "2024-01-02 03:04:05.678901",
      2,
      "de",
      null,
      "Mastodon",
      109876543210987654n,
    ],
    [1, "Bob@XMPP.example", "2024-02-03 04:05:06", 1, "fr", null, "XMPP", null],
    [
      0,
      "@carol@fedi.example",
      "2023-05-06 07:08:09.000001",
      3,
      "",
      "2024-03-01 10:00:00.5",
      "Pixelfed",
      42,
    ],
    [1, "dave@xmpp.example/phone", "2024-04-01 00:00:00", null, null, null, null, null],
    [7, "weird@example.org", "2024-01-01 00:00:00", 1, "en", null, "X", null], // unknown type
    [0, "nodomain", "2024-01-01 00:00:00", 1, "en", null, "Mastodon", 1], // no host
    [0, "ALICE@fedi.example", "2024-01-01 00:00:00", 1, "en", null, "Mastodon", 1], // duplicate
    [1, "eve@xmpp.example", null, 1, "en", null, "XMPP", null], // no date
  ],
  blocks: [
    [0, "alice@fedi.example", "bob@xmpp.example", "2024-05-01 12:00:00.250000"],
    [1, "bob@xmpp.example", "@Alice@fedi.example", "2024-05-02 12:00:00"],
    [0, "alice@fedi.example", "BOB@xmpp.example", "2024-05-03 12:00:00"], // duplicate
  ],
  instb: [
    [0, "spam@bad.example", "2024-06-01 01:02:03.456000"],
    [1, "troll@xmpp.example", "2024-06-02 01:02:03"],
  ],
  comm: [
    [
      1,
      "bob@xmpp.example",
      "alice@fedi.example",
      "2024-07-01 08:00:00.100000",
      "111222333444555666",
      "msg-1",
    ],
    [
      0,
      "alice@fedi.example",
      "bob@xmpp.example",
      "2024-07-01 08:05:00",
      "x-7",
      "111222333444555777",
    ],
    [1, "dave@xmpp.example", "alice@fedi.example", "2024-07-01 09:00:00", "", null],
    [1, "", "alice@fedi.example", "2024-07-01 09:00:00", "a", "b"], // no recipient
  ],
};

export function utc(text: string): number {
  return Date.parse(text.replace(" ", "T") + "Z");
}

export function allRows(store: Store, path: string, sql: string): Record<string, unknown>[] {
  assert.ok(store.isOpen);
  const db = new DatabaseSync(path, { readOnly: true });
  try {
    return db.prepare(sql).all().map((row) => ({ ...row }));
  } finally {
    db.close();
  }
}
