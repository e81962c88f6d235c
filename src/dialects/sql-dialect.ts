import { type QueryCompiler, type RawBuilder, sql } from "kysely";
import type { SqlLanguage } from "sql-formatter";
import type { DType, InferredType } from "../ir/dtype.ts";
import type { AggFn, LiteralExpr, PeriodLabel, TimeUnit } from "../ir/expr.ts";
import { formatDate, formatTimestamp, isMidnight, parseInstant } from "../ir/time.ts";

/** A SQL fragment as kysely holds it; identifiers and values inside are rendered by the dialect's compiler. */
export type Sql = RawBuilder<unknown>;

export type DialectName = "duckdb";

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
  /** DDL and CAST type names. */
  readonly types: Readonly<Record<DType, string>>;
  /** A literal from a validated IR value. */
  literal(node: LiteralExpr): Sql;
  /** A date or timestamp literal for a window bound. */
  instant(t: Date, type: "date" | "timestamp"): Sql;
  /** The start (label left) or end (label right) of the calendar period containing `x`, keeping `x`'s type. */
  truncate(x: Sql, unit: TimeUnit, label: PeriodLabel, type: "date" | "timestamp"): Sql;
  /** True division, always a double. */
  divide(left: Sql, right: Sql, leftType: InferredType, rightType: InferredType): Sql;
  /** An aggregate; `input` is null for a row count. The result must have the type the IR gives it. */
  aggregate(fn: AggFn, input: Sql | null, inputType: InferredType): Sql;
}

/** ANSI spellings most dialects share; a dialect overrides what differs. */
export const ansi = {
  literal(dialect: Pick<SqlDialect, "instant" | "types">, node: LiteralExpr): Sql {
    if (node.value === null) return node.dtype === "null" ? sql`NULL` : sql`CAST(NULL AS ${sql.raw(dialect.types[node.dtype])})`;
    if (node.dtype === "date" || node.dtype === "timestamp") return dialect.instant(parseInstant(String(node.value))!, node.dtype);
    return sql.lit(node.value);
  },
  instant(t: Date, type: "date" | "timestamp"): Sql {
    // A date column compared with a non-midnight instant would need the engine's implicit casts; the planner only
    // passes midnight instants for date columns (see `clipPredicate`).
    if (type === "date" && isMidnight(t)) return sql`DATE ${sql.lit(formatDate(t))}`;
    return sql`TIMESTAMP ${sql.lit(formatTimestamp(t))}`;
  },
} as const;
