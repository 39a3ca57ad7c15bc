/**
 * The schema, as an ordered list of migration steps. Step `i` (0-based) brings a
 * database from `PRAGMA user_version = i` to `i + 1`. Steps are append-only: a
 * released step is never edited, a change is a new step at the end (the outbox
 * table, for instance, will be step 2).
 *
 * Conventions of the schema:
 * - every time is an INTEGER holding epoch milliseconds;
 * - `type` is an account type (0 Fediverse, 1 XMPP, see types.ts);
 * - addresses are lower-cased `name@host` without prefix;
 * - no foreign keys between the tables: a blocked account or a message sender
 *   need not be a registered user, and removing a user's data is done
 *   explicitly, in one transaction, by users.ts and cleanup.ts.
 *
 * @module
 */

import type { DatabaseSync } from "node:sqlite";
import { canonicaliseStoredDomains } from "./idn_migration.ts";

/** One schema step: SQL run as a script, or a function for data rewrites. */
export type Migration = string | ((db: DatabaseSync) => void);

/** Written to `PRAGMA application_id` so that a foreign SQLite file is recognised ("XAPB"). */
export const APPLICATION_ID = 0x58415042;

const V1 = `
PRAGMA application_id = ${APPLICATION_ID};

CREATE TABLE users (
  type          INTEGER NOT NULL CHECK (type IN (0, 1)),
  address       TEXT    NOT NULL,
  registered_at INTEGER NOT NULL,
  registrations INTEGER NOT NULL DEFAULT 1,
  lang          TEXT,
  revoked_at    INTEGER,
  app           TEXT    NOT NULL,
  account_id    TEXT,
  domain        TEXT GENERATED ALWAYS AS (substr(address, instr(address, '@') + 1)) VIRTUAL,
  PRIMARY KEY (type, address)
);
CREATE INDEX users_active_by_date ON users (registered_at) WHERE revoked_at IS NULL;
CREATE INDEX users_active_by_type ON users (type, registered_at) WHERE revoked_at IS NULL;
CREATE INDEX users_active_by_domain ON users (domain) WHERE revoked_at IS NULL;
CREATE INDEX users_revoked ON users (revoked_at) WHERE revoked_at IS NOT NULL;

CREATE TABLE blocks (
  type    INTEGER NOT NULL CHECK (type IN (0, 1)),
  blocker TEXT    NOT NULL,
  blocked TEXT    NOT NULL,
  at      INTEGER NOT NULL,
  PRIMARY KEY (type, blocker, blocked)
);
CREATE INDEX blocks_by_blocker ON blocks (type, blocker, at);
CREATE INDEX blocks_by_blocked ON blocks (type, blocked);

CREATE TABLE bridge_blocks (
  type    INTEGER NOT NULL CHECK (type IN (0, 1)),
  address TEXT    NOT NULL,
  at      INTEGER NOT NULL,
  PRIMARY KEY (type, address)
);
CREATE INDEX bridge_blocks_by_date ON bridge_blocks (at);

CREATE TABLE conversations (
  id        INTEGER PRIMARY KEY,
  type      INTEGER NOT NULL CHECK (type IN (0, 1)),
  recipient TEXT    NOT NULL,
  sender    TEXT    NOT NULL,
  at        INTEGER NOT NULL,
  source_id TEXT,
  posted_id TEXT
);
CREATE INDEX conversations_by_recipient ON conversations (type, recipient, at);
CREATE INDEX conversations_by_sender ON conversations (type, sender, at);
CREATE INDEX conversations_by_posted ON conversations (type, posted_id);
CREATE INDEX conversations_by_source ON conversations (type, source_id);
CREATE INDEX conversations_by_date ON conversations (at);

CREATE TABLE meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE inbound (
  network INTEGER NOT NULL CHECK (network IN (0, 1)),
  key     TEXT    NOT NULL,
  at      INTEGER NOT NULL,
  PRIMARY KEY (network, key)
);
CREATE INDEX inbound_by_date ON inbound (at);
`;

/**
 * Step 2: the outbox. Everything the core decides must go out is a row here, written in the
 * transaction of the change that caused it; each role sends the rows of its network.
 * `lane` orders rows: within a lane only the oldest pending row is sent. `state`: 0 pending,
 * 1 sent, 2 given up.
 */
