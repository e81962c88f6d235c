import { PostgresQueryCompiler, sql } from "kysely";
import { ansi, type Sql, type SqlDialect } from "../sql-dialect.ts";
import type { DType, InferredType } from "../../ir/dtype.ts";
import { isIntegral } from "../../ir/dtype.ts";
import type { AggFn, TimeUnit } from "../../ir/expr.ts";

// Docs: https://www.postgresql.org/docs/15/ — section numbers below refer to them. Each entry here was checked
// against PostgreSQL 15 (test/conformance runs every operation on it and on DuckDB and compares the rows).

// §9.21 aggregate functions.
const AGGREGATES: Record<Exclude<AggFn, "count">, string> = {
  mean: "avg",
  sum: "sum",
  min: "min",
  max: "max",
  std: "stddev_samp", // sample standard deviation, as Polars' std(ddof=1)
};

// §8.5.4 interval input: there is no `INTERVAL '1 quarter'` (nor DuckDB's `INTERVAL 1 QUARTER`).
const PERIODS: Record<TimeUnit, string> = { day: "1 day", week: "7 days", month: "1 month", quarter: "3 months", year: "1 year" };

const DOUBLE = sql.raw("DOUBLE PRECISION");

/**
 * Casts PostgreSQL lacks or spells differently from DuckDB (and Polars); every other pair is a plain CAST.
 * §10.2 / `\dC`: pg_cast has no boolean ↔ bigint/double casts (only boolean ↔ integer).
 */
const CASTS: Partial<Record<`${InferredType}->${DType}`, (x: Sql) => Sql>> = {
  "boolean->bigint": (x) => sql`CAST(CAST(${x} AS INTEGER) AS BIGINT)`, // why: no boolean → bigint cast
  "boolean->double": (x) => sql`CAST(CAST(${x} AS INTEGER) AS ${DOUBLE})`, // why: no boolean → double cast
  "bigint->boolean": (x) => sql`(${x} <> 0)`, // why: no bigint → boolean cast; nonzero is true, as in DuckDB
  "double->boolean": (x) => sql`(${x} <> 0)`, // why: no double → boolean cast
  // why: §8.1.3 float8out prints an integral double as "2" (DuckDB and Polars: "2.0"); add the ".0". Integral doubles
  // from 1e15 to 1e16 still differ (PostgreSQL switches to "1e+15" earlier), as do "Infinity"/"NaN" spellings.
  "double->varchar": (x) => sql`regexp_replace(CAST(${x} AS TEXT), '^(-?[0-9]+)$', ${sql.lit("\\1.0")})`,
};

/** A double as an exact NUMERIC: via its shortest round-trip text, since CAST(double AS NUMERIC) keeps 15 digits. */
const exactNumeric = (x: Sql, type: InferredType): Sql =>
  type === "double" ? sql`CAST(CAST(${x} AS TEXT) AS NUMERIC)` : sql`CAST(${x} AS NUMERIC)`;

/**
 * PostgreSQL 15. kysely's PostgreSQL compiler quotes identifiers and escapes strings as PostgreSQL does
 * (standard_conforming_strings is on by default since 9.1: a backslash in a literal is a backslash).
 */
export const postgresDialect: SqlDialect = {
  name: "postgres",
  createQueryCompiler: () => new PostgresQueryCompiler(),
  formatterLanguage: "postgresql",
  transaction: { begin: "BEGIN", commit: "COMMIT", rollback: "ROLLBACK" },
  transactionalDdl: true, // CREATE SCHEMA/TABLE roll back with the transaction (§3.4 is silent; it is true since forever)
  types: {
    boolean: "BOOLEAN",
    integer: "INTEGER",
    bigint: "BIGINT",
    double: "DOUBLE PRECISION", // why: DOUBLE alone is not a type name (§8.1.3)
    varchar: "TEXT", // why: PostgreSQL's own unbounded string type (§8.3); VARCHAR without a length is the same
    date: "DATE",
    timestamp: "TIMESTAMP", // without time zone (§8.5): the IR's UTC wall-clock instants
  },
  literal: (node) => ansi.literal(postgresDialect, node),
  cast(x, from, to) {
    const special = CASTS[`${from}->${to}`];
    return special ? special(x) : ansi.cast(postgresDialect, x, from, to);
  },
  instant: ansi.instant,
  truncate(x, unit, label, type) {
    // why: date_trunc(text, date) resolves to the timestamptz overload (date → timestamptz is the preferred implicit
    // cast, §10.3), which makes the result depend on the session zone: truncate a TIMESTAMP instead.
    const start = sql`date_trunc(${sql.lit(unit)}, ${type === "date" ? sql`CAST(${x} AS TIMESTAMP)` : x})`;
    const labelled = label === "left" ? start : sql`${start} + INTERVAL ${sql.lit(PERIODS[unit])}`;
    return type === "date" ? sql`CAST(${labelled} AS DATE)` : labelled;
  },
  // why: `/` of two integers truncates (§9.3); make one side a double unless one already is.
  divide: (left, right, leftType, rightType) =>
    leftType === "double" || rightType === "double" ? sql`${left} / ${right}` : sql`CAST(${left} AS ${DOUBLE}) / ${right}`,
  // why: there is no `%` or mod() for double precision (§9.3); NUMERIC's mod() is exact and keeps the dividend's sign.
  modulo: (left, right, leftType, rightType) =>
    leftType === "double" || rightType === "double"
      ? sql`CAST(mod(${exactNumeric(left, leftType)}, ${exactNumeric(right, rightType)}) AS ${DOUBLE})`
      : sql`${left} % ${right}`,
  aggregate(fn, input, inputType): Sql {
    if (fn === "count") return input === null ? sql`count(*)` : sql`count(${input})`;
    const call = sql`${sql.raw(AGGREGATES[fn])}(${input})`;
    // why: avg and stddev_samp of integers, and sum of a BIGINT, are NUMERIC (§9.21): cast to the type the IR gives.
    if (fn === "mean" || fn === "std") return isIntegral(inputType) ? sql`CAST(${call} AS ${DOUBLE})` : call;
    if (fn !== "sum") return call;
    return sql`COALESCE(${isIntegral(inputType) ? sql`CAST(${call} AS BIGINT)` : call}, 0)`;
  },
};
