/**
 * The figures a benchmark run produces: each has a stable id, a label for the table, a unit, one
 * value per repeated run, and optionally the target it is compared with. Benchmarks add values;
 * the entry script prints them (see table.ts) and may write them as JSON.
 */
import { summarise, type Summary } from "./stats.ts";

export type Unit = "ms" | "s" | "msg/s" | "MB" | "count" | "ratio";

/** A target a figure is compared with (on its median over runs). */
export interface Target {
  readonly op: "<=" | ">=" | "==";
  readonly value: number;
}

export interface FigureSpec {
  readonly label: string;
  readonly unit: Unit;
  readonly target?: Target;
}

export interface Figure extends FigureSpec {
  readonly id: string;
  readonly runs: number[];
}

/** What a figure looks like once summarised, for the table and the JSON output. */
export interface FigureReport extends Summary {
  readonly id: string;
  readonly label: string;
  readonly unit: Unit;
  readonly target: Target | null;
  /** Whether the median meets the target; null without a target. */
  readonly met: boolean | null;
  readonly values: readonly number[];
}

export function meets(value: number, target: Target): boolean {
  switch (target.op) {
    case "<=":
      return value <= target.value;
    case ">=":
      return value >= target.value;
    case "==":
      return value === target.value;
  }
}

/** The figures of one benchmark session, in the order they were first recorded. */
export class FigureSet {
  readonly #figures = new Map<string, Figure>();

  /** Adds the value of one run to figure `id` (declared by `spec` on first use). */
  record(id: string, spec: FigureSpec, value: number): void {
    let figure = this.#figures.get(id);
    if (figure === undefined) {
      figure = { id, ...spec, runs: [] };
      this.#figures.set(id, figure);
    }
    figure.runs.push(value);
  }

  get(id: string): Figure | undefined {
    return this.#figures.get(id);
  }

  reports(): FigureReport[] {
    return [...this.#figures.values()].map((f) => {
      const summary = summarise(f.runs);
      return {
        id: f.id,
        label: f.label,
        unit: f.unit,
        target: f.target ?? null,
        met: f.target === undefined ? null : meets(summary.median, f.target),
        values: [...f.runs],
        ...summary,
      };
    });
  }
}
