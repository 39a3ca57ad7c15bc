/**
 * The figures a benchmark run produces: each has a stable id, a label for the table, a unit, one
 * value per repeated run, and optionally the target it is compared with and the floor figure
 * (the same path without the bridge, floors.ts) it is shown in ratio to. Benchmarks add values;
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
  /** The id of the floor figure this one is shown in ratio to. */
  readonly floor?: string;
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
  /** The floor figure's id and median, when this figure has a floor that was measured. */
  readonly floor: { readonly id: string; readonly median: number } | null;
  /** This figure's median divided by its floor's median (null without a floor). */
  readonly floorRatio: number | null;
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
      const floorFigure = f.floor === undefined ? undefined : this.#figures.get(f.floor);
      const floor = floorFigure === undefined
        ? null
        : { id: floorFigure.id, median: summarise(floorFigure.runs).median };
      return {
        floor,
        floorRatio: floor === null ? null : summary.median / floor.median,
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
