import assert from "node:assert/strict";
import { BLOCKS_SQL } from "./blocks.ts";
import { BRIDGE_BLOCKS_SQL } from "./bridge_blocks.ts";
import { BULK_SQL } from "./bulk.ts";
import { CLEANUP_SQL } from "./cleanup.ts";
import { CONVERSATIONS_SQL } from "./conversations.ts";
import { openDatabase } from "./db.ts";
import { FLOOD_SQL } from "./flood.ts";
import { INBOUND_SQL } from "./inbound.ts";
import { LEASES_SQL } from "./leases.ts";
import { META_SQL } from "./meta.ts";
import { OUTBOX_SQL } from "./outbox.ts";
import { RECEIPTS_SQL } from "./receipts.ts";
import { LANE_HEADS_SQL } from "./lane_heads.ts";
import { USERS_SQL } from "./users.ts";

const TABLES = [
  "users",
  "blocks",
  "bridge_blocks",
  "conversations",
  "meta",
  "inbound",
  "outbox",
  "account_history",
  "carried_sends",
  "flood",
  "role_leases",
  "xmpp_receipts",
];

const ALL: Record<string, Record<string, string>> = {
  users: USERS_SQL,
  blocks: BLOCKS_SQL,
  bridgeBlocks: BRIDGE_BLOCKS_SQL,
  conversations: CONVERSATIONS_SQL,
  meta: META_SQL,
  inbound: INBOUND_SQL,
  outbox: OUTBOX_SQL,
  laneHeads: LANE_HEADS_SQL,
  cleanup: CLEANUP_SQL,
  bulk: BULK_SQL,
  flood: FLOOD_SQL,
  leases: LEASES_SQL,
  receipts: RECEIPTS_SQL,
};

// Whole-table reads that are meant to be: listing every bridge-wide block (a
// short table, read in full by design) and the emptiness check before an import
// (stops at the first row).
// The leases: one row per bot role, read in full by --status.
const FULL_READS = new Set(["bridgeBlocks.list", "bulk.isEmpty", "leases.list"]);

Deno.test("every lookup uses an index: no statement scans a whole table", () => {
  const db = openDatabase(":memory:");
  try {
    for (const [module, statements] of Object.entries(ALL)) {
      for (const [name, sql] of Object.entries(statements)) {
        const key = `${module}.${name}`;
        if (FULL_READS.has(key)) continue;
        const plan = db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all().map((row) => String(row.detail));
        for (const step of plan) {
          const scan = /^SCAN (\w+)(.*)$/.exec(step);
          if (scan === null || !TABLES.includes(scan[1]!)) continue;
          assert.match(scan[2]!, /USING (COVERING )?INDEX/, `${key} scans ${scan[1]}: ${plan}`);
        }
      }
    }
  } finally {
    db.close();
  }
});
