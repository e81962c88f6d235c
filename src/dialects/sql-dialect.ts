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
  /** True division, always a double. */
  divide(left: Sql, right: Sql, leftType: InferredType, rightType: InferredType): Sql;
  /** The remainder with the sign of the dividend (SQL's `%`), of integers or doubles. */
  modulo(left: Sql, right: Sql, leftType: InferredType, rightType: InferredType): Sql;
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

/** ANSI spellings most dialects share; a dialect spreads these and overrides what differs. */
export const ansi = {
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
  functions: (dialect: Pick<SqlDialect, "types" | "cast">): SqlDialect["functions"] => ({
    abs: ([x]) => sql`abs(${x})`,
    round: ([x, d], [t]) => (t === "double" ? sql`round(${x}, ${d})` : x!),
    clip: ([x, lo, hi]) => sql`CASE WHEN ${x} < ${lo} THEN ${lo} WHEN ${x} > ${hi} THEN ${hi} ELSE ${x} END`,
    floorDiv: ([a, b], [ta, tb]) =>
      [ta, tb].every((t) => t === "integer" || t === "bigint")
        ? sql`CAST(floor(CAST(${a} AS ${sql.raw(dialect.types.double)}) / ${b}) AS ${sql.raw(dialect.types.bigint)})`
        : sql`floor(${a} / ${b})`,
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
