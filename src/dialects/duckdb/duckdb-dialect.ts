import { PostgresQueryCompiler, sql } from "kysely";
import { ansi, type Sql, type SqlDialect } from "../sql-dialect.ts";
import type { AggFn } from "../../ir/expr.ts";
import { isIntegral } from "../../ir/dtype.ts";

// https://duckdb.org/docs/sql/functions/aggregates — names for the IR's aggregates.
const AGGREGATES: Record<Exclude<AggFn, "count">, string> = {
  mean: "avg",
  sum: "sum",
  min: "min",
  max: "max",
  std: "stddev_samp", // sample standard deviation, as Polars' std(ddof=1)
};

/**
 * DuckDB: PostgreSQL-style quoting and `$n` placeholders, so kysely's PostgreSQL compiler renders it as it is.
 */
export const duckdbDialect: SqlDialect = {
  name: "duckdb",
  createQueryCompiler: () => new PostgresQueryCompiler(),
  formatterLanguage: "duckdb",
  transaction: { begin: "BEGIN TRANSACTION", commit: "COMMIT", rollback: "ROLLBACK" },
  transactionalDdl: true,
  types: {
    boolean: "BOOLEAN",
    integer: "INTEGER",
    bigint: "BIGINT",
    double: "DOUBLE",
    varchar: "VARCHAR",
    date: "DATE",
    timestamp: "TIMESTAMP",
  },
  literal: (node) => ansi.literal(duckdbDialect, node),
  cast: (x, from, to) => ansi.cast(duckdbDialect, x, from, to),
  instant: ansi.instant,
  truncate(x, unit, label, type) {
    const start = sql`date_trunc(${sql.lit(unit)}, ${x})`;
    const labelled = label === "left" ? start : sql`${start} + INTERVAL 1 ${sql.raw(unit.toUpperCase())}`;
    // date_trunc returns a TIMESTAMP even for a DATE argument: cast back so the column keeps its type.
    return type === "date" ? sql`CAST(${labelled} AS DATE)` : labelled;
  },
  // DuckDB's `/` is already true division for integers (https://duckdb.org/docs/sql/expressions/arithmetic).
  divide: (left, right) => sql`${left} / ${right}`,
  // `%` is fmod for doubles, with the dividend's sign.
  modulo: (left, right) => sql`${left} % ${right}`,
  aggregate(fn, input, inputType): Sql {
    if (fn === "count") return input === null ? sql`count(*)` : sql`count(${input})`;
    const call = sql`${sql.raw(AGGREGATES[fn])}(${input})`;
    if (fn !== "sum") return call;
    // sum(BIGINT) is a HUGEINT in DuckDB; the IR says BIGINT, as every other engine gives.
    return sql`COALESCE(${isIntegral(inputType) ? sql`CAST(${call} AS BIGINT)` : call}, 0)`;
  },
};
