import assert from "node:assert/strict";
import { readMemory, statusField } from "./proc_status.ts";

Deno.test("statusField reads kB lines as MB", () => {
  const status = "Name:\tdeno\nVmHWM:\t   81920 kB\nVmRSS:\t   40960 kB\n";
  assert.equal(statusField(status, "VmHWM"), 80);
  assert.equal(statusField(status, "VmRSS"), 40);
  assert.throws(() => statusField(status, "VmSwap"), /no VmSwap/);
});

Deno.test("readMemory reads a process's figures", async () => {
  const m = await readMemory(Deno.pid);
  assert.ok(m.rssMb > 1, `RSS ${m.rssMb} MB`);
  assert.ok(m.peakMb >= m.rssMb, `peak ${m.peakMb} MB, RSS ${m.rssMb} MB`);
});
