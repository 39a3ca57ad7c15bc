/**
 * Shared vocabulary of the storage layer: account types and the small helpers that
 * turn SQLite result rows into typed values.
 *
 * @module
 */

import { canonicalAddress } from "../text/address.ts";
import type { SQLOutputValue } from "node:sqlite";

/** A Fediverse (Mastodon API) account. */
export const FEDI = 0;
/** An XMPP account. */
export const XMPP = 1;
/** The network an account lives on: {@link FEDI} or {@link XMPP}. */
export type AccountType = typeof FEDI | typeof XMPP;

/** True for the two known account types. */
export function isAccountType(value: unknown): value is AccountType {
  return value === FEDI || value === XMPP;
}

/**
 * The network on the other side of the bridge. A message always crosses the
 * bridge, so the sender of a delivery is of the other type than its recipient.
 */
export function otherType(type: AccountType): AccountType {
  return type === FEDI ? XMPP : FEDI;
}

/**
 * Addresses are kept lower-cased (`name@host`, without any prefix), the domain as A-labels
 * (src/core/address.ts), so a Unicode and a punycode spelling of one account are one row.
 */
export function normalizeAddress(address: string): string {
  return canonicalAddress(address);
}

/** One result row as node:sqlite hands it out. */
export type Row = Record<string, SQLOutputValue>;

/** Reads an integer column that may not be NULL. */
export function intOf(row: Row, column: string): number {
  const value = row[column];
  if (typeof value === "number") return value;
  if (typeof value === "bigint") return Number(value);
  throw new TypeError(`column ${column}: expected an integer, got ${typeof value}`);
}

/** Reads an integer column that may be NULL. */
export function intOrNull(row: Row, column: string): number | null {
  return row[column] === null ? null : intOf(row, column);
}

/** Reads a text column that may not be NULL. */
export function textOf(row: Row, column: string): string {
  const value = row[column];
  if (typeof value === "string") return value;
  throw new TypeError(`column ${column}: expected text, got ${typeof value}`);
}

/** Reads a text column that may be NULL. */
export function textOrNull(row: Row, column: string): string | null {
  return row[column] === null ? null : textOf(row, column);
}

/** Reads an account type column. */
export function typeOf(row: Row, column = "type"): AccountType {
  const value = intOf(row, column);
  if (!isAccountType(value)) throw new TypeError(`column ${column}: unknown account type ${value}`);
  return value;
}
