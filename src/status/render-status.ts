import { formatWindow, type TimeWindow } from "../backfill/window.ts";
import type { TimeUnit } from "../ir/expr.ts";
import { addPeriods, floorTo, formatInstant } from "../ir/time.ts";
import type { SetStatus, SpanState } from "./set-status.ts";

export type CellState = SpanState | "running";

/** One glyph per state: plain ASCII, so the picture survives any log viewer; colour is added on a terminal only. */
const GLYPHS: Record<CellState, string> = { filled: "#", stale: "~", missing: ".", failed: "x", running: ">" };
const COLOURS: Record<CellState, number> = { filled: 32, stale: 33, missing: 90, failed: 31, running: 36 };
const MEANING: Record<CellState, string> = {
  filled: "filled",
  stale: "stale (written by an older definition of the set, an upstream set or a source)",
  missing: "missing",
  failed: "failed or interrupted",
  running: "running",
};
// A cell covering several states shows the one that most needs attention.
const PRECEDENCE: readonly CellState[] = ["running", "failed", "missing", "stale", "filled"];
const UNITS: readonly TimeUnit[] = ["day", "week", "month", "quarter", "year"];

/** The calendar unit with the fewest cells that still fits `width`, and the cells' states, per set. */
function cells(statuses: readonly SetStatus[], range: TimeWindow, width: number): { unit: TimeUnit; periods: TimeWindow[]; rows: CellState[][] } {
  let unit: TimeUnit = "year";
  let periods: TimeWindow[] = [];
  for (const candidate of UNITS) {
    periods = periodsOf(range, candidate);
    unit = candidate;
    if (periods.length <= width) break;
  }
  const rows = statuses.map((s) =>
    periods.map((p) => {
      const present = new Set<CellState>(s.spans.filter((x) => x.start < p.end && x.end > p.start).map((x) => x.state));
      if (s.running.some((l) => l.start < p.end && l.end > p.start)) present.add("running");
      return PRECEDENCE.find((state) => present.has(state)) ?? "missing";
    }),
  );
  return { unit, periods, rows };
}

function periodsOf(range: TimeWindow, unit: TimeUnit): TimeWindow[] {
  const periods: TimeWindow[] = [];
  for (let t = floorTo(range.start, unit); t < range.end && periods.length <= 10_000; t = addPeriods(t, unit, 1)) {
    const end = addPeriods(t, unit, 1);
    periods.push({ start: t < range.start ? range.start : t, end: end > range.end ? range.end : end });
  }
  return periods;
}

/** The picture: one line per set, one cell per period, a legend, then what needs attention in words. */
export function renderStatusText(statuses: readonly SetStatus[], range: TimeWindow, options: { width: number; colour: boolean }): string {
  const nameWidth = Math.max(...statuses.map((s) => s.set.length), 3);
  const { unit, periods, rows } = cells(statuses, range, Math.max(options.width - nameWidth - 3, 10));
  const paint = (state: CellState) => (options.colour ? `\u001b[${COLOURS[state]}m${GLYPHS[state]}\u001b[0m` : GLYPHS[state]);
  const lines = [`status over ${formatWindow(range)}, one cell per ${unit} (${periods.length})`, ""];
  statuses.forEach((s, i) => lines.push(`${s.set.padEnd(nameWidth)} |${rows[i]!.map(paint).join("")}|`));
  lines.push("", `legend: ${(Object.keys(GLYPHS) as CellState[]).map((state) => `${paint(state)} ${MEANING[state]}`).join("  ")}`, "");
  for (const s of statuses) {
    lines.push(`${s.set}: ${summary(s)}`);
    for (const span of s.spans.filter((x) => x.state !== "filled")) lines.push(`  ${span.state} ${formatWindow(span)}`);
    for (const f of s.failures) lines.push(`  ${f.status} chunk ${formatWindow(f)} in run ${f.runId}${f.error ? `: ${f.error}` : ""}`);
    for (const l of s.running) lines.push(`  running ${formatWindow(l)}: run ${l.runId} on ${l.holder}, lease until ${l.expiresAt.toISOString()}`);
  }
  return `${lines.join("\n")}\n`;
}

export function renderStatusMarkdown(statuses: readonly SetStatus[], range: TimeWindow, width: number): string {
  const { unit, rows } = cells(statuses, range, width);
  const lines = [
    `Status over ${formatWindow(range)}, one cell per ${unit}.`,
    "",
    "| set | cells | not filled | last run |",
    "| --- | --- | --- | --- |",
    ...statuses.map((s, i) => {
      const open = [
        ...s.spans.filter((x) => x.state !== "filled").map((x) => `${x.state} ${formatWindow(x)}`),
        ...s.running.map((l) => `running ${formatWindow(l)}`),
      ];
      return `| ${s.set} | \`${rows[i]!.map((c) => GLYPHS[c]).join("")}\` | ${open.join("<br>") || "—"} | ${lastRunText(s)} |`;
    }),
    "",
    `Legend: ${(Object.keys(GLYPHS) as CellState[]).map((state) => `\`${GLYPHS[state]}\` ${MEANING[state]}`).join(", ")}.`,
  ];
  return `${lines.join("\n")}\n`;
}

export function statusJson(statuses: readonly SetStatus[], range: TimeWindow): unknown {
  const w = (x: TimeWindow) => ({ start: formatInstant(x.start), end: formatInstant(x.end) });
  return {
    range: w(range),
    sets: statuses.map((s) => ({
      set: s.set,
      definitionHash: s.definitionHash,
      spans: s.spans.map((x) => ({ ...w(x), state: x.state })),
      failures: s.failures.map((f) => ({ ...w(f), status: f.status, runId: f.runId, finishedAt: f.finishedAt.toISOString(), error: f.error ?? null })),
      running: s.running.map((l) => ({ ...w(l), runId: l.runId, holder: l.holder, expiresAt: l.expiresAt.toISOString() })),
      lastRun: s.lastRun ? { ...s.lastRun, startedAt: s.lastRun.startedAt.toISOString(), finishedAt: s.lastRun.finishedAt.toISOString() } : null,
    })),
  };
}

function summary(s: SetStatus): string {
  const count = (state: SpanState) => s.spans.filter((x) => x.state === state).length;
  const parts = (["missing", "stale", "failed"] as const).filter((state) => count(state)).map((state) => `${count(state)} ${state} stretch(es)`);
  if (s.running.length) parts.push(`${s.running.length} running`);
  return `${parts.join(", ") || "all filled"}; ${lastRunText(s)}`;
}

const lastRunText = (s: SetStatus): string =>
  s.lastRun
    ? `last run ${s.lastRun.runId} finished ${s.lastRun.finishedAt.toISOString()} after ${(s.lastRun.durationMs / 1000).toFixed(2)} s (${s.lastRun.chunks} chunk(s), ${s.lastRun.failed} failed)`
    : "never run";
