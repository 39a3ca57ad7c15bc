/**
 * Secrets from systemd's credentials (`LoadCredential=`): systemd copies each named file into
 * a private folder of the unit and names the folder in `$CREDENTIALS_DIRECTORY`, so each bot's
 * unit hands it only its own secret. Files read there: `xmpp-bridge-token` (the Fediverse bot's
 * token) and `ap-bridge-pass` (the XMPP bot's password).
 *
 * @module
 */
import { join } from "node:path";
import { ConfigError, ENV_VARS, type Role } from "./config/mod.ts";

/** The variable systemd sets to the unit's credentials folder. */
export const CREDENTIALS_ENV = "CREDENTIALS_DIRECTORY";

/** Credential file name → the variable it stands for. */
export const CREDENTIAL_FILES: Readonly<Record<string, string>> = {
  "xmpp-bridge-token": ENV_VARS.fediToken,
  "ap-bridge-pass": ENV_VARS.xmppPassword,
};

/** Where systemd puts the credentials of the units in dist/, by role. */
export const UNIT_CREDENTIAL_DIRS: Readonly<Record<Role, string>> = {
  fedi: "/run/credentials/xmpp-ap-bridge-fedi.service",
  xmpp: "/run/credentials/xmpp-ap-bridge-xmpp.service",
};

/** The credential folders a run of `roles` may read (the units' and the current one). */
export function credentialDirs(roles: readonly Role[], current: string | null): string[] {
  const dirs = roles.map((r) => UNIT_CREDENTIAL_DIRS[r]);
  if (current && !dirs.includes(current)) dirs.push(current);
  return dirs;
}

/** `$CREDENTIALS_DIRECTORY`, or null when unset or not readable. */
export function credentialsDirectory(
  getEnv: (name: string) => string | undefined = (n) => Deno.env.get(n),
): string | null {
  try {
    return getEnv(CREDENTIALS_ENV) || null;
  } catch {
    return null;
  }
}

/**
 * The secrets found in `dir`, as the variables they stand for. A missing file is skipped; the
 * trailing line break an editor leaves is dropped.
 */
export function readCredentials(
  dir: string | null,
  readTextFile: (path: string) => string = Deno.readTextFileSync,
): Record<string, string> {
  const found: Record<string, string> = {};
  if (dir === null) return found;
  for (const [file, variable] of Object.entries(CREDENTIAL_FILES)) {
    try {
      const value = readTextFile(join(dir, file)).replace(/\r?\n$/, "");
      if (value !== "") found[variable] = value;
    } catch (e) {
      if (e instanceof Deno.errors.NotFound) continue;
      const why = e instanceof Error ? e.message : String(e);
      throw new ConfigError(join(dir, file), [`cannot read this credential file: ${why}`]);
    }
  }
  return found;
}
