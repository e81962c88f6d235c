import { type QueryCompiler, type RawBuilder, sql } from "kysely";
import type { SqlLanguage } from "sql-formatter";
import { type DType, type InferredType, isIntegral } from "../ir/dtype.ts";
import { type Duration, fixedMicros } from "../ir/duration.ts";
import type { AggFn, LiteralExpr, PeriodLabel, ScalarFn, TimeUnit } from "../ir/expr.ts";
import { formatDate, formatTimestamp, isMidnight, parseInstant } from "../ir/time.ts";

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
  /** For first/last: the sort key (rows where it is null are ignored). */
  readonly sortKey?: Sql;
  readonly over?: Sql;
  /** A sum over no values is NULL rather than 0 (rolling windows, whose emptiness Polars reports as null). */
  readonly nullWhenEmpty?: boolean;
}

/** A window specification, compiled: the dialect's `over` renders it. */
export interface WindowSpec {
  readonly partitionBy: readonly Sql[];
  readonly orderBy: readonly { readonly sql: Sql; readonly descending: boolean }[];
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
}

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
  /** The start (label left) or end (label right) of the calendar period containing `x`, keeping `x`'s type. */
  truncate(x: Sql, unit: TimeUnit, label: PeriodLabel, type: "date" | "timestamp"): Sql;
  /** `x` moved by a duration, keeping its type. */
  offset(x: Sql, duration: Duration, type: "date" | "timestamp"): Sql;
  /**
   * True division, always a double; by zero ±inf or NaN, as Polars (`ansi.divide`). `nonZero`: the divisor is a
   * non-zero literal, so the zero case needs no rendering.
   */
  divide(left: Sql, right: Sql, leftType: InferredType, rightType: InferredType, nonZero?: boolean): Sql;
  /**
   * The remainder with the sign of the dividend (SQL's `%`), of integers or doubles; by zero NULL for integers and NaN
   * for doubles, as Polars. `nonZero` as for `divide`.
   */
  modulo(left: Sql, right: Sql, leftType: InferredType, rightType: InferredType, nonZero?: boolean): Sql;
  /**
   * Row-wise functions; arguments come compiled (operators parenthesised), with their types. A rendering that is
   * not a function call (`a || b`, `x IN (…)`) parenthesises itself, so it can stand anywhere.
   */
  readonly functions: Readonly<Record<ScalarFn, (args: readonly Sql[], types: readonly InferredType[]) => Sql>>;
  /**
   * An aggregate. The result has the type the IR gives it; a sum over no non-null values is 0 and any/all over
   * none are false/true, as in Polars (SQL gives NULL).
   */
  aggregate(call: AggCall): Sql;
  /** `OVER (PARTITION BY … ORDER BY … frame)`. */
  over(spec: WindowSpec): Sql;
  /** The frame of a time-based rolling window: order keys within `preceding` of the current row's, (t - d, t]. */
  rangeFrame(preceding: Duration, orderType: "date" | "timestamp"): Sql;
  asofJoin(join: AsofJoinSql): Sql;
  /**
   * Serialises lease-taking between runs, inside the lease transaction, where concurrent transactions could both
   * find no lease and take one. Absent where the engine already serialises writers (DuckDB has one).
   */
  lockTable?(table: Sql): Sql;
}

/** Numeric declarations every supported warehouse may store in another numeric type (see `castAtScan`). */
const NUMERIC: readonly DType[] = ["integer", "bigint", "double"];

