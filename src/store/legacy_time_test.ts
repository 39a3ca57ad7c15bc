import assert from "node:assert/strict";
import { legacyTimeParser } from "./legacy_time.ts";

Deno.test("old timestamps are read as local time of this machine by default", () => {
  const parse = legacyTimeParser();
  const read = new Date(parse("2024-03-05 14:07:09.123456")!);
  assert.deepEqual(
    [read.getFullYear(), read.getMonth(), read.getDate(), read.getHours(), read.getMinutes()],
    [2024, 2, 5, 14, 7],
  );
  assert.equal(read.getSeconds(), 9);
  assert.equal(read.getMilliseconds(), 123);
  assert.equal(
    parse("2024-03-05 14:07:09.123456"),
    new Date(2024, 2, 5, 14, 7, 9, 123).getTime(),
  );
  assert.equal(parse("2024-03-05 14:07:09"), new Date(2024, 2, 5, 14, 7, 9, 0).getTime());
  assert.equal(
    parse("1999-12-31 23:59:59.999999"),
    new Date(1999, 11, 31, 23, 59, 59, 999).getTime(),
  );
});

Deno.test("old timestamps in a named time zone", () => {
  const paris = legacyTimeParser("Europe/Paris");
  assert.equal(paris("2024-07-01 12:00:00"), Date.UTC(2024, 6, 1, 10, 0, 0)); // CEST, +2
  assert.equal(paris("2024-01-15 12:00:00.500000"), Date.UTC(2024, 0, 15, 11, 0, 0, 500)); // CET
  const utc = legacyTimeParser("UTC");
  assert.equal(utc("2023-11-02 08:09:10.000001"), Date.UTC(2023, 10, 2, 8, 9, 10, 0));
  const tokyo = legacyTimeParser("Asia/Tokyo");
  assert.equal(tokyo("2024-01-01 00:30:00"), Date.UTC(2023, 11, 31, 15, 30, 0));
  const newYork = legacyTimeParser("America/New_York");
  assert.equal(newYork("2024-11-03 00:30:00"), Date.UTC(2024, 10, 3, 4, 30, 0)); // EDT, -4
  assert.equal(newYork("2024-11-04 00:30:00"), Date.UTC(2024, 10, 4, 5, 30, 0)); // EST, -5
});

Deno.test("a repeated or skipped wall time still maps next to its place", () => {
  const paris = legacyTimeParser("Europe/Paris");
  // 02:30 happens twice on 2024-10-27 (at 00:30Z and 01:30Z).
  const repeated = paris("2024-10-27 02:30:00")!;
  assert.ok(
    [Date.UTC(2024, 9, 27, 0, 30), Date.UTC(2024, 9, 27, 1, 30)].includes(repeated),
    `got ${new Date(repeated).toISOString()}`,
  );
  // 02:30 does not exist on 2024-03-31; any result within the hour around it will do.
  const skipped = paris("2024-03-31 02:30:00")!;
  assert.ok(Math.abs(skipped - Date.UTC(2024, 2, 31, 1, 0)) <= 3_600_000);
});

Deno.test("other formats are not old timestamps", () => {
  const parse = legacyTimeParser("UTC");
  for (
    const text of [
      "2024-03-05",
      "2024-03-05T14:07:09",
      "2024-03-05 14:07:09Z",
      "2024-03-05 14:07:09+01:00",
      "2024-03-05 14:07",
      "2024-03-05 14:07:09.1234567",
      "2024-02-30 10:00:00",
      "2024-13-01 10:00:00",
      "2024-01-01 24:00:00",
      " 2024-01-01 10:00:00",
      "1709647629",
      "",
    ]
  ) {
    assert.equal(parse(text), undefined, text);
  }
});

Deno.test("an unknown time zone is refused at once", () => {
  assert.throws(() => legacyTimeParser("Mars/Olympus_Mons"), RangeError);
});
