import { sql } from "kysely";
import { ansi, type Sql, type SqlDialect } from "../sql-dialect.ts";
import type { AggFn, TimeUnit } from "../../ir/expr.ts";
import { isIntegral } from "../../ir/dtype.ts";
import { formatDate, isMidnight } from "../../ir/time.ts";
import { SnowflakeQueryCompiler } from "./snowflake-query-compiler.ts";

// Snowflake's names for the IR's aggregates (https://docs.snowflake.com/en/sql-reference/functions-aggregation).
const AGGREGATES: Record<Exclude<AggFn, "count">, string> = {
  mean: "AVG",
  sum: "SUM",
  min: "MIN",
  max: "MAX",
  std: "STDDEV_SAMP", // sample standard deviation, as Polars' std(ddof=1)
};

// Date parts as DATE_TRUNC and DATEADD spell them (https://docs.snowflake.com/en/sql-reference/functions-date-time#supported-date-and-time-parts).
const DATE_PARTS: Record<TimeUnit, string> = { day: "DAY", week: "WEEK", month: "MONTH", quarter: "QUARTER", year: "YEAR" };

// Fixed-point NUMBER(38,0) holds every IR integer (https://docs.snowflake.com/en/sql-reference/data-types-numeric):
// INTEGER and BIGINT are synonyms for it, so both IR types map to the one name the catalog reports back.
const INTEGRAL = "NUMBER(38,0)";

/**
 * Snowflake. Its SQL is written so that it means the same whatever the session's parameters (an account may change
 * TIMESTAMP_TYPE_MAPPING, the input formats or WEEK_START): timestamps are TIMESTAMP_NTZ by name, literals are
 * parsed with an explicit format, and weeks start on Monday by arithmetic rather than by DATE_TRUNC('WEEK').
 */
export const snowflakeDialect: SqlDialect = {
  name: "snowflake",
  createQueryCompiler: () => new SnowflakeQueryCompiler(),
  formatterLanguage: "snowflake",
  transaction: { begin: "BEGIN TRANSACTION", commit: "COMMIT", rollback: "ROLLBACK" },
  // DDL commits the open transaction implicitly (https://docs.snowflake.com/en/sql-reference/transactions#ddl).
  transactionalDdl: false,
  types: {
    boolean: "BOOLEAN",
    integer: INTEGRAL,
    bigint: INTEGRAL,
    double: "FLOAT", // FLOAT, DOUBLE and REAL are all 64-bit doubles in Snowflake
    varchar: "VARCHAR",
    date: "DATE",
    // TIMESTAMP alone follows TIMESTAMP_TYPE_MAPPING, which an account may set to LTZ.
    timestamp: "TIMESTAMP_NTZ",
  },
  literal: (node) => ansi.literal(snowflakeDialect, node),
  cast: (x, from, to) => ansi.cast(snowflakeDialect, x, from, to), // CAST rounds NUMBER and FLOAT: trunc() first
  instant(t, type) {
    // TO_DATE/TO_TIMESTAMP_NTZ with a format: a plain string or `DATE '…'` is parsed by the session's input format
    // (https://docs.snowflake.com/en/sql-reference/date-time-input-output), which an account may change.
    if (type === "timestamp") return sql`TO_TIMESTAMP_NTZ(${sql.lit(wallClock(t))}, 'YYYY-MM-DD HH24:MI:SS.FF3')`;
    if (!isMidnight(t)) throw new Error(`internal: a DATE literal for ${t.toISOString()}, which is not a midnight`);
    return sql`TO_DATE(${sql.lit(formatDate(t))}, 'YYYY-MM-DD')`;
  },
  truncate(x, unit, label) {
    // DATE_TRUNC keeps its argument's type: a DATE stays a DATE (https://docs.snowflake.com/en/sql-reference/functions/date_trunc).
    // A week's start depends on WEEK_START there; DAYOFWEEKISO (Monday = 1) does not.
    const start =
      unit === "week"
        ? sql`DATEADD(DAY, 1 - DAYOFWEEKISO(${x}), DATE_TRUNC('DAY', ${x}))`
        : sql`DATE_TRUNC(${sql.lit(DATE_PARTS[unit])}, ${x})`;
    return label === "left" ? start : sql`DATEADD(${sql.raw(DATE_PARTS[unit])}, 1, ${start})`;
  },
  // `/` of two NUMBERs is a NUMBER with a few more decimal places, not a double
  // (https://docs.snowflake.com/en/sql-reference/operators-arithmetic#division): make one side a FLOAT.
  divide: (left, right, leftType, rightType) =>
    leftType === "double" || rightType === "double" ? sql`${left} / ${right}` : sql`CAST(${left} AS FLOAT) / ${right}`,
  aggregate(fn, input, inputType): Sql {
    if (fn === "count") return input === null ? sql`COUNT(*)` : sql`COUNT(${input})`;
    // AVG and STDDEV_SAMP of a NUMBER are NUMBERs with a limited scale; the IR's mean and std are doubles.
    const argument = (fn === "mean" || fn === "std") && isIntegral(inputType) ? sql`CAST(${input} AS FLOAT)` : input;
    const call = sql`${sql.raw(AGGREGATES[fn])}(${argument})`;
    // SUM of NUMBER(38,0) stays NUMBER(38,0) (no overflow type to narrow, unlike DuckDB's HUGEINT); 0 over only nulls.
    return fn === "sum" ? sql`COALESCE(${call}, 0)` : call;
  },
};

/** `2025-01-31 06:30:00.000`: the UTC wall clock with the milliseconds always present, as the format above reads it. */
const wallClock = (t: Date): string => t.toISOString().slice(0, 23).replace("T", " ");
