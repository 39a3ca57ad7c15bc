/**
 * Timestamps of the old bridge's database: text in local wall-clock time, as
 * Python's default SQLite adapter writes a naive `datetime`:
 * `YYYY-MM-DD HH:MM:SS.ffffff`, or `YYYY-MM-DD HH:MM:SS` when the microseconds
 * are zero.
 *
 * @module
 */

/** Turns one old timestamp into epoch ms, or undefined when its format is not the old one. */
export type LegacyTimeParser = (text: string) => number | undefined;

const PATTERN = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?$/;

interface WallTime {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
  readonly ms: number;
}

/**
 * A parser reading wall-clock times in `timeZone` (an IANA name such as
 * `Europe/Paris`), or in the local zone of this machine when omitted. Fractions
 * below the millisecond are dropped. A wall time that a daylight-saving change
 * skips or repeats resolves to one of the nearby instants. Throws a RangeError
 * for an unknown time zone.
 */
export function legacyTimeParser(timeZone?: string): LegacyTimeParser {
  const toEpoch = timeZone === undefined ? localEpoch : zonedEpoch(timeZone);
  return (text) => {
    const wall = parseWall(text);
    return wall === undefined ? undefined : toEpoch(wall);
  };
}

function parseWall(text: string): WallTime | undefined {
  const match = PATTERN.exec(text);
  if (match === null) return undefined;
  const [, y, mo, d, h, mi, s, fraction] = match;
  const wall: WallTime = {
    year: Number(y),
    month: Number(mo),
    day: Number(d),
    hour: Number(h),
    minute: Number(mi),
    second: Number(s),
    ms: fraction === undefined ? 0 : Math.floor(Number(fraction.padEnd(6, "0")) / 1000),
  };
  // Reject impossible dates (month 13, February 30...) by a round trip through UTC.
  const check = new Date(utcOf(wall));
  const valid = check.getUTCFullYear() === wall.year && check.getUTCMonth() + 1 === wall.month &&
    check.getUTCDate() === wall.day && check.getUTCHours() === wall.hour &&
    check.getUTCMinutes() === wall.minute && check.getUTCSeconds() === wall.second;
  return valid ? wall : undefined;
}

/** The wall time read as if it were UTC. */
function utcOf(wall: WallTime): number {
  const date = new Date(0);
  date.setUTCFullYear(wall.year, wall.month - 1, wall.day);
  date.setUTCHours(wall.hour, wall.minute, wall.second, wall.ms);
  return date.getTime();
}

function localEpoch(wall: WallTime): number {
  const date = new Date(0);
  date.setFullYear(wall.year, wall.month - 1, wall.day);
  date.setHours(wall.hour, wall.minute, wall.second, wall.ms);
  return date.getTime();
}

function zonedEpoch(timeZone: string): (wall: WallTime) => number {
  const format = new Intl.DateTimeFormat("en-US", {
    timeZone,
    hourCycle: "h23",
    year: "numeric",
    month: "numeric",
    day: "numeric",
    hour: "numeric",
    minute: "numeric",
    second: "numeric",
  });
  /** Offset of the zone from UTC at the instant `epoch`, in ms. */
  const offsetAt = (epoch: number): number => {
    const seconds = Math.floor(epoch / 1000) * 1000;
    const parts: Record<string, number> = {};
    for (const part of format.formatToParts(seconds)) parts[part.type] = Number(part.value);
    const wallAsUtc = Date.UTC(
      parts.year!,
      parts.month! - 1,
      parts.day!,
      parts.hour!,
      parts.minute!,
      parts.second!,
    );
    return wallAsUtc - seconds;
  };
  return (wall) => {
    const asUtc = utcOf(wall);
    const first = asUtc - offsetAt(asUtc);
    const second = asUtc - offsetAt(first);
    return second;
  };
}
