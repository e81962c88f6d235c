import { type QueryCompiler, type RawBuilder, sql } from "kysely";
import type { SqlLanguage } from "sql-formatter";
import { type DType, type InferredType, isIntegral } from "../ir/dtype.ts";
import { type Duration, fixedMicros, type Period, periodOriginMicros } from "../ir/duration.ts";
import type { AggFn, LiteralExpr, PeriodLabel, ScalarFn } from "../ir/expr.ts";
import { formatDate, formatTimestamp, isMidnight, parseInstant } from "../ir/time.ts";

/** Where `dt.truncate` periods are counted from, as a date: 1970-01-05 (a Monday) for weeks, else 1970-01-01. */
export const periodOrigin = (p: Period): string => formatDate(new Date(periodOriginMicros(p) / 1000));

/** How many parts `split_part` sees: the separators (left to right, never overlapping, as replace() counts them) plus one. */
function splitParts(dialect: { types: SqlDialect["types"]; truncatingDivide: (a: Sql, b: Sql) => Sql }, s: Sql, sep: Sql): Sql {
  const separators = dialect.truncatingDivide(sql`(length(${s}) - length(replace(${s}, ${sep}, '')))`, sql`length(${sep})`);
  return sql`(CAST(${separators} AS ${sql.raw(dialect.types.integer)}) + 1)`; // split_part takes an integer
}

/** A SQL fragment as kysely holds it; identifiers and values inside are rendered by the dialect's compiler. */
export type Sql = RawBuilder<unknown>;

export type DialectName = "duckdb" | "postgres" | "snowflake";

/** An aggregate call: `over` is set when it is evaluated as a window. */
export interface AggCall {
  readonly fn: AggFn;
  /** Null for a row count. */
  readonly input: Sql | null;
  readonly inputType: InferredType;
  readonly quantile?: number;
  /** The second operand of cov and corr, and its type. */
  readonly other?: Sql;
  readonly otherType?: InferredType;
  /** For first/last: the sort key, its direction and where its nulls go (`sortBy`). */
  readonly sortKey?: Sql;
  readonly sortDescending?: boolean;
  readonly sortNullsLast?: boolean;
  readonly over?: Sql;
  /** A sum over no values is NULL rather than 0 (rolling windows, whose emptiness Polars reports as null). */
  readonly nullWhenEmpty?: boolean;
  /** `over` has a frame (a rolling or cumulative window), which some engines refuse for some aggregates. */
  readonly framed?: boolean;
}

/** A window specification, compiled: the dialect's `over` renders it. */
export interface WindowSpec {
  readonly partitionBy: readonly Sql[];
  readonly orderBy: readonly { readonly sql: Sql; readonly descending: boolean; readonly nullsLast: boolean }[];
  /** The frame, already rendered (`ROWS BETWEEN …`), or none. */
  readonly frame?: Sql;
}

/** An as-of join of two named relations, for the dialect to render as a FROM item. */
export interface AsofJoinSql {
  readonly left: Sql;
  readonly right: Sql;
  readonly leftAlias: string;
  readonly rightAlias: string;
  /** Equalities of the `by` keys, already qualified. */
  readonly by: readonly (readonly [left: Sql, right: Sql])[];
  readonly leftOn: Sql;
  readonly rightOn: Sql;
  readonly strategy: "backward" | "forward";
  /** Whether a right row at the left row's very time matches (Polars' `allow_exact_matches`); absent: it does. */
  readonly allowExactMatches?: boolean;
}

/** The comparison of an as-of join's left time with the right's: `left op right`. */
export const asofComparison = (j: AsofJoinSql): string =>
  (j.strategy === "backward" ? ">" : "<") + (j.allowExactMatches === false ? "" : "=");

/**
 * What a warehouse's SQL differs in. The compiler builds every statement through these hooks, so adding a warehouse
 * means one folder under `dialects/` implementing this (mostly tables), one under `engines/`, and its golden rows.
 * An operation a dialect cannot express throws `UnsupportedError` (src/errors.ts) naming it and the dialect.
 */
