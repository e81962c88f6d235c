import path from "node:path";
import { describe, expect, it } from "vitest";
import { col, featureSet, len, source } from "../../src/index.ts";
import type { FeatureSetDef } from "../../src/ir/definitions.ts";
import { buildGraph } from "../../src/graph/feature-graph.ts";
import { loadFeatureGraph } from "../../src/graph/load-modules.ts";
import { knownAtGraph } from "../../src/passes/known-at-pass.ts";
import { typeGraph } from "../../src/passes/type-pass.ts";
import { whyNotUnique } from "../../src/passes/unique-rows.ts";
import { REPO } from "../support/warehouse.ts";

/**
 * The point-in-time analysis (src/passes/known-at-pass.ts), one DSL construct at a time: whether a set's rows can hold
 * values from source rows later than their timestamp, and by how much.
 */
const events = source({
  name: "events",
  keys: ["customer_id"],
  timestamp: "ts",
  columns: { customer_id: "bigint", ts: "timestamp", day: "date", amount: "double" },
  backfill: { table: "raw.events" },
});

function analyse(...sets: FeatureSetDef[]) {
  const graph = buildGraph(sets);
  const names = sets.map((s) => s.name);
  return knownAtGraph(graph, typeGraph(graph, names), names);
}
const kindOf = (set: FeatureSetDef, ...others: FeatureSetDef[]) => {
  const k = analyse(set, ...others).get(set.name)!;
  return k.kind === "periodEnd" ? `periodEnd:${k.unit}` : k.kind;
};
const set = (name: string, build: FeatureSetDef["buildRel"] extends () => infer _ ? (inputs: { e: any }) => any : never, timestamp = "ts") =>
  featureSet({ name, inputs: { e: events }, keys: ["customer_id"], timestamp, build });

