import { describe, it, expect } from "vitest";
import { avgMonthlyRevolvingBalance, quarterlyRevolvingBalanceTrend, weeklyOverdraftActivity } from "../../features/balances.ts";
import { monthlyCardSpend } from "../../features/spend.ts";
import { col, featureSet, type LazyFrame, len, source, when } from "../../src/dsl/index.ts";
import { buildGraph, type FeatureGraph } from "../../src/graph/feature-graph.ts";
import type { FeatureSetDef } from "../../src/ir/definitions.ts";
import {
  evaluateRanges,
  FULL_HISTORY,
  inferSourceRanges,
  readsExactly,
  type SymbolicRange,
  WINDOW,
} from "../../src/passes/time-range-pass.ts";
import { typeGraph } from "../../src/passes/type-pass.ts";

const utc = (text: string): Date => new Date(text.length === 10 ? `${text}T00:00:00.000Z` : text);

/** The read range of `source` for `set` over `[start, end)`, as ISO text (undefined: unbounded). */
function readRange(graph: FeatureGraph, set: string, sourceName: string, start: string, end: string) {
  const ranges = inferSourceRanges(graph, graph.sets.get(set)!);
  const forSource = ranges.get(sourceName);
  if (!forSource) throw new Error(`${set} does not read ${sourceName}; it reads ${[...ranges.keys()].join(", ")}`);
  const r = evaluateRanges(forSource, { start: utc(start), end: utc(end) });
  return { start: r.start?.toISOString(), end: r.end?.toISOString() };
}
const range = (start?: string, end?: string) => ({ start: start && utc(start).toISOString(), end: end && utc(end).toISOString() });

describe("read ranges of the example feature sets", () => {
  const graph = buildGraph([avgMonthlyRevolvingBalance, weeklyOverdraftActivity, quarterlyRevolvingBalanceTrend, monthlyCardSpend]);

  it("each set reads exactly the sources it depends on, along one path", () => {
    const sourcesOf = (set: string) =>
      [...inferSourceRanges(graph, graph.sets.get(set)!)].map(([name, ranges]) => [name, ranges.length]);
    expect(sourcesOf("avg_monthly_revolving_balance")).toEqual([["customer_accounts", 1]]);
    expect(sourcesOf("quarterly_revolving_balance_trend")).toEqual([["customer_accounts", 1]]);
    expect(sourcesOf("monthly_card_spend")).toEqual([["card_transactions", 1]]);
  });

  it.each([
    // A monthly truncation needs the whole months the window touches.
    ["2025-01-15", "2025-10-14", "2025-02-01", "2025-11-01"], // January's row (dated Jan 1) is outside the window
    ["2025-01-01", "2025-02-01", "2025-01-01", "2025-02-01"],
    ["2024-02-29", "2024-03-01", "2024-03-01", "2024-03-01"], // no month starts in the window: nothing to read
    ["2025-01-31T12:00:00.000Z", "2025-02-01T00:00:00.001Z", "2025-02-01", "2025-03-01"],
  ])("avg_monthly_revolving_balance over [%s, %s) reads [%s, %s)", (s, e, rs, re) => {
    expect(readRange(graph, "avg_monthly_revolving_balance", "customer_accounts", s, e)).toEqual(range(rs, re));
  });

  it.each([
    // ISO weeks: 2025-01-15 is a Wednesday (week of Monday 01-13); 2025-02-01 a Saturday (week ends Monday 02-03).
    ["2025-01-15", "2025-02-01", "2025-01-20", "2025-02-03"],
    ["2025-01-06", "2025-01-20", "2025-01-06", "2025-01-20"],
    ["2024-12-31", "2025-01-01", "2025-01-06", "2025-01-06"], // no Monday in the window
  ])("weekly_overdraft_activity over [%s, %s) reads [%s, %s)", (s, e, rs, re) => {
    expect(readRange(graph, "weekly_overdraft_activity", "customer_accounts", s, e)).toEqual(range(rs, re));
  });

  it.each([
    // Labelled by the quarter's end: rows dated 2025-04-01 .. 2025-10-01 summarise Q1..Q3 2025, and the one dated
    // 2025-01-01 summarises Q4 2024; monthly rows are whole months, so the reads stay on month boundaries.
    ["2025-01-01", "2025-10-14", "2024-10-01", "2025-10-01"],
    // Only the row dated 2025-04-01 (Q1) is written.
    ["2025-04-01", "2025-04-02", "2025-01-01", "2025-04-01"],
    ["2025-07-01", "2026-01-01", "2025-04-01", "2025-10-01"],
  ])("quarterly_revolving_balance_trend over [%s, %s) reads [%s, %s)", (s, e, rs, re) => {
    expect(readRange(graph, "quarterly_revolving_balance_trend", "customer_accounts", s, e)).toEqual(range(rs, re));
  });

  it.each([
    // truncate("1mo") then cast to date: whole months of transactions.
    ["2025-01-15", "2025-03-10", "2025-02-01", "2025-04-01"],
    ["2025-01-31T23:00:00.000Z", "2025-02-01T01:00:00.000Z", "2025-02-01", "2025-03-01"],
    ["2025-02-01", "2025-03-01", "2025-02-01", "2025-03-01"],
  ])("monthly_card_spend over [%s, %s) reads [%s, %s)", (s, e, rs, re) => {
    expect(readRange(graph, "monthly_card_spend", "card_transactions", s, e)).toEqual(range(rs, re));
  });
});

