/**
 * The storage facade: one connection to the bridge's SQLite file and the table
 * modules over it. Each process (one per bot role, or one for both) opens its
 * own Store on the shared file.
 *
 * @module
 */

import type { DatabaseSync, StatementSync } from "node:sqlite";
import { BridgeBlocks } from "./bridge_blocks.ts";
import { Blocks } from "./blocks.ts";
import { Bulk } from "./bulk.ts";
import { Cleanup } from "./cleanup.ts";
import { Conversations } from "./conversations.ts";
import { openDatabase, type OpenOptions } from "./db.ts";
import { Inbound } from "./inbound.ts";
import { FloodTable } from "./flood.ts";
import { LeaseTable } from "./leases.ts";
import { Meta } from "./meta.ts";
import { OutboxTable } from "./outbox.ts";
import { Receipts } from "./receipts.ts";
import { PurgeSettings } from "./purge_settings.ts";
import { type Transaction, transactionRunner } from "./transaction.ts";
import { Users } from "./users.ts";

/** How a store is opened. */
export interface StoreOptions {
  /** How long a statement waits for another process's lock, in ms (default 5000). */
  readonly busyTimeoutMs?: number;
  /** Told when the existing database file can be read by other users. */
  readonly onWarning?: (message: string) => void;
  /** Told where the database was copied before a schema migration, and from which version. */
  readonly onBackup?: (backup: string, fromVersion: number) => void;
}

/** The bridge's persistent state. */
export class Store implements Disposable {
  readonly users: Users;
  readonly blocks: Blocks;
  readonly bridgeBlocks: BridgeBlocks;
  readonly conversations: Conversations;
  readonly meta: Meta;
  readonly inbound: Inbound;
  readonly outbox: OutboxTable;
  readonly cleanup: Cleanup;
  /** The flood control's per-account counters. */
  readonly flood: FloodTable;
  /** Which process runs which bot role, and its last heartbeat (src/lease.ts). */
  readonly leases: LeaseTable;
  /** The XEP-0184 receipts asked for on deliveries to XMPP, and those that came back. */
  readonly receipts: Receipts;
  /** Raw inserts for filling a fresh database (the old bridge's import). */
  readonly bulk: Bulk;
  readonly #db: DatabaseSync;
  readonly #transaction: Transaction;
  #dataVersion: StatementSync | null = null;

  /** Wraps an open, migrated connection (see {@link openStore}). The store owns it. */
  constructor(db: DatabaseSync) {
    this.#db = db;
    // A rolled-back transaction may have left writes in the outbox's memory of lane heads.
    this.#transaction = transactionRunner(db, () => this.outbox.heads.invalidate());
    this.blocks = new Blocks(db);
    this.bridgeBlocks = new BridgeBlocks(db);
    this.conversations = new Conversations(db);
    this.meta = new Meta(db);
    this.inbound = new Inbound(db);
    this.outbox = new OutboxTable(db);
    this.users = new Users(db, this.#transaction, this.blocks, this.conversations);
    this.cleanup = new Cleanup(db, this.#transaction, this.conversations);
    this.bulk = new Bulk(db);
    this.flood = new FloodTable(db);
    this.leases = new LeaseTable(db);
    this.receipts = new Receipts(db);
  }

  /**
   * Runs `fn` in one transaction: all of its writes happen, or none. Calls nest
   * (an inner failure that the outer function catches only undoes the inner
   * part). `fn` must be synchronous: no `await` inside.
   */
  transaction<T>(fn: () => T): T {
    return this.#transaction(fn);
  }

  /**
   * SQLite's `data_version`: it changes when another connection (another process) commits, so
   * a worker can notice new rows cheaply.
   */
  dataVersion(): number {
    this.#dataVersion ??= this.#db.prepare("PRAGMA data_version");
    const row = this.#dataVersion.get();
    return Number(row?.data_version ?? 0);
  }

  /**
   * Switches the connection to the settings of a long purge (larger page cache, checkpoints at
   * the purge's pace) until the returned object is disposed (see purge_settings.ts).
   */
  purgeSettings(cacheKib?: number): PurgeSettings {
    return new PurgeSettings(this.#db, cacheKib);
  }

  /** Whether the connection is still open. */
  get isOpen(): boolean {
    return this.#db.isOpen;
  }

  /** Closes the connection; closing twice is harmless. */
  close(): void {
    if (this.#db.isOpen) this.#db.close();
  }

  [Symbol.dispose](): void {
    this.close();
  }
}

/**
 * Opens the bridge database at `path` (created when missing; `":memory:"` for a
 * private in-memory one), migrating its schema. Throws a `StoreSchemaError` for a
 * file written by a newer release or not belonging to this bridge.
 */
export function openStore(path: string, options: StoreOptions = {}): Store {
  const open: OpenOptions = {
    ...(options.busyTimeoutMs === undefined ? {} : { busyTimeoutMs: options.busyTimeoutMs }),
    ...(options.onWarning === undefined ? {} : { onWarning: options.onWarning }),
    ...(options.onBackup === undefined ? {} : { onBackup: options.onBackup }),
  };
  return new Store(openDatabase(path, open));
}
