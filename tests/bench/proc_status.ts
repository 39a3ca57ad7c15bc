/**
 * Reading /proc (Linux): memory figures of a process from /proc/<pid>/status, the peak resident
 * set (VmHWM) and the current one (VmRSS), and machine facts from /proc/cpuinfo and
 * /proc/meminfo.
 *
 * Deno refuses to read files under /proc with anything less than --allow-all, whatever the read
 * permission says; the benchmarks may run programs, so `cat` reads them instead.
 */

export interface Memory {
  /** Peak resident set size, MB. */
  readonly peakMb: number;
  /** Current resident set size, MB. */
  readonly rssMb: number;
}

/** The text of a /proc file. */
export async function readProcFile(path: string): Promise<string> {
  const out = await new Deno.Command("cat", { args: [path], stdout: "piped", stderr: "piped" })
    .output();
  if (!out.success) {
    throw new Error(`cannot read ${path}: ${new TextDecoder().decode(out.stderr).trim()}`);
  }
  return new TextDecoder().decode(out.stdout);
}

/** Reads one `Name:  <n> kB` line of a status file, in MB. */
export function statusField(status: string, field: string): number {
  const match = new RegExp(`^${field}:\\s*(\\d+) kB$`, "m").exec(status);
  if (match === null) throw new Error(`no ${field} in /proc status`);
  return Number(match[1]) / 1024;
}

/** The memory figures of process `pid` (our own child). */
export async function readMemory(pid: number): Promise<Memory> {
  const status = await readProcFile(`/proc/${pid}/status`);
  return { peakMb: statusField(status, "VmHWM"), rssMb: statusField(status, "VmRSS") };
}