describe("read ranges of sets written here", () => {
  const events = source({
    name: "tr_events",
    keys: ["customer_id"],
    timestamp: "ts",
    columns: { customer_id: "bigint", ts: "timestamp", day: "date", opened_at: "timestamp", amount: "double" },
    backfill: { table: "raw.events" },
  });
  const set = (name: string, timestamp: string, build: (frames: { events: LazyFrame }) => LazyFrame) =>
    featureSet({ name, inputs: { events }, keys: ["customer_id"], timestamp, build });
  const graphOf = (...sets: FeatureSetDef[]) => {
    const graph = buildGraph(sets);
    typeGraph(graph); // the sets here are valid: a typo would make the range assertions meaningless
    return graph;
  };
  const symbolic = (graph: FeatureGraph, name: string) => inferSourceRanges(graph, graph.sets.get(name)!).get("tr_events");

  it("a timestamp computed by an aggregate (max) reads the whole history", () => {
    const lastSeen = set("tr_last_seen", "last_ts", ({ events }) =>
      events.groupBy("customer_id").agg(col("ts").max().alias("last_ts"), len().alias("events")),
    );
    const graph = graphOf(lastSeen);
    expect(symbolic(graph, "tr_last_seen")).toEqual([FULL_HISTORY]);
    expect(readsExactly(inferSourceRanges(graph, graph.sets.get("tr_last_seen")!))).toBe(false);
    const r = evaluateRanges(symbolic(graph, "tr_last_seen")!, { start: utc("2025-01-01"), end: utc("2025-02-01") });
    expect(r.start).toBeUndefined();
    expect(r.end).toBeUndefined();
  });

  it("a cast from timestamp to date maps like a day truncation", () => {
    const byCast = set("tr_by_cast", "d", ({ events }) =>
      events.groupBy("customer_id", col("ts").cast("date").alias("d")).agg(col("amount").sum().alias("total")),
    );
    const byTruncate = set("tr_by_truncate", "d", ({ events }) =>
      events.groupBy("customer_id", col("ts").dt.truncate("1d").alias("d")).agg(col("amount").sum().alias("total")),
    );
    const byDate = set("tr_by_date", "d", ({ events }) =>
      events.groupBy("customer_id", col("ts").dt.date().alias("d")).agg(col("amount").sum().alias("total")),
    );
    const graph = graphOf(byCast, byTruncate, byDate);
    expect(symbolic(graph, "tr_by_cast")).toEqual(symbolic(graph, "tr_by_truncate"));
    expect(symbolic(graph, "tr_by_date")).toEqual(symbolic(graph, "tr_by_truncate")); // dt.date() is the same map
    // Days starting in [01-15T12:00, 01-20T06:00) are 01-16 .. 01-20.
    expect(readRange(graph, "tr_by_cast", "tr_events", "2025-01-15T12:00:00.000Z", "2025-01-20T06:00:00.000Z")).toEqual(
      range("2025-01-16", "2025-01-21"),
    );
    expect(readRange(graph, "tr_by_cast", "tr_events", "2025-01-15", "2025-01-20")).toEqual(range("2025-01-15", "2025-01-20"));
  });

  it("sub-daily and multi-period truncations read whole periods, counted from Polars' origins", () => {
    const by = (name: string, every: string, label: "left" | "right" = "left") =>
      set(name, "p", ({ events }) => events.groupBy("customer_id", col("ts").dt.truncate(every, { label }).alias("p")).agg(col("amount").sum().alias("total")));
    const graph = graphOf(by("tr_15m", "15m"), by("tr_2w", "2w"), by("tr_2w_right", "2w", "right"), by("tr_2mo", "2mo"), by("tr_7h", "7h"));
    // Quarter hours starting in [10:05, 11:00) are 10:15 .. 10:45.
    expect(readRange(graph, "tr_15m", "tr_events", "2025-01-15T10:05:00.000Z", "2025-01-15T11:00:00.000Z")).toEqual(
      range("2025-01-15T10:15:00.000Z", "2025-01-15T11:00:00.000Z"),
    );
    // Fortnights start on every other Monday from 1970-01-05: 2025-01-06 and 2025-01-20 are such Mondays, 01-13 is not.
    expect(readRange(graph, "tr_2w", "tr_events", "2025-01-07", "2025-01-21")).toEqual(range("2025-01-20", "2025-02-03"));
    // Labelled by the end: the row dated 2025-01-20 is the fortnight starting 2025-01-06.
    expect(readRange(graph, "tr_2w_right", "tr_events", "2025-01-07", "2025-01-21")).toEqual(range("2025-01-06", "2025-01-20"));
    // Two-month periods start in odd months (January 1970 is month 0): March and May 2025.
    expect(readRange(graph, "tr_2mo", "tr_events", "2025-02-10", "2025-06-01")).toEqual(range("2025-03-01", "2025-07-01"));
    // 7-hour periods from the epoch: 2025-01-01 00:00 is 482,136 hours after it, 4 past a period start (20:00 the day
    // before), so the one period starting in [00:00, 06:00) is 03:00 to 10:00.
    expect(readRange(graph, "tr_7h", "tr_events", "2025-01-01", "2025-01-01T06:00:00.000Z")).toEqual(
      range("2025-01-01T03:00:00.000Z", "2025-01-01T10:00:00.000Z"),
    );
    expect(readsExactly(inferSourceRanges(graph, graph.sets.get("tr_2w")!))).toBe(true);
  });

  it("row-wise steps keep the window: filter, select with a rename, withColumns not touching the time column, a cast to timestamp", () => {
    const rowwise = set("tr_rowwise", "event_time", ({ events }) =>
      events
        .filter(col("amount").gt(0))
        .withColumns(col("amount").mul(2).alias("double_amount"))
        .select("customer_id", col("ts").alias("event_time"), "double_amount"),
    );
    const fromDate = set("tr_from_date", "at", ({ events }) => events.select("customer_id", col("ts").cast("date").cast("timestamp").alias("at")));
    const graph = graphOf(rowwise, fromDate);
    expect(symbolic(graph, "tr_rowwise")).toEqual([WINDOW]);
    expect(readRange(graph, "tr_rowwise", "tr_events", "2025-01-15T06:00:00.000Z", "2025-01-16T06:00:00.000Z")).toEqual(
      range("2025-01-15T06:00:00.000Z", "2025-01-16T06:00:00.000Z"),
    );
    // date -> timestamp keeps the instant; the inner timestamp -> date reads whole days: only 01-16 starts in the window.
    expect(readRange(graph, "tr_from_date", "tr_events", "2025-01-15T06:00:00.000Z", "2025-01-16T06:00:00.000Z")).toEqual(
      range("2025-01-16", "2025-01-17"),
    );
  });

  it("a time column the source does not declare as its timestamp, or an unmodelled expression, reads everything", () => {
    const byOpened = set("tr_by_opened", "opened_month", ({ events }) =>
      events.groupBy("customer_id", col("opened_at").dt.truncate("1mo").alias("opened_month")).agg(len().alias("n")),
    );
    const byCase = set("tr_by_case", "t", ({ events }) =>
      events.select("customer_id", when(col("amount").gt(0)).then(col("ts")).otherwise(col("opened_at")).alias("t")),
    );
    const graph = graphOf(byOpened, byCase);
    expect(symbolic(graph, "tr_by_opened")).toEqual([FULL_HISTORY]);
    expect(symbolic(graph, "tr_by_case")).toEqual([FULL_HISTORY]);
  });

  it("a set on a set follows the upstream timestamp, but not another upstream column", () => {
    const daily = set("tr_daily", "d", ({ events }) =>
      events
        .groupBy("customer_id", col("ts").dt.truncate("1d").alias("d"))
        .agg(col("amount").sum().alias("total"), col("opened_at").min().alias("first_opened")),
    );
    const weeklyRight = featureSet({
      name: "tr_weekly_right",
      inputs: { daily },
      keys: ["customer_id"],
      timestamp: "w",
      build: ({ daily }) =>
        daily.groupBy("customer_id", col("d").dt.truncate("1w", { label: "right" }).alias("w")).agg(col("total").sum().alias("week_total")),
    });
    const byFirstOpened = featureSet({
      name: "tr_by_first_opened",
      inputs: { daily },
      keys: ["customer_id"],
      timestamp: "first_opened",
      build: ({ daily }) => daily.select("customer_id", "first_opened", "total"),
    });
    const graph = graphOf(weeklyRight, byFirstOpened);
    // [2025-01-15 (Wed), 2025-01-22): the only row, labelled 2025-01-20 (Monday), holds the week of 2025-01-13. The
    // pass computes [ceil(S) - 1w, ceil(E) - 1w) = [01-20 - 1w, 01-27 - 1w) = [2025-01-13, 2025-01-20): that week.
    expect(readRange(graph, "tr_weekly_right", "tr_events", "2025-01-15", "2025-01-22")).toEqual(range("2025-01-13", "2025-01-20"));
    expect(symbolic(graph, "tr_by_first_opened")).toEqual([FULL_HISTORY]);
  });
});