describe("when a set's row is known, construct by construct", () => {
  it("event-level rows are known at their timestamp", () => {
    expect(kindOf(set("plain", ({ e }) => e.select("customer_id", "ts", col("amount").mul(2).alias("double_amount"))))).toBe("atTimestamp");
  });
  it("a left-labelled dt.truncate holds the whole period: known at its end", () => {
    const monthly = set("monthly", ({ e }) => e.groupBy("customer_id", col("ts").dt.truncate("1mo").alias("ts")).agg(col("amount").sum().alias("total")));
    expect(kindOf(monthly)).toBe("periodEnd:month");
    const k = analyse(monthly).get("monthly")!;
    expect(k.kind === "periodEnd" && k.expr?.kind).toBe("truncate");
  });
  it("a right-labelled dt.truncate is known at its label", () => {
    expect(kindOf(set("right", ({ e }) => e.groupBy("customer_id", col("ts").dt.truncate("1mo", { label: "right" }).alias("ts")).agg(len().alias("n"))))).toBe("atTimestamp");
  });
  it("multi-unit periods: known at their end; a right label makes that its label only over periods nested in it", () => {
    const fortnight = set("fortnight", ({ e }) => e.groupBy("customer_id", col("ts").dt.truncate("2w").alias("ts")).agg(len().alias("n")));
    expect(analyse(fortnight).get("fortnight")).toMatchObject({ kind: "periodEnd", unit: "week", n: 2, reason: 'dt.truncate("2w") labels each period with its first instant' });
    // 2-week periods hold whole days and 15-minute periods; 5-minute periods do not nest in 7-minute ones (an inner
    // period can end after the outer label: still known only at the inner period's end).
    const over = (inner: string, outer: string) =>
      kindOf(set(`over_${inner}_${outer}`, ({ e }) =>
        e.groupBy("customer_id", col("ts").dt.truncate(inner).alias("ts")).agg(len().alias("n"))
          .groupBy("customer_id", col("ts").dt.truncate(outer, { label: "right" }).alias("ts")).agg(col("n").sum().alias("n"))));
    expect([over("1d", "2w"), over("15m", "2w"), over("2mo", "1y"), over("5m", "7m"), over("1w", "2mo"), over("3d", "1w")]).toEqual(["atTimestamp", "atTimestamp", "atTimestamp", "periodEnd:minute", "periodEnd:week", "periodEnd:day"]);
    // Shifting the label by a whole period covers it: 1mo (28 days at least) covers 2 weeks, 1w does not.
    const shifted = (by: string) => kindOf(set(`shifted_${by}`, ({ e }) => e.groupBy("customer_id", col("ts").dt.truncate("2w").alias("ts")).agg(len().alias("n")).withColumns(col("ts").dt.offsetBy(by))));
    expect([shifted("1mo"), shifted("14d"), shifted("1w")]).toEqual(["atTimestamp", "atTimestamp", "future"]);
  });
  it("a timestamp cast to a date labels the day by its start", () => {
    expect(kindOf(set("daily", ({ e }) => e.groupBy("customer_id", col("ts").cast("date").alias("day")).agg(len().alias("n")), "day"))).toBe("periodEnd:day");
  });
  it("rolling and cumulative windows ordered by the time read past rows only", () => {
    expect(kindOf(set("rolling", ({ e }) => e.select("customer_id", "ts", col("amount").rollingSum("30d", { by: "ts" }).over("customer_id").alias("s30"))))).toBe("atTimestamp");
    expect(kindOf(set("cum", ({ e }) => e.select("customer_id", "ts", col("amount").cumSum().over("customer_id", { orderBy: "ts" }).alias("c"))))).toBe("atTimestamp");
    expect(kindOf(set("lag", ({ e }) => e.select("customer_id", "ts", col("amount").shift(1).over("customer_id", { orderBy: "ts" }).alias("prev"))))).toBe("atTimestamp");
  });
  it("a rank of another column (or of the time, descending) and a backward fill look ahead, whatever the over() order", () => {
    // A rank orders by its operand: the amount's rank among the whole partition counts later rows.
    expect(kindOf(set("rank_amount", ({ e }) => e.select("customer_id", "ts", col("amount").rank().over("customer_id", { orderBy: "ts" }).alias("r"))))).toBe("future");
    expect(kindOf(set("rank_ts_desc", ({ e }) => e.select("customer_id", "ts", col("ts").rank({ descending: true }).over("customer_id").alias("r"))))).toBe("future");
    expect(kindOf(set("rank_ts", ({ e }) => e.select("customer_id", "ts", col("ts").rank({ method: "min" }).over("customer_id").alias("r"))))).toBe("atTimestamp");
    expect(kindOf(set("backfilled", ({ e }) => e.select("customer_id", "ts", col("amount").fillNull({ strategy: "backward" }).over("customer_id", { orderBy: "ts" }).alias("a"))))).toBe("future");
  });
  it("an unaliased truncation replaces the time column and is seen as one (as the type pass names it)", () => {
    const monthly = set("unaliased", ({ e }) => e.withColumns(col("ts").dt.truncate("1mo")).groupBy("customer_id", "ts").agg(col("amount").sum().alias("total")));
    expect(kindOf(monthly)).toBe("periodEnd:month");
    const events_ = set("unaliased_events", ({ e }) => e.withColumns(col("ts").dt.truncate("1mo")).select("customer_id", "ts", "amount"));
    expect(whyNotUnique(buildGraph([events_]), "unaliased_events")).toBe('"ts" is computed, so two rows can share it');
  });
  it("shift(-1) (lead), a whole-partition aggregate and a window ordered by another column look ahead", () => {
    expect(kindOf(set("lead", ({ e }) => e.select("customer_id", "ts", col("amount").shift(-1).over("customer_id", { orderBy: "ts" }).alias("next"))))).toBe("future");
    expect(kindOf(set("whole", ({ e }) => e.select("customer_id", "ts", col("amount").mean().over("customer_id").alias("avg"))))).toBe("future");
    expect(kindOf(set("by_amount", ({ e }) => e.select("customer_id", "ts", col("amount").cumSum().over("customer_id", { orderBy: "amount" }).alias("c"))))).toBe("future");
  });
  it("a backward as-of join is known when both sides are; a forward one looks ahead", () => {
    const right = set("right_side", ({ e }) => e.groupBy("customer_id", col("ts").dt.truncate("1d", { label: "right" }).alias("ts")).agg(col("amount").sum().alias("daily")));
    const backward = featureSet({ name: "backward", inputs: { e: events, r: right }, keys: ["customer_id"], timestamp: "ts", build: ({ e, r }) => e.select("customer_id", "ts").joinAsof(r, { on: "ts", by: "customer_id" }) });
    const forward = featureSet({ name: "forward", inputs: { e: events, r: right }, keys: ["customer_id"], timestamp: "ts", build: ({ e, r }) => e.select("customer_id", "ts").joinAsof(r, { on: "ts", by: "customer_id", strategy: "forward" }) });
    expect(kindOf(backward, right)).toBe("atTimestamp");
    expect(kindOf(forward, right)).toBe("future");
  });
  it("a set on a leaking set inherits the leak; a coarser right label over it ends it", () => {
    const monthly = set("monthly", ({ e }) => e.groupBy("customer_id", col("ts").dt.truncate("1mo").alias("ts")).agg(col("amount").sum().alias("total")));
    const change = featureSet({ name: "change", inputs: { m: monthly }, keys: ["customer_id"], timestamp: "ts", build: ({ m }) => m.withColumns(col("total").diff(1).over("customer_id", { orderBy: "ts" }).alias("change")) });
    const quarterly = featureSet({ name: "quarterly", inputs: { m: monthly }, keys: ["customer_id"], timestamp: "ts", build: ({ m }) => m.groupBy("customer_id", col("ts").dt.truncate("1q", { label: "right" }).alias("ts")).agg(col("total").mean().alias("avg")) });
    const weekly = featureSet({ name: "weekly_of_monthly", inputs: { m: monthly }, keys: ["customer_id"], timestamp: "ts", build: ({ m }) => m.groupBy("customer_id", col("ts").dt.truncate("1w", { label: "right" }).alias("ts")).agg(col("total").mean().alias("avg")) });
    const inherited = analyse(change, monthly).get("change")!;
    expect(inherited).toMatchObject({ kind: "periodEnd", unit: "month", set: "monthly" });
    expect(kindOf(quarterly, monthly)).toBe("atTimestamp");
    // A week's end does not close the month its rows started.
    expect(kindOf(weekly, monthly)).toBe("periodEnd:month");
  });
  it("dt.offsetBy of a whole period moves a left label to the period's end; a negative offset leaks", () => {
    expect(kindOf(set("offset", ({ e }) => e.groupBy("customer_id", col("ts").dt.truncate("1mo").dt.offsetBy("1mo").alias("ts")).agg(len().alias("n"))))).toBe("atTimestamp");
    expect(kindOf(set("earlier", ({ e }) => e.select("customer_id", col("ts").dt.offsetBy("-1d").alias("ts"), "amount")))).toBe("future");
  });
  it("a join on keys without the time brings rows of any time; a join on the time too is known when both sides are", () => {
    const daily = set("daily_right", ({ e }) => e.groupBy("customer_id", col("ts").dt.truncate("1d", { label: "right" }).alias("ts")).agg(len().alias("n")));
    const byKey = featureSet({ name: "by_key", inputs: { e: events, d: daily }, keys: ["customer_id"], timestamp: "ts", build: ({ e, d }) => e.select("customer_id", "ts", "amount").join(d.select("customer_id", col("n")), { on: "customer_id" }) });
    const byKeyAndTime = featureSet({ name: "by_key_and_time", inputs: { e: events, d: daily }, keys: ["customer_id"], timestamp: "ts", build: ({ e, d }) => e.select("customer_id", "ts", "amount").join(d, { on: ["customer_id", "ts"] }) });
    expect(kindOf(byKey, daily)).toBe("future");
    expect(kindOf(byKeyAndTime, daily)).toBe("atTimestamp");
  });
  it("a timestamp other than the source's is not known at", () => {
    expect(kindOf(set("by_day", ({ e }) => e.select("customer_id", "day", "amount"), "day"))).toBe("future");
  });
});

