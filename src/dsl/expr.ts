import { DTYPES, type DType, isDType, type InferredType } from "../ir/dtype.ts";
import { formatDate, isMidnight, parseInstant } from "../ir/time.ts";
import { parseStrftime, WHITESPACE } from "../ir/strptime.ts";
import { parseRegex, type RegexPattern } from "../ir/regex.ts";
import { DURATION_HELP, fixedMicros, parseCompoundDuration, parseDuration, parsePeriod } from "../ir/duration.ts";
import {
  type AggExpr,
  type AggFn,
  type BinaryOp,
  type ExprNode,
  freeze,
  type LiteralExpr,
  mapExprChildren,
  outputName,
  type OrderKey,
  type PeriodLabel,
  type ScalarFn,
  type WindowFrame,
  type WindowFunc,
} from "../ir/expr.ts";
import { recordOrigin } from "../ir/origin.ts";
import { captureCallSite } from "./call-site.ts";

/** A JS value usable where an expression is expected: literals become `lit(value)`. */
export type IntoExpr = Expr | string | number | boolean | null | Date;

const EXPR = Symbol.for("feature-backfill.Expr");


/**
 * A lazy column expression, shaped like Polars' `pl.Expr`. It only builds IR; nothing runs until a backfill.
 *
 * @example col("balance").mul(2).alias("double_balance")   // "balance" * 2 AS "double_balance"
 */
export class Expr {
  constructor(readonly node: ExprNode) {
    // Type errors name the line that built the offending expression (src/ir/origin.ts).
    recordOrigin(node, captureCallSite());
  }

  // Recognised by a registered symbol rather than by class identity: a project may load two copies of this package
  // (a global CLI and a local dependency), and their expressions must mix.
  readonly [EXPR] = true;
  static [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === "object" && value !== null && (value as { [EXPR]?: boolean })[EXPR] === true;
  }