const V2 = `
CREATE TABLE outbox (
  id         INTEGER PRIMARY KEY AUTOINCREMENT,
  network    INTEGER NOT NULL CHECK (network IN (0, 1)),
  lane       TEXT    NOT NULL,
  payload    TEXT    NOT NULL,
  created_at INTEGER NOT NULL,
  attempts   INTEGER NOT NULL DEFAULT 0,
  next_at    INTEGER NOT NULL,
  state      INTEGER NOT NULL DEFAULT 0 CHECK (state IN (0, 1, 2)),
  closed_at  INTEGER,
  last_error TEXT
);
CREATE INDEX outbox_pending ON outbox (network, lane, id) WHERE state = 0;
CREATE INDEX outbox_closed ON outbox (closed_at) WHERE state <> 0;
`;

/**
 * Step 3: what outlives a user's row (issue 12). `account_history` keeps how many times an
 * account registered once its revoked row is purged, so `max-ap-registrations` still counts
 * after "unregister, wait, come back". `carried_sends` keeps only the times of a leaving
 * sender's recent deliveries (no recipient, no content), so `max-user-rate` still counts after
 * "unregister, register again"; `type` is the recipients' network, as in `conversations`.
 * Nothing to carry over: the counters so far live in the `users` rows, which stay.
 */
const V3 = `
CREATE TABLE account_history (
  type          INTEGER NOT NULL CHECK (type IN (0, 1)),
  address       TEXT    NOT NULL,
  registrations INTEGER NOT NULL,
  PRIMARY KEY (type, address)
) WITHOUT ROWID;

CREATE TABLE carried_sends (
  type   INTEGER NOT NULL CHECK (type IN (0, 1)),
  sender TEXT    NOT NULL,
  at     INTEGER NOT NULL
);
CREATE INDEX carried_sends_by_sender ON carried_sends (type, sender, at);
CREATE INDEX carried_sends_by_date ON carried_sends (at);
`;

/**
 * Step 4: the flood control's counters (src/store/flood.ts). One row per account and budget
 * (`kind`: command, refusal, register, report, outsider), counting the events of the window that
 * started at `window_start`; `held` counts those that were not answered. Keyed by address, not by
 * a user row: the counters outlive unregistering.
 */
const V4 = `
CREATE TABLE flood (
  type         INTEGER NOT NULL CHECK (type IN (0, 1)),
  address      TEXT    NOT NULL,
  kind         TEXT    NOT NULL,
  window_start INTEGER NOT NULL,
  count        INTEGER NOT NULL,
  held         INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (type, address, kind)
) WITHOUT ROWID;
CREATE INDEX flood_by_window ON flood (window_start);
`;

/**
 * Step 6: one process per bot role (issue 14). A process that runs a role holds its row and
 * refreshes `heartbeat_at` (with what it reports of its health, as JSON) every few seconds; a
 * second process of that role refuses to start while the heartbeat is fresh, and takes a stale
 * row over. `owner` is a random token of the holding process. Nothing to carry over.
 */
const V6 = `
CREATE TABLE role_leases (
  role         TEXT    NOT NULL PRIMARY KEY CHECK (role IN ('fedi', 'xmpp')),
  owner        TEXT    NOT NULL,
  pid          INTEGER NOT NULL,
  host         TEXT    NOT NULL,
  started_at   INTEGER NOT NULL,
  heartbeat_at INTEGER NOT NULL,
  health       TEXT    NOT NULL DEFAULT '{}'
) WITHOUT ROWID;
`;

/**
 * Step 7: the XEP-0184 receipts the XMPP bot asked for on its deliveries (src/store/receipts.ts):
 * one row per delivered message and recipient, `received_at` set when the recipient's client
 * confirmed it. Nothing to carry over: older deliveries asked for none.
 */
const V7 = `
CREATE TABLE xmpp_receipts (
  recipient   TEXT    NOT NULL,
  message_id  TEXT    NOT NULL,
  sent_at     INTEGER NOT NULL,
  received_at INTEGER,
  PRIMARY KEY (recipient, message_id)
) WITHOUT ROWID;
CREATE INDEX xmpp_receipts_by_date ON xmpp_receipts (sent_at, received_at);
`;

/** Every schema step of this build, oldest first. */
export const MIGRATIONS: readonly Migration[] = [
  V1,
  V2,
  V3,
  V4,
  canonicaliseStoredDomains,
  V6,
  V7,
];

/** The schema version this build writes: the number of steps. */
export const SCHEMA_VERSION: number = MIGRATIONS.length;