describe("evaluateRanges", () => {
  const window = { start: utc("2025-03-10T06:00:00.000Z"), end: utc("2025-05-20") };

  it("applies the steps in order", () => {
    const r: SymbolicRange = {
      start: [{ op: "shift", unit: "month", n: -1 }, { op: "floor", unit: "week" }],
      end: [{ op: "ceil", unit: "quarter" }, { op: "shift", unit: "day", n: 1 }],
      exact: false,
    };
    // start: 2025-02-10T06:00 -> Monday 2025-02-10; end: 2025-07-01 -> 2025-07-02.
    const out = evaluateRanges([r], window);
    expect(out).toEqual({ start: utc("2025-02-10"), end: utc("2025-07-02") });
  });

  it("the window itself", () => {
    expect(evaluateRanges([WINDOW], window)).toEqual({ start: window.start, end: window.end });
  });

  it("any unbounded side makes the union unbounded on that side", () => {
    const openStart: SymbolicRange = { start: null, end: [], exact: false };
    expect(evaluateRanges([WINDOW, openStart], window).start).toBeUndefined();
    const full = evaluateRanges([WINDOW, FULL_HISTORY], window);
    expect(full.start).toBeUndefined();
    expect(full.end).toBeUndefined();
  });

  it("unions several paths: the earliest start and the latest end", () => {
    const a: SymbolicRange = { start: [{ op: "floor", unit: "month" }], end: [], exact: false };
    const b: SymbolicRange = { start: [], end: [{ op: "ceil", unit: "month" }], exact: false };
    expect(evaluateRanges([a, b], window)).toEqual({ start: utc("2025-03-01"), end: utc("2025-06-01") });
  });

  it("keeps the bounded side of a union with a half-open range", () => {
    const openStart: SymbolicRange = { start: null, end: [], exact: false };
    expect(evaluateRanges([WINDOW, openStart], window).end).toEqual(window.end);
  });
});

describe("readsExactly: whether the output needs clipping to the window", () => {
  it("holds for the example sets: every read maps exactly onto the window", () => {
    const graph = buildGraph([avgMonthlyRevolvingBalance, weeklyOverdraftActivity, quarterlyRevolvingBalanceTrend, monthlyCardSpend]);
    for (const node of graph.sets.values()) expect(readsExactly(inferSourceRanges(graph, node)), node.def.name).toBe(true);
  });

  it("fails for a full-history read, and for a source read along paths that disagree", () => {
    const right = { ...WINDOW, start: [{ op: "ceil", unit: "month" } as const] };
    expect(readsExactly(new Map([["s", [WINDOW]]]))).toBe(true);
    expect(readsExactly(new Map([["s", [WINDOW, WINDOW]]]))).toBe(true);
    expect(readsExactly(new Map([["s", [WINDOW, right]]]))).toBe(false);
    expect(readsExactly(new Map([["s", [WINDOW]], ["t", [FULL_HISTORY]]]))).toBe(false);
  });
});
