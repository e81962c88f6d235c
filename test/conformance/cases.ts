import { col, type Expr, featureSet, len, lit, source, when } from "../../src/dsl/index.ts";
import type { LazyFrame } from "../../src/dsl/frame.ts";
import type { FeatureSetDef } from "../../src/ir/definitions.ts";

/**
 * The cross-engine conformance cases: each row is backfilled on every real engine, over each of its windows, and
 * the offline tables must hold the same rows. A new operation is one row here (an expression over `edge_cases`,
 * or a new example set in features/ named in EXAMPLE_SETS).
 */

/** Windows cutting through periods: mid-month and mid-quarter starts, an offset timestamp end, and all the data. */
const EXAMPLE_WINDOWS: [string, string][] = [
  ["2024-01-01", "2026-01-01"],
  ["2025-01-15", "2025-10-14"],
  ["2024-05-20T12:00:00Z", "2024-11-03T06:30:00+02:00"],
];

/** Every example set in features/, each over every example window, written one after another into one table. */
export const EXAMPLE_SETS: { set: string; windows: [string, string][] }[] = [
  { set: "avg_monthly_revolving_balance", windows: EXAMPLE_WINDOWS },
  { set: "weekly_overdraft_activity", windows: EXAMPLE_WINDOWS },
  { set: "monthly_card_spend", windows: EXAMPLE_WINDOWS },
  { set: "quarterly_revolving_balance_trend", windows: EXAMPLE_WINDOWS },
];

/** test/conformance/edge-data.ts generates this table. */
export const edgeCases = source({
  name: "edge_cases",
  keys: ["id"],
  timestamp: "ts",
  columns: {
    id: "bigint", ts: "timestamp", d: "date", n: "integer", k: "integer", m: "bigint",
    x: "double", y: "double", s: "varchar", flag: "boolean", grp: "varchar",
  },
  backfill: { table: "raw.edge_cases" },
});

/** The whole table, and a window starting and ending on the edge instants (a month's and a year's first µs). */
const OPERATION_WINDOWS: [string, string][] = [
  ["2024-01-01", "2026-01-01"],
  ["2024-02-01", "2025-01-01T00:00:00+01:00"],
];

export interface OperationCase {
  readonly name: string;
  readonly set: FeatureSetDef;
  readonly windows: [string, string][];
}

/** One row per edge_cases row: `id`, `ts` and the expressions, named v1, v2, … */
function perRow(name: string, ...exprs: Expr[]): OperationCase {
  return {
    name,
    set: featureSet({
      name: `op_${name.replace(/\W+/g, "_")}`,
      inputs: { t: edgeCases },
      keys: "id",
      timestamp: "ts",
      build: ({ t }) => t.select("id", "ts", ...exprs.map((e, i) => e.alias(`v${i + 1}`))),
    }),
    windows: OPERATION_WINDOWS,
  };
}

/** One row per group and month (`groupBy("grp", month)`), the aggregates named a1, a2, … */
function perGroup(name: string, ...aggs: Expr[]): OperationCase {
  return {
    name,
    set: featureSet({
      name: `agg_${name.replace(/\W+/g, "_")}`,
      inputs: { t: edgeCases },
      keys: "grp",
      timestamp: "month",
      build: ({ t }) =>
        t.groupBy("grp", col("ts").dt.truncate("1mo").alias("month")).agg(...aggs.map((e, i) => e.alias(`a${i + 1}`))),
    }),
    windows: OPERATION_WINDOWS,
  };
}

/** A frame-level case: any chain of operators over edge_cases with keys and timestamp as given. */
function frame(name: string, keys: string, timestamp: string, build: (t: LazyFrame) => LazyFrame): OperationCase {
  return { name, set: featureSet({ name: `frame_${name.replace(/\W+/g, "_")}`, inputs: { t: edgeCases }, keys, timestamp, build: ({ t }) => build(t) }), windows: OPERATION_WINDOWS };
}

const truncations = (column: string, every: string) => [
  col(column).dt.truncate(every),
  col(column).dt.truncate(every, { label: "right" }),
];