describe("the example sets", () => {
  it("are each accepted or refused with the documented reason", async () => {
    const graph = await loadFeatureGraph(path.join(REPO, "features"));
    const names = [...graph.sets.keys()];
    const known = knownAtGraph(graph, typeGraph(graph, names), names);
    const summary = Object.fromEntries(
      names.map((n) => {
        const k = known.get(n)!;
        const unique = whyNotUnique(graph, n);
        return [n, `${k.kind === "periodEnd" ? `periodEnd:${k.unit} (${k.set})` : k.kind}${unique ? "; not unique" : ""}`];
      }),
    );
    expect(summary).toEqual({
      avg_monthly_revolving_balance: "periodEnd:month (avg_monthly_revolving_balance)",
      weekly_overdraft_activity: "periodEnd:week (weekly_overdraft_activity)",
      quarterly_revolving_balance_trend: "atTimestamp",
      daily_card_spend: "periodEnd:day (daily_card_spend)",
      rolling_card_spend: "periodEnd:day (daily_card_spend)",
      days_since_overdraft: "atTimestamp",
      revolving_balance_change: "periodEnd:month (avg_monthly_revolving_balance)",
      application_utilisation: "atTimestamp; not unique",
      monthly_card_spend: "periodEnd:month (monthly_card_spend)",
    });
  });
});