/** ANSI spellings most dialects share; a dialect spreads these and overrides what differs. */
export const ansi = {
  castAtScan: NUMERIC,
  /** IEEE infinity or NaN as a double: 'inf' and 'NaN' are spellings DuckDB, PostgreSQL and Snowflake all read. */
  special(dialect: Pick<SqlDialect, "types">, value: "inf" | "NaN"): Sql {
    return sql`CAST(${sql.lit(value)} AS ${sql.raw(dialect.types.double)})`;
  },
  /**
   * A double's text with Polars' spellings of its special values ("inf", "-inf", "NaN"; engines differ), `finite` the
   * dialect's text for the others (the shortest digits that read back, with ".0" on an integral value).
   */
  doubleText(dialect: Pick<SqlDialect, "types">, x: Sql, finite: Sql): Sql {
    const inf = ansi.special(dialect, "inf");
    return sql`CASE WHEN ${x} = ${inf} THEN 'inf' WHEN ${x} = -${inf} THEN '-inf' WHEN ${x} = ${ansi.special(dialect, "NaN")} THEN 'NaN' ELSE ${finite} END`;
  },
  /**
   * True division with Polars' result for a zero divisor, which PostgreSQL and Snowflake would raise on: x / 0 is
   * x * inf (inf, -inf, or NaN for 0 and NaN; NULL stays NULL). A negative-zero divisor counts as zero (Polars gives
   * -inf for 1 / -0.0). Integer operands are made doubles first (SQL's `/` of integers truncates or is fixed-point).
   */
  divide(dialect: Pick<SqlDialect, "types">, left: Sql, right: Sql, leftType: InferredType, rightType: InferredType, nonZero = false): Sql {
    const l = leftType === "double" || rightType === "double" ? left : sql`CAST(${left} AS ${sql.raw(dialect.types.double)})`;
    if (nonZero) return sql`${l} / ${right}`;
    return sql`CASE WHEN ${right} = 0 THEN ${l} * ${ansi.special(dialect, "inf")} ELSE ${l} / ${right} END`;
  },
  /**
   * A remainder with Polars' results for a zero divisor: NULL for integers (`% NULLIF(b, 0)`), NaN for doubles (x * NaN
   * keeps a NULL dividend NULL). `mod` renders the remainder of a non-zero divisor.
   */
  moduloByZero(dialect: Pick<SqlDialect, "types">, left: Sql, right: Sql, leftType: InferredType, rightType: InferredType, mod: (l: Sql, r: Sql) => Sql, nonZero = false): Sql {
    if (nonZero) return mod(left, right);
    if (leftType !== "double" && rightType !== "double") return mod(left, sql`NULLIF(${right}, 0)`);
    return sql`CASE WHEN ${right} = 0 THEN ${left} * ${ansi.special(dialect, "NaN")} ELSE ${mod(left, right)} END`;
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
  windowSpec(spec: WindowSpec): Sql {
    const parts = [
      spec.partitionBy.length ? sql`PARTITION BY ${sql.join([...spec.partitionBy])}` : undefined,
      // Nulls sort last in both directions, explicitly: engines' defaults differ (PostgreSQL puts them first in DESC).
      spec.orderBy.length
        ? sql`ORDER BY ${sql.join(spec.orderBy.map((k) => sql`${k.sql} ${sql.raw(k.descending ? "DESC" : "ASC")} NULLS LAST`))}`
        : undefined,
      spec.frame,
    ].filter((p): p is Sql => p !== undefined);
    return sql`OVER (${sql.join(parts, sql` `)})`;
  },
  /** Row-wise functions in the SQL that DuckDB, PostgreSQL and Snowflake all accept. */
  functions: (
    dialect: Pick<SqlDialect, "types" | "cast" | "divide"> & { truncatingDivide: (a: Sql, b: Sql) => Sql },
  ): SqlDialect["functions"] => ({
    abs: ([x]) => sql`abs(${x})`,
    round: ([x, d], [t]) => (t === "double" ? sql`round(${x}, ${d})` : x!),
    clip: ([x, lo, hi]) => sql`CASE WHEN ${x} < ${lo} THEN ${lo} WHEN ${x} > ${hi} THEN ${hi} ELSE ${x} END`,
    // Polars: floor(a / b) for doubles (±inf or NaN by zero), integer floor division (NULL by zero) for integers.
    floorDiv: ([a, b], [ta, tb]) =>
      isIntegral(ta!) && isIntegral(tb!)
        ? ansi.integerFloorDiv(dialect, a!, b!, dialect.truncatingDivide)
        : sql`floor(${dialect.divide(a!, b!, ta!, tb!)})`,
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
    year: ([t]) => sql`CAST(extract(year FROM ${t}) AS ${sql.raw(dialect.types.integer)})`,
    month: ([t]) => sql`CAST(extract(month FROM ${t}) AS ${sql.raw(dialect.types.integer)})`,
    day: ([t]) => sql`CAST(extract(day FROM ${t}) AS ${sql.raw(dialect.types.integer)})`,
    hour: ([t], [type]) => (type === "date" ? sql`0` : sql`CAST(extract(hour FROM ${t}) AS ${sql.raw(dialect.types.integer)})`),
    weekday: ([t]) => sql`CAST(extract(isodow FROM ${t}) AS ${sql.raw(dialect.types.integer)})`,
    daysBetween: ([a, b], [ta, tb]) => {
      if (ta === "date" && tb === "date") return sql`CAST(${b} - ${a} AS ${sql.raw(dialect.types.bigint)})`;
      const ts = (x: Sql, t: InferredType) => (t === "date" ? dialect.cast(x, "date", "timestamp") : x);
      return sql`CAST(trunc(extract(epoch FROM (${ts(b!, tb!)} - ${ts(a!, ta!)})) / 86400) AS ${sql.raw(dialect.types.bigint)})`;
    },
  }),
} as const;
