/**
 * Helpers for the store's own tests.
 *
 * @module
 */

import { openStore, type Store } from "../../src/store/store.ts";
import { type AccountType, FEDI, XMPP } from "../../src/store/types.ts";
import type { User } from "../../src/store/users.ts";
import type { ConversationRecord } from "../../src/store/mod.ts";

/** A fresh in-memory store. */
export function memoryStore(): Store {
  return openStore(":memory:");
}

/** A temporary directory removed when disposed. */
export async function tempDir(): Promise<AsyncDisposable & { path: string }> {
  const path = await Deno.makeTempDir({ prefix: "store_test_" });
  return {
    path,
    async [Symbol.asyncDispose]() {
      await Deno.remove(path, { recursive: true });
    },
  };
}

/** Registers a user with plain defaults. */
export function register(store: Store, type: AccountType, address: string, at: number): User {
  return store.users.register({
    type,
    address,
    at,
    lang: "en",
    app: type === XMPP ? "XMPP" : "Mastodon",
    accountId: type === FEDI ? "1" : null,
  });
}

/** Records a message from `sender` to `recipient`, its ids `s<tag>` and `p<tag>`. */
export function converse(
  store: Store,
  recipientType: AccountType,
  recipient: string,
  sender: string,
  at: number,
  tag: string | number = at,
): ConversationRecord {
  return store.conversations.record({
    recipientType,
    recipient,
    sender,
    at,
    sourceId: `s${tag}`,
    postedId: `p${tag}`,
  });
}
