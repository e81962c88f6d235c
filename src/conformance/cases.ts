import { coalesce, col, concat, concatStr, corr, cov, type Expr, featureSet, len, lit, source, when } from "../dsl/index.ts";
import type { LazyFrame } from "../dsl/frame.ts";
import type { FeatureSetDef } from "../ir/definitions.ts";

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
  { set: "daily_card_spend", windows: EXAMPLE_WINDOWS },
  { set: "rolling_card_spend", windows: EXAMPLE_WINDOWS },
  { set: "days_since_overdraft", windows: EXAMPLE_WINDOWS },
  { set: "revolving_balance_change", windows: EXAMPLE_WINDOWS },
  { set: "application_utilisation", windows: EXAMPLE_WINDOWS },
];

/** src/conformance/edge-data.ts generates this table. */
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

/** A set (and table) name from a case's description, within PostgreSQL's 63 bytes (longer ones are refused). */
const setName = (prefix: string, description: string): string => `${prefix}_${description.replace(/\W+/g, "_")}`.slice(0, 63);

/** One row per edge_cases row: `id`, `ts` and the expressions, named v1, v2, … */
function perRow(name: string, ...exprs: Expr[]): OperationCase {
  return {
    name,
    set: featureSet({
      name: setName("op", name),
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
      name: setName("agg", name),
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
function frame(name: string, keys: string | string[], timestamp: string, build: (t: LazyFrame) => LazyFrame): OperationCase {
  return { name, set: featureSet({ name: setName("frame", name), inputs: { t: edgeCases }, keys, timestamp, build: ({ t }) => build(t) }), windows: OPERATION_WINDOWS };
}

const truncations = (column: string, every: string) => [
  col(column).dt.truncate(every),
  col(column).dt.truncate(every, { label: "right" }),
];

/** An integer zero and a double zero (NULL where `y` is), as columns so that no engine folds them as constants. */
const ZERO = () => col("k").sub(col("k"));
const ZERO_DOUBLE = () => col("y").sub(col("y"));

/** v1…v8 of the by-zero case; conformance.test.ts pins them to Polars' values. */
export function byZero(): Expr[] {
  return [
    col("n").div(ZERO()), col("x").div(ZERO_DOUBLE()), col("n").floorDiv(ZERO()), col("x").floorDiv(ZERO()),
    col("n").mod(ZERO()), col("x").mod(ZERO_DOUBLE()), col("m").floorDiv(ZERO()), col("m").mod(ZERO()),
  ];
}

/** v1…v4: `m * 10^7 + 1` is beyond 2^53, where a double has no odd integers. */
export function bigFloorDiv(): Expr[] {
  const big = col("m").mul(10_000_000).add(1);
  return [big.floorDiv(col("k")), big.floorDiv(1), col("n").floorDiv(col("k")), col("m").floorDiv(-7)];
}

/** v1…v5. */
export function toText(): Expr[] {
  return [col("x").cast("varchar"), col("n").div(ZERO()).cast("varchar"), col("d").cast("varchar"), col("ts").cast("varchar"), col("n").cast("double").cast("varchar")];
}

/**
 * raw.declared_types (edge-data.ts): `dx` is DECIMAL(12,2), `ix` and `ib` INTEGER, `mx` DECIMAL(18,0) in the warehouse;
 * the declarations say double, double, bigint and double.
 */
export const declaredTypes = source({
  name: "declared_types",
  keys: ["id"],
  timestamp: "ts",
  columns: { id: "bigint", ts: "timestamp", grp: "varchar", dx: "double", ix: "double", ib: "bigint", mx: "double" },
  backfill: { table: "raw.declared_types" },
});

function declared(name: string, ...exprs: Expr[]): OperationCase {
  const set = featureSet({
    name: setName("declared", name),
    inputs: { t: declaredTypes },
    keys: "id",
    timestamp: "ts",
    build: ({ t }) => t.select("id", "ts", ...exprs.map((e, i) => e.alias(`v${i + 1}`))),
  });
  return { name, set, windows: OPERATION_WINDOWS };
}

function declaredGroup(name: string, ...aggs: Expr[]): OperationCase {
  const set = featureSet({
    name: setName("declared_agg", name),
    inputs: { t: declaredTypes },
    keys: "grp",
    timestamp: "month",
    build: ({ t }) => t.groupBy("grp", col("ts").dt.truncate("1mo").alias("month")).agg(...aggs.map((e, i) => e.alias(`a${i + 1}`))),
  });
  return { name, set, windows: OPERATION_WINDOWS };
}

export const OPERATION_CASES: OperationCase[] = [
  // Arithmetic: integer and double promotion, true division, the sign of a remainder.
  perRow("add sub mul across integer, bigint and double", col("n").add(col("k")), col("m").sub(col("n")), col("n").mul(col("x")), col("x").add(0.1).mul(3)),
  perRow("true division of integers", col("n").div(col("k")), col("m").div(col("k")), col("n").div(2)),
  perRow("division of doubles", col("x").div(col("y")), col("x").div(col("k")), lit(1).div(3)),
  perRow("modulo takes the divisor's sign", col("n").mod(col("k")), col("m").mod(7), col("x").mod(col("y")), col("x").mod(3), col("n").mod(2.5)),
  perRow("negation", col("n").neg(), col("x").neg(), col("m").neg()),
  // Comparisons and three-valued logic with nulls.
  perRow("comparisons", col("n").lt(col("k")), col("x").ge(col("n")), col("s").eq("alpha"), col("s").ne(""), col("d").le(col("ts"))),
  perRow("boolean logic with nulls", col("flag").and(col("x").gt(0)), col("flag").or(col("n").lt(0)), col("flag").not()),
  perRow("string ordering", col("s").lt("alpha"), col("s").gt("Alpha")),
  perRow("null handling", col("x").isNull(), col("s").isNotNull(), col("x").fillNull(col("y")), col("n").fillNull(0), col("s").fillNull("none")),
  perRow(
    "when/then chains",
    when(col("n").gt(5)).then(lit("high")).when(col("n").lt(-5)).then(lit("low")).otherwise("s"),
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

  // Row-wise functions.
  // round is DuckDB's round(v * 10^d) / 10^d: 1.005 * 100 is 100.49999999999999 in doubles, so n + 0.005 rounds
  // down for n = 1, -9 and -10 (decimal rounding of the text "1.005" would go up).
  perRow("abs, round (halves included), clip", col("x").abs(), col("n").abs(), col("x").round(1), col("x").round(), col("y").round(), col("y").round(2), col("n").round(1), col("n").add(0.005).round(2), col("x").clip(-100, 100), col("n").clip(-5, 5)),
  perRow("floor division", col("n").floorDiv(col("k")), col("m").floorDiv(col("k")), col("x").floorDiv(col("y")), col("n").floorDiv(2.5)),
  perRow("isIn, isBetween, coalesce", col("s").isIn(["alpha", "it's", ""]), col("n").isIn([1, 2, 3]), col("n").isIn([]), col("n").isBetween(-5, 5), col("x").isBetween(-1, col("y")), col("d").isBetween(lit("2024-06-01", "date"), lit("2024-12-31", "date")), coalesce(col("x"), col("y"), 0), coalesce(col("s"), lit("none")), coalesce("s", "grp")),
  perRow("lower, upper, lenChars, concatStr", col("s").str.toLowercase(), col("s").str.toUppercase(), col("s").str.lenChars(), concatStr(["s", "grp"], "-"), concatStr([col("s"), col("n").cast("varchar")])),
  perRow("contains, startsWith, endsWith (literal text)", col("s").str.contains("a"), col("s").str.contains("'"), col("s").str.contains(""), col("s").str.startsWith("al"), col("s").str.endsWith("a"), col("s").str.startsWith(col("grp")), col("s").str.contains("%")),
  perRow("slice and replaceAll", col("s").str.slice(1, 2), col("s").str.slice(0), col("s").str.slice(3), col("s").str.slice(2, 0), col("s").str.replaceAll("a", "XY"), col("s").str.replaceAll("'", "")),
  perRow("calendar fields", col("ts").dt.year(), col("ts").dt.month(), col("ts").dt.day(), col("ts").dt.hour(), col("ts").dt.weekday(), col("d").dt.year(), col("d").dt.weekday(), col("d").dt.hour()),
  perRow("offsets (months clamp)", col("d").dt.offsetBy("-90d"), col("d").dt.offsetBy("1mo"), col("d").dt.offsetBy("2w"), col("ts").dt.offsetBy("1mo"), col("ts").dt.offsetBy("-1q"), col("ts").dt.offsetBy("1y"), col("ts").dt.offsetBy("36h")),
  perRow("days between", col("d").dt.daysSince(lit("2024-06-30", "date")), col("ts").dt.daysSince(col("d")), col("d").dt.daysSince(col("ts")), col("ts").dt.daysSince(lit("2024-06-30T12:00:00Z", "timestamp"))),

  // Aggregates per group and month; `when(n > 100)` is never true, so it makes every group empty of values.
  perGroup("variance, median, quantile", col("x").var(), col("n").var(), col("m").var(), col("x").median(), col("n").median(), col("x").quantile(0.25, { interpolation: "linear" }), col("m").quantile(0.9, { interpolation: "linear" }), col("y").quantile(0, { interpolation: "linear" }), col("y").quantile(1, { interpolation: "linear" })),
  perGroup("nUnique", col("s").nUnique(), col("n").nUnique(), col("d").nUnique(), col("flag").nUnique(), col("x").nUnique()),
  perGroup("any and all", col("flag").any(), col("flag").all(), col("x").gt(0).any(), col("x").gt(-1000).all(), when(col("n").gt(100)).then(col("flag")).any(), when(col("n").gt(100)).then(col("flag")).all()),
  perGroup(
    "first and last by a key (ties broken by the value, null keys first)",
    col("x").sortBy("ts").first(),
    col("s").sortBy("ts").last(),
    col("x").sortBy("n").last(), // n has nulls and ties
    col("x").sortBy("k").first(), // k has ties in most groups
    col("d").sortBy("k").last(),
    col("s").sortBy("x").first(), // x has nulls and ties
  ),
  perGroup(
    "conditional aggregates (filter) and empty groups",
    col("x").filter(col("flag")).sum(),
    col("x").filter(col("n").gt(0)).mean(),
    col("s").filter(col("flag")).count(),
    col("x").filter(col("flag").not()).median(),
    col("n").filter(col("n").gt(100)).sum(),
    when(col("n").gt(100)).then(col("x")).median(),
    when(col("n").gt(100)).then(col("x")).var(),
    when(col("n").gt(100)).then(col("x")).sortBy("ts").first(),
    when(col("n").gt(100)).then(col("s")).nUnique(),
  ),

  // Joins: `n` has nulls (which never match) and duplicates on both sides.
  frame("inner join with duplicate keys and a suffix", "id", "ts", (t) =>
    t.select("id", "ts", "n", "x").join(t.filter(col("id").lt(40)).select("n", "s", "x"), { on: "n" }),
  ),
  frame("inner join on two keys", "id", "ts", (t) =>
    t.select("id", "ts", "grp", "k", "x").join(t.filter(col("id").lt(60)).select("grp", "k", col("y").alias("y60")), { on: ["grp", "k"] }),
  ),
  frame("left join keeps unmatched and null-keyed rows", "id", "ts", (t) =>
    t.select("id", "ts", "n").join(t.filter(col("id").lt(40)).select(col("n").alias("n2"), "s", "d"), { leftOn: "n", rightOn: "n2", how: "left" }),
  ),
  frame("cross join", "id", "ts", (t) => t.filter(col("id").lt(25)).select("id", "ts", "grp").join(t.filter(col("id").lt(8)).select("grp", "x"), { how: "cross" })),
  frame("semi join", "id", "ts", (t) => t.select("id", "ts", "n", "s").join(t.filter(col("flag").and(col("id").lt(100))), { on: "n", how: "semi" })),
  frame("anti join keeps null keys", "id", "ts", (t) => t.select("id", "ts", "n", "s").join(t.filter(col("flag").and(col("id").lt(100))), { on: "n", how: "anti" })),

  // As-of joins on `ts` (unique: no ties among right rows); each left row with id % 3 = 0 meets itself (equal times
  // match). `n` as a `by` key has nulls, which match nothing.
  frame("as-of join backward by a nullable key", "id", "ts", (t) => t.select("id", "ts", "n", "x").joinAsof(asofRight(t), { leftOn: "ts", rightOn: "u", by: "n" })),
  frame("as-of join forward", "id", "ts", (t) => t.select("id", "ts", "grp", "x").joinAsof(asofRight(t), { leftOn: "ts", rightOn: "u", by: "grp", strategy: "forward" })),
  frame("as-of join backward within a tolerance", "id", "ts", (t) =>
    t.select("id", "ts", "grp", "x").joinAsof(asofRight(t), { leftOn: "ts", rightOn: "u", by: "grp", tolerance: "3d" }),
  ),
  frame("as-of join forward within a tolerance, no by keys", "id", "ts", (t) =>
    t.select("id", "ts", "x").joinAsof(asofRight(t).select("u", "rx"), { leftOn: "ts", rightOn: "u", strategy: "forward", tolerance: "12h" }),
  ),
  frame("as-of join on dates within a tolerance", "id", "ts", (t) =>
    t
      .select("id", "ts", "grp", "d")
      // One right row per (grp, day): no ties.
      .joinAsof(t.filter(col("k").gt(0)).groupBy("grp", col("d").alias("rd")).agg(col("x").sum().alias("day_x")), { leftOn: "d", rightOn: "rd", by: "grp", tolerance: "7d" }),
  ),

  // Windows. Shifts, cumulative and row-count windows order by `ts` (unique); ranks with method min/dense are
  // well-defined among ties, ordinal ranks (row_number) are not, so those order by `ts` only.
  perRow("shift, lead, diff", ...["x", "s", "d", "n"].map((c) => col(c).shift(1).over("grp", { orderBy: "ts" })), col("x").shift(-2).over("grp", { orderBy: "ts" }), col("n").diff().over("grp", { orderBy: "ts" }), col("x").diff(3).over(["grp", "k"], { orderBy: "ts" })),
  perRow("cumulative", col("x").cumSum().over("grp", { orderBy: "ts" }), col("n").cumSum().over("grp", { orderBy: "ts" }), col("m").cumSum().over("grp", { orderBy: "ts" }), col("x").cumMax().over("grp", { orderBy: "ts" }), col("d").cumMin().over("grp", { orderBy: "ts" }), col("x").cumCount().over("grp", { orderBy: "ts" })),
  perRow("ranks among ties", col("x").rank().over("grp"), col("x").rank({ method: "dense", descending: true }).over("grp"), col("n").rank().over(["grp", "k"]), col("d").rank({ method: "dense" }).over("grp"), col("ts").rank({ method: "ordinal", descending: true }).over("grp")),
  perRow("row-count rolling windows", col("x").rollingMean(3).over("grp", { orderBy: "ts" }), col("n").rollingSum(4, { minPeriods: 2 }).over("grp", { orderBy: "ts" }), col("x").rollingMin(2).over("grp", { orderBy: "ts" }), col("x").rollingStd(5).over("grp", { orderBy: "ts" }), col("x").rollingCount(3).over("grp", { orderBy: "ts" }), col("m").rollingMax(3, { minPeriods: 1 }).over("grp", { orderBy: "ts" })),
  // Over dates, rows on the same day are peers (ties are well-defined in a RANGE frame); "1d" is the day itself.
  perRow("time rolling windows over a date", col("x").rollingSum("30d", { by: "d" }).over("grp"), col("n").rollingMean("7d", { by: "d" }).over("grp"), col("x").rollingMax("1d", { by: "d" }).over("grp"), col("x").rollingCount("30d", { by: "d" }).over("grp"), col("x").rollingStd("90d", { by: "d" }).over("grp"), col("m").rollingSum("2w", { by: "d" }).over("grp"), col("x").rollingMin("30d", { by: "d", minPeriods: 3 }).over("grp")),
  // Over timestamps, across the whole table: edge-data.ts puts rows exactly on, and a microsecond inside, a 24h bound.
  perRow("time rolling windows over a timestamp", col("x").rollingSum("24h", { by: "ts" }).over(), col("x").rollingCount("24h", { by: "ts" }).over(), col("n").rollingMean("36h", { by: "ts" }).over(), col("x").rollingMin("7d", { by: "ts" }).over(), col("n").rollingSum("1h", { by: "ts" }).over("grp")),
  frame("time rolling window over a date with null keys", "id", "ts", (t) =>
    t.withColumns(when(col("n").isNotNull()).then(col("d")).alias("dn")).select("id", "ts", col("x").rollingSum("30d", { by: "dn" }).over("grp").alias("x_30d")),
  ),
  perRow("aggregates over a whole partition", col("x").mean().over("grp"), col("n").var().over("grp"), col("m").sum().over("grp"), col("flag").any().over("grp"), col("flag").all().over(["grp", "k"]), len().over("grp"), col("x").sub(col("x").mean().over("grp"))),

  // QUALIFY where DuckDB has it, a wrapping SELECT in PostgreSQL.
  frame("latest row per key (QUALIFY)", "grp", "ts", (t) => t.filter(col("ts").rank({ method: "ordinal", descending: true }).over("grp").eq(1)).select("grp", "ts", "x", "s")),
  frame("top two values per key with ties (QUALIFY)", "id", "ts", (t) =>
    t.filter(col("x").isNotNull()).filter(col("x").rank({ descending: true }).over("grp").le(2)).select("id", "ts", "grp", "x"),
  ),
  frame("filter on a window column", "id", "ts", (t) =>
    t.withColumns(col("x").mean().over("grp").alias("grp_mean")).filter(col("x").gt(col("grp_mean"))).select("id", "ts", "x", "grp_mean"),
  ),

  // Polars parity (docs/polars-parity.md). `tn` is `ts` where `n` is not null: an order key with nulls, which sort
  // first unless nullsLast, in both directions; `ts` (unique) orders the null-keyed rows among themselves.
  frame("windows ordered by a key with nulls", "id", "ts", (t) => {
    const by = (options: { descending?: boolean; nullsLast?: boolean } = {}) => ({ orderBy: ["tn", "ts"], ...options });
    return t.withColumns(when(col("n").isNotNull()).then(col("ts")).alias("tn")).select(
      "id",
      "ts",
      col("x").shift(1).over("grp", by()).alias("lag"),
      col("x").shift(1).over("grp", by({ nullsLast: true })).alias("lag_nulls_last"),
      col("x").shift(-1).over("grp", by({ descending: true })).alias("lead_desc"),
      col("m").cumSum().over("grp", by({ descending: true, nullsLast: true })).alias("cum_desc"),
      col("x").rollingSum(3, { minPeriods: 1 }).over("grp", by()).alias("rolling_3"),
      col("k").rank({ method: "ordinal" }).over("grp", by()).alias("ordinal_tn"),
    );
  }),
  perRow("cumulative on null values", col("x").cumSum().over("grp", { orderBy: "ts" }), col("n").cumMax().over("grp", { orderBy: "ts" }), col("y").cumMin().over("grp", { orderBy: "ts" }), col("s").cumCount().over("grp", { orderBy: "ts" })),
  perRow(
    "fillNull forward and backward",
    col("x").fillNull({ strategy: "forward" }).over("grp", { orderBy: "ts" }),
    col("s").fillNull({ strategy: "backward" }).over("grp", { orderBy: "ts" }),
    col("n").fillNull({ strategy: "forward", limit: 1 }).over("grp", { orderBy: "ts" }),
    col("d").fillNull({ strategy: "backward", limit: 2 }).over(["grp", "k"], { orderBy: "ts" }),
    col("x").fillNull({ strategy: "forward" }).over([], { orderBy: "ts" }),
  ),
  // x has halves at 1 and 2 decimals (…5.5, …0.25): each mode on them, and on y (eighths: exact ties at 2 decimals).
  perGroup("sortBy with nullsLast and descending", col("x").sortBy("n", { nullsLast: true }).first(), col("x").sortBy("n", { nullsLast: true }).last(), col("s").sortBy("x", { descending: true }).first(), col("d").sortBy("n", { descending: true, nullsLast: true }).last()),
  perRow("rank average (the default) and max among ties", col("x").rank().over("grp"), col("n").rank({ method: "max", descending: true }).over(["grp", "k"]), col("d").rank({ method: "average", descending: true }).over("grp"), col("s").rank({ method: "max" }).over()),
  perGroup("nUnique counts null", col("n").nUnique(), col("s").filter(col("flag")).nUnique(), col("x").filter(col("x").isNotNull()).nUnique()),
  // NaN and -inf from sqrt and log of negatives and zero, where PostgreSQL and DuckDB would fail the statement.
  perRow("floor, ceil, sign, sqrt, log", col("x").floor(), col("y").ceil(), col("n").floor(), col("x").sign(), col("n").sign(), col("x").sqrt(), col("n").sqrt(), col("x").log(), col("y").log(10), col("k").sub(col("k")).log(2)),
  perRow("isNan, isFinite, fillNan", col("x").sqrt().isNan(), col("x").log().isFinite(), col("k").sub(col("k")).cast("double").log().isFinite(), col("x").sqrt().fillNan(-1), col("y").sqrt().fillNan(col("y"))),
  perRow("shift with a fill value, isBetween closed", col("x").shift(1, { fillValue: 0 }).over("grp", { orderBy: "ts" }), col("s").shift(-2, { fillValue: "none" }).over("grp", { orderBy: "ts" }), col("m").shift(1, { fillValue: -1 }).over("grp", { orderBy: "ts" }), col("n").isBetween(-5, 5, { closed: "left" }), col("x").isBetween(-1, "y", { closed: "none" }), col("n").isBetween("k", 10, { closed: "right" })),
  perRow("quarter, minute, whole seconds", col("ts").dt.quarter(), col("ts").dt.minute(), col("ts").dt.second(), col("d").dt.quarter(), col("d").dt.minute(), col("d").dt.second(), col("d").dt.hour()),
  perRow("round modes and truncate", col("x").round(), col("x").round(1), col("y").round(2), col("y").round(1, { mode: "half_away_from_zero" }), col("x").round(0, { mode: "to_zero" }), col("y").truncate(2), col("n").round(1), col("x").mul(0.5).round()),
  // One meaning for numbers and casts (Polars'): division, floorDiv and mod by zero; integer floorDiv in integers;
  // text of doubles, dates and timestamps; booleans ↔ doubles; source columns stored in another numeric type.
  perRow(
    "division, floorDiv and mod by zero (±inf/NaN for / and double //, NULL for integer // and %, NaN for double %)",
    ...byZero(),
  ),
  perRow(
    "integer floorDiv in integer arithmetic (BIGINTs beyond 2^53, negative operands)",
    ...bigFloorDiv(),
  ),
  perRow(
    "casts to varchar with Polars' text (inf, NaN, six fractional digits of a timestamp)",
    ...toText(),
  ),
  perRow("boolean ↔ double", col("flag").cast("double").add(0.5), col("y").cast("boolean"), col("x").cast("boolean").cast("double")),
  // x spans ±1000: exp beyond the doubles' range (PostgreSQL would fail), negative bases with fractional exponents,
  // 0 to negative powers (n is sometimes 0, k never), log1p at and below -1 (y/8 reaches -125).
  perGroup("std and var with ddof 0, nullCount", col("x").std({ ddof: 0 }), col("n").var({ ddof: 0 }), col("y").std({ ddof: 1 }), col("n").nullCount(), col("s").filter(col("flag")).nullCount()),
  perRow("ddof 0 and nullCount over a partition", col("x").var({ ddof: 0 }).over("grp"), col("n").std({ ddof: 0 }).over(["grp", "k"]), col("x").nullCount().over("grp")),
  // n and y are null on some rows (pairs dropped); corr of k with itself is 1, or NaN where a group's month has one row.
  perGroup("cov and corr", cov("x", "y"), cov("n", "k", { ddof: 0 }), corr("x", "n"), corr("k", "k"), corr(col("x").filter(col("flag")), "y")),
  perRow("cov and corr over a partition", cov("x", "y").over("grp"), corr("n", "y").over(["grp", "k"])),
  perRow("replace and replaceStrict", col("n").replace(new Map([[0, 100], [null, -100]])), col("s").replaceStrict({ alpha: "A", "it's": "quote", "": "empty" }, { default: "other" }), col("grp").replaceStrict(["a", "b"], [1.5, 2], { default: null }), col("x").replace([1e-7 * 17, -20], [0, 0])),
  perRow("slice from the end, head, tail", col("s").str.slice(-3), col("s").str.slice(-4, 2), col("s").str.slice(-9, 6), col("s").str.head(3), col("s").str.head(-2), col("s").str.tail(2), col("s").str.tail(-1)),
  perRow("pad, zfill, stripChars", col("s").str.padStart(6, "*"), col("s").str.padEnd(5), col("n").cast("varchar").str.zfill(4), concatStr([lit(" \t"), col("s"), lit("\u3000")]).str.stripChars(), col("s").str.stripChars("a'")),
  // ts has rows a microsecond before a month and a year, and on ISO-week boundaries (2024-12-29/30).
  perRow("millisecond, microsecond, week, isoYear, ordinalDay, date", col("ts").dt.millisecond(), col("ts").dt.microsecond(), col("ts").dt.week(), col("ts").dt.isoYear(), col("ts").dt.ordinalDay(), col("ts").dt.date(), col("d").dt.week(), col("d").dt.isoYear(), col("d").dt.ordinalDay(), col("d").dt.date(), col("d").dt.microsecond()),
  // Not "ns": today's nanoseconds exceed 2^53, which the Snowflake driver reads back as a rounded JavaScript number.
  perRow("epoch", col("ts").dt.epoch(), col("ts").dt.epoch("ms"), col("ts").dt.epoch("s"), col("ts").dt.epoch("d"), col("d").dt.epoch(), col("d").dt.epoch("d")),
  perRow("monthStart and monthEnd", col("ts").dt.monthStart(), col("ts").dt.monthEnd(), col("d").dt.monthStart(), col("d").dt.monthEnd()),
  perRow("compound offsetBy", col("ts").dt.offsetBy("1d12h"), col("ts").dt.offsetBy("-1y2mo"), col("d").dt.offsetBy("1mo1d"), col("ts").dt.offsetBy("1q1w30m45s"), col("d").dt.offsetBy("-2w3d")),
  perRow("rollingVar and rollingStd with ddof", col("x").rollingVar(3).over("grp", { orderBy: "ts" }), col("x").rollingVar(4, { ddof: 0, minPeriods: 2 }).over("grp", { orderBy: "ts" }), col("y").rollingStd("30d", { by: "ts", ddof: 0 }).over("grp"), col("n").rollingVar("7d", { by: "d" }).over("grp")),
  perRow("pow, exp, log1p", col("x").pow(2), col("x").pow(0.5), col("n").pow(3), col("n").pow(col("k").abs()), col("n").cast("double").pow(col("k")), col("x").exp(), col("x").div(100).exp(), col("x").div(1000).log1p(), col("y").log1p(), col("x").log1p()),
  // Polars' floored modulo: negative literal divisors, a literal divisor through its reciprocal (x has two decimals:
  // x % 0.1 is where l * (1 / r) and l / r floor apart), a literal dividend by a column with zeros (NULL, NaN).
  perRow("mod by literals and columns, as Polars' kernels", col("n").mod(-3), col("m").mod(-7), col("x").mod(-2.5), col("x").mod(0.1), col("m").mod(col("k")), lit(7).mod(col("n")), lit(7.5).mod(col("n")), col("y").mod(col("x"))),
  // n has zeros (±inf, NaN from 0) and nulls; m is a BIGINT beyond the INTEGER range; a lead with -1.
  perRow("pctChange", col("x").pctChange().over("grp", { orderBy: "ts" }), col("n").pctChange(2).over("grp", { orderBy: "ts" }), col("m").pctChange(-1).over(["grp", "k"], { orderBy: "ts" })),
  // m is near ±1e6 and 3e9 (power sums would lose its digits); a filter leaves groups with fewer than three values.
  perGroup("skew with and without bias", col("x").skew(), col("n").skew({ bias: false }), col("m").skew(), col("y").filter(col("flag")).skew({ bias: false }), col("k").skew()),
  // x has two decimals and integral values: x // 0.1 and x // 49 are where floor(x * (1 / d)) and floor(x / d) part.
  perRow("floorDiv by literals, as Polars' scalar kernel", col("x").floorDiv(0.1), col("x").floorDiv(49), col("x").floorDiv(-2.5), col("n").floorDiv(lit(3, "double")), col("y").floorDiv(col("x"))),
  // Frames (docs/polars-parity.md): the set's key and timestamp renamed (its declared names are the new ones).
  frame("rename and drop", "row", "at", (t) => t.rename({ id: "row", ts: "at", x: "y", y: "x" }).drop("d", "flag", "s").filter(col("x").isNotNull())),
  // `ts` is unique, so each order is too; `n` has nulls, which sort first (also descending) unless nullsLast.
  frame("sort and unique keep last per key", "grp", "ts", (t) => t.sort("ts").unique("grp", { keep: "last" }).select("grp", "ts", "x", "s")),
  frame("sort descending with nulls and unique keep first", "id", "ts", (t) =>
    t.sort(["n", "ts"], { descending: true }).unique(["grp", "k"], { keep: "first" }).select("id", "ts", "grp", "k", "n"),
  ),
  frame("unique keep none", "id", "ts", (t) => t.unique(["grp", "n"], { keep: "none" }).select("id", "ts", "grp", "n")),
  frame("unique without a subset", ["grp", "k"], "month", (t) => t.select("grp", "k", col("ts").dt.truncate("1mo").alias("month")).unique()),
  // Two slices (one with a window over its own rows) and a copy a day later: each read over its own range.
  frame("concat vertical", "id", "ts", (t) =>
    concat([
      t.filter(col("grp").eq("a")).select("id", "ts", col("x").cumSum().over("k", { orderBy: "ts" }).alias("x")),
      t.filter(col("n").gt(0)).select(col("id").add(1000).alias("id"), "ts", col("y").alias("x")),
      t.filter(col("k").eq(1)).select(col("id").add(2000).alias("id"), col("ts").dt.offsetBy("1d").alias("ts"), "x"),
    ]).filter(col("x").isNotNull()),
  ),
  // Unmatched rows on both sides; the time a coalesced key, or the left's (the right's unmatched rows have none).
  frame("full join on coalesced keys with the time", "id", "ts", (t) =>
    t.filter(col("grp").isIn(["a", "b"])).select("id", "ts", "x").join(t.filter(col("n").gt(0)).select("id", "ts", "n"), { on: ["id", "ts"], how: "full", coalesce: true }),
  ),
  frame("full join keeping both keys", "id", "ts", (t) =>
    t.filter(col("grp").eq("a")).select("id", "ts", "k").join(t.filter(col("grp").eq("b").and(col("id").lt(100))).select("k", col("ts").alias("ts2"), "y"), { on: "k", how: "full" }),
  ),
  frame("right join with repeated keys", "id", "ts", (t) => t.filter(col("id").lt(50)).select("k", col("x").alias("lx")).join(t.select("id", "ts", "k", "y"), { on: "k", how: "right" })),
  // Rows with id % 3 = 0 are on both sides at the same time: without exact matches they meet a neighbour instead.
  frame("as-of join nearest", "id", "ts", (t) => t.select("id", "ts", "grp", "x").joinAsof(asofRight(t), { leftOn: "ts", rightOn: "u", by: "grp", strategy: "nearest" })),
  frame("as-of join nearest within a tolerance, without exact matches, by a nullable key", "id", "ts", (t) =>
    t.select("id", "ts", "n").joinAsof(asofRight(t), { leftOn: "ts", rightOn: "u", by: "n", strategy: "nearest", tolerance: "20d", allowExactMatches: false }),
  ),
  frame("as-of joins backward and forward without exact matches", "id", "ts", (t) =>
    t
      .select("id", "ts", "grp")
      .joinAsof(asofRight(t).select("grp", "u", "rx"), { leftOn: "ts", rightOn: "u", by: "grp", allowExactMatches: false })
      .joinAsof(asofRight(t).select("grp", col("u").alias("v"), col("rx").alias("fx")), { leftOn: "ts", rightOn: "v", by: "grp", strategy: "forward", allowExactMatches: false, tolerance: "30d" }),
  ),
  // Ties in x (its integer-valued rows) are broken by ts, so the top three are the same rows on every engine.
  frame("top three per group, nulls first descending", "id", "ts", (t) => t.sort(["x", "ts"], { descending: [true, false] }).groupBy("grp", "k").head(3).select("id", "ts", "grp", "k", "x")),
  frame("last two per group in time", "id", "ts", (t) => t.sort("ts").groupBy("grp").tail(2).select("id", "ts", "grp", "s")),
  frame("row index in time order", "id", "ts", (t) => t.sort("ts").withRowIndex("row", 10).select("id", "ts", "row")),
  // Multiples count from 1970-01-01 (weeks from Monday 1970-01-05, months from January 1970); a date below a day stays.
  perRow("sub-daily and multi-period truncate", ...truncations("ts", "15m"), ...truncations("ts", "7h"), ...truncations("ts", "1h30m"), ...truncations("ts", "3d"), ...truncations("ts", "2w"), ...truncations("ts", "2mo"), ...truncations("ts", "2q"), ...truncations("ts", "1h"), col("ts").dt.truncate("30s"), ...truncations("d", "2w"), ...truncations("d", "3d"), ...truncations("d", "7mo"), col("d").dt.truncate("1h")),
  // Text made from d and ts: full-width, short fields ("5/1/2024"), white space before numbers, words (s, null).
  perRow("str.toDate and str.toDatetime with a format", col("d").cast("varchar").str.toDate("%Y-%m-%d", { strict: false }), concatStr([col("d").dt.day().cast("varchar"), col("d").dt.month().cast("varchar"), col("d").dt.year().cast("varchar")], "/").str.toDate("%d/%m/%Y", { strict: false }), col("ts").cast("varchar").str.head(19).str.toDatetime("%Y-%m-%d %H:%M:%S", { strict: false }), concatStr([lit(" "), col("ts").cast("varchar").str.head(16)]).str.toDatetime("%Y-%m-%d %H:%M", { strict: false }), col("s").str.toDate("%Y-%m-%d", { strict: false }), col("d").cast("varchar").str.head(7).str.toDatetime("%Y-%m", { strict: false })),
  // s has '' and null among words; "a,b,..." parts are empty where s is.
  perRow("str.split().list.get()", ...[0, 1, 2, 3, -1, -3, -4].map((i) => concatStr(["s", "grp", "s"], ",").str.split(",").list.get(i, { nullOnOob: true })), col("s").str.split("l").list.get(1, { nullOnOob: true }), col("s").str.split("ph").list.get(-1, { nullOnOob: true })),
  // Regular expressions in the portable subset (src/ir/regex.ts) over s ('', 'Alpha', 'alpha', "it's", 'beta', null) and grp.
  perRow("regular expressions in contains, replaceAll, extract", col("s").str.contains("^[Aa]l"), col("s").str.contains("a$"), col("s").str.contains("(ph|et)a"), col("s").str.contains("l{1,2}p"), col("s").str.contains("^.{4,5}$"), col("s").str.replaceAll("[aeiou]", "_"), col("s").str.replaceAll("^.", "X"), concatStr(["s", "grp"], "-").str.replaceAll("-[a-c]$", ""), col("s").str.extract("([a-z]+)(a)$", 1), col("s").str.extract("[A-Z]", 0), col("s").str.extract("(l+)(.)", 2)),
];

/** The right side of the as-of cases: every third row, its time as `u`. */
function asofRight(t: LazyFrame): LazyFrame {
  return t.filter(col("id").mod(3).eq(0)).select("n", "grp", col("ts").alias("u"), col("x").alias("rx"));
}

/**
 * Aggregates PostgreSQL cannot evaluate as windows (docs/engines/postgres.md): planning them for PostgreSQL fails before
 * anything runs, naming the operation; DuckDB runs them.
 */
export const UNSUPPORTED_ON_POSTGRES: { readonly case: OperationCase; readonly operation: string }[] = [
  { case: perRow("median over a partition", col("x").median().over("grp")), operation: "median().over()" },
  { case: perRow("quantile over a partition", col("x").quantile(0.9, { interpolation: "linear" }).over("grp")), operation: "quantile().over()" },
  { case: perRow("nUnique over a partition", col("s").nUnique().over("grp")), operation: "nUnique().over()" },
  { case: perRow("rollingMedian and rollingQuantile", col("x").rollingMedian(3).over("grp", { orderBy: "ts" }), col("y").rollingQuantile(0.25, "30d", { by: "ts", interpolation: "linear" }).over("grp")), operation: "median().over()" },
  // Signs (a product of ±1 stays in range; Polars' integer overflow wraps, DuckDB's fails) and doubles near 1.
  { case: perRow("cumProd", col("k").sign().cumProd().over("grp", { orderBy: "ts" }), col("x").div(2000).add(1).cumProd().over("grp", { orderBy: "ts" })), operation: "cumProd()" },
];

/**
 * Source columns stored in another numeric type than declared (raw.declared_types: DECIMAL and INTEGER columns; see
 * edge-data.ts). Run by the conformance suite, which creates that table on both engines; not by `doctor`, whose
 * scratch data has only the edge cases' IR types.
 */
export const DECLARED_TYPE_CASES: OperationCase[] = [
  declared(
    "source columns declared double or bigint, stored as DECIMAL or INTEGER, compute in the declared type",
    col("dx").div(3), col("dx").cast("varchar"), col("ix").mul(col("ix")), col("ib").mul(col("ib")), col("ix").div(7), col("mx").cast("varchar"),
  ),
  declaredGroup(
    "means, medians, variances and quantiles of DECIMAL and INTEGER columns declared double",
    col("dx").mean(), col("dx").median(), col("ix").mean(), col("ix").var(), col("dx").quantile(0.3, { interpolation: "linear" }), col("mx").mean(), col("ix").std(), col("ix").median(),
  ),
];

/**
 * Where the engines knowingly disagree, pinned so a change is noticed: a double that overflows (x / 1e-306 for |x| > 180) is ±Infinity in DuckDB,
 * as in Polars; PostgreSQL fails the statement ("value out of range: overflow"), rolling the set back.
 */
export const DOUBLE_OVERFLOW = perRow("double overflow", col("x").div(1e-306));
