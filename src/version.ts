/**
 * What `--version` prints: the release, the commit the binary was built from, the Deno runtime,
 * and which permission set the process runs under. Needs no configuration and no permission.
 *
 * @module
 */

import meta from "../deno.json" with { type: "json" };
import { BUILD_COMMIT } from "./build_info.ts";

/** This release's version, from deno.json. */
export const VERSION: string = meta.version;

/** The permission sets a process of the bridge can run under. */
export type PermissionSet = "generic" | "narrowed";

/**
 * "generic" when reading, writing and the network are granted everywhere (the release binaries'
 * set, or `deno run -A`), "narrowed" when any of them is limited (the set derived from a
 * configuration by `deno task start` or `deno task compile`).
 */
export function permissionSet(
  query: (name: "read" | "write" | "net") => Deno.PermissionState = (name) =>
    Deno.permissions.querySync({ name }).state,
): PermissionSet {
  const everywhere = (["read", "write", "net"] as const).every((n) => query(n) === "granted");
  return everywhere ? "generic" : "narrowed";
}

/** The lines of `--version`. */
export function versionText(
  commit: string | null = BUILD_COMMIT,
  permissions: PermissionSet = permissionSet(),
): string {
  return [
    `xmpp-ap-bridge ${VERSION}`,
    `commit: ${commit ?? "not recorded (run from source: `git rev-parse HEAD` in the tree tells)"}`,
    `deno: ${Deno.version.deno} (V8 ${Deno.version.v8}, TypeScript ${Deno.version.typescript})`,
    `permissions: ${
      permissions === "generic"
        ? "generic release set (any file, any server; see docs/operators.md)"
        : "narrowed to a configuration (its files and servers only)"
    }`,
  ].join("\n");
}
