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

/**
 * A parser reading wall-clock times in `timeZone` (an IANA name such as
 * `Europe/Paris`), or in the local zone of this machine when omitted. Fractions
 * below the millisecond are dropped. A wall time that a daylight-saving change
 * skips or repeats resolves as `Date` does for local times (Temporal's
 * "compatible": the earlier of a repeated time, the later side of a gap). Throws
 * a RangeError for an unknown time zone.
 */
export function legacyTimeParser(timeZone?: string): LegacyTimeParser {
  // Naming the zone once here refuses an unknown one at once, not at the first row.
  const zone = Temporal.Now.zonedDateTimeISO(timeZone ?? Temporal.Now.timeZoneId()).timeZoneId;
  return (text) => {
    const wall = parseWall(text);
    return wall?.toZonedDateTime(zone, { disambiguation: "compatible" }).epochMilliseconds;
  };
}

/** The wall time of an old timestamp; undefined for another format or an impossible date. */
function parseWall(text: string): Temporal.PlainDateTime | undefined {
  const match = PATTERN.exec(text);
  if (match === null) return undefined;
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map(Number) as number[];
  const fraction = match[7];
  const millisecond = fraction === undefined ? 0 : Number(fraction.padEnd(6, "0").slice(0, 3));
  try {
    return Temporal.PlainDateTime.from(
      { year: year!, month: month!, day: day!, hour, minute, second, millisecond },
      { overflow: "reject" },
    );
  } catch {
    return undefined; // month 13, February 30, hour 24...
  }
}
