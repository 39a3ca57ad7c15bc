/**
 * The XMPP role's part of the composition: src/compose.ts loads this module only when the process
 * runs that role, so a Fediverse-only process never loads the XMPP client library.
 *
 * @module
 */
export { xmppAdapter } from "./xmpp/adapter.ts";
export { MetaSmStateStore } from "./xmpp/sm_state.ts";
