import type { BoundStep, SymbolicRange } from "../passes/time-range-pass.ts";

/** A unit a bound is rounded to or moved by (shifts may use finer units than roundings: hours, minutes…). */
type Unit = Extract<BoundStep, { unit: unknown }>["unit"];

/**
 * The read range of a source in words and as a formula of the window's bounds, from the time-range pass's symbolic
 * ranges: "whole months starting in the window", `[ceil_month(start), ceil_month(end))`.
 */
export function describeRange(range: SymbolicRange): { summary: string; formula: string } {
  const start = range.start && simplify(range.start);
  const end = range.end && simplify(range.end);
  const formula = `[${formatBound("start", start)}, ${formatBound("end", end)})`;
  return { summary: summarize(start, end) ?? formula, formula };
}

function summarize(start: readonly BoundStep[] | null, end: readonly BoundStep[] | null): string | undefined {
  if (!start && !end) return "the whole history (the timestamp is derived in a way the range pass does not follow)";
  if (!start && end) return `all history before ${end.length === 0 ? "the window's end" : formatBound("end", end)}`;
  if (!start || !end) return undefined;
  const [first, second] = start;
  if (JSON.stringify(start) === JSON.stringify(end)) {
    if (start.length === 0) return "the window";
    if (start.length === 1 && first!.op === "ceil") return `whole ${periods(first!)} starting in the window`;
    if (start.length === 2 && first!.op === "ceil" && second?.op === "shift" && second.unit === first!.unit && second.n === -(first!.n ?? 1)) {
      return `whole ${periods(first!)} ending in the window`;
    }
  }
  if (end.length === 0 && start.length === 1 && first!.op === "shift" && first!.n < 0) {
    return `the window and the ${-first!.n} ${-first!.n === 1 ? first!.unit : plural(first!.unit)} before it`;
  }
  return undefined;
}

function formatBound(side: "start" | "end", steps: readonly BoundStep[] | null): string {
  if (!steps) return side === "start" ? "-inf" : "+inf";
  return steps.reduce<string>((acc, step) => {
    if (step.op === "at") return step.at.toISOString();
    if (step.op === "atLeast") return `max(${acc}, ${step.at.toISOString()})`;
    if (step.op === "atMost") return `min(${acc}, ${step.at.toISOString()})`;
    if (step.op !== "shift") return `${step.op}_${step.n === undefined ? step.unit : `${step.n}${step.unit}s`}(${acc})`;
    const n = Math.abs(step.n);
    return `${acc} ${step.n < 0 ? "-" : "+"} ${n} ${n === 1 ? step.unit : plural(step.unit)}`;
  }, side);
}

// A period start of a unit is also a start of every unit listed for it (a quarter starts on a month's first day).
// A unit not listed (an hour) keeps no alignment: a day start plus 12 hours is no day start.
const ALIGNS: Readonly<Record<string, readonly Unit[]>> = {
  day: ["day"],
  week: ["week", "day"],
  month: ["month", "day"],
  quarter: ["quarter", "month", "day"],
  year: ["year", "quarter", "month", "day"],
};

/**
 * Drops roundings that cannot change the result: ceil_month of a quarter start is that quarter start, and a finer
 * rounding right before a coarser one in the same direction is absorbed by it. Shifting by whole
 * periods keeps alignment only to that period and finer ones (a quarter start plus one month is only a month start).
 */
function simplify(steps: readonly BoundStep[]): BoundStep[] {
  let aligned = new Set<Unit>();
  const aligns = (unit: Unit): readonly Unit[] => ALIGNS[unit] ?? [];
  const kept: BoundStep[] = [];
  for (const step of steps) {
    if (step.op === "at" || step.op === "atLeast" || step.op === "atMost") {
      // A fixed instant: what came before no longer decides the bound (at), or no alignment survives the max.
      if (step.op === "at") kept.length = 0;
      aligned = new Set();
      kept.push(step);
    } else if (step.op === "shift") {
      aligned = new Set([...aligned].filter((u) => aligns(step.unit).includes(u)));
      kept.push(step);
    } else if (step.n !== undefined) {
      // A multiple's start is a start of its unit's alignments (a 2-month start is a month start), not the reverse.
      kept.push(step);
      aligned = new Set(aligns(step.unit));
    } else if (!aligned.has(step.unit)) {
      // ceil_month(ceil_day(t)) = ceil_month(t): the coarser rounding's result is a finer period start anyway.
      const last = kept.at(-1);
      if (last && last.op === step.op && !("n" in last) && last.unit !== step.unit && aligns(step.unit).includes(last.unit)) kept.pop();
      aligned = new Set(aligns(step.unit));
      kept.push(step);
    }
  }
  return kept;
}

const plural = (unit: Unit): string => `${unit}s`;
const periods = (step: { unit: Unit; n?: number }): string => (step.n === undefined ? plural(step.unit) : `${step.n}-${step.unit} periods`);