export interface SqlDialect {
  readonly name: DialectName;
  /** kysely's compiler: identifier quoting, string-literal escaping and bind placeholders. */
  createQueryCompiler(): QueryCompiler;
  /** The sql-formatter language used for printed (and executed) SQL. */
  readonly formatterLanguage: SqlLanguage;
  /** Transaction control, as the engine sends it and a dry run prints it. */
  readonly transaction: { readonly begin: string; readonly commit: string; readonly rollback: string };
  /**
   * Whether DDL can run inside a transaction (and roll back with it). Where it can, a first run that fails leaves no
   * empty table behind; where it cannot (Snowflake commits DDL implicitly), DDL runs before the transaction.
   */
  readonly transactionalDdl: boolean;
  /**
   * The name a catalog must list for a column the statements quote as `written`, or a test: the preflight resolves
   * names exactly as the statements will, so a name that would fail as "invalid identifier" fails before any DDL.
   */
  resolvesTo(written: string, stored: string): boolean;
  /** Whether `QUALIFY` filters on window results; where not, the compiler wraps the query in a subquery instead. */
  readonly supportsQualify: boolean;
  /** DDL and CAST type names. */
  readonly types: Readonly<Record<DType, string>>;
  /**
   * Declared types this warehouse may store as another type the preflight accepts (a DECIMAL or INTEGER column
   * declared double, an INTEGER declared bigint): source columns declared so are read through `CAST(… AS declared)`
   * at the scan, so everything above computes in the declared type (DESIGN §9). Chosen by declaration, not from the
   * catalog, so the SQL does not depend on the warehouse and a dry run prints what runs.
   */
  readonly castAtScan: readonly DType[];
  /** A literal from a validated IR value, typed as the IR types it. */
  literal(node: LiteralExpr): Sql;
  /** A date or timestamp literal for a window bound. */
  instant(t: Date, type: "date" | "timestamp"): Sql;
  /** A conversion; numbers to integers truncate toward zero, as Polars' cast does. */
  cast(x: Sql, from: InferredType, to: DType): Sql;
  /**
   * The start (label left) or end (label right) of the `dt.truncate` period containing `x`, keeping `x`'s type; periods
   * count from Polars' origins (`Period`). A date is never truncated below a day here (the compiler keeps it as it is).
   */
  truncate(x: Sql, period: Period, label: PeriodLabel, type: "date" | "timestamp"): Sql;
  /** `x` moved by a duration, keeping its type. */
  offset(x: Sql, duration: Duration, type: "date" | "timestamp"): Sql;
  /**
   * Regular expressions in the subset every engine evaluates alike (src/ir/regex.ts): whether `pattern` matches
   * somewhere in `s`; the text of capture group `group` of its first match (null or empty where the group took no
   * part, or where nothing matched); `s` with every match replaced by `replacement` (text without `\` or `$`).
   */
  readonly regex: {
    matches(s: Sql, pattern: Sql): Sql;
    group(s: Sql, pattern: Sql, group: Sql): Sql;
    replaceAll(s: Sql, pattern: Sql, replacement: Sql): Sql;
  };
  /** A date or timestamp from integer parts already checked to be valid; `second` may be 60 (the next minute). */
  makeDate(year: Sql, month: Sql, day: Sql): Sql;
  makeTimestamp(year: Sql, month: Sql, day: Sql, hour: Sql, minute: Sql, second: Sql): Sql;
  /**
   * True division, always a double; by zero ±inf or NaN, as Polars (`ansi.divide`). `nonZero`: the divisor is a
   * non-zero literal, so the zero case needs no rendering.
   */
  divide(left: Sql, right: Sql, leftType: InferredType, rightType: InferredType, nonZero?: boolean): Sql;
  /**
   * The remainder with the sign of the divisor (Polars' `%`, a floored modulo), of integers or doubles; by zero NULL
   * for integers and NaN for doubles, as Polars (`ansi.modulo`). `nonZero` as for `divide`.
   */
  modulo(left: Sql, right: Sql, leftType: InferredType, rightType: InferredType, nonZero?: boolean): Sql;
  /**
   * Row-wise functions; arguments come compiled (operators parenthesised), with their types. A rendering that is
   * not a function call (`a || b`, `x IN (…)`) parenthesises itself, so it can stand anywhere. `nonZero` says which
   * arguments are non-zero number literals (Polars computes some operations by a scalar otherwise).
   */
  readonly functions: Readonly<Record<ScalarFn, (args: readonly Sql[], types: readonly InferredType[], nonZero?: readonly boolean[]) => Sql>>;
  /**
   * An aggregate. The result has the type the IR gives it; a sum over no non-null values is 0 and any/all over
   * none are false/true, as in Polars (SQL gives NULL).
   */
  aggregate(call: AggCall): Sql;
  /** `OVER (PARTITION BY … ORDER BY … frame)`. */
  over(spec: WindowSpec): Sql;
  /**
   * The last (or first) non-null value of `x` in the window's frame, null if there is none: a forward (or backward)
   * fill of nulls. `over` includes the frame.
   */
  nonNullInFrame(x: Sql, over: Sql, which: "last" | "first"): Sql;
  /** The frame of a time-based rolling window: order keys within `preceding` of the current row's, (t - d, t]. */
  rangeFrame(preceding: Duration, orderType: "date" | "timestamp"): Sql;
  asofJoin(join: AsofJoinSql): Sql;
  /**
   * Serialises lease-taking between runs, inside the lease transaction, where concurrent transactions could both
   * find no lease and take one. Absent where the engine already serialises writers (DuckDB has one).
   */
  lockTable?(table: Sql): Sql;
  /**
   * Serialises the creation of the tool's tables in `schema` between sessions, up to the end of the transaction it
   * runs in. Present where concurrent `CREATE … IF NOT EXISTS` of one name can fail instead of waiting (PostgreSQL);
   * only used where DDL runs inside a transaction.
   */
  ddlLock?(schema: string | undefined): Sql;
  /**
   * How the warehouse stores a (quoted) identifier: the longest it keeps, and the key under which it resolves (two
   * names with one key name one table). Names the tool creates are checked against both at planning time.
   */
  readonly identifiers: IdentifierRules;
  /**
   * A query of one row `comment` with the table's comment (null, or no row, where it has none or does not exist),
   * resolving the name as statements do: the tool marks the tables it creates with their registry id there.
   */
  tableComment(table: { readonly schema?: string; readonly name: string }): Sql;
  /** A FROM item reading a Parquet or CSV file in the engine (a training set's spine); absent where it cannot. */
  readFile?(format: "parquet" | "csv", path: string): Sql;
  /** A statement writing a query's result to a Parquet or CSV file; absent where the engine cannot. */
  copyToFile?(query: Sql, format: "parquet" | "csv", path: string): Sql;
}