  add(other: IntoExpr): Expr { return this.#binary("add", other); }
  sub(other: IntoExpr): Expr { return this.#binary("sub", other); }
  mul(other: IntoExpr): Expr { return this.#binary("mul", other); }
  /** True division: always a double, as Polars' `/` (integer operands are not floor-divided); by zero ±inf or NaN. */
  div(other: IntoExpr): Expr { return this.#binary("div", other); }
  mod(other: IntoExpr): Expr { return this.#binary("mod", other); }
  eq(other: IntoExpr): Expr { return this.#binary("eq", other); }
  ne(other: IntoExpr): Expr { return this.#binary("ne", other); }
  lt(other: IntoExpr): Expr { return this.#binary("lt", other); }
  le(other: IntoExpr): Expr { return this.#binary("le", other); }
  gt(other: IntoExpr): Expr { return this.#binary("gt", other); }
  ge(other: IntoExpr): Expr { return this.#binary("ge", other); }
  and(other: IntoExpr): Expr { return this.#binary("and", other); }
  or(other: IntoExpr): Expr { return this.#binary("or", other); }
  not(): Expr { return wrap({ kind: "unary", op: "not", operand: this.node }); }
  neg(): Expr { return wrap({ kind: "unary", op: "neg", operand: this.node }); }

  isNull(): Expr { return wrap({ kind: "isNull", operand: this.node, negated: false }); }
  isNotNull(): Expr { return wrap({ kind: "isNull", operand: this.node, negated: true }); }
  /**
   * Replaces nulls by a value (a string is a literal here, as in Polars), or by the nearest non-null value before
   * (`strategy: "forward"`) or after (`"backward"`) in the order of `.over(…, { orderBy })`, at most `limit` rows
   * away — Polars' `fill_null(strategy=…, limit=…)`.
   * @example col("limit").fillNull(0)   // COALESCE("limit", 0)
   * @example col("balance").fillNull({ strategy: "forward" }).over("customer_id", { orderBy: "date" })
   *   // DuckDB: last_value("balance" IGNORE NULLS) OVER (… ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
   */
  fillNull(value: IntoExpr | { strategy: "forward" | "backward"; limit?: number }): Expr {
    if (value === null || typeof value !== "object" || value instanceof Expr || value instanceof Date) {
      return wrap({ kind: "coalesce", operands: freeze([this.node, toExpr(value).node]) });
    }
    const { strategy, limit } = value;
    if (strategy !== "forward" && strategy !== "backward") {
      throw new TypeError(`fillNull(): strategy must be "forward" or "backward", got ${JSON.stringify(strategy)}; fill with a value for the others (e.g. fillNull(0) for "zero")`);
    }
    const rows = limit === undefined ? null : checkedInt("fillNull limit", limit, 0);
    return window({ op: "fill", operand: this.node, direction: strategy, limit: rows }, null);
  }
  /** @example col("amount").cast("bigint")   // CAST("amount" AS BIGINT) */
  cast(to: DType): Expr {
    if (!isDType(to)) throw new TypeError(`cast(): unknown type ${JSON.stringify(to)}; expected one of ${listTypes()}`);
    return wrap({ kind: "cast", operand: this.node, to });
  }
  alias(name: string): Expr {
    if (typeof name !== "string" || name === "") throw new TypeError("alias(): the name must be a non-empty string");
    return wrap({ kind: "alias", operand: this.node, name });
  }

  /** @example col("balance").mean()   // avg("balance") */
  mean(): Expr { return this.#agg("mean"); }
  sum(): Expr { return this.#agg("sum"); }
  min(): Expr { return this.#agg("min"); }
  max(): Expr { return this.#agg("max"); }
  /** Non-null values in the group, as Polars' `count()`; use `len()` for rows. */
  count(): Expr { return this.#agg("count"); }
  /**
   * Standard deviation with `ddof` delta degrees of freedom: 1 (the sample's, Polars' default) or 0 (the population's).
   * @example col("amount").std({ ddof: 0 })   // DuckDB: stddev_pop("amount")
   */
  std(options: { ddof?: number } = {}): Expr { return this.#agg(ddof("std", options.ddof) === 1 ? "std" : "stdPop"); }
  /** Variance with `ddof` 1 (the sample's, the default) or 0 (the population's), as Polars' `var(ddof)`. */
  var(options: { ddof?: number } = {}): Expr { return this.#agg(ddof("var", options.ddof) === 1 ? "var" : "varPop"); }
  /**
   * The number of null values, as Polars' `null_count` (of the rows a `filter()` keeps).
   * @example col("limit").nullCount()   // COALESCE(CAST(sum(CASE WHEN "limit" IS NULL THEN 1 ELSE 0 END) AS BIGINT), 0)
   */
  nullCount(): Expr {
    const n = this.node.kind === "filtered" ? this.node : undefined;
    const one = (e: ExprNode): ExprNode => freeze({ kind: "case", branches: freeze([freeze({ when: freeze({ kind: "isNull", operand: e, negated: false }), then: lit(1).node })]), otherwise: lit(0).node });
    const counted = n ? freeze({ ...n, operand: one(n.operand) }) : one(this.node);
    // Named after the column, as Polars names it (a conditional would be named after its first value).
    return wrap({ kind: "agg", fn: "sum", operand: counted }).alias(outputName(this.node));
  }
  /** The middle value, interpolating between the two middle ones (as Polars). */
  median(): Expr { return this.#agg("median"); }
  /**
   * The skewness of the non-null values, as Polars' `skew(bias)`: m3 / m2^1.5 of the central moments (`bias: true`,
   * the default), or with the sample correction √(n(n-1)) / (n-2) (`bias: false`). Null for no values (for fewer than
   * three without bias), NaN for constant values. From the central moments, after the mean, so large values keep their
   * digits (engines' own skewness functions use power sums, which lose them). In `agg()` on DuckDB and PostgreSQL.
   * @example col("amount").skew()   // DuckDB: … list_sum(list_transform(list("amount"), lambda u: (u - avg("amount")) ^ 3)) …
   */
  skew(options: { bias?: boolean } = {}): Expr {
    if (options.bias !== undefined && typeof options.bias !== "boolean") throw new TypeError(`skew(): bias must be true or false, got ${JSON.stringify(options.bias)}`);
    return this.#agg(options.bias === false ? "skewUnbiased" : "skew");
  }
  /**
   * Not provided: Polars' `arg_min`/`arg_max` return a row position, which SQL tables do not have. Throws, naming the
   * way to take another column's value at the minimum (maximum): `col("v").sortBy("x").first()` (`.last()`).
   */
  argMin(): never { return argPosition("argMin", "first"); }
  argMax(): never { return argPosition("argMax", "last"); }
  /**
   * Not provided: Polars' `mode()` returns every most frequent value (a list), and picks among ties arbitrarily in
   * `mode().first()`. Throws, naming the way to write it: count per value, then take the most frequent.
   */
  mode(): never {
    throw new TypeError(
      "mode(): not provided — Polars returns all the most frequent values (a list), and mode().first() picks among ties arbitrarily. " +
        'Count per value and take the most frequent, ties to the smallest (Polars\' mode().min()): ' +
        'frame.groupBy("key", "x").agg(len().alias("n")).groupBy("key").agg(col("x").sortBy("n", { descending: true }).first())',
    );
  }
  /**
   * The q-quantile interpolating linearly between neighbours: Polars' `interpolation="linear"`, to be given, since
   * Polars' default ("nearest") and its other methods are not implemented (refused here rather than computed otherwise).
   * @example col("amount").quantile(0.9, { interpolation: "linear" })   // DuckDB: quantile_cont("amount", 0.9)
   */
  quantile(q: number, options: { interpolation?: "linear" } = {}): Expr {
    if (typeof q !== "number" || !(q >= 0 && q <= 1)) throw new TypeError(`quantile(): q must be a number in [0, 1], got ${q}`);
    if (options.interpolation !== "linear") {
      const asked = options.interpolation === undefined ? `Polars' default interpolation, "nearest",` : `interpolation ${JSON.stringify(options.interpolation)}`;
      throw new TypeError(`quantile(${q}): ${asked} is not implemented; pass { interpolation: "linear" } to interpolate between neighbours`);
    }
    return wrap({ kind: "agg", fn: "quantile", operand: this.node, quantile: q });
  }
  /**
   * Distinct values, null counting as one, as Polars' `n_unique`; without null: `col("x").filter(col("x").isNotNull()).nUnique()`.
   * @example col("s").nUnique()   // (count(DISTINCT "s") + COALESCE(max(CASE WHEN "s" IS NULL THEN 1 ELSE 0 END), 0))
   */
  nUnique(): Expr { return this.#agg("nUnique"); }
  /** Whether any value is true (nulls ignored; false for none). */
  any(): Expr { return this.#agg("any"); }
  /** Whether every value is true (nulls ignored; true for none). */
  all(): Expr { return this.#agg("all"); }
  /** With `sortBy`: the value at the smallest sort key. @example col("balance").sortBy("date").first() */
  first(): Expr { return this.#agg("first"); }
  /** With `sortBy`: the value at the largest sort key — the latest, for a time key. */
  last(): Expr { return this.#agg("last"); }
  /**
   * Orders the values for `first()`/`last()`, as Polars' `sort_by`: null keys sort first unless `nullsLast`, in either
   * direction (so `last()` of an ascending sort is the largest key's value); ties are broken by the value. To skip
   * rows without a key, filter the frame first: `.filter(col("date").isNotNull())`.
   * @example col("balance").sortBy("date").last()   // DuckDB: first("balance" ORDER BY "date" DESC NULLS LAST, "balance" DESC NULLS LAST)
   */
  sortBy(by: Expr | string, options: { descending?: boolean; nullsLast?: boolean } = {}): Expr {
    return wrap({ kind: "sorted", operand: this.node, by: toColumnExpr(by).node, descending: options.descending ?? false, nullsLast: options.nullsLast ?? false });
  }
  /**
   * Inside an aggregation: only the values where `predicate` holds (a conditional aggregate).
   * @example col("amount").filter(col("is_declined").not()).sum()   // COALESCE(sum(CASE WHEN NOT … THEN "amount" END), 0)
   */
  filter(predicate: IntoExpr): Expr {
    return wrap({ kind: "filtered", operand: this.node, predicate: toExpr(predicate).node });
  }

  abs(): Expr { return this.#fn("abs"); }
  /**
   * Rounds to `decimals` places; halves go to the even neighbour unless `mode` says otherwise, as Polars' `round`
   * ("half_to_even" by default, "half_away_from_zero", "to_zero"). Computed as Polars does, on x * 10^d in doubles:
   * 2.675 is 267.49999999999997 hundredths, which round down.
   * @example col("x").round(2, { mode: "half_away_from_zero" })   // DuckDB: round("x", 2)
   */
  round(decimals = 0, options: { mode?: RoundMode } = {}): Expr {
    const fn = ({ half_to_even: "roundHalfEven", half_away_from_zero: "round", to_zero: "truncate" } as const)[options.mode ?? "half_to_even"];
    if (!fn) throw new TypeError(`round(): mode must be "half_to_even", "half_away_from_zero" or "to_zero", got ${JSON.stringify(options.mode)}`);
    return this.#fn(fn, lit(checkedInt("round", decimals, 0)));
  }
  /** Rounds down (Polars' `floor`); integers stay as they are. */
  floor(): Expr { return this.#fn("floor"); }
  /** Rounds up (Polars' `ceil`); integers stay as they are. */
  ceil(): Expr { return this.#fn("ceil"); }
  /** -1, 0 or 1 (-0.0 and NaN stay as they are), as Polars' `sign`. */
  sign(): Expr { return this.#fn("sign"); }
  /** The square root, a double; NaN for a negative value (Polars' `sqrt`). */
  sqrt(): Expr { return this.#fn("sqrt"); }
  /**
   * The logarithm in `base` (default e), a double; NaN for a negative value and -inf for 0 (Polars' `log`).
   * @example col("amount").log(10)   // DuckDB: CASE WHEN … ELSE ln("amount") END / CAST(2.302585092994046 AS DOUBLE)
   */
  log(base = Math.E): Expr {
    if (typeof base !== "number" || !(base > 0) || base === 1 || !Number.isFinite(base)) throw new TypeError(`log(): the base must be a positive number other than 1, got ${base}`);
    const ln = this.#fn("ln");
    // ln(base) is a non-zero constant (base ≠ 1): a plain division, with no by-zero case.
    return base === Math.E ? ln : ln.div(lit(Math.log(base), "double"));
  }
  /**
   * This value raised to `exponent` (a number or an expression), as Polars' `pow`: an integer for integers, else a
   * double; NaN for a negative base and a fractional exponent, inf for 0 to a negative power.
   * @example col("x").pow(2)   // CASE WHEN "x" < 0 AND 2 <> trunc(2) THEN … ELSE power("x", 2) END
   */
  pow(exponent: IntoExpr): Expr { return this.#fn("pow", exponent); }
  /** e to the power of the value, a double (Polars' `exp`): inf and 0 beyond the range of doubles. */
  exp(): Expr { return this.#fn("exp"); }
  /** ln(1 + x), exact for small x, as Polars' `log1p`: NaN below -1, -inf at -1. */
  log1p(): Expr { return this.#fn("log1p"); }
  /** Whether the value is NaN (doubles only; null stays null), as Polars' `is_nan`. */
  isNan(): Expr { return this.#fn("isNan"); }
  /** Whether the value is neither infinite nor NaN (doubles only), as Polars' `is_finite`. */
  isFinite(): Expr { return this.#fn("isFinite"); }
  /** NaN replaced by `value` (null stays null), as Polars' `fill_nan`. */
  fillNan(value: IntoExpr): Expr { return this.#fn("fillNan", value); }
  /** Drops the digits beyond `decimals` places, toward zero (Polars' `truncate`). */
  truncate(decimals = 0): Expr { return this.#fn("truncate", lit(checkedInt("truncate", decimals, 0))); }
  /** Limits values to [lower, upper]; nulls stay null. A string bound names a column (as Polars). */
  clip(lower: IntoExpr, upper: IntoExpr): Expr { return this.#fn("clip", toValueExpr(lower, "clip()"), toValueExpr(upper, "clip()")); }
  /** Floor division (Polars' `//`): an integer for integers, computed in integers (null by zero). */
  floorDiv(other: IntoExpr): Expr { return this.#fn("floorDiv", other); }
  /** @example col("state").isIn(["NY", "NJ"])   // "state" IN ('NY', 'NJ') */
  isIn(values: readonly (string | number | boolean | Date)[]): Expr {
    if (!Array.isArray(values)) throw new TypeError("isIn(): pass an array of values");
    return this.#fn("isIn", ...values);
  }
  /**
   * Whether the value lies between the bounds, both included unless `closed` says otherwise ("left", "right",
   * "none"), as Polars' `is_between`. A string bound names a column (as Polars).
   * @example col("age").isBetween(18, 65, { closed: "left" })   // "age" >= 18 AND "age" < 65
   */
  isBetween(lower: IntoExpr, upper: IntoExpr, options: { closed?: "both" | "left" | "right" | "none" } = {}): Expr {
    const [lo, hi] = [toValueExpr(lower, "isBetween()"), toValueExpr(upper, "isBetween()")];
    switch (options.closed ?? "both") {
      case "both":
        return this.#fn("isBetween", lo, hi);
      case "left":
        return this.ge(lo).and(this.lt(hi));
      case "right":
        return this.gt(lo).and(this.le(hi));
      case "none":
        return this.gt(lo).and(this.lt(hi));
      default:
        throw new TypeError(`isBetween(): closed must be "both", "left", "right" or "none", got ${JSON.stringify(options.closed)}`);
    }
  }

  /**
   * Replaces the values found in `mapping` (a `Map`, an object for string keys, or Polars' `old, new` arrays), keeping
   * the others, as Polars' `replace`. New values are literals; a null key replaces nulls.
   * @example col("grade").replace(new Map([[1, 10], [2, 20]]))   // CASE WHEN "grade" = 1 THEN 10 WHEN "grade" = 2 THEN 20 ELSE "grade" END
   */
  replace(mapping: Mapping | Scalar | readonly Scalar[], values?: Scalar | readonly Scalar[]): Expr {
    // Named after the column, as Polars names it (a conditional would be named after its first value).
    return new Expr(replaceNode(this.node, pairs("replace", mapping, values), this.node)).alias(outputName(this.node));
  }
  /**
   * Maps every value through `mapping`, as Polars' `replace_strict`: values not in it (nulls too, unless a null key
   * maps them) become `default`. Polars fails on an unmapped value when no default is given, which SQL cannot do
   * portably: `default` is required here (`{ default: null }` for null).
   * @example col("code").replaceStrict({ A: 1, B: 2 }, { default: 0 })   // CASE WHEN "code" = 'A' THEN 1 WHEN "code" = 'B' THEN 2 ELSE 0 END
   */
  replaceStrict(mapping: Mapping | readonly Scalar[], values?: readonly Scalar[] | { default: IntoExpr }, options?: { default: IntoExpr }): Expr {
    const [newValues, opts] = Array.isArray(values) ? [values, options] : [undefined, (values ?? options) as { default: IntoExpr } | undefined];
    if (!opts || !("default" in opts)) {
      throw new TypeError(`replaceStrict(): give { default } — Polars fails on a value the mapping lacks, which SQL cannot do; { default: null } gives null`);
    }
    return new Expr(replaceNode(this.node, pairs("replaceStrict", mapping, newValues), toExpr(opts.default).node)).alias(outputName(this.node));
  }

  /** String functions (Polars' `.str` namespace). */
  get str(): StringNamespace { return new StringNamespace(this); }

  // Windows. Order-dependent ones need `.over(partitionBy, { orderBy })`.
  /**
   * The value `n` rows earlier in the window's order (later for negative `n`); where there is none, null or
   * `fillValue` (a literal), as Polars' `shift(n, fill_value=…)`.
   * @example col("balance").shift(1, { fillValue: 0 }).over("customer_id", { orderBy: "month" })   // lag("balance", 1, 0) OVER (…)
   */
  shift(n = 1, options: { fillValue?: string | number | boolean | Date } = {}): Expr {
    const offset = checkedInt("shift", n);
    const fill = options.fillValue === undefined ? {} : { fillValue: lit(options.fillValue).node as LiteralExpr };
    return window({ op: offset >= 0 ? "lag" : "lead", operand: this.node, offset: Math.abs(offset), ...fill }, null);
  }
  /** This value minus the one `n` rows earlier. */
  diff(n = 1): Expr { return this.sub(this.shift(n)); }
  /**
   * The change from the value `n` rows earlier (later for negative `n`) as a fraction of it, as Polars' `pct_change`:
   * computed as it does, diff / shift in doubles. A null on either row gives null (no fill; Polars' docstring speaks
   * of the "most-recent non-null element", its code and tests do not fill); from 0, ±inf or NaN, as `div`.
   * @example col("balance").pctChange().over("customer_id", { orderBy: "month" })
   * // ("balance" * 1.0 - lag("balance" * 1.0, 1) OVER (…)) / lag(…) OVER (…)
   */
  pctChange(n = 1): Expr {
    // In doubles first, as Polars casts to Float64; a product (not a cast) so that a non-number is refused, as there.
    const x = this.mul(lit(1, "double"));
    const before = x.shift(checkedInt("pctChange", n));
    return x.sub(before).div(before);
  }
  cumSum(): Expr { return this.#cumulative("sum"); }
  /**
   * The running product, as Polars' `cum_prod`: null on a row whose value is null; an integer for integers (exact up
   * to 2^53). DuckDB only: PostgreSQL and Snowflake have no product aggregate.
   * @example col("growth").cumProd().over("id", { orderBy: "month" })   // DuckDB: product("growth") OVER (…)
   */
  cumProd(): Expr { return this.#cumulative("product"); }
  cumMax(): Expr { return this.#cumulative("max"); }
  cumMin(): Expr { return this.#cumulative("min"); }
  /** Non-null values so far. */
  cumCount(): Expr { return this.#cumulative("count"); }
  /**
   * Rank of this value in its partition, as Polars' `rank`: "average" (the default; ties share the mean of their
   * ranks, a double), "min" (SQL RANK), "max", "dense", or "ordinal" (ROW_NUMBER; ties in the order of
   * `.over(…, { orderBy })`, else arbitrary). Null values have no rank.
   * @example col("date").rank({ method: "ordinal", descending: true }).over("customer_id").eq(1)   // the latest row
   */
  rank(options: { method?: "average" | "min" | "max" | "dense" | "ordinal"; descending?: boolean } = {}): Expr {
    const op = ({ average: "rankAverage", min: "rank", max: "rankMax", dense: "denseRank", ordinal: "rowNumber" } as const)[options.method ?? "average"];
    if (!op) throw new TypeError(`rank(): method must be "average", "min", "max", "dense" or "ordinal"`);
    return window({ op, operand: this.node, descending: options.descending ?? false }, null);
  }
  /**
   * Rolling aggregates. A number is a count of rows (this one and the n - 1 before it; null until `minPeriods`,
   * default n, values are seen); a duration with `by` is a time window (t - d, t] over that column, as Polars'
   * `rolling_*_by` (minPeriods default 1) — the feature Narwhals lacks.
   * @example col("amount").rollingSum("30d", { by: "date" }).over("customer_id")
   */
  rollingSum(window: number | string, options: RollingOptions = {}): Expr { return this.#rolling("sum", window, options); }
  rollingMean(window: number | string, options: RollingOptions = {}): Expr { return this.#rolling("mean", window, options); }
  rollingMin(window: number | string, options: RollingOptions = {}): Expr { return this.#rolling("min", window, options); }
  rollingMax(window: number | string, options: RollingOptions = {}): Expr { return this.#rolling("max", window, options); }
  /** Rolling standard deviation with Polars' `ddof`: 1 (the default) or 0. */
  rollingStd(window: number | string, options: RollingOptions & { ddof?: number } = {}): Expr {
    return this.#rolling(ddof("rollingStd", options.ddof) === 1 ? "std" : "stdPop", window, options);
  }
  /** Rolling median, interpolating between the two middle values (Polars' `rolling_median`). DuckDB only. */
  rollingMedian(window: number | string, options: RollingOptions = {}): Expr { return this.#rolling("median", window, options); }
  /**
   * Rolling q-quantile with `interpolation: "linear"`, to be given: Polars' default ("nearest") is not implemented,
   * as for `quantile`. DuckDB only (PostgreSQL and Snowflake have no framed percentile).
   * @example col("amount").rollingQuantile(0.9, 30, { interpolation: "linear" }).over("id", { orderBy: "date" })
   */
  rollingQuantile(q: number, window: number | string, options: RollingOptions & { interpolation?: "linear" } = {}): Expr {
    const agg = this.quantile(q, { interpolation: options.interpolation }).node as AggExpr;
    return this.#rolling("quantile", window, options, agg.quantile);
  }
  /** Rolling variance with Polars' `ddof`: 1 (the default) or 0. */
  rollingVar(window: number | string, options: RollingOptions & { ddof?: number } = {}): Expr {
    return this.#rolling(ddof("rollingVar", options.ddof) === 1 ? "var" : "varPop", window, options);
  }
  rollingCount(window: number | string, options: RollingOptions = {}): Expr { return this.#rolling("count", window, options); }
  /**
   * Not provided: Polars' `ewm_mean` weighs row j by (1 − α)^(t − j) from each row t. One SQL window cannot: the weight
   * needs the row's position inside a running sum (a window within a window), and the factored form
   * Σ x_j (1 − α)^(−j) / Σ (1 − α)^(−j) overflows doubles after about 1024 / log2(1 / (1 − α)) rows. Throws, naming
   * the ways out (docs/polars-parity.md).
   */
  ewmMean(_options: Record<string, unknown> = {}): never {
    throw new TypeError(
      "ewmMean(): not provided — Polars' weights (1 - alpha)^(t - j) need each row's position inside a running sum, which one SQL " +
        "window cannot compute exactly, and the factored running sums overflow doubles on long series. For a moving average use " +
        'rollingMean(n) or rollingMean("30d", { by }); for short series, the factored form in two steps (docs/polars-parity.md, ewm_mean)',
    );
  }
  /**
   * Not provided: Polars' `ewm_mean_by(by, half_life)` weighs by exp(−ln 2 · Δt / half_life) between consecutive rows,
   * which needs the previous row's time inside a running sum (a window within a window), and exp(ln 2 · t / half_life)
   * overflows doubles over a long history. Throws, naming the way out.
   */
  ewmMeanBy(_by: Expr | string, _options: Record<string, unknown> = {}): never {
    throw new TypeError(
      "ewmMeanBy(): not provided — Polars' time-decayed weights need the previous row's time inside a running sum, which one SQL " +
        'window cannot compute, and their factored form overflows doubles over a long history. Use rollingMean("30d", { by }) for a time window',
    );
  }

  /**
   * Evaluates the windows (and aggregations) in this expression per partition, as Polars' `over`. `orderBy` orders
   * rows for shift, cumulative and row-count rolling windows, and breaks ties of an ordinal rank; aggregations see
   * their whole partition. Null order keys sort first, also descending, unless `nullsLast` (Polars' defaults).
   * @example col("balance").mean().over("customer_id")   // avg("balance") OVER (PARTITION BY "customer_id")
   */
  over(
    partitionBy: Expr | string | readonly (Expr | string)[] = [],
    options: { orderBy?: Expr | string | readonly (Expr | string)[]; descending?: boolean; nullsLast?: boolean } = {},
  ): Expr {
    const partition = freeze(asList(partitionBy).map((e) => toColumnExpr(e).node));
    const [descending, nullsLast] = [options.descending ?? false, options.nullsLast ?? false];
    const orderBy = freeze(asList(options.orderBy ?? []).map((e) => freeze({ expr: toColumnExpr(e).node, descending, nullsLast })));
    const apply = (node: ExprNode): ExprNode => {
      if (node.kind === "window") {
        if (node.over) return node;
        // A time-based rolling window orders by its `by` column, whatever `orderBy` says.
        return freeze({ ...node, partitionBy: partition, orderBy: node.frame?.kind === "range" ? node.orderBy : orderBy, over: true });
      }
      if (node.kind === "agg") return windowNode({ op: "agg", agg: node }, null, 0, partition, [], true);
      return mapExprChildren(node, apply);
    };
    return new Expr(apply(this.node));
  }

  /** Date and time functions (Polars' `.dt` namespace). */
  get dt(): DateTimeNamespace { return new DateTimeNamespace(this); }

  #binary(op: BinaryOp, other: IntoExpr): Expr {
    return wrap({ kind: "binary", op, left: this.node, right: toExpr(other).node });
  }
  #agg(fn: AggFn): Expr {
    return wrap({ kind: "agg", fn, operand: this.node });
  }
  #fn(fn: ScalarFn, ...args: IntoExpr[]): Expr {
    return wrap({ kind: "func", fn, args: freeze([this.node, ...args.map((a) => toExpr(a).node)]) });
  }
  #cumulative(fn: AggFn): Expr {
    return window({ op: "agg", agg: freeze({ kind: "agg", fn, operand: this.node }) }, { kind: "rows", preceding: null });
  }
  #rolling(fn: AggFn, size: number | string, options: RollingOptions, quantile?: number): Expr {
    const agg = freeze({ kind: "agg", fn, operand: this.node, ...(quantile === undefined ? {} : { quantile }) } as const);
    if (typeof size === "number") {
      const rows = checkedInt(`rolling ${fn}`, size, 1);
      const minPeriods = checkedInt(`rolling ${fn} minPeriods`, options.minPeriods ?? rows, 0);
      return windowExpr({ op: "agg", agg }, { kind: "rows", preceding: rows - 1 }, minPeriods);
    }
    const duration = parseDuration(size);
    if (!duration || duration.n <= 0 || fixedMicros(duration) === undefined) {
      throw new TypeError(`rolling ${fn}(): ${JSON.stringify(size)} is not a row count or a fixed duration (${DURATION_HELP}; months vary in length)`);
    }
    if (!options.by) throw new TypeError(`rolling ${fn}("${size}"): a time window needs { by: "<timestamp column>" }`);
    const minPeriods = checkedInt(`rolling ${fn} minPeriods`, options.minPeriods ?? 1, 0);
    // Rows whose `by` is null get null and are in no other row's window (Polars), wherever they sort.
    const orderBy = freeze([freeze({ expr: toColumnExpr(options.by).node, descending: false, nullsLast: false })]);
    return new Expr(windowNode({ op: "agg", agg }, { kind: "range", preceding: duration }, minPeriods, freeze([]), orderBy, false));
  }
}

export class DateTimeNamespace {
  constructor(private readonly expr: Expr) {}

  /**
   * Truncates to the start of the period containing the value, in UTC, as Polars' `dt.truncate(every)`: "1d", "1w"
   * (ISO weeks, from Monday), "1mo", "1q", "1y", sub-daily periods ("1h", "15m", "30s", "1h30m") and multiples
   * ("3d", "2w", "2mo", "2q"). Multiples count from Polars' origins: fixed lengths from 1970-01-01 00:00 UTC, weeks
   * from Monday 1970-01-05, months from January 1970. A date truncated below a day stays as it is (Polars).
   * `label: "right"` labels the period by its end instead (the first instant of the next period), the moment all of
   * its rows are known: use it when the feature is looked up point-in-time.
   *
   * @example col("date").dt.truncate("1mo")   // DuckDB: CAST(date_trunc('month', "date") AS DATE)
   * @example col("ts").dt.truncate("15m")     // DuckDB: time_bucket(INTERVAL '15 minutes', "ts", TIMESTAMP '1970-01-01')
   */
  truncate(every: string, options: { label?: PeriodLabel } = {}): Expr {
    const period = parsePeriod(every);
    if (typeof period === "string") throw new TypeError(`dt.truncate(): ${period}`);
    const label = options.label ?? "left";
    if (label !== "left" && label !== "right") throw new TypeError(`dt.truncate(): label must be "left" or "right"`);
    // One unit is stored without `n`: definitions written before multiples keep their hash.
    return wrap({ kind: "truncate", operand: this.expr.node, unit: period.unit, ...(period.n === 1 ? {} : { n: period.n }), label });
  }

  /** Calendar fields in UTC, as integers. */
  year(): Expr { return fn("year", this.expr); }
  month(): Expr { return fn("month", this.expr); }
  day(): Expr { return fn("day", this.expr); }
  hour(): Expr { return fn("hour", this.expr); }
  /** 1 to 4. */
  quarter(): Expr { return fn("quarter", this.expr); }
  minute(): Expr { return fn("minute", this.expr); }
  /** Whole seconds (0 to 59), as Polars' `dt.second()`. */
  second(): Expr { return fn("second", this.expr); }
  /** ISO weekday: Monday = 1 … Sunday = 7, as Polars. */
  weekday(): Expr { return fn("weekday", this.expr); }
  /** The milliseconds of the second (0 to 999), as Polars' `dt.millisecond()`. */
  millisecond(): Expr { return fn("millisecond", this.expr); }
  /** The microseconds of the second (0 to 999999), as Polars' `dt.microsecond()`. */
  microsecond(): Expr { return fn("microsecond", this.expr); }
  /** The ISO 8601 week number (1 to 53), as Polars' `dt.week()`. */
  week(): Expr { return fn("isoWeek", this.expr); }
  /** The ISO 8601 year the week belongs to (2024-12-30 is in 2025's week 1), as Polars' `dt.iso_year()`. */
  isoYear(): Expr { return fn("isoYear", this.expr); }
  /** The day of the year (1 to 366), as Polars' `dt.ordinal_day()`. */
  ordinalDay(): Expr { return fn("ordinalDay", this.expr); }
  /**
   * Time since 1970-01-01 in `unit` ("us", the default, "ns", "ms", "s" or "d"), as Polars' `dt.epoch`: floored, so
   * an instant before 1970 counts to the unit it lies in (Polars floors since pola-rs/polars#19949).
   * @example col("ts").dt.epoch("s")   // DuckDB: CAST(floor(CAST(epoch_us("ts") AS DOUBLE) / 1000000) AS BIGINT)
   */
  epoch(unit: "ns" | "us" | "ms" | "s" | "d" = "us"): Expr {
    const micros = fn("epochMicros", this.expr);
    const per = ({ ns: 0, us: 1, ms: 1000, s: 1_000_000, d: 86_400_000_000 } as const)[unit];
    if (per === undefined) throw new TypeError(`dt.epoch(): unit must be "ns", "us", "ms", "s" or "d", got ${JSON.stringify(unit)}`);
    return per === 0 ? micros.mul(lit(1000, "bigint")) : per === 1 ? micros : micros.floorDiv(lit(per, "bigint"));
  }
  /** The first day of the month, a timestamp keeping its time of day, as Polars' `dt.month_start()`. */
  monthStart(): Expr { return fn("monthStart", this.expr); }
  /** The last day of the month, a timestamp keeping its time of day, as Polars' `dt.month_end()`. */
  monthEnd(): Expr { return fn("monthEnd", this.expr); }
  /** The date of a timestamp (UTC), as Polars' `dt.date()`. @example col("ts").dt.date()   // CAST("ts" AS DATE) */
  date(): Expr { return fn("toDate", this.expr); }

  /**
   * Moves by a duration ("3d", "-1mo", …) or several ("1d12h", "-1y2mo": one sign for all), as Polars' `offset_by`:
   * calendar units first, as one move of months that clamps to the month's end, then the fixed ones. A date stays a
   * date (only whole days, weeks, months, quarters and years).
   * @example col("date").dt.offsetBy("-90d")   // DuckDB: CAST("date" + INTERVAL (-90) DAY AS DATE)
   */
  offsetBy(by: string): Expr {
    const steps = typeof by === "string" ? parseCompoundDuration(by) : undefined;
    if (!steps) throw new TypeError(`dt.offsetBy(): ${JSON.stringify(by)} is not a duration (${DURATION_HELP}, or several: "1d12h")`);
    // One move per step, calendar months first, as Polars' offset_by applies a compound duration.
    return new Expr(steps.reduce<ExprNode>((operand, duration) => freeze({ kind: "offset", operand, duration: freeze(duration) }), this.expr.node));
  }

  /**
   * Whole days from `earlier` to this value (negative if `earlier` is later): calendar days between dates, whole
   * 24-hour periods between timestamps (truncated toward zero, as Polars' `dt.total_days()` of the difference).
   * @example col("date").dt.daysSince(col("last_delinquency_date"))
   */
  daysSince(earlier: IntoExpr): Expr { return fn("daysBetween", toExpr(earlier), this.expr); }
}

/**
 * A column of the frame.
 * @example col("balance")   // "balance"
 */
export function col(name: string): Expr {
  if (typeof name !== "string" || name === "") throw new TypeError("col(): the column name must be a non-empty string");
  return wrap({ kind: "column", name });
}

/**
 * A literal value; strings, numbers, booleans, null and Dates (as UTC timestamps). Pass a type to pin it:
 * `lit("2025-01-01", "date")`. Literals are rendered by the dialect from the validated value, never spliced.
 * @example lit(0.5)   // 0.5
 */
export function lit(value: string | number | boolean | null | Date, dtype?: DType): Expr {
  if (dtype !== undefined && !isDType(dtype)) throw new TypeError(`lit(): unknown type ${JSON.stringify(dtype)}; expected one of ${listTypes()}`);
  if (value instanceof Date || dtype === "date" || dtype === "timestamp") {
    if (!(value instanceof Date) && typeof value !== "string") {
      if (value === null) return wrap({ kind: "literal", value, dtype: dtype! });
      throw new TypeError(`lit(): ${JSON.stringify(value)} is not a valid ${dtype}`);
    }
    return temporalLiteral(value, dtype ?? "timestamp");
  }
  if (typeof value === "number" && !Number.isFinite(value)) throw new TypeError(`lit(): ${value} is not a finite number`);
  // An integral number beyond 2^53 is a double in JavaScript, and is typed one (a bigint there would be inexact).
  if (typeof value === "number" && Number.isInteger(value) && !Number.isSafeInteger(value) && dtype !== undefined && dtype !== "double") {
    throw new TypeError(`lit(): ${value} is beyond the exact integer range of JavaScript numbers; it can only be a double`);
  }
  if (value !== null && !["string", "number", "boolean"].includes(typeof value)) {
    throw new TypeError(`lit(): unsupported value of type ${typeof value}`);
  }
  const type = dtype ?? literalType(value);
  if (value !== null && !fitsType(value, type)) throw new TypeError(`lit(): ${JSON.stringify(value)} is not a valid ${type}`);
  return wrap({ kind: "literal", value, dtype: type });
}

/** Polars' rounding modes (`Expr.round(decimals, mode)`). */
export type RoundMode = "half_to_even" | "half_away_from_zero" | "to_zero";

export interface RollingOptions {
  /** The timestamp column a duration window is measured on. */
  by?: Expr | string;
  /** Non-null values the window needs before it yields a result. */
  minPeriods?: number;
}

export class StringNamespace {
  constructor(private readonly expr: Expr) {}
  toLowercase(): Expr { return fn("lower", this.expr); }
  toUppercase(): Expr { return fn("upper", this.expr); }
  /**
   * Whether the text contains `pattern`: a regular expression, as in Polars, in the subset every engine reads alike
   * (src/ir/regex.ts: literals, `.`, classes, `^ $`, `* + ? {m,n}`, `|`, groups); other constructs are refused by
   * name. `literal: true` matches the pattern (then also a column) as text.
   * @example col("merchant").str.contains("^(uber|lyft)[ *]")   // DuckDB: regexp_matches("merchant", '^(uber|lyft)[ *]')
   */
  contains(pattern: IntoExpr, options: { literal?: boolean } = {}): Expr {
    const regex = regexPattern("str.contains", pattern, options.literal, false);
    return regex === undefined ? fn("contains", this.expr, pattern) : fn("containsRegex", this.expr, lit(regex.pattern));
  }
  startsWith(prefix: IntoExpr): Expr { return fn("startsWith", this.expr, prefix); }
  endsWith(suffix: IntoExpr): Expr { return fn("endsWith", this.expr, suffix); }
  /** Length in characters. */
  lenChars(): Expr { return fn("lenChars", this.expr); }
  /**
   * `length` characters from the 0-based `offset` (to the end when omitted); a negative offset counts from the end,
   * as Polars' `str.slice` ("abc" from -5 for 2 is "", the window being cut to the text).
   * @example col("s").str.slice(-3)   // the last 3 characters
   */
  slice(offset: number, length?: number): Expr {
    const args: IntoExpr[] = [lit(checkedInt("str.slice", offset))];
    if (length !== undefined) args.push(lit(checkedInt("str.slice", length, 0)));
    return fn(offset < 0 ? "sliceFromEnd" : "slice", this.expr, ...args);
  }
  /** The first `n` characters; a negative `n`: all but the last -n (Polars' `str.head`). */
  head(n: number): Expr { return fn("head", this.expr, lit(checkedInt("str.head", n))); }
  /** The last `n` characters; a negative `n`: all but the first -n (Polars' `str.tail`). */
  tail(n: number): Expr { return fn("tail", this.expr, lit(checkedInt("str.tail", n))); }
  /**
   * Removes leading and trailing `characters` (any of them), or whitespace when omitted — Unicode's White_Space, as
   * Polars' `str.strip_chars` (Rust's char::is_whitespace).
   * @example col("name").str.stripChars()   // trim(BOTH ' \t\n…' FROM "name")
   */
  stripChars(characters?: string): Expr {
    if (characters !== undefined && (typeof characters !== "string" || characters === "")) throw new TypeError(`str.stripChars(): characters must be a non-empty string`);
    return fn("stripChars", this.expr, lit(characters ?? WHITESPACE));
  }
  /** Pads at the start with `fillChar` to `length` characters; longer text is kept whole (Polars' `str.pad_start`). */
  padStart(length: number, fillChar = " "): Expr { return fn("padStart", this.expr, lit(checkedInt("str.padStart", length, 0)), lit(fillCharacter("str.padStart", fillChar))); }
  /** Pads at the end with `fillChar` to `length` characters (Polars' `str.pad_end`). */
  padEnd(length: number, fillChar = " "): Expr { return fn("padEnd", this.expr, lit(checkedInt("str.padEnd", length, 0)), lit(fillCharacter("str.padEnd", fillChar))); }
  /**
   * Pads with zeros at the start to `length` characters, after a leading sign (Polars' `str.zfill`: "-1" is "-001").
   * @example col("code").str.zfill(4)
   */
  zfill(length: number): Expr { return fn("zfill", this.expr, lit(checkedInt("str.zfill", length, 0))); }
  /**
   * Parses text as a date by a strftime `format`, as Polars' `str.to_date(format, strict=False)`: null where it does
   * not parse. The formats: `%Y %m %d %H %M %S`, `%F`, `%T`, white space and the characters `- / : . , _`, letters and
   * digits (docs/polars-parity.md lists how fields are read). Polars' default `strict=True` raises on the first string
   * that does not parse; no engine can fail a statement on a row the same way, so `{ strict: false }` must be given.
   * @example col("opened").str.toDate("%d/%m/%Y", { strict: false })
   */
  toDate(format: string, options: ParseOptions = {}): Expr { return parse("str.toDate", this.expr, format, options, "date"); }
  /**
   * Parses text as a timestamp by a strftime `format`, as Polars' `str.to_datetime(format, strict=False)`; as `toDate`.
   * A format without a time gives midnight.
   * @example col("seen").str.toDatetime("%Y-%m-%d %H:%M:%S", { strict: false })
   */
  toDatetime(format: string, options: ParseOptions = {}): Expr { return parse("str.toDatetime", this.expr, format, options, "timestamp"); }
  /**
   * The parts of the text around each occurrence of `by` (Polars' `str.split(by)`), of which one is taken with
   * `.list.get(index, { nullOnOob: true })`: the DSL has no list type, so that is the only use of the list.
   * @example col("email").str.split("@").list.get(1, { nullOnOob: true })   // the domain
   */
  split(by: string, options: { inclusive?: boolean } = {}): { readonly list: SplitParts } {
    if (typeof by !== "string" || by === "") throw new TypeError(`str.split(): the separator must be a non-empty string (Polars splits "" into characters, which is not implemented)`);
    if (options.inclusive) throw new TypeError(`str.split(${JSON.stringify(by)}, { inclusive: true }): keeping the separators is not implemented`);
    return { list: new SplitParts(this.expr, by) };
  }
  /**
   * Replaces every match of `pattern` (a regular expression, as `contains`) with the text `value`, as Polars'
   * `str.replace_all`. Only patterns whose matches every engine finds alike: without `|` or a repeated group, and not
   * matching the empty text; `value` is plain text (Polars reads `$1` there as a group: not supported). `literal: true`
   * replaces the pattern as text (then `value` may be a column).
   * @example col("phone").str.replaceAll("[^0-9]", "")
   */
  replaceAll(pattern: IntoExpr, value: IntoExpr, options: { literal?: boolean } = {}): Expr {
    const regex = regexPattern("str.replaceAll", pattern, options.literal, true);
    if (!options.literal && (typeof value !== "string" || /[$\\]/.test(value))) {
      const shown = typeof value === "string" ? JSON.stringify(value) : "an expression";
      throw new TypeError(`str.replaceAll(): the replacement ${shown} must be text without "$" (Polars reads "$1" as a group, which is not supported) or "\\"; pass { literal: true } to replace the pattern as text by any value`);
    }
    return regex === undefined ? fn("replaceAll", this.expr, pattern, value) : fn("replaceAllRegex", this.expr, lit(regex.pattern), lit(value as string));
  }
  /**
   * The text of capture group `groupIndex` (0: the whole match) of the first match of `pattern`, null where nothing
   * matches, as Polars' `str.extract`. The pattern as for `replaceAll`.
   * @example col("email").str.extract("@([a-z.]+)$", 1)
   */
  extract(pattern: string, groupIndex = 1): Expr {
    const regex = regexPattern("str.extract", pattern, false, true);
    const parsed = regex ?? parseRegex(pattern);
    if (typeof parsed === "string") throw new TypeError(`str.extract(): ${parsed}`);
    const g = checkedInt("str.extract", groupIndex, 0);
    if (g > parsed.groups) throw new TypeError(`str.extract(${JSON.stringify(pattern)}, ${g}): the pattern has ${parsed.groups} group${parsed.groups === 1 ? "" : "s"}`);
    return fn("extract", this.expr, lit(parsed.pattern), lit(`(${parsed.pattern})`), lit(g + 1, "bigint"));
  }
}

/** The list `str.split` makes, as far as the DSL has lists: one element of it. */
export class SplitParts {
  constructor(private readonly expr: Expr, private readonly by: string) {}
  /**
   * The part at `index` (0-based; negative counts from the end: -1 is the last), as Polars' `list.get(index,
   * null_on_oob=True)`: null where there is no such part. Polars' default `null_on_oob=False` fails the query there,
   * which no engine can do the same way, so `{ nullOnOob: true }` must be given.
   */
  get(index: number, options: { nullOnOob?: boolean } = {}): Expr {
    const i = checkedInt("list.get", index);
    if (options.nullOnOob !== true) {
      throw new TypeError(
        `str.split(${JSON.stringify(this.by)}).list.get(${i}): Polars' default null_on_oob=False fails on a text with too few parts, which no engine can do the same way; pass { nullOnOob: true } for null there`,
      );
    }
    return fn(i < 0 ? "splitPartFromEnd" : "splitPart", this.expr, lit(this.by), lit(i, "bigint"));
  }
}

/** Polars' parse options; `strict: false` is required (see `str.toDate`), `exact` may only be true. */
export interface ParseOptions {
  strict?: boolean;
  exact?: boolean;
}

function parse(what: string, operand: Expr, format: string, options: ParseOptions, to: "date" | "timestamp"): Expr {
  const parsed = parseStrftime(format);
  if (typeof parsed === "string") throw new TypeError(`${what}(): ${parsed}`);
  if (options.strict !== false) {
    throw new TypeError(
      `${what}(${JSON.stringify(format)}): Polars' default strict=True fails on the first text that does not parse, which no engine can do the same way; pass { strict: false } for null there (Polars' strict=False)`,
    );
  }
  if (options.exact === false) throw new TypeError(`${what}(): exact: false (the format anywhere in the text) is not supported`);
  return wrap({ kind: "parse", operand: operand.node, format, to });
}

function fillCharacter(what: string, c: string): string {
  if (typeof c !== "string" || [...c].length !== 1) throw new TypeError(`${what}(): the fill character must be one character, got ${JSON.stringify(c)}`);
  return c;
}

/**
 * A pattern for a Polars function that reads it as a regular expression by default: undefined where it means the same
 * as text (`literal: true`, or no metacharacter), else the pattern in the portable subset. `determined`: the match
 * itself is used (replaced, extracted), so it must be the same on every engine (see src/ir/regex.ts).
 */
function regexPattern(what: string, pattern: IntoExpr, literal: boolean | undefined, determined: boolean): RegexPattern | undefined {
  if (literal) return undefined;
  if (typeof pattern !== "string") throw new TypeError(`${what}(an expression): Polars reads the pattern as a regular expression, which must be a string here; pass { literal: true } to match it as text`);
  if (!/[\\^$.|?*+()[\]{}]/.test(pattern)) return undefined;
  const parsed = parseRegex(pattern);
  if (typeof parsed === "string") throw new TypeError(`${what}(): ${parsed}; pass { literal: true } to match it as text`);
  // Every engine finds an empty match, but not at the same places, and such a pattern is in every text.
  if (parsed.matchesEmpty) throw new TypeError(`${what}(${JSON.stringify(pattern)}): the pattern matches the empty text, where engines differ (and every text contains it)`);
  if (determined && parsed.undetermined) throw new TypeError(`${what}(${JSON.stringify(pattern)}): ${parsed.undetermined}: the text replaced or extracted could differ between engines`);
  return parsed;
}

/** Concatenates strings; null if any part is null (Polars' concat_str with ignore_nulls=False). */
export function concatStr(parts: readonly (Expr | string)[], separator = ""): Expr {
  if (!Array.isArray(parts) || parts.length === 0) throw new TypeError("concatStr(): pass at least one expression");
  const exprs = parts.map((p) => toColumnExpr(p));
  const joined = exprs.flatMap((e, i) => (i === 0 || separator === "" ? [e] : [lit(separator), e]));
  return new Expr(freeze({ kind: "func", fn: "concat", args: freeze(joined.map((e) => e.node)) }));
}

/** The first non-null of the values; a string names a column (as Polars). @example coalesce("limit", col("default_limit"), 0) */
export function coalesce(...values: IntoExpr[]): Expr {
  if (values.length === 0) throw new TypeError("coalesce(): pass at least one value");
  return wrap({ kind: "coalesce", operands: freeze(values.map((v) => toValueExpr(v, "coalesce()").node)) });
}

function fn(name: ScalarFn, first: Expr, ...args: IntoExpr[]): Expr {
  return wrap({ kind: "func", fn: name, args: freeze([first.node, ...args.map((a) => toExpr(a).node)]) });
}

function window(func: WindowFunc, frame: WindowFrame | null): Expr {
  return windowExpr(func, frame, 0);
}

function windowExpr(func: WindowFunc, frame: WindowFrame | null, minPeriods: number): Expr {
  return new Expr(windowNode(func, frame, minPeriods, freeze([]), freeze([]), false));
}

function windowNode(
  func: WindowFunc,
  frame: WindowFrame | null,
  minPeriods: number,
  partitionBy: readonly ExprNode[],
  orderBy: readonly OrderKey[],
  over: boolean,
): ExprNode {
  return freeze({ kind: "window", func: freeze(func), frame: frame && freeze(frame), minPeriods, partitionBy, orderBy, over });
}

type Scalar = string | number | boolean | Date | null;
type Mapping = ReadonlyMap<Scalar, Scalar> | Readonly<Record<string, Scalar>>;

/** The (old, new) pairs of a `replace`: from a Map, an object (string keys), or two arrays of equal length. */
function pairs(what: string, mapping: Mapping | Scalar | readonly Scalar[], values: Scalar | readonly Scalar[] | undefined): [Scalar, Scalar][] {
  if (mapping === null || typeof mapping !== "object" || mapping instanceof Date) {
    if (values === undefined || Array.isArray(values)) throw new TypeError(`${what}(old, new): give the new value`);
    return [[mapping, values as Scalar]];
  }
  if (Array.isArray(mapping)) {
    const news = Array.isArray(values) ? values : mapping.map(() => values as Scalar);
    if (values === undefined || news.length !== mapping.length) throw new TypeError(`${what}(old, new): give as many new values as old ones (or one)`);
    return mapping.map((old, i) => [old, news[i]!]);
  }
  return mapping instanceof Map ? [...mapping.entries()] : Object.entries(mapping);
}

/** CASE WHEN x = old THEN new … ELSE otherwise END; a null `old` matches nulls (Polars joins with nulls_equal). */
function replaceNode(x: ExprNode, mapping: [Scalar, Scalar][], otherwise: ExprNode): ExprNode {
  const branches = mapping.map(([old, value]) =>
    freeze({
      when: old === null ? freeze<ExprNode>({ kind: "isNull", operand: x, negated: false }) : freeze<ExprNode>({ kind: "binary", op: "eq", left: x, right: lit(old).node }),
      then: lit(value).node,
    }),
  );
  if (branches.length === 0) return otherwise;
  return caseNode(branches, otherwise);
}

/** Polars' ddof, of the two that every engine computes directly. */
function ddof(what: string, value = 1): 0 | 1 {
  if (value !== 0 && value !== 1) throw new TypeError(`${what}(): ddof must be 0 (population) or 1 (sample, the default), got ${value}`);
  return value;
}

function argPosition(what: string, end: "first" | "last"): never {
  throw new TypeError(
    `${what}(): not provided — Polars returns a row position, which SQL tables do not have. ` +
      `For the value of another column where this one is ${end === "first" ? "smallest" : "largest"}: col("v").sortBy("<this column>").${end}()`,
  );
}

function checkedInt(what: string, value: number, min = -Infinity): number {
  if (!Number.isSafeInteger(value) || value < min) throw new TypeError(`${what}(): expected an integer${min > -Infinity ? ` >= ${min}` : ""}, got ${value}`);
  return value;
}

const asList = <T,>(value: T | readonly T[]): readonly T[] => (Array.isArray(value) ? value : [value as T]);

/**
 * The covariance of two columns over the rows where both are non-null, as Polars' `pl.cov(a, b, ddof)`: `ddof` 1 (the
 * sample's, the default) or 0. A string names a column.
 * @example cov("balance", "limit")   // covar_samp("balance", "limit")
 */
export function cov(a: Expr | string, b: Expr | string, options: { ddof?: number } = {}): Expr {
  return pairAgg(ddof("cov", options.ddof) === 1 ? "cov" : "covPop", a, b);
}

/**
 * The Pearson correlation of two columns over the rows where both are non-null, as Polars' `pl.corr(a, b)`: NaN where
 * it is undefined (fewer than two pairs, or a constant column), as in Polars. `method: "spearman"` is not implemented.
 * @example corr("balance", "limit")   // COALESCE(corr("balance", "limit"), CAST('NaN' AS DOUBLE))
 */
export function corr(a: Expr | string, b: Expr | string, options: { method?: "pearson" } = {}): Expr {
  if ((options.method ?? "pearson") !== "pearson") {
    throw new TypeError(`corr(): method ${JSON.stringify(options.method)} is not implemented; only "pearson" is`);
  }
  return pairAgg("corr", a, b);
}

function pairAgg(fn: "cov" | "covPop" | "corr", a: Expr | string, b: Expr | string): Expr {
  return wrap({ kind: "agg", fn, operand: toColumnExpr(a).node, other: toColumnExpr(b).node });
}

/** The number of rows in the group. @example len()   // count(*) */
export function len(): Expr {
  return wrap({ kind: "agg", fn: "count", operand: null });
}

/**
 * A conditional, as Polars' `pl.when(...).then(...).otherwise(...)`; chain `.when().then()` for more branches.
 * A missing `otherwise` yields null. As in Polars, a string value names a column: `then(lit("high"))` for text.
 * @example when(col("balance").gt(0)).then(1).otherwise(0)   // CASE WHEN "balance" > 0 THEN 1 ELSE 0 END
 */
export function when(condition: IntoExpr): When {
  return new When([], toValueExpr(condition, "when()").node);
}

export class When {
  constructor(
    private readonly branches: readonly { when: ExprNode; then: ExprNode }[],
    private readonly condition: ExprNode,
  ) {}
  then(value: IntoExpr): Then {
    return new Then([...this.branches, freeze({ when: this.condition, then: toValueExpr(value, "then()").node })]);
  }
}

/** A conditional with all branches so far; usable as an expression (ELSE NULL) or continued. */
export class Then extends Expr {
  constructor(private readonly branches: readonly { when: ExprNode; then: ExprNode }[]) {
    super(caseNode(branches, freeze({ kind: "literal", value: null, dtype: "null" })));
  }
  when(condition: IntoExpr): When {
    return new When(this.branches, toValueExpr(condition, "when()").node);
  }
  otherwise(value: IntoExpr): Expr {
    return new Expr(caseNode(this.branches, toValueExpr(value, "otherwise()").node));
  }
}

/** Operands: an Expr as it is, any other value as a literal (as Polars does for `col("a") == "x"`). */
export function toExpr(value: IntoExpr): Expr {
  return value instanceof Expr ? value : lit(value);
}

/**
 * Value positions where Polars reads a bare string as a column name (`then("c")`, `otherwise`, `when`, `clip`,
 * `isBetween`, `coalesce`; `lit("c")` is the text): the column remembers where, for the error if there is none.
 */
function toValueExpr(value: IntoExpr, where: string): Expr {
  if (typeof value !== "string") return toExpr(value);
  if (value === "") throw new TypeError(`${where}: "" is no column name; a string here names a column (as in Polars), write lit("") for the text`);
  return wrap({ kind: "column", name: value, bare: where });
}

/** Selections: a string names a column (as in Polars' `select("a")`). */
export function toColumnExpr(value: Expr | string): Expr {
  if (typeof value === "string") return col(value);
  if (value instanceof Expr) return value;
  throw new TypeError(`expected a column name or an expression, got ${typeof value}`);
}

function caseNode(branches: readonly { when: ExprNode; then: ExprNode }[], otherwise: ExprNode): ExprNode {
  return freeze({ kind: "case", branches: freeze([...branches]), otherwise });
}

/** Dates and timestamps are stored as normalised ISO text: `2025-01-31` or `2025-01-31T06:00:00.000Z` (UTC). */
function temporalLiteral(value: string | Date, dtype: DType): Expr {
  const instant = value instanceof Date ? value : parseInstant(value);
  if (!instant || Number.isNaN(instant.getTime())) {
    throw new TypeError(`lit(): ${JSON.stringify(String(value))} is not an ISO date or timestamp with a zone`);
  }
  if (dtype === "date") {
    if (!isMidnight(instant)) throw new TypeError(`lit(): ${JSON.stringify(String(value))} is not a whole date`);
    return wrap({ kind: "literal", value: formatDate(instant), dtype });
  }
  if (dtype !== "timestamp") throw new TypeError(`lit(): a date or time cannot be typed ${dtype}`);
  return wrap({ kind: "literal", value: instant.toISOString(), dtype });
}

function fitsType(value: string | number | boolean, type: InferredType): boolean {
  switch (type) {
    case "integer":
      return Number.isInteger(value) && Math.abs(value as number) <= 2 ** 31 - 1;
    case "bigint":
      return Number.isSafeInteger(value);
    case "double":
      return typeof value === "number";
    case "varchar":
      return typeof value === "string";
    case "boolean":
      return typeof value === "boolean";
    default: // date and timestamp strings and Dates are checked by temporalLiteral
      return false;
  }
}

function literalType(value: string | number | boolean | null): InferredType {
  if (value === null) return "null";
  if (typeof value === "string") return "varchar";
  if (typeof value === "boolean") return "boolean";
  if (!Number.isSafeInteger(value)) return "double";
  return Math.abs(value) <= 2 ** 31 - 1 ? "integer" : "bigint";
}

const wrap = (node: ExprNode): Expr => new Expr(freeze(node));
const listTypes = (): string => DTYPES.join(", ");
