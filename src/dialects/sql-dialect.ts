import { type QueryCompiler, type RawBuilder, sql } from "kysely";
import type { SqlLanguage } from "sql-formatter";
import type { DType, InferredType } from "../ir/dtype.ts";
import type { AggFn, LiteralExpr, PeriodLabel, TimeUnit } from "../ir/expr.ts";
import { formatDate, formatTimestamp, isMidnight, parseInstant } from "../ir/time.ts";

/** A SQL fragment as kysely holds it; identifiers and values inside are rendered by the dialect's compiler. */
export type Sql = RawBuilder<unknown>;

export type DialectName = "duckdb" | "postgres";

/**
 * What a warehouse's SQL differs in. The compiler builds every statement through these hooks, so adding a warehouse
 * means one folder under `dialects/` implementing this (mostly tables), one under `engines/`, and its golden rows.
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
  /** DDL and CAST type names. */
  readonly types: Readonly<Record<DType, string>>;
  /** A literal from a validated IR value, typed as the IR types it. */
  literal(node: LiteralExpr): Sql;
  /** A conversion; numbers to integers truncate toward zero, as Polars' cast does. */
  cast(x: Sql, from: InferredType, to: DType): Sql;
  /** A date or timestamp literal for a window bound. */
  instant(t: Date, type: "date" | "timestamp"): Sql;
  /** The start (label left) or end (label right) of the calendar period containing `x`, keeping `x`'s type. */
  truncate(x: Sql, unit: TimeUnit, label: PeriodLabel, type: "date" | "timestamp"): Sql;
  /** True division, always a double. */
  divide(left: Sql, right: Sql, leftType: InferredType, rightType: InferredType): Sql;
  /** The remainder with the sign of the dividend (SQL's `%`), of integers or doubles. */
  modulo(left: Sql, right: Sql, leftType: InferredType, rightType: InferredType): Sql;
  /**
   * An aggregate; `input` is null for a row count. The result has the type the IR gives it, and a sum over no
   * non-null values is 0, as in Polars (SQL gives NULL).
   */
  aggregate(fn: AggFn, input: Sql | null, inputType: InferredType): Sql;
}

/** ANSI spellings most dialects share; a dialect overrides what differs. */
export const ansi = {
  literal(dialect: Pick<SqlDialect, "instant" | "types">, node: LiteralExpr): Sql {
    if (node.value === null) return node.dtype === "null" ? sql`NULL` : sql`CAST(NULL AS ${sql.raw(dialect.types[node.dtype])})`;
    if (node.dtype === "date" || node.dtype === "timestamp") return dialect.instant(parseInstant(String(node.value))!, node.dtype);
    // A bare 0.1 is a DECIMAL in DuckDB and PostgreSQL (and 1e-7 a DOUBLE): pin the type the IR gives it.
    if (node.dtype === "double") return sql`CAST(${sql.lit(node.value)} AS ${sql.raw(dialect.types.double)})`;
    return sql.lit(node.value);
  },
  cast(dialect: Pick<SqlDialect, "types">, x: Sql, from: InferredType, to: DType): Sql {
    const truncate = from === "double" && (to === "integer" || to === "bigint"); // SQL CAST rounds
    return sql`CAST(${truncate ? sql`trunc(${x})` : x} AS ${sql.raw(dialect.types[to])})`;
  },
  instant(t: Date, type: "date" | "timestamp"): Sql {
    if (type === "timestamp") return sql`TIMESTAMP ${sql.lit(formatTimestamp(t))}`;
    // Callers round first (`rangePredicate`): comparing a date with an instant inside a day would mean an implicit cast.
    if (!isMidnight(t)) throw new Error(`internal: a DATE literal for ${t.toISOString()}, which is not a midnight`);
    return sql`DATE ${sql.lit(formatDate(t))}`;
  },
} as const;
