/**
 * What a build knows about itself. The committed file says "from source"; tools/build_info.ts
 * rewrites it just before `deno compile` (the compile task and the release workflow), so a binary
 * carries the commit it was built from. Do not edit by hand.
 *
 * @module
 */

/** The commit the binary was built from, or null when running from source. */
export const BUILD_COMMIT: string | null = null;
