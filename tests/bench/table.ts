/**
 * The printed result: a header naming the machine, then one row per figure with its median over
 * the runs, the range (lowest to highest run), the number of runs, the median of its floor (the
 * same path without the bridge) and its ratio to it, and the target it is held to.
 */
import type { FigureReport, Target, Unit } from "./figures.ts";
import { readProcFile } from "./proc_status.ts";

export interface Machine {
  /** `navigator.hardwareConcurrency`. */
  readonly cpus: number;
  /** From /proc/cpuinfo, when readable. */
  readonly cpuModel: string | null;
  /** From /proc/meminfo, in MB, when readable. */
  readonly memoryMb: number | null;
  /** The 1-minute load average when the run began (other work on the machine skews figures). */
  readonly loadAverage: number | null;
  readonly deno: string;
  readonly date: string;
  readonly mode: "full" | "quick";
}

/** A value in its unit, with as many decimals as the magnitude deserves. */
export function formatValue(value: number, unit: Unit): string {
  if (!Number.isFinite(value)) return String(value);
  switch (unit) {
    case "count":
      return String(Math.round(value));
    case "msg/s":
      return String(Math.round(value));
    case "ratio":
      return value.toFixed(2);
    case "s":
      return value.toFixed(2);
    case "MB":
      return value.toFixed(1);
    case "ms":
      return value >= 100 ? value.toFixed(0) : value.toFixed(1);
  }
}

/** A ratio to a floor: `12×`, `0.35×`. */
export function formatRatio(ratio: number): string {
  if (!Number.isFinite(ratio)) return String(ratio);
  return `${ratio >= 10 ? ratio.toFixed(0) : ratio >= 1 ? ratio.toFixed(1) : ratio.toFixed(2)}×`;
}

function formatTarget(target: Target | null, unit: Unit): string {
  if (target === null) return "";
  const op = target.op === "==" ? "=" : target.op === "<=" ? "≤" : "≥";
  return `${op} ${formatValue(target.value, unit)}`;
}

function pad(text: string, width: number, right = false): string {
  const fill = " ".repeat(Math.max(0, width - [...text].length));
  return right ? fill + text : text + fill;
}

/** The whole table as text (no colours: it goes into logs and the README). */
export function renderTable(machine: Machine, reports: readonly FigureReport[]): string {
  const header = ["figure", "unit", "median", "range", "runs", "floor", "× floor", "target", "met"];
  const rows = reports.map((r) => [
    r.label,
    r.unit,
    formatValue(r.median, r.unit),
    r.runs > 1 ? `${formatValue(r.min, r.unit)}–${formatValue(r.max, r.unit)}` : "",
    String(r.runs),
    r.floor === null ? "" : formatValue(r.floor.median, r.unit),
    r.floorRatio === null ? "" : formatRatio(r.floorRatio),
    formatTarget(r.target, r.unit),
    r.met === null ? "" : r.met ? "yes" : "NO",
  ]);
  const widths = header.map((h, i) =>
    Math.max([...h].length, ...rows.map((r) => [...r[i]!].length))
  );
  const numeric = new Set([2, 3, 4, 5, 6]);
  const line = (cells: string[]) =>
    cells.map((c, i) => pad(c, widths[i]!, numeric.has(i))).join("  ").trimEnd();
  const lines = [
    `machine: ${machine.cpus} CPU(s)` +
    (machine.cpuModel === null ? "" : ` (${machine.cpuModel})`) +
    (machine.memoryMb === null ? "" : `, ${Math.round(machine.memoryMb / 1024)} GB RAM`) +
    `, Deno ${machine.deno}; ${machine.date}; ${machine.mode} run` +
    (machine.loadAverage === null ? "" : `; load average ${machine.loadAverage} at start`),
    "",
    line(header),
    line(widths.map((w) => "-".repeat(w))),
    ...rows.map(line),
  ];
  return lines.join("\n");
}

/** What the machine is (the /proc facts when readable) and how loaded it was at the start. */
export async function describeMachine(
  mode: "full" | "quick",
  now: Date = new Date(),
): Promise<Machine> {
  const cpuinfo = await readProcFile("/proc/cpuinfo").catch(() => "");
  const meminfo = await readProcFile("/proc/meminfo").catch(() => "");
  const loadavg = await readProcFile("/proc/loadavg").catch(() => "");
  const memKb = Number(/^MemTotal:\s*(\d+) kB$/m.exec(meminfo)?.[1] ?? NaN);
  const load = Number(loadavg.split(" ")[0] ?? NaN);
  return {
    cpus: navigator.hardwareConcurrency,
    cpuModel: /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1]?.trim() ?? null,
    memoryMb: Number.isFinite(memKb) ? memKb / 1024 : null,
    loadAverage: Number.isFinite(load) ? load : null,
    deno: Deno.version.deno,
    date: now.toISOString().slice(0, 10),
    mode,
  };
}