export const OPERATION_CASES: OperationCase[] = [
  // Arithmetic: integer and double promotion, true division, the sign of a remainder.
  perRow("add sub mul across integer, bigint and double", col("n").add(col("k")), col("m").sub(col("n")), col("n").mul(col("x")), col("x").add(0.1).mul(3)),
  perRow("true division of integers", col("n").div(col("k")), col("m").div(col("k")), col("n").div(2)),
  perRow("division of doubles", col("x").div(col("y")), col("x").div(col("k")), lit(1).div(3)),
  perRow("modulo keeps the dividend's sign", col("n").mod(col("k")), col("m").mod(7), col("x").mod(col("y")), col("x").mod(3), col("n").mod(2.5)),
  perRow("negation", col("n").neg(), col("x").neg(), col("m").neg()),
  // Comparisons and three-valued logic with nulls.
  perRow("comparisons", col("n").lt(col("k")), col("x").ge(col("n")), col("s").eq("alpha"), col("s").ne(""), col("d").le(col("ts"))),
  perRow("boolean logic with nulls", col("flag").and(col("x").gt(0)), col("flag").or(col("n").lt(0)), col("flag").not()),
  perRow("string ordering", col("s").lt("alpha"), col("s").gt("Alpha")),
  perRow("null handling", col("x").isNull(), col("s").isNotNull(), col("x").fillNull(col("y")), col("n").fillNull(0), col("s").fillNull("none")),
  perRow(
    "when/then chains",
    when(col("n").gt(5)).then("high").when(col("n").lt(-5)).then("low").otherwise(col("s")),
    when(col("flag")).then(col("x")),
    when(col("x").isNull()).then(col("n")).otherwise(col("k")),
  ),
  // Literals typed by the IR.
  perRow("literals", lit(0.1).add(lit(1e-7)), lit(1, "double"), lit("2024-06-30", "date"), lit("2024-06-30T23:00:00-02:00", "timestamp"), lit(null, "bigint")),
  perRow("typed comparisons with instants", col("ts").ge(lit("2024-07-01T01:00:00+01:00", "timestamp")), col("d").lt(lit("2024-12-30", "date"))),
  // Casts, including the ones PostgreSQL lacks or spells differently.
  perRow("casts between numbers (truncating toward zero)", col("x").cast("integer"), col("x").cast("bigint"), col("n").cast("double"), col("m").cast("double"), col("y").cast("integer")),
  perRow("casts of booleans", col("flag").cast("integer"), col("flag").cast("bigint"), col("flag").cast("double"), col("flag").cast("varchar")),
  perRow("casts to boolean", col("n").cast("boolean"), col("m").cast("boolean"), col("x").cast("boolean"), col("s").eq("beta").cast("varchar").cast("boolean")),
  perRow("casts to varchar", col("n").cast("varchar"), col("m").cast("varchar"), col("x").cast("varchar"), col("y").cast("varchar"), col("d").cast("varchar"), col("ts").cast("varchar")),
  perRow("casts between dates, timestamps and text", col("ts").cast("date"), col("d").cast("timestamp"), col("d").cast("varchar").cast("date"), lit("2024-03-10 02:30:00").cast("timestamp")),
  // Calendar periods, labelled by start and end, on dates and timestamps.
  ...(["1d", "1w", "1mo", "1q", "1y"] as const).map((every) => perRow(`truncate ${every}`, ...truncations("ts", every), ...truncations("d", every))),
  // Aggregates per group and month.
  perGroup("mean sum min max of every numeric type", col("n").mean(), col("n").sum(), col("m").sum(), col("m").mean(), col("x").sum(), col("x").min(), col("x").max(), col("m").max()),
  perGroup("count, len and std", col("x").count(), col("s").count(), len(), col("x").std(), col("n").std(), col("m").std()),
  perGroup("min and max of strings, dates and timestamps", col("s").min(), col("s").max(), col("d").min(), col("ts").max()),
  perGroup("sum of only nulls is 0", when(col("n").gt(100)).then(col("x")).sum(), when(col("n").gt(100)).then(col("n")).sum()),
  perGroup("conditional aggregates", when(col("flag")).then(col("x")).otherwise(0).sum(), when(col("s").eq("alpha")).then(1).otherwise(0).sum(), col("flag").cast("double").mean()),
  perGroup("expressions over aggregates", col("x").sum().div(len()), col("n").max().sub(col("n").min()), col("n").count().div(col("k").count())),
  // Frame-level: filters, withColumns over withColumns, sets grouping on computed keys.
  frame("filter and withColumns chain", "id", "ts", (t) =>
    t
      .filter(col("x").isNotNull().and(col("s").ne("beta")))
      .withColumns(col("x").mul(col("k")).alias("xk"), col("n").fillNull(0).alias("n0"))
      .withColumns(col("xk").add(col("xk")).alias("xk2"), col("n0").div(col("k")).alias("ratio"))
      .select("id", "ts", "xk2", "ratio"),
  ),
  frame("group by a computed key on dates", "grp", "week", (t) =>
    t
      .withColumns(col("d").dt.truncate("1w", { label: "right" }).alias("week"))
      .groupBy("grp", "week")
      .agg(col("x").mean().alias("mean_x"), len().alias("rows"))
      .filter(col("rows").gt(1)),
  ),
];

/**
 * Where the engines knowingly disagree, pinned so a change is noticed. Division (and modulo) by zero "follows the
 * engine" (README): DuckDB's `/` gives ±Infinity or NaN, as Polars does; PostgreSQL fails the statement (SQLSTATE
 * 22012), rolling the set back.
 */
export const DIVISION_BY_ZERO = perRow("division by zero", col("n").div(col("k").sub(col("k"))));