export interface IdentifierRules {
  /** The longest identifier kept, in `unit`s (UTF-8 bytes or characters); none where the warehouse has no limit. */
  readonly maxLength?: number;
  readonly unit: "bytes" | "characters";
  /** The name the warehouse resolves `name` to: folded (and truncated, where it truncates rather than refuses). */
  key(name: string): string;
}

const monthStart = (t: Sql, type: InferredType): Sql =>
  type === "date"
    ? sql`(${t} - CAST(extract(day FROM ${t}) AS INTEGER) + 1)`
    : sql`(${t} - CAST(extract(day FROM ${t}) - 1 AS INTEGER) * INTERVAL '1 day')`;

const midnight = (t: Sql): Sql => sql`CASE WHEN ${t} IS NULL THEN NULL ELSE 0 END`;

/** A double that is no number literal: every supported engine reads these spellings in a cast. */
const special = (dialect: Pick<SqlDialect, "types">, value: "NaN" | "inf" | "-inf"): Sql =>
  sql`CAST(${sql.lit(value)} AS ${sql.raw(dialect.types.double)})`;

/** Numeric declarations every supported warehouse may store in another numeric type (see `castAtScan`). */
const NUMERIC: readonly DType[] = ["integer", "bigint", "double"];

/** ANSI spellings most dialects share; a dialect spreads these and overrides what differs. */
export const ansi = {
  castAtScan: NUMERIC,
  /**
   * A double's text with Polars' spellings of its special values ("inf", "-inf", "NaN"; engines differ), `finite` the
   * dialect's text for the others (the shortest digits that read back, with ".0" on an integral value).
   */
  doubleText(dialect: Pick<SqlDialect, "types">, x: Sql, finite: Sql): Sql {
    const inf = special(dialect, "inf");
    return sql`CASE WHEN ${x} = ${inf} THEN 'inf' WHEN ${x} = -${inf} THEN '-inf' WHEN ${x} = ${special(dialect, "NaN")} THEN 'NaN' ELSE ${finite} END`;
  },
  /**
   * True division with Polars' result for a zero divisor, which PostgreSQL and Snowflake would raise on: x / 0 is
   * x * inf (inf, -inf, or NaN for 0 and NaN; NULL stays NULL). A negative-zero divisor counts as zero (Polars gives
   * -inf for 1 / -0.0). Integer operands are made doubles first (SQL's `/` of integers truncates or is fixed-point).
   */
  divide(dialect: Pick<SqlDialect, "types">, left: Sql, right: Sql, leftType: InferredType, rightType: InferredType, nonZero = false): Sql {
    const l = leftType === "double" || rightType === "double" ? left : sql`CAST(${left} AS ${sql.raw(dialect.types.double)})`;
    if (nonZero) return sql`${l} / ${right}`;
    return sql`CASE WHEN ${right} = 0 THEN ${l} * ${special(dialect, "inf")} ELSE ${l} / ${right} END`;
  },
  /**
   * Polars' `%`: the remainder of a floored division, with the divisor's sign (SQL's `%` keeps the dividend's).
   * Integers: the truncated remainder, moved by the divisor where the two signs differ (no sum can overflow: it lies
   * between them); NULL by zero. Doubles (an integer operand is made one, as Polars casts it): Polars' kernels, as
   * they are written (crates/polars-compute/src/arithmetic/float.rs) — l - r * floor(l / r) for a column divisor, and
   * for a scalar one (`nonZero`: a non-zero literal) l - r * floor(l * (1 / r)), which Polars computes through the
   * reciprocal (so 49.0 % 49.0 is 49.0 there, and here); NaN by zero, where PostgreSQL and Snowflake would raise.
   */
  modulo(dialect: Pick<SqlDialect, "types">, left: Sql, right: Sql, leftType: InferredType, rightType: InferredType, nonZero = false): Sql {
    if (leftType !== "double" && rightType !== "double") {
      const d = nonZero ? right : sql`NULLIF(${right}, 0)`;
      const r = sql`(${left} % ${d})`;
      return sql`CASE WHEN ${r} <> 0 AND ((${r} < 0) <> (${d} < 0)) THEN ${r} + ${d} ELSE ${r} END`;
    }
    const double = (x: Sql, t: InferredType) => (t === "double" ? x : sql`CAST(${x} AS ${sql.raw(dialect.types.double)})`);
    const [l, r] = [double(left, leftType), double(right, rightType)];
    if (nonZero) return sql`(${l} - ${r} * floor(${l} * (CAST(1 AS ${sql.raw(dialect.types.double)}) / ${r})))`;
    return sql`CASE WHEN ${r} = 0 THEN ${l} * ${special(dialect, "NaN")} ELSE ${l} - ${r} * floor(${l} / ${r}) END`;
  },
  /**
   * Floor division of integers in integer arithmetic (a BIGINT beyond 2^53 keeps every digit), NULL for a zero
   * divisor (Polars): the truncated quotient, one less where the remainder is non-zero and the operands' signs differ.
   * `truncate` renders the quotient truncated toward zero, `b` never zero there.
   */
  integerFloorDiv(dialect: Pick<SqlDialect, "types">, a: Sql, b: Sql, truncate: (a: Sql, b: Sql) => Sql): Sql {
    const d = sql`NULLIF(${b}, 0)`;
    const below = sql`CASE WHEN ${a} % ${d} <> 0 AND ((${a} < 0) <> (${d} < 0)) THEN 1 ELSE 0 END`;
    return sql`CAST(${truncate(a, d)} - ${below} AS ${sql.raw(dialect.types.bigint)})`;
  },
  literal(dialect: Pick<SqlDialect, "instant" | "types">, node: LiteralExpr): Sql {
    if (node.value === null) return node.dtype === "null" ? sql`NULL` : sql`CAST(NULL AS ${sql.raw(dialect.types[node.dtype])})`;
    if (node.dtype === "date" || node.dtype === "timestamp") return dialect.instant(parseInstant(String(node.value))!, node.dtype);
    // A bare 0.1 is a DECIMAL in DuckDB and PostgreSQL (and 1e-7 a DOUBLE): pin the type the IR gives it.
    if (node.dtype === "double") return sql`CAST(${sql.lit(node.value)} AS ${sql.raw(dialect.types.double)})`;
    return sql.lit(node.value);
  },
  instant(t: Date, type: "date" | "timestamp"): Sql {
    if (type === "timestamp") return sql`TIMESTAMP ${sql.lit(formatTimestamp(t))}`;
    // Callers round first (`rangePredicate`): comparing a date with an instant inside a day would mean an implicit cast.
    if (!isMidnight(t)) throw new Error(`internal: a DATE literal for ${t.toISOString()}, which is not a midnight`);
    return sql`DATE ${sql.lit(formatDate(t))}`;
  },
  cast(dialect: Pick<SqlDialect, "types">, x: Sql, from: InferredType, to: DType): Sql {
    const truncate = from === "double" && (to === "integer" || to === "bigint"); // SQL CAST rounds
    return sql`CAST(${truncate ? sql`trunc(${x})` : x} AS ${sql.raw(dialect.types[to])})`;
  },
  /**
   * The ORDER BY of first/last: the value at the first row of the sort (first) or the last (last, by reversing the
   * order, nulls included). Ties on the key are broken by the value (nulls last), so every engine picks the same row.
   */
  firstLastOrder({ fn, input, sortKey, sortDescending, sortNullsLast }: AggCall): Sql {
    const reverse = fn === "last";
    const dir = sql.raw((sortDescending ?? false) !== reverse ? "DESC" : "ASC");
    const nulls = sql.raw((sortNullsLast ?? false) !== reverse ? "NULLS LAST" : "NULLS FIRST");
    return sql`${sortKey} ${dir} ${nulls}, ${input} ${sql.raw(reverse ? "DESC" : "ASC")} NULLS LAST`;
  },
  /**
   * cov (ddof 1), covPop (ddof 0) and corr over the rows where both operands are non-null, as Polars'. Polars' corr
   * is NaN where SQL's is NULL: no pairs, one pair, or a constant operand (a zero variance).
   */
  pairAggregate(dialect: Pick<SqlDialect, "types">, { fn, input, other, over }: AggCall): Sql {
    const call = sql`${sql.raw({ cov: "covar_samp", covPop: "covar_pop", corr: "corr" }[fn as "cov" | "covPop" | "corr"])}(${input}, ${other})${over ? sql` ${over}` : sql``}`;
    return fn === "corr" ? sql`COALESCE(${call}, ${special(dialect, "NaN")})` : call;
  },
  /**
   * Polars' skew (crates/polars-compute/src/moment.rs, SkewState::finalize) from the count of non-null values, their
   * mean and central moments m2 and m3 (sums of powers of x − mean, over n): m3 / m2^1.5; null for none (and for fewer
   * than three with the sample correction √(n(n−1))/(n−2)), NaN where m2 <= (ε · mean)².
   */
  skewOf(dialect: Pick<SqlDialect, "types">, fn: AggFn, { n, mean, m2, m3 }: Record<"n" | "mean" | "m2" | "m3", Sql>): Sql {
    const zero = sql`${m2} <= power(2.220446049250313e-16 * ${mean}, 2)`;
    const biased = sql`${m3} / power(${m2}, 1.5)`;
    return fn === "skew"
      ? sql`CASE WHEN ${n} = 0 THEN NULL WHEN ${zero} THEN ${special(dialect, "NaN")} ELSE ${biased} END`
      : sql`CASE WHEN ${n} <= 2 THEN NULL WHEN ${zero} THEN ${special(dialect, "NaN")} ELSE sqrt(CAST(${n} AS ${sql.raw(dialect.types.double)}) * (${n} - 1)) / (${n} - 2) * (${biased}) END`;
  },
  /**
   * Polars' skew in doubles (`skewOf`). Central moments need the mean first: a subquery over the group's values
   * (`array_agg` of the outer query, unnested), as the engines' own skewness (power sums) loses the digits of large
   * values. Not a window. (DuckDB runs such a subquery slowly: its dialect reads the group's list with a lambda.)
   */
  skew(dialect: Pick<SqlDialect, "types">, { fn, input, inputType }: AggCall): Sql {
    const x = inputType === "double" ? input : sql`CAST(${input} AS ${sql.raw(dialect.types.double)})`;
    const [u, m, d] = [sql.raw("fb_skew_u"), sql.raw("fb_skew_m"), sql.raw("(fb_skew_u - fb_skew_m)")];
    const value = ansi.skewOf(dialect, fn, {
      n: sql`count(${u})`,
      mean: sql`max(${m})`,
      m2: sql`(sum(${d} * ${d}) / count(${u}))`,
      m3: sql`(sum(${d} * (${d} * ${d})) / count(${u}))`,
    });
    return sql`(SELECT ${value} FROM (SELECT ${u}, avg(${u}) OVER () AS ${m} FROM unnest(array_agg(${x})) AS fb_skew(${u})) AS fb_skew_values)`;
  },
  /** count(*) or count(x), as a window when `over` is given. */
  count(input: Sql | null, over?: Sql): Sql {
    const w = over ? sql` ${over}` : sql``;
    return input === null ? sql`count(*)${w}` : sql`count(${input})${w}`;
  },
  /**
   * sum, as the IR types it: an integer sum is a BIGINT (DuckDB would give a HUGEINT, PostgreSQL a NUMERIC), and a sum
   * of no values 0 (Polars' rule) unless a rolling frame wants it null.
   */
  sum({ input, inputType, over, nullWhenEmpty }: AggCall): Sql {
    const call = sql`sum(${input})${over ? sql` ${over}` : sql``}`;
    const typed = isIntegral(inputType) ? sql`CAST(${call} AS BIGINT)` : call;
    return nullWhenEmpty ? typed : sql`COALESCE(${typed}, 0)`;
  },
  /** `INTERVAL '30 days'`: the string form every supported engine parses (quarters as months). */
  interval(d: Duration): Sql {
    const [n, unit] = d.unit === "quarter" ? [d.n * 3, "month"] : [d.n, d.unit];
    return sql`INTERVAL ${sql.lit(`${n} ${unit}${Math.abs(n) === 1 ? "" : "s"}`)}`;
  },
  /**
   * (t - d, t] as a RANGE frame, whose bounds are inclusive: for dates one day less than d, for timestamps one
   * microsecond less (their precision in every supported engine).
   */
  rangeFrame(preceding: Duration, orderType: "date" | "timestamp"): Sql {
    const micros = fixedMicros(preceding)!;
    if (orderType === "date") {
      // Whole days only: the type pass rejects other spans over a date column.
      return sql`RANGE BETWEEN ${ansi.interval({ n: micros / 86_400e6 - 1, unit: "day" })} PRECEDING AND CURRENT ROW`;
    }
    const seconds = `${Math.floor((micros - 1) / 1e6)}.${String((micros - 1) % 1e6).padStart(6, "0")}`;
    return sql`RANGE BETWEEN INTERVAL ${sql.lit(`${seconds} seconds`)} PRECEDING AND CURRENT ROW`;
  },
  /** `last_value(x IGNORE NULLS)`, DuckDB's spelling (https://duckdb.org/docs/sql/functions/window_functions). */
  nonNullInFrame(x: Sql, over: Sql, which: "last" | "first"): Sql {
    return sql`${sql.raw(which === "last" ? "last_value" : "first_value")}(${x} IGNORE NULLS) ${over}`;
  },
  windowSpec(spec: WindowSpec): Sql {
    const parts = [
      spec.partitionBy.length ? sql`PARTITION BY ${sql.join([...spec.partitionBy])}` : undefined,
      // Where nulls sort is always spelt out: engines' defaults differ (PostgreSQL puts them first in DESC).
      spec.orderBy.length
        ? sql`ORDER BY ${sql.join(spec.orderBy.map((k) => sql`${k.sql} ${sql.raw(k.descending ? "DESC" : "ASC")} ${sql.raw(k.nullsLast ? "NULLS LAST" : "NULLS FIRST")}`))}`
        : undefined,
      spec.frame,
    ].filter((p): p is Sql => p !== undefined);
    return sql`OVER (${sql.join(parts, sql` `)})`;
  },
  /** Row-wise functions in the SQL that DuckDB, PostgreSQL and Snowflake all accept. */
  functions: (
    dialect: Pick<SqlDialect, "types" | "cast" | "divide"> & { truncatingDivide: (a: Sql, b: Sql) => Sql },
  ): Omit<SqlDialect["functions"], "containsRegex" | "replaceAllRegex" | "extract"> => ({
    abs: ([x]) => sql`abs(${x})`,
    round: ([x, d], [t]) => (t === "double" ? sql`round(${x}, ${d})` : x!),
    // Polars' round_ties_even(x * 10^d) / 10^d in doubles. A tie is exact in doubles (p - trunc(p) = ±0.5), and then
    // p / 2 is no tie, so each engine's own rule for halves never decides: the result is the same everywhere.
    roundHalfEven: ([x, d], [t]) => {
      if (t !== "double") return x!;
      const scale = sql`power(CAST(10 AS ${sql.raw(dialect.types.double)}), ${d})`;
      const p = sql`(${x} * ${scale})`;
      return sql`(CASE WHEN abs(${p} - trunc(${p})) = 0.5 THEN 2 * round(${p} / 2) ELSE round(${p}) END / ${scale})`;
    },
    // Polars' trunc(x * 10^d) / 10^d (round(mode="to_zero"), Expr.truncate).
    truncate: ([x, d], [t]) => {
      if (t !== "double") return x!;
      const scale = sql`power(CAST(10 AS ${sql.raw(dialect.types.double)}), ${d})`;
      return sql`(trunc(${x} * ${scale}) / ${scale})`;
    },
    // Polars' float functions give NaN and ±inf where engines fail the statement (PostgreSQL, DuckDB: the square root
    // or logarithm of a negative number, the logarithm of zero): those inputs are answered before the call. NaN
    // equals itself and sorts above +inf in DuckDB, PostgreSQL and Snowflake alike.
    floor: ([x], [t]) => (t === "double" ? sql`floor(${x})` : x!),
    ceil: ([x], [t]) => (t === "double" ? sql`ceil(${x})` : x!),
    // -0.0 keeps its sign and NaN stays NaN, as Polars' sign.
    sign: ([x], [t]) =>
      t === "double"
        ? sql`CASE WHEN ${x} = ${special(dialect, "NaN")} THEN ${x} WHEN ${x} > 0 THEN 1 WHEN ${x} < 0 THEN -1 ELSE ${x} END`
        : sql`CASE WHEN ${x} > 0 THEN 1 WHEN ${x} < 0 THEN -1 ELSE 0 END`,
    sqrt: ([x]) => sql`CASE WHEN ${x} < 0 THEN ${special(dialect, "NaN")} ELSE sqrt(${x}) END`,
    ln: ([x]) => sql`CASE WHEN ${x} < 0 THEN ${special(dialect, "NaN")} WHEN ${x} = 0 THEN ${special(dialect, "-inf")} ELSE ln(${x}) END`,
    // Polars' pow: NaN for a negative base and a fractional exponent, inf for 0 to a negative power (DuckDB gives NULL
    // for both, PostgreSQL fails). Integers are raised in doubles and cast back: exact while the result is below 2^53;
    // a negative exponent from a column truncates toward zero (Polars fails; a literal one is refused by the type pass).
    pow: ([x, y], [tx, ty]) => {
      const call = sql`CASE WHEN ${x} < 0 AND ${y} <> trunc(${y}) THEN ${special(dialect, "NaN")} WHEN ${x} = 0 AND ${y} < 0 THEN ${special(dialect, "inf")} ELSE power(${x}, ${y}) END`;
      return isIntegral(tx!) && isIntegral(ty!) ? dialect.cast(call, "double", "bigint") : call;
    },
    // inf and 0 beyond the doubles' range (ln of the largest double, and of half the smallest subnormal), where
    // PostgreSQL fails with "value out of range"; NaN stays NaN (it compares above every number).
    exp: ([x]) =>
      sql`CASE WHEN ${x} = ${special(dialect, "NaN")} THEN ${x} WHEN ${x} > 709.782712893384 THEN ${special(dialect, "inf")} WHEN ${x} < -745.1332191019412 THEN 0 ELSE exp(${x}) END`,
    // ln(1 + x) without losing the digits of a small x (no engine has log1p): ln(u) where u = 1 + x is exact, else
    // Goldberg's x * ln(u) / (u - 1) ("What every computer scientist should know about floating-point arithmetic",
    // theorem 4), which cancels the rounding of 1 + x; x itself where 1 + x rounds to 1.
    log1p: ([x]) => {
      const u = sql`(${x} + 1)`;
      return sql`CASE WHEN ${x} < -1 THEN ${special(dialect, "NaN")} WHEN ${x} = -1 THEN ${special(dialect, "-inf")} WHEN ${x} >= ${special(dialect, "inf")} OR ${u} = 1 THEN ${x} WHEN ${u} - 1 = ${x} THEN ln(${u}) ELSE ${x} * ln(${u}) / (${u} - 1) END`;
    },
    isNan: ([x]) => sql`(${x} = ${special(dialect, "NaN")})`,
    isFinite: ([x]) => sql`(${x} > ${special(dialect, "-inf")} AND ${x} < ${special(dialect, "inf")})`,
    fillNan: ([x, v]) => sql`CASE WHEN ${x} = ${special(dialect, "NaN")} THEN ${v} ELSE ${x} END`,
    clip: ([x, lo, hi]) => sql`CASE WHEN ${x} < ${lo} THEN ${lo} WHEN ${x} > ${hi} THEN ${hi} ELSE ${x} END`,
    // Polars: floor(a / b) for doubles (±inf or NaN by zero), integer floor division (NULL by zero) for integers. By a
    // literal, Polars' scalar kernel multiplies by its reciprocal: floor(a * (1 / b)), so 49.0 // 49.0 is 0.0 there
    // (crates/polars-compute/src/arithmetic/float.rs, prim_wrapping_floor_div_scalar).
    floorDiv: ([a, b], [ta, tb], nonZero = []) => {
      if (isIntegral(ta!) && isIntegral(tb!)) return ansi.integerFloorDiv(dialect, a!, b!, dialect.truncatingDivide);
      if (!nonZero[1]) return sql`floor(${dialect.divide(a!, b!, ta!, tb!)})`;
      const double = (x: Sql, t: InferredType) => (t === "double" ? x : sql`CAST(${x} AS ${sql.raw(dialect.types.double)})`);
      return sql`floor(${double(a!, ta!)} * (CAST(1 AS ${sql.raw(dialect.types.double)}) / ${double(b!, tb!)}))`;
    },
    isIn: ([x, ...values]) => (values.length ? sql`(${x} IN (${sql.join(values)}))` : sql`FALSE`),
    isBetween: ([x, lo, hi]) => sql`(${x} BETWEEN ${lo} AND ${hi})`,
    lower: ([s]) => sql`lower(${s})`,
    upper: ([s]) => sql`upper(${s})`,
    contains: ([s, t]) => sql`(strpos(${s}, ${t}) > 0)`,
    startsWith: ([s, t]) => sql`(left(${s}, length(${t})) = ${t})`,
    endsWith: ([s, t]) => sql`(right(${s}, length(${t})) = ${t})`,
    lenChars: ([s]) => sql`CAST(length(${s}) AS ${sql.raw(dialect.types.bigint)})`,
    concat: (parts) => sql`(${sql.join([...parts], sql` || `)})`,
    slice: ([s, offset, length]) => (length ? sql`substring(${s}, ${offset} + 1, ${length})` : sql`substring(${s}, ${offset} + 1)`),
    replaceAll: ([s, old, replacement]) => sql`replace(${s}, ${old}, ${replacement})`,
    // Polars' str.split(by).list.get(i, null_on_oob=True): out of range is null, where split_part gives ''. Only indexes
    // 1..n reach split_part (Snowflake reads 0 as 1; negative ones count from the end only since PostgreSQL 14).
    splitPart: ([s, sep, i]) => sql`CASE WHEN ${i} < ${splitParts(dialect, s!, sep!)} THEN split_part(${s}, ${sep}, ${i} + 1) END`,
    splitPartFromEnd: ([s, sep, i]) => {
      const parts = splitParts(dialect, s!, sep!);
      return sql`CASE WHEN -(${i}) <= ${parts} THEN split_part(${s}, ${sep}, ${parts} + ${i} + 1) END`;
    },
    // Polars' slice with a negative offset: the characters [len + offset, len + offset + length), clamped to the text
    // (polars-core's slice_offsets): "abc" from -5 for 2 is "".
    sliceFromEnd: ([s, offset, length]) => {
      const start = sql`greatest(length(${s}) + ${offset}, 0)`;
      if (!length) return sql`substring(${s}, ${start} + 1)`;
      const stop = sql`least(greatest(length(${s}) + ${offset} + ${length}, 0), length(${s}))`;
      return sql`substring(${s}, ${start} + 1, greatest(${stop} - ${start}, 0))`;
    },
    stripChars: ([s, chars]) => sql`trim(BOTH ${chars} FROM ${s})`,
    // Polars pads to `length` characters and never cuts a longer text (SQL's lpad/rpad would).
    padStart: ([s, n, c]) => sql`CASE WHEN length(${s}) >= ${n} THEN ${s} ELSE repeat(${c}, ${n} - length(${s})) || ${s} END`,
    padEnd: ([s, n, c]) => sql`CASE WHEN length(${s}) >= ${n} THEN ${s} ELSE ${s} || repeat(${c}, ${n} - length(${s})) END`,
    // Zeros after a leading sign, as Polars' zfill.
    zfill: ([s, n]) =>
      sql`CASE WHEN length(${s}) >= ${n} THEN ${s} WHEN left(${s}, 1) IN ('-', '+') THEN left(${s}, 1) || repeat('0', ${n} - length(${s})) || substring(${s}, 2) ELSE repeat('0', ${n} - length(${s})) || ${s} END`,
    // The first (last) n characters; a negative n: all but the last (first) -n, as Polars' str.head (str.tail).
    head: ([s, n]) => sql`left(${s}, CASE WHEN ${n} >= 0 THEN ${n} ELSE greatest(length(${s}) + ${n}, 0) END)`,
    tail: ([s, n]) => sql`right(${s}, CASE WHEN ${n} >= 0 THEN ${n} ELSE greatest(length(${s}) + ${n}, 0) END)`,
    year: ([t]) => sql`CAST(extract(year FROM ${t}) AS ${sql.raw(dialect.types.integer)})`,
    month: ([t]) => sql`CAST(extract(month FROM ${t}) AS ${sql.raw(dialect.types.integer)})`,
    day: ([t]) => sql`CAST(extract(day FROM ${t}) AS ${sql.raw(dialect.types.integer)})`,
    // A date has no time of day: 0, and null for a null date (as Polars).
    hour: ([t], [type]) => (type === "date" ? midnight(t!) : sql`CAST(extract(hour FROM ${t}) AS ${sql.raw(dialect.types.integer)})`),
    quarter: ([t]) => sql`CAST(extract(quarter FROM ${t}) AS ${sql.raw(dialect.types.integer)})`,
    minute: ([t], [type]) => (type === "date" ? midnight(t!) : sql`CAST(extract(minute FROM ${t}) AS ${sql.raw(dialect.types.integer)})`),
    // Whole seconds, as Polars' dt.second(): PostgreSQL's extract(second) carries the fraction, which CAST would round.
    second: ([t], [type]) => (type === "date" ? midnight(t!) : sql`CAST(floor(extract(second FROM ${t})) AS ${sql.raw(dialect.types.integer)})`),
    weekday: ([t]) => sql`CAST(extract(isodow FROM ${t}) AS ${sql.raw(dialect.types.integer)})`,
    // The fraction of the second: extract(microseconds) counts the whole seconds too (in DuckDB and PostgreSQL alike).
    millisecond: ([t], [type]) =>
      type === "date" ? midnight(t!) : sql`(CAST(floor(extract(microseconds FROM ${t}) / 1000) AS ${sql.raw(dialect.types.integer)}) % 1000)`,
    microsecond: ([t], [type]) =>
      type === "date" ? midnight(t!) : sql`(CAST(extract(microseconds FROM ${t}) AS ${sql.raw(dialect.types.integer)}) % 1000000)`,
    isoWeek: ([t]) => sql`CAST(extract(week FROM ${t}) AS ${sql.raw(dialect.types.integer)})`,
    isoYear: ([t]) => sql`CAST(extract(isoyear FROM ${t}) AS ${sql.raw(dialect.types.integer)})`,
    ordinalDay: ([t]) => sql`CAST(extract(doy FROM ${t}) AS ${sql.raw(dialect.types.integer)})`,
    // Exact: PostgreSQL's extract(epoch) is a NUMERIC (since 14), here multiplied before the cast.
    epochMicros: ([t]) => sql`CAST(extract(epoch FROM ${t}) * 1000000 AS ${sql.raw(dialect.types.bigint)})`,
    toDate: ([t], [type]) => (type === "date" ? t! : sql`CAST(${t} AS DATE)`),
    // The first (last) day of the month, keeping a timestamp's time of day, as Polars' month_start (month_end).
    // DATE - INTEGER is a DATE; DATE + INTERVAL a TIMESTAMP, cast back.
    monthStart: ([t], [type]) => monthStart(t!, type!),
    monthEnd: ([t], [type]) => {
      const end = sql`${monthStart(t!, type!)} + INTERVAL '1 month' - INTERVAL '1 day'`;
      return type === "date" ? sql`CAST(${end} AS DATE)` : sql`(${end})`;
    },
    daysBetween: ([a, b], [ta, tb]) => {
      if (ta === "date" && tb === "date") return sql`CAST(${b} - ${a} AS ${sql.raw(dialect.types.bigint)})`;
      const ts = (x: Sql, t: InferredType) => (t === "date" ? dialect.cast(x, "date", "timestamp") : x);
      return sql`CAST(trunc(extract(epoch FROM (${ts(b!, tb!)} - ${ts(a!, ta!)})) / 86400) AS ${sql.raw(dialect.types.bigint)})`;
    },
  }),
} as const;
