import { sql } from "kysely";
import { describe, expect, it } from "vitest";
import { compileExpr } from "../../src/compile/compile-expr.ts";
import { builder, compileNode } from "../../src/compile/kysely-builder.ts";
import { DIALECTS } from "../../src/dialects/index.ts";
import type { DialectName } from "../../src/dialects/sql-dialect.ts";
import { coalesce, col, concatStr, corr, cov, type Expr, len, lit, when } from "../../src/dsl/expr.ts";
import { typeExpr } from "../../src/passes/type-pass.ts";
import type { Schema } from "../../src/passes/schema.ts";
import type { PerDialect } from "./per-dialect.ts";

const SCHEMA: Schema = [
  { name: "id", type: "bigint" },
  { name: "n", type: "integer" },
  { name: "x", type: "double" },
  { name: "s", type: "varchar" },
  { name: "d", type: "date" },
  { name: "ts", type: "timestamp" },
  { name: "flag", type: "boolean" },
];

/** The expression alone, as `SELECT <expr> AS "v"` rendered by each dialect. */
function render(expr: Expr, dialect: DialectName): string {
  const where = { set: "golden", at: undefined };
  const fragment = compileExpr(expr.node, DIALECTS[dialect], (e) => typeExpr(e, SCHEMA, where, "typed"));
  return compileNode(builder.selectNoFrom(sql`${fragment}`.as("v")).toOperationNode(), DIALECTS[dialect]).sql;
}

const CASES: [string, Expr, PerDialect][] = [
  [
    "column",
    col("x"),
    {
      duckdb: `select "x" as "v"`,
      postgres: `select "x" as "v"`,
      snowflake: `select "X" as "V"`,
    },
  ],
  [
    "odd column name",
    col(`we"ird; --`),
    {
      duckdb: `select "we""ird; --" as "v"`,
      postgres: `select "we""ird; --" as "v"`,
      snowflake: `select "we""ird; --" as "V"`,
    },
  ],
  [
    "string literal with a quote and a backslash",
    lit(`it's \\ fine`),
    {
      duckdb: `select 'it''s \\ fine' as "v"`,
      postgres: `select 'it''s \\ fine' as "v"`,
      snowflake: `select 'it''s \\\\ fine' as "V"`,
    },
  ],
  [
    "integer, double, boolean literals",
    col("x").add(1).mul(0.5).eq(true),
    {
      duckdb: `select (("x" + 1) * CAST(0.5 AS DOUBLE)) = true as "v"`,
      postgres: `select (("x" + 1) * CAST(0.5 AS DOUBLE PRECISION)) = true as "v"`,
      snowflake: `select (("X" + 1) * CAST(0.5 AS FLOAT)) = true as "V"`,
    },
  ],
  [
    "typed null",
    lit(null, "double"),
    {
      duckdb: `select CAST(NULL AS DOUBLE) as "v"`,
      postgres: `select CAST(NULL AS DOUBLE PRECISION) as "v"`,
      snowflake: `select CAST(NULL AS FLOAT) as "V"`,
    },
  ],
  [
    "date literal",
    lit("2025-01-31", "date"),
    {
      duckdb: `select DATE '2025-01-31' as "v"`,
      postgres: `select DATE '2025-01-31' as "v"`,
      snowflake: `select TO_DATE('2025-01-31', 'YYYY-MM-DD') as "V"`,
    },
  ],
  [
    "timestamp literal from an offset",
    lit("2025-01-31T08:30:00+02:00", "timestamp"),
    {
      duckdb: `select TIMESTAMP '2025-01-31 06:30:00' as "v"`,
      postgres: `select TIMESTAMP '2025-01-31 06:30:00' as "v"`,
      snowflake: `select TO_TIMESTAMP_NTZ('2025-01-31 06:30:00.000', 'YYYY-MM-DD HH24:MI:SS.FF3') as "V"`,
    },
  ],
  [
    "true division of integers",
    col("n").div(col("id")),
    {
      duckdb: `select CASE WHEN "id" = 0 THEN CAST("n" AS DOUBLE) * CAST('inf' AS DOUBLE) ELSE CAST("n" AS DOUBLE) / "id" END as "v"`,
      postgres: `select CASE WHEN "id" = 0 THEN CAST("n" AS DOUBLE PRECISION) * CAST('inf' AS DOUBLE PRECISION) ELSE CAST("n" AS DOUBLE PRECISION) / "id" END as "v"`,
      snowflake: `select CASE WHEN "ID" = 0 THEN CAST("N" AS FLOAT) * CAST('inf' AS FLOAT) ELSE CAST("N" AS FLOAT) / "ID" END as "V"`,
    },
  ],
  [
    "modulo and subtraction",
    col("n").mod(3).sub(col("id")),
    {
      duckdb: `select (CASE WHEN ("n" % 3) <> 0 AND ((("n" % 3) < 0) <> (3 < 0)) THEN ("n" % 3) + 3 ELSE ("n" % 3) END) - "id" as "v"`,
      postgres: `select (CASE WHEN ("n" % 3) <> 0 AND ((("n" % 3) < 0) <> (3 < 0)) THEN ("n" % 3) + 3 ELSE ("n" % 3) END) - "id" as "v"`,
      snowflake: `select (CASE WHEN ("N" % 3) <> 0 AND ((("N" % 3) < 0) <> (3 < 0)) THEN ("N" % 3) + 3 ELSE ("N" % 3) END) - "ID" as "V"`,
    },
  ],
  [
    "comparisons and logic",
    col("x").ge(1).and(col("s").ne("a").or(col("flag").not())),
    {
      duckdb: `select ("x" >= 1) AND (("s" <> 'a') OR (NOT "flag")) as "v"`,
      postgres: `select ("x" >= 1) AND (("s" <> 'a') OR (NOT "flag")) as "v"`,
      snowflake: `select ("X" >= 1) AND (("S" <> 'a') OR (NOT "FLAG")) as "V"`,
    },
  ],
  [
    "negation",
    col("x").neg(),
    {
      duckdb: `select -("x") as "v"`,
      postgres: `select -("x") as "v"`,
      snowflake: `select -("X") as "V"`,
    },
  ],
  [
    "negation of a negative literal is not a comment",
    lit(-1).neg().sub(-2),
    {
      duckdb: `select (-(-1)) - -2 as "v"`,
      postgres: `select (-(-1)) - -2 as "v"`,
      snowflake: `select (-(-1)) - -2 as "V"`,
    },
  ],
  [
    "is null / is not null",
    col("x").isNull().and(col("s").isNotNull()),
    {
      duckdb: `select ("x" IS NULL) AND ("s" IS NOT NULL) as "v"`,
      postgres: `select ("x" IS NULL) AND ("s" IS NOT NULL) as "v"`,
      snowflake: `select ("X" IS NULL) AND ("S" IS NOT NULL) as "V"`,
    },
  ],
  [
    "fillNull",
    col("x").fillNull(0),
    {
      duckdb: `select COALESCE("x", 0) as "v"`,
      postgres: `select COALESCE("x", 0) as "v"`,
      snowflake: `select COALESCE("X", 0) as "V"`,
    },
  ],
  [
    "cast",
    col("s").cast("bigint"),
    {
      duckdb: `select CAST("s" AS BIGINT) as "v"`,
      postgres: `select CAST("s" AS BIGINT) as "v"`,
      snowflake: `select CAST("S" AS NUMBER(38,0)) as "V"`,
    },
  ],
  [
    "cast of a double to an integer truncates (as Polars)",
    col("x").cast("integer"),
    {
      duckdb: `select CAST(trunc("x") AS INTEGER) as "v"`,
      postgres: `select CAST(trunc("x") AS INTEGER) as "v"`,
      snowflake: `select CAST(trunc("X") AS NUMBER(38,0)) as "V"`,
    },
  ],
  [
    "double literal typed explicitly",
    lit(1, "double"),
    {
      duckdb: `select CAST(1 AS DOUBLE) as "v"`,
      postgres: `select CAST(1 AS DOUBLE PRECISION) as "v"`,
      snowflake: `select CAST(1 AS FLOAT) as "V"`,
    },
  ],
  [
    "when/then chain",
    when(col("x").gt(10)).then(lit("high")).when(col("x").gt(5)).then(lit("mid")).otherwise(lit("low")),
    {
      duckdb: `select CASE WHEN "x" > 10 THEN 'high' WHEN "x" > 5 THEN 'mid' ELSE 'low' END as "v"`,
      postgres: `select CASE WHEN "x" > 10 THEN 'high' WHEN "x" > 5 THEN 'mid' ELSE 'low' END as "v"`,
      snowflake: `select CASE WHEN "X" > 10 THEN 'high' WHEN "X" > 5 THEN 'mid' ELSE 'low' END as "V"`,
    },
  ],
  [
    "when without otherwise",
    when(col("flag")).then(col("x")),
    {
      duckdb: `select CASE WHEN "flag" THEN "x" ELSE NULL END as "v"`,
      postgres: `select CASE WHEN "flag" THEN "x" ELSE NULL END as "v"`,
      snowflake: `select CASE WHEN "FLAG" THEN "X" ELSE NULL END as "V"`,
    },
  ],
  [
    "truncate a date to the month",
    col("d").dt.truncate("1mo"),
    {
      duckdb: `select CAST(date_trunc('month', "d") AS DATE) as "v"`,
      postgres: `select CAST(date_trunc('month', CAST("d" AS TIMESTAMP)) AS DATE) as "v"`,
      snowflake: `select DATE_TRUNC('MONTH', "D") as "V"`,
    },
  ],
  [
    "truncate a timestamp to the ISO week",
    col("ts").dt.truncate("1w"),
    {
      duckdb: `select date_trunc('week', "ts") as "v"`,
      postgres: `select date_trunc('week', "ts") as "v"`,
      snowflake: `select DATEADD(DAY, 1 - DAYOFWEEKISO("TS"), DATE_TRUNC('DAY', "TS")) as "V"`,
    },
  ],
  [
    "truncate to the day",
    col("ts").dt.truncate("1d"),
    {
      duckdb: `select date_trunc('day', "ts") as "v"`,
      postgres: `select date_trunc('day', "ts") as "v"`,
      snowflake: `select DATE_TRUNC('DAY', "TS") as "V"`,
    },
  ],
  [
    "truncate labelled by the quarter's end",
    col("d").dt.truncate("1q", { label: "right" }),
    {
      duckdb: `select CAST(date_trunc('quarter', "d") + INTERVAL '3 months' AS DATE) as "v"`,
      postgres: `select CAST(date_trunc('quarter', CAST("d" AS TIMESTAMP)) + INTERVAL '3 months' AS DATE) as "v"`,
      snowflake: `select DATEADD(QUARTER, 1, DATE_TRUNC('QUARTER', "D")) as "V"`,
    },
  ],
  [
    "truncate to the year",
    col("d").dt.truncate("1y"),
    {
      duckdb: `select CAST(date_trunc('year', "d") AS DATE) as "v"`,
      postgres: `select CAST(date_trunc('year', CAST("d" AS TIMESTAMP)) AS DATE) as "v"`,
      snowflake: `select DATE_TRUNC('YEAR', "D") as "V"`,
    },
  ],
  [
    "mean",
    col("x").mean(),
    {
      duckdb: `select avg("x") as "v"`,
      postgres: `select avg("x") as "v"`,
      snowflake: `select AVG("X") as "V"`,
    },
  ],
  [
    "sum of integers stays BIGINT",
    col("n").sum(),
    {
      duckdb: `select COALESCE(CAST(sum("n") AS BIGINT), 0) as "v"`,
      postgres: `select COALESCE(CAST(sum("n") AS BIGINT), 0) as "v"`,
      snowflake: `select COALESCE(SUM("N"), 0) as "V"`,
    },
  ],
  [
    "sum of doubles, 0 when all are null (as Polars)",
    col("x").sum(),
    {
      duckdb: `select COALESCE(sum("x"), 0) as "v"`,
      postgres: `select COALESCE(sum("x"), 0) as "v"`,
      snowflake: `select COALESCE(SUM("X"), 0) as "V"`,
    },
  ],
  [
    "min, max",
    col("d").min().lt(col("d").max()),
    {
      duckdb: `select min("d") < max("d") as "v"`,
      postgres: `select min("d") < max("d") as "v"`,
      snowflake: `select MIN("D") < MAX("D") as "V"`,
    },
  ],
  [
    "count of non-nulls, rows",
    col("x").count().div(len()),
    {
      duckdb: `select CASE WHEN count(*) = 0 THEN CAST(count("x") AS DOUBLE) * CAST('inf' AS DOUBLE) ELSE CAST(count("x") AS DOUBLE) / count(*) END as "v"`,
      postgres: `select CASE WHEN count(*) = 0 THEN CAST(count("x") AS DOUBLE PRECISION) * CAST('inf' AS DOUBLE PRECISION) ELSE CAST(count("x") AS DOUBLE PRECISION) / count(*) END as "v"`,
      snowflake: `select CASE WHEN COUNT(*) = 0 THEN CAST(COUNT("X") AS FLOAT) * CAST('inf' AS FLOAT) ELSE CAST(COUNT("X") AS FLOAT) / COUNT(*) END as "V"`,
    },
  ],
  [
    "sample standard deviation",
    col("x").std(),
    {
      duckdb: `select stddev_samp("x") as "v"`,
      postgres: `select stddev_samp("x") as "v"`,
      snowflake: `select STDDEV_SAMP("X") as "V"`,
    },
  ],
  [
    "conditional aggregate",
    when(col("s").eq("a")).then(col("x")).otherwise(0).sum(),
    {
      duckdb: `select COALESCE(sum(CASE WHEN "s" = 'a' THEN "x" ELSE 0 END), 0) as "v"`,
      postgres: `select COALESCE(sum(CASE WHEN "s" = 'a' THEN "x" ELSE 0 END), 0) as "v"`,
      snowflake: `select COALESCE(SUM(CASE WHEN "S" = 'a' THEN "X" ELSE 0 END), 0) as "V"`,
    },
  ],
  [
    "mixed-case, reserved and odd names",
    col("Amount").add(col("select")).add(col("customer id")).add(col("ID")),
    {
      duckdb: `select (("Amount" + "select") + "customer id") + "ID" as "v"`,
      postgres: `select (("Amount" + "select") + "customer id") + "ID" as "v"`,
      snowflake: `select (("Amount" + "SELECT") + "customer id") + "ID" as "V"`,
    },
  ],
  [
    "string literal with a backslash-n and a newline",
    lit("a\\nb\n"),
    {
      duckdb: `select 'a\\nb
' as "v"`,
      postgres: `select 'a\\nb
' as "v"`,
      snowflake: `select 'a\\\\nb
' as "V"`,
    },
  ],
  [
    "mean of integers is a double",
    col("n").mean(),
    {
      duckdb: `select avg("n") as "v"`,
      postgres: `select CAST(avg("n") AS DOUBLE PRECISION) as "v"`,
      snowflake: `select AVG(CAST("N" AS FLOAT)) as "V"`,
    },
  ],
  [
    "sample standard deviation of integers",
    col("id").std(),
    {
      duckdb: `select stddev_samp("id") as "v"`,
      postgres: `select CAST(stddev_samp("id") AS DOUBLE PRECISION) as "v"`,
      snowflake: `select STDDEV_SAMP(CAST("ID" AS FLOAT)) as "V"`,
    },
  ],
  [
    "division by a double needs no cast",
    col("n").div(col("x")),
    {
      duckdb: `select CASE WHEN "x" = 0 THEN "n" * CAST('inf' AS DOUBLE) ELSE "n" / "x" END as "v"`,
      postgres: `select CASE WHEN "x" = 0 THEN "n" * CAST('inf' AS DOUBLE PRECISION) ELSE "n" / "x" END as "v"`,
      snowflake: `select CASE WHEN "X" = 0 THEN "N" * CAST('inf' AS FLOAT) ELSE "N" / "X" END as "V"`,
    },
  ],
  [
    "truncate a date to the ISO week, labelled by its end",
    col("d").dt.truncate("1w", { label: "right" }),
    {
      duckdb: `select CAST(date_trunc('week', "d") + INTERVAL '1 week' AS DATE) as "v"`,
      postgres: `select CAST(date_trunc('week', CAST("d" AS TIMESTAMP)) + INTERVAL '1 week' AS DATE) as "v"`,
      snowflake: `select DATEADD(WEEK, 1, DATEADD(DAY, 1 - DAYOFWEEKISO("D"), DATE_TRUNC('DAY', "D"))) as "V"`,
    },
  ],
  [
    "timestamp literal with milliseconds",
    lit("2025-03-01T00:00:00.250Z", "timestamp"),
    {
      duckdb: `select TIMESTAMP '2025-03-01 00:00:00.250' as "v"`,
      postgres: `select TIMESTAMP '2025-03-01 00:00:00.250' as "v"`,
      snowflake: `select TO_TIMESTAMP_NTZ('2025-03-01 00:00:00.250', 'YYYY-MM-DD HH24:MI:SS.FF3') as "V"`,
    },
  ],
  [
    "abs, round half away from zero, clip",
    col("x").abs().round(2, { mode: "half_away_from_zero" }).clip(0, 100),
    {
      duckdb: `select CASE WHEN round(abs("x"), 2) < 0 THEN 0 WHEN round(abs("x"), 2) > 100 THEN 100 ELSE round(abs("x"), 2) END as "v"`,
      postgres: `select CASE WHEN (CAST(round(CAST(CAST(abs("x") * power(CAST(10 AS DOUBLE PRECISION), 2) AS TEXT) AS NUMERIC)) AS DOUBLE PRECISION) / power(CAST(10 AS DOUBLE PRECISION), 2)) < 0 THEN 0 WHEN (CAST(round(CAST(CAST(abs("x") * power(CAST(10 AS DOUBLE PRECISION), 2) AS TEXT) AS NUMERIC)) AS DOUBLE PRECISION) / power(CAST(10 AS DOUBLE PRECISION), 2)) > 100 THEN 100 ELSE (CAST(round(CAST(CAST(abs("x") * power(CAST(10 AS DOUBLE PRECISION), 2) AS TEXT) AS NUMERIC)) AS DOUBLE PRECISION) / power(CAST(10 AS DOUBLE PRECISION), 2)) END as "v"`,
      snowflake: `select CASE WHEN round(abs("X"), 2) < 0 THEN 0 WHEN round(abs("X"), 2) > 100 THEN 100 ELSE round(abs("X"), 2) END as "V"`,
    },
  ],
  [
    "round halves to even (Polars' default) in doubles, and truncate",
    col("x").round(2).add(col("x").truncate(1)),
    {
      duckdb: `select (CASE WHEN abs(("x" * power(CAST(10 AS DOUBLE), 2)) - trunc(("x" * power(CAST(10 AS DOUBLE), 2)))) = 0.5 THEN 2 * round(("x" * power(CAST(10 AS DOUBLE), 2)) / 2) ELSE round(("x" * power(CAST(10 AS DOUBLE), 2))) END / power(CAST(10 AS DOUBLE), 2)) + (trunc("x" * power(CAST(10 AS DOUBLE), 1)) / power(CAST(10 AS DOUBLE), 1)) as "v"`,
      postgres: `select (CASE WHEN abs(("x" * power(CAST(10 AS DOUBLE PRECISION), 2)) - trunc(("x" * power(CAST(10 AS DOUBLE PRECISION), 2)))) = 0.5 THEN 2 * round(("x" * power(CAST(10 AS DOUBLE PRECISION), 2)) / 2) ELSE round(("x" * power(CAST(10 AS DOUBLE PRECISION), 2))) END / power(CAST(10 AS DOUBLE PRECISION), 2)) + (trunc("x" * power(CAST(10 AS DOUBLE PRECISION), 1)) / power(CAST(10 AS DOUBLE PRECISION), 1)) as "v"`,
      snowflake: `select (CASE WHEN abs(("X" * power(CAST(10 AS FLOAT), 2)) - trunc(("X" * power(CAST(10 AS FLOAT), 2)))) = 0.5 THEN 2 * round(("X" * power(CAST(10 AS FLOAT), 2)) / 2) ELSE round(("X" * power(CAST(10 AS FLOAT), 2))) END / power(CAST(10 AS FLOAT), 2)) + (trunc("X" * power(CAST(10 AS FLOAT), 1)) / power(CAST(10 AS FLOAT), 1)) as "V"`,
    },
  ],
  [
    "floor, ceil, sign, sqrt, log (NaN and -inf where engines would fail)",
    col("x").floor().add(col("x").ceil()).add(col("x").sign()).add(col("x").sqrt()).add(col("x").log(10)),
    {
      duckdb: `select (((floor("x") + ceil("x")) + CASE WHEN "x" = CAST('NaN' AS DOUBLE) THEN "x" WHEN "x" > 0 THEN 1 WHEN "x" < 0 THEN -1 ELSE "x" END) + CASE WHEN "x" < 0 THEN CAST('NaN' AS DOUBLE) ELSE sqrt("x") END) + (CASE WHEN "x" < 0 THEN CAST('NaN' AS DOUBLE) WHEN "x" = 0 THEN CAST('-inf' AS DOUBLE) ELSE ln("x") END / CAST(2.302585092994046 AS DOUBLE)) as "v"`,
      postgres: `select (((floor("x") + ceil("x")) + CASE WHEN "x" = CAST('NaN' AS DOUBLE PRECISION) THEN "x" WHEN "x" > 0 THEN 1 WHEN "x" < 0 THEN -1 ELSE "x" END) + CASE WHEN "x" < 0 THEN CAST('NaN' AS DOUBLE PRECISION) ELSE sqrt("x") END) + (CASE WHEN "x" < 0 THEN CAST('NaN' AS DOUBLE PRECISION) WHEN "x" = 0 THEN CAST('-inf' AS DOUBLE PRECISION) ELSE ln("x") END / CAST(2.302585092994046 AS DOUBLE PRECISION)) as "v"`,
      snowflake: `select (((floor("X") + ceil("X")) + CASE WHEN "X" = CAST('NaN' AS FLOAT) THEN "X" WHEN "X" > 0 THEN 1 WHEN "X" < 0 THEN -1 ELSE "X" END) + CASE WHEN "X" < 0 THEN CAST('NaN' AS FLOAT) ELSE sqrt("X") END) + (CASE WHEN "X" < 0 THEN CAST('NaN' AS FLOAT) WHEN "X" = 0 THEN CAST('-inf' AS FLOAT) ELSE ln("X") END / CAST(2.302585092994046 AS FLOAT)) as "V"`,
    },
  ],
  [
    "isNan, isFinite, fillNan",
    col("x").isNan().or(col("x").isFinite()).and(col("x").fillNan(0).gt(col("n").sign())),
    {
      duckdb: `select (("x" = CAST('NaN' AS DOUBLE)) OR ("x" > CAST('-inf' AS DOUBLE) AND "x" < CAST('inf' AS DOUBLE))) AND (CASE WHEN "x" = CAST('NaN' AS DOUBLE) THEN 0 ELSE "x" END > CASE WHEN "n" > 0 THEN 1 WHEN "n" < 0 THEN -1 ELSE 0 END) as "v"`,
      postgres: `select (("x" = CAST('NaN' AS DOUBLE PRECISION)) OR ("x" > CAST('-inf' AS DOUBLE PRECISION) AND "x" < CAST('inf' AS DOUBLE PRECISION))) AND (CASE WHEN "x" = CAST('NaN' AS DOUBLE PRECISION) THEN 0 ELSE "x" END > CASE WHEN "n" > 0 THEN 1 WHEN "n" < 0 THEN -1 ELSE 0 END) as "v"`,
      snowflake: `select (("X" = CAST('NaN' AS FLOAT)) OR ("X" > CAST('-inf' AS FLOAT) AND "X" < CAST('inf' AS FLOAT))) AND (CASE WHEN "X" = CAST('NaN' AS FLOAT) THEN 0 ELSE "X" END > CASE WHEN "N" > 0 THEN 1 WHEN "N" < 0 THEN -1 ELSE 0 END) as "V"`,
    },
  ],
  [
    "shift with a fill value",
    col("x").shift(1, { fillValue: 0 }).over("id", { orderBy: "d" }),
    {
      duckdb: `select lag("x", 1, 0) OVER (PARTITION BY "id" ORDER BY "d" ASC NULLS FIRST) as "v"`,
      postgres: `select lag("x", 1, 0) OVER (PARTITION BY "id" ORDER BY "d" ASC NULLS FIRST) as "v"`,
      snowflake: `select lag("X", 1, 0) OVER (PARTITION BY "ID" ORDER BY "D" ASC NULLS FIRST) as "V"`,
    },
  ],
  [
    "isBetween closed on the left, a string bound naming a column",
    col("n").isBetween(1, "id", { closed: "left" }),
    {
      duckdb: `select ("n" >= 1) AND ("n" < "id") as "v"`,
      postgres: `select ("n" >= 1) AND ("n" < "id") as "v"`,
      snowflake: `select ("N" >= 1) AND ("N" < "ID") as "V"`,
    },
  ],
  [
    "quarter, minute, whole seconds; a date's time of day is 0 (null for null)",
    col("ts").dt.quarter().add(col("ts").dt.minute()).add(col("ts").dt.second()).add(col("d").dt.second()),
    {
      duckdb: `select ((CAST(extract(quarter FROM "ts") AS INTEGER) + CAST(extract(minute FROM "ts") AS INTEGER)) + CAST(floor(extract(second FROM "ts")) AS INTEGER)) + CASE WHEN "d" IS NULL THEN NULL ELSE 0 END as "v"`,
      postgres: `select ((CAST(extract(quarter FROM "ts") AS INTEGER) + CAST(extract(minute FROM "ts") AS INTEGER)) + CAST(floor(extract(second FROM "ts")) AS INTEGER)) + CASE WHEN "d" IS NULL THEN NULL ELSE 0 END as "v"`,
      snowflake: `select ((CAST(extract(quarter FROM "TS") AS NUMBER(38,0)) + CAST(extract(minute FROM "TS") AS NUMBER(38,0))) + CAST(floor(extract(second FROM "TS")) AS NUMBER(38,0))) + CASE WHEN "D" IS NULL THEN NULL ELSE 0 END as "V"`,
    },
  ],
  [
    "round of an integer is the integer",
    col("n").round(1),
    {
      duckdb: `select "n" as "v"`,
      postgres: `select "n" as "v"`,
      snowflake: `select "N" as "V"`,
    },
  ],
  [
    "floor division of integers",
    col("n").floorDiv(col("id")),
    {
      duckdb: `select CAST("n" // NULLIF("id", 0) - CASE WHEN "n" % NULLIF("id", 0) <> 0 AND (("n" < 0) <> (NULLIF("id", 0) < 0)) THEN 1 ELSE 0 END AS BIGINT) as "v"`,
      postgres: `select CAST("n" / NULLIF("id", 0) - CASE WHEN "n" % NULLIF("id", 0) <> 0 AND (("n" < 0) <> (NULLIF("id", 0) < 0)) THEN 1 ELSE 0 END AS BIGINT) as "v"`,
      snowflake: `select CAST(("N" - MOD("N", NULLIF("ID", 0))) / NULLIF("ID", 0) - CASE WHEN "N" % NULLIF("ID", 0) <> 0 AND (("N" < 0) <> (NULLIF("ID", 0) < 0)) THEN 1 ELSE 0 END AS NUMBER(38,0)) as "V"`,
    },
  ],
  [
    "isIn and isBetween",
    col("s").isIn(["a", "b"]).and(col("n").isBetween(1, 10)),
    {
      duckdb: `select ("s" IN ('a', 'b')) AND ("n" BETWEEN 1 AND 10) as "v"`,
      postgres: `select ("s" IN ('a', 'b')) AND ("n" BETWEEN 1 AND 10) as "v"`,
      snowflake: `select ("S" IN ('a', 'b')) AND ("N" BETWEEN 1 AND 10) as "V"`,
    },
  ],
  [
    "isIn of nothing",
    col("n").isIn([]),
    {
      duckdb: `select FALSE as "v"`,
      postgres: `select FALSE as "v"`,
      snowflake: `select FALSE as "V"`,
    },
  ],
  [
    "coalesce of several",
    coalesce(col("x"), col("n"), 0),
    {
      duckdb: `select COALESCE("x", "n", 0) as "v"`,
      postgres: `select COALESCE("x", "n", 0) as "v"`,
      snowflake: `select COALESCE("X", "N", 0) as "V"`,
    },
  ],
  [
    "lower, upper, length",
    col("s").str.toLowercase().eq(col("s").str.toUppercase()).or(col("s").str.lenChars().gt(3)),
    {
      duckdb: `select (lower("s") = upper("s")) OR (CAST(length("s") AS BIGINT) > 3) as "v"`,
      postgres: `select (lower("s") = upper("s")) OR (CAST(length("s") AS BIGINT) > 3) as "v"`,
      snowflake: `select (lower("S") = upper("S")) OR (CAST(length("S") AS NUMBER(38,0)) > 3) as "V"`,
    },
  ],
  [
    "contains, startsWith, endsWith (literal text)",
    col("s").str.contains("a%").and(col("s").str.startsWith("x_")).and(col("s").str.endsWith("z")),
    {
      duckdb: `select ((strpos("s", 'a%') > 0) AND (left("s", length('x_')) = 'x_')) AND (right("s", length('z')) = 'z') as "v"`,
      postgres: `select ((strpos("s", 'a%') > 0) AND (left("s", length('x_')) = 'x_')) AND (right("s", length('z')) = 'z') as "v"`,
      snowflake: `select (CONTAINS("S", 'a%') AND STARTSWITH("S", 'x_')) AND ENDSWITH("S", 'z') as "V"`,
    },
  ],
  [
    "slice (0-based) and replaceAll",
    col("s").str.slice(1, 3).str.replaceAll("a", "b"),
    {
      duckdb: `select replace(substring("s", 1 + 1, 3), 'a', 'b') as "v"`,
      postgres: `select replace(substring("s", 1 + 1, 3), 'a', 'b') as "v"`,
      snowflake: `select replace(substring("S", 1 + 1, 3), 'a', 'b') as "V"`,
    },
  ],
  [
    "concatStr with a separator",
    concatStr(["s", col("s").str.toUppercase()], "-"),
    {
      duckdb: `select ("s" || '-' || upper("s")) as "v"`,
      postgres: `select ("s" || '-' || upper("s")) as "v"`,
      snowflake: `select ("S" || '-' || upper("S")) as "V"`,
    },
  ],
  [
    "year, month, day, hour, ISO weekday",
    col("ts").dt.year().add(col("d").dt.month()).add(col("d").dt.day()).add(col("ts").dt.hour()).add(col("d").dt.weekday()),
    {
      duckdb: `select (((CAST(extract(year FROM "ts") AS INTEGER) + CAST(extract(month FROM "d") AS INTEGER)) + CAST(extract(day FROM "d") AS INTEGER)) + CAST(extract(hour FROM "ts") AS INTEGER)) + CAST(extract(isodow FROM "d") AS INTEGER) as "v"`,
      postgres: `select (((CAST(extract(year FROM "ts") AS INTEGER) + CAST(extract(month FROM "d") AS INTEGER)) + CAST(extract(day FROM "d") AS INTEGER)) + CAST(extract(hour FROM "ts") AS INTEGER)) + CAST(extract(isodow FROM "d") AS INTEGER) as "v"`,
      snowflake: `select (((CAST(extract(year FROM "TS") AS NUMBER(38,0)) + CAST(extract(month FROM "D") AS NUMBER(38,0))) + CAST(extract(day FROM "D") AS NUMBER(38,0))) + CAST(extract(hour FROM "TS") AS NUMBER(38,0))) + CAST(DAYOFWEEKISO("D") AS NUMBER(38,0)) as "V"`,
    },
  ],
  [
    "offset a date by days (stays a date)",
    col("d").dt.offsetBy("-90d"),
    {
      duckdb: `select CAST("d" + INTERVAL '-90 days' AS DATE) as "v"`,
      postgres: `select CAST("d" + INTERVAL '-90 days' AS DATE) as "v"`,
      snowflake: `select DATEADD(DAY, -90, "D") as "V"`,
    },
  ],
  [
    "offset a timestamp by months",
    col("ts").dt.offsetBy("1mo"),
    {
      duckdb: `select "ts" + INTERVAL '1 month' as "v"`,
      postgres: `select "ts" + INTERVAL '1 month' as "v"`,
      snowflake: `select DATEADD(MONTH, 1, "TS") as "V"`,
    },
  ],
  [
    "days between dates",
    col("d").dt.daysSince(lit("2025-01-01", "date")),
    {
      duckdb: `select CAST("d" - DATE '2025-01-01' AS BIGINT) as "v"`,
      postgres: `select CAST("d" - DATE '2025-01-01' AS BIGINT) as "v"`,
      snowflake: `select CAST("D" - TO_DATE('2025-01-01', 'YYYY-MM-DD') AS NUMBER(38,0)) as "V"`,
    },
  ],
  [
    "whole days between timestamps",
    col("ts").dt.daysSince(col("d")),
    {
      duckdb: `select CAST(trunc(extract(epoch FROM ("ts" - CAST("d" AS TIMESTAMP))) / 86400) AS BIGINT) as "v"`,
      postgres: `select CAST(trunc(extract(epoch FROM ("ts" - CAST("d" AS TIMESTAMP))) / 86400) AS BIGINT) as "v"`,
      snowflake: `select CAST((DATEDIFF(NANOSECOND, CAST("D" AS TIMESTAMP_NTZ), "TS") - MOD(DATEDIFF(NANOSECOND, CAST("D" AS TIMESTAMP_NTZ), "TS"), 86400000000000)) / 86400000000000 AS NUMBER(38,0)) as "V"`,
    },
  ],
  [
    "variance, median, quantile",
    col("x").var().add(col("x").median()).add(col("x").quantile(0.9, { interpolation: "linear" })),
    {
      duckdb: `select (var_samp("x") + median("x")) + quantile_cont("x", 0.9) as "v"`,
      postgres: `select (var_samp("x") + percentile_cont(0.5) WITHIN GROUP (ORDER BY "x")) + percentile_cont(0.9) WITHIN GROUP (ORDER BY "x") as "v"`,
      snowflake: `select (VAR_SAMP("X") + MEDIAN("X")) + PERCENTILE_CONT(0.9) WITHIN GROUP (ORDER BY "X") as "V"`,
    },
  ],
  [
    "distinct count, any, all",
    col("s").nUnique().gt(1).and(col("flag").any()).or(col("flag").all()),
    {
      duckdb: `select (((count(DISTINCT "s") + COALESCE(max(CASE WHEN "s" IS NULL THEN 1 ELSE 0 END), 0)) > 1) AND COALESCE(bool_or("flag"), FALSE)) OR COALESCE(bool_and("flag"), TRUE) as "v"`,
      postgres: `select (((count(DISTINCT "s") + COALESCE(max(CASE WHEN "s" IS NULL THEN 1 ELSE 0 END), 0)) > 1) AND COALESCE(bool_or("flag"), FALSE)) OR COALESCE(bool_and("flag"), TRUE) as "v"`,
      snowflake: `select (((COUNT(DISTINCT "S") + COALESCE(MAX(CASE WHEN "S" IS NULL THEN 1 ELSE 0 END), 0)) > 1) AND COALESCE(BOOLOR_AGG("FLAG"), FALSE)) OR COALESCE(BOOLAND_AGG("FLAG"), TRUE) as "V"`,
    },
  ],
  [
    "last by time (latest value)",
    col("x").sortBy("ts").last(),
    {
      duckdb: `select first("x" ORDER BY "ts" DESC NULLS LAST, "x" DESC NULLS LAST) as "v"`,
      postgres: `select (array_agg("x" ORDER BY "ts" DESC NULLS LAST, "x" DESC NULLS LAST))[1] as "v"`,
      snowflake: `select CAST(GET(GET(ARRAY_AGG(ARRAY_CONSTRUCT("X")) WITHIN GROUP (ORDER BY "TS" DESC NULLS LAST, "X" DESC NULLS LAST), 0), 0) AS FLOAT) as "V"`,
    },
  ],
  [
    "first by time",
    col("s").sortBy("d").first(),
    {
      duckdb: `select first("s" ORDER BY "d" ASC NULLS FIRST, "s" ASC NULLS LAST) as "v"`,
      postgres: `select (array_agg("s" ORDER BY "d" ASC NULLS FIRST, "s" ASC NULLS LAST))[1] as "v"`,
      snowflake: `select CAST(GET(GET(ARRAY_AGG(ARRAY_CONSTRUCT("S")) WITHIN GROUP (ORDER BY "D" ASC NULLS FIRST, "S" ASC NULLS LAST), 0), 0) AS VARCHAR) as "V"`,
    },
  ],
  [
    "conditional aggregate with filter",
    col("x").filter(col("flag")).sum(),
    {
      duckdb: `select COALESCE(sum(CASE WHEN "flag" THEN "x" END), 0) as "v"`,
      postgres: `select COALESCE(sum(CASE WHEN "flag" THEN "x" END), 0) as "v"`,
      snowflake: `select COALESCE(SUM(CASE WHEN "FLAG" THEN "X" END), 0) as "V"`,
    },
  ],
  [
    "shift (lag) over a partition in time order",
    col("x").shift(1).over("id", { orderBy: "d" }),
    {
      duckdb: `select lag("x", 1) OVER (PARTITION BY "id" ORDER BY "d" ASC NULLS FIRST) as "v"`,
      postgres: `select lag("x", 1) OVER (PARTITION BY "id" ORDER BY "d" ASC NULLS FIRST) as "v"`,
      snowflake: `select lag("X", 1) OVER (PARTITION BY "ID" ORDER BY "D" ASC NULLS FIRST) as "V"`,
    },
  ],
  [
    "negative shift (lead)",
    col("x").shift(-2).over("id", { orderBy: "d" }),
    {
      duckdb: `select lead("x", 2) OVER (PARTITION BY "id" ORDER BY "d" ASC NULLS FIRST) as "v"`,
      postgres: `select lead("x", 2) OVER (PARTITION BY "id" ORDER BY "d" ASC NULLS FIRST) as "v"`,
      snowflake: `select lead("X", 2) OVER (PARTITION BY "ID" ORDER BY "D" ASC NULLS FIRST) as "V"`,
    },
  ],
  [
    "diff",
    col("x").diff().over("id", { orderBy: "d" }),
    {
      duckdb: `select "x" - lag("x", 1) OVER (PARTITION BY "id" ORDER BY "d" ASC NULLS FIRST) as "v"`,
      postgres: `select "x" - lag("x", 1) OVER (PARTITION BY "id" ORDER BY "d" ASC NULLS FIRST) as "v"`,
      snowflake: `select "X" - lag("X", 1) OVER (PARTITION BY "ID" ORDER BY "D" ASC NULLS FIRST) as "V"`,
    },
  ],
  [
    "cumulative sum and count",
    col("x").cumSum().over("id", { orderBy: "d" }).add(col("x").cumCount().over("id", { orderBy: "d" })),
    {
      duckdb: `select CASE WHEN "x" IS NULL THEN NULL ELSE COALESCE(sum("x") OVER (PARTITION BY "id" ORDER BY "d" ASC NULLS FIRST ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW), 0) END + count("x") OVER (PARTITION BY "id" ORDER BY "d" ASC NULLS FIRST ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) as "v"`,
      postgres: `select CASE WHEN "x" IS NULL THEN NULL ELSE COALESCE(sum("x") OVER (PARTITION BY "id" ORDER BY "d" ASC NULLS FIRST ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW), 0) END + count("x") OVER (PARTITION BY "id" ORDER BY "d" ASC NULLS FIRST ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) as "v"`,
      snowflake: `select CASE WHEN "X" IS NULL THEN NULL ELSE COALESCE(SUM("X") OVER (PARTITION BY "ID" ORDER BY "D" ASC NULLS FIRST ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW), 0) END + COUNT("X") OVER (PARTITION BY "ID" ORDER BY "D" ASC NULLS FIRST ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) as "V"`,
    },
  ],
  [
    "rank average (Polars' default) and max, from the count of ties",
    col("x").rank().over("id").add(col("n").rank({ method: "max", descending: true }).over()),
    {
      duckdb: `select CASE WHEN "x" IS NULL THEN NULL ELSE rank() OVER (PARTITION BY "id" ORDER BY "x" ASC NULLS LAST) + CAST((count(*) OVER (PARTITION BY "id", "x") - 1) AS DOUBLE) / 2 END + CASE WHEN "n" IS NULL THEN NULL ELSE rank() OVER (ORDER BY "n" DESC NULLS LAST) + count(*) OVER (PARTITION BY "n") - 1 END as "v"`,
      postgres: `select CASE WHEN "x" IS NULL THEN NULL ELSE rank() OVER (PARTITION BY "id" ORDER BY "x" ASC NULLS LAST) + CAST((count(*) OVER (PARTITION BY "id", "x") - 1) AS DOUBLE PRECISION) / 2 END + CASE WHEN "n" IS NULL THEN NULL ELSE rank() OVER (ORDER BY "n" DESC NULLS LAST) + count(*) OVER (PARTITION BY "n") - 1 END as "v"`,
      snowflake: `select CASE WHEN "X" IS NULL THEN NULL ELSE rank() OVER (PARTITION BY "ID" ORDER BY "X" ASC NULLS LAST) + CAST((count(*) OVER (PARTITION BY "ID", "X") - 1) AS FLOAT) / 2 END + CASE WHEN "N" IS NULL THEN NULL ELSE rank() OVER (ORDER BY "N" DESC NULLS LAST) + count(*) OVER (PARTITION BY "N") - 1 END as "V"`,
    },
  ],
  [
    "rank, dense rank, row number (descending)",
    col("x").rank({ method: "min" }).over("id").add(col("x").rank({ method: "dense" }).over("id")).add(col("d").rank({ method: "ordinal", descending: true }).over("id")),
    {
      duckdb: `select (CASE WHEN "x" IS NULL THEN NULL ELSE rank() OVER (PARTITION BY "id" ORDER BY "x" ASC NULLS LAST) END + CASE WHEN "x" IS NULL THEN NULL ELSE dense_rank() OVER (PARTITION BY "id" ORDER BY "x" ASC NULLS LAST) END) + CASE WHEN "d" IS NULL THEN NULL ELSE row_number() OVER (PARTITION BY "id" ORDER BY "d" DESC NULLS LAST) END as "v"`,
      postgres: `select (CASE WHEN "x" IS NULL THEN NULL ELSE rank() OVER (PARTITION BY "id" ORDER BY "x" ASC NULLS LAST) END + CASE WHEN "x" IS NULL THEN NULL ELSE dense_rank() OVER (PARTITION BY "id" ORDER BY "x" ASC NULLS LAST) END) + CASE WHEN "d" IS NULL THEN NULL ELSE row_number() OVER (PARTITION BY "id" ORDER BY "d" DESC NULLS LAST) END as "v"`,
      snowflake: `select (CASE WHEN "X" IS NULL THEN NULL ELSE rank() OVER (PARTITION BY "ID" ORDER BY "X" ASC NULLS LAST) END + CASE WHEN "X" IS NULL THEN NULL ELSE dense_rank() OVER (PARTITION BY "ID" ORDER BY "X" ASC NULLS LAST) END) + CASE WHEN "D" IS NULL THEN NULL ELSE row_number() OVER (PARTITION BY "ID" ORDER BY "D" DESC NULLS LAST) END as "V"`,
    },
  ],
  [
    "rolling mean over 3 rows (null until 3 values)",
    col("x").rollingMean(3).over("id", { orderBy: "d" }),
    {
      duckdb: `select CASE WHEN count("x") OVER (PARTITION BY "id" ORDER BY "d" ASC NULLS FIRST ROWS BETWEEN 2 PRECEDING AND CURRENT ROW) >= 3 THEN avg("x") OVER (PARTITION BY "id" ORDER BY "d" ASC NULLS FIRST ROWS BETWEEN 2 PRECEDING AND CURRENT ROW) END as "v"`,
      postgres: `select CASE WHEN count("x") OVER (PARTITION BY "id" ORDER BY "d" ASC NULLS FIRST ROWS BETWEEN 2 PRECEDING AND CURRENT ROW) >= 3 THEN avg("x") OVER (PARTITION BY "id" ORDER BY "d" ASC NULLS FIRST ROWS BETWEEN 2 PRECEDING AND CURRENT ROW) END as "v"`,
      snowflake: `select CASE WHEN count("X") OVER (PARTITION BY "ID" ORDER BY "D" ASC NULLS FIRST ROWS BETWEEN 2 PRECEDING AND CURRENT ROW) >= 3 THEN AVG("X") OVER (PARTITION BY "ID" ORDER BY "D" ASC NULLS FIRST ROWS BETWEEN 2 PRECEDING AND CURRENT ROW) END as "V"`,
    },
  ],
  [
    "rolling 30-day sum over a date column",
    col("x").rollingSum("30d", { by: "d" }).over("id"),
    {
      duckdb: `select CASE WHEN "d" IS NULL THEN NULL ELSE sum("x") OVER (PARTITION BY "id" ORDER BY "d" ASC NULLS FIRST RANGE BETWEEN INTERVAL '29 days' PRECEDING AND CURRENT ROW) END as "v"`,
      postgres: `select CASE WHEN "d" IS NULL THEN NULL ELSE sum("x") OVER (PARTITION BY "id" ORDER BY "d" ASC NULLS FIRST RANGE BETWEEN INTERVAL '29 days' PRECEDING AND CURRENT ROW) END as "v"`,
      snowflake: `select CASE WHEN "D" IS NULL THEN NULL ELSE SUM("X") OVER (PARTITION BY "ID" ORDER BY "D" ASC NULLS FIRST RANGE BETWEEN INTERVAL '29 days' PRECEDING AND CURRENT ROW) END as "V"`,
    },
  ],
  [
    "rolling 12-hour max over a timestamp column",
    col("x").rollingMax("12h", { by: "ts" }).over("id"),
    {
      duckdb: `select CASE WHEN "ts" IS NULL THEN NULL ELSE max("x") OVER (PARTITION BY "id" ORDER BY "ts" ASC NULLS FIRST RANGE BETWEEN INTERVAL '43199.999999 seconds' PRECEDING AND CURRENT ROW) END as "v"`,
      postgres: `select CASE WHEN "ts" IS NULL THEN NULL ELSE max("x") OVER (PARTITION BY "id" ORDER BY "ts" ASC NULLS FIRST RANGE BETWEEN INTERVAL '43199.999999 seconds' PRECEDING AND CURRENT ROW) END as "v"`,
      snowflake: `select CASE WHEN "TS" IS NULL THEN NULL ELSE MAX("X") OVER (PARTITION BY "ID" ORDER BY "TS" ASC NULLS FIRST RANGE BETWEEN INTERVAL '43199 seconds, 999999999 nanoseconds' PRECEDING AND CURRENT ROW) END as "V"`,
    },
  ],
  [
    "aggregate over a whole partition",
    col("x").sub(col("x").mean().over("id")),
    {
      duckdb: `select "x" - avg("x") OVER (PARTITION BY "id") as "v"`,
      postgres: `select "x" - avg("x") OVER (PARTITION BY "id") as "v"`,
      snowflake: `select "X" - AVG("X") OVER (PARTITION BY "ID") as "V"`,
    },
  ],
  [
    "rolling 1-day sum over a date column (the day itself)",
    col("x").rollingSum("1d", { by: "d" }).over("id"),
    {
      duckdb: `select CASE WHEN "d" IS NULL THEN NULL ELSE sum("x") OVER (PARTITION BY "id" ORDER BY "d" ASC NULLS FIRST RANGE BETWEEN INTERVAL '0 days' PRECEDING AND CURRENT ROW) END as "v"`,
      postgres: `select CASE WHEN "d" IS NULL THEN NULL ELSE sum("x") OVER (PARTITION BY "id" ORDER BY "d" ASC NULLS FIRST RANGE BETWEEN INTERVAL '0 days' PRECEDING AND CURRENT ROW) END as "v"`,
      snowflake: `select CASE WHEN "D" IS NULL THEN NULL ELSE SUM("X") OVER (PARTITION BY "ID" ORDER BY "D" ASC NULLS FIRST RANGE BETWEEN INTERVAL '0 days' PRECEDING AND CURRENT ROW) END as "V"`,
    },
  ],
  [
    "rolling 1-second count over a timestamp column",
    col("x").rollingCount("1s", { by: "ts" }).over("id"),
    {
      duckdb: `select CASE WHEN "ts" IS NULL THEN NULL WHEN count("x") OVER (PARTITION BY "id" ORDER BY "ts" ASC NULLS FIRST RANGE BETWEEN INTERVAL '0.999999 seconds' PRECEDING AND CURRENT ROW) >= 1 THEN count("x") OVER (PARTITION BY "id" ORDER BY "ts" ASC NULLS FIRST RANGE BETWEEN INTERVAL '0.999999 seconds' PRECEDING AND CURRENT ROW) END as "v"`,
      postgres: `select CASE WHEN "ts" IS NULL THEN NULL WHEN count("x") OVER (PARTITION BY "id" ORDER BY "ts" ASC NULLS FIRST RANGE BETWEEN INTERVAL '0.999999 seconds' PRECEDING AND CURRENT ROW) >= 1 THEN count("x") OVER (PARTITION BY "id" ORDER BY "ts" ASC NULLS FIRST RANGE BETWEEN INTERVAL '0.999999 seconds' PRECEDING AND CURRENT ROW) END as "v"`,
      snowflake: `select CASE WHEN "TS" IS NULL THEN NULL WHEN count("X") OVER (PARTITION BY "ID" ORDER BY "TS" ASC NULLS FIRST RANGE BETWEEN INTERVAL '999999999 nanoseconds' PRECEDING AND CURRENT ROW) >= 1 THEN COUNT("X") OVER (PARTITION BY "ID" ORDER BY "TS" ASC NULLS FIRST RANGE BETWEEN INTERVAL '999999999 nanoseconds' PRECEDING AND CURRENT ROW) END as "V"`,
    },
  ],
  [
    "fill nulls forward (PostgreSQL has no IGNORE NULLS: the frame's non-null values as an array)",
    col("x").fillNull({ strategy: "forward" }).over("id", { orderBy: "d" }),
    {
      duckdb: `select last_value("x" IGNORE NULLS) OVER (PARTITION BY "id" ORDER BY "d" ASC NULLS FIRST ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) as "v"`,
      postgres: `select (array_agg("x") FILTER (WHERE "x" IS NOT NULL) OVER (PARTITION BY "id" ORDER BY "d" ASC NULLS FIRST ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW))[count("x") OVER (PARTITION BY "id" ORDER BY "d" ASC NULLS FIRST ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)] as "v"`,
      snowflake: `select LAST_VALUE("X") IGNORE NULLS OVER (PARTITION BY "ID" ORDER BY "D" ASC NULLS FIRST ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) as "V"`,
    },
  ],
  [
    "fill nulls backward within 2 rows, null keys last",
    col("s").fillNull({ strategy: "backward", limit: 2 }).over("id", { orderBy: "ts", nullsLast: true }),
    {
      duckdb: `select first_value("s" IGNORE NULLS) OVER (PARTITION BY "id" ORDER BY "ts" ASC NULLS LAST ROWS BETWEEN CURRENT ROW AND 2 FOLLOWING) as "v"`,
      postgres: `select (array_agg("s") FILTER (WHERE "s" IS NOT NULL) OVER (PARTITION BY "id" ORDER BY "ts" ASC NULLS LAST ROWS BETWEEN CURRENT ROW AND 2 FOLLOWING))[1] as "v"`,
      snowflake: `select FIRST_VALUE("S") IGNORE NULLS OVER (PARTITION BY "ID" ORDER BY "TS" ASC NULLS LAST ROWS BETWEEN CURRENT ROW AND 2 FOLLOWING) as "V"`,
    },
  ],
  [
    "ordinal rank: ties in the over() order",
    col("n").rank({ method: "ordinal" }).over("id", { orderBy: "ts", descending: true }),
    {
      duckdb: `select CASE WHEN "n" IS NULL THEN NULL ELSE row_number() OVER (PARTITION BY "id" ORDER BY "n" ASC NULLS LAST, "ts" DESC NULLS FIRST) END as "v"`,
      postgres: `select CASE WHEN "n" IS NULL THEN NULL ELSE row_number() OVER (PARTITION BY "id" ORDER BY "n" ASC NULLS LAST, "ts" DESC NULLS FIRST) END as "v"`,
      snowflake: `select CASE WHEN "N" IS NULL THEN NULL ELSE row_number() OVER (PARTITION BY "ID" ORDER BY "N" ASC NULLS LAST, "TS" DESC NULLS FIRST) END as "V"`,
    },
  ],
  [
    "last by time over a whole partition",
    col("n").sortBy("ts").last().over("id"),
    {
      duckdb: { unsupported: /^sortBy\(\)\.last\(\)\.over\(\) is not supported by the duckdb dialect$/ },
      postgres: { unsupported: /^sortBy\(\)\.last\(\)\.over\(\) is not supported by the postgres dialect$/ },
      snowflake: `select CAST(GET(GET(ARRAY_AGG(ARRAY_CONSTRUCT("N")) WITHIN GROUP (ORDER BY "TS" DESC NULLS LAST, "N" DESC NULLS LAST) OVER (PARTITION BY "ID"), 0), 0) AS NUMBER(38,0)) as "V"`,
    },
  ],
  [
    "median, quantile and distinct count over a whole partition",
    col("n").median().over("id").add(col("n").quantile(0.25, { interpolation: "linear" }).over("id")).add(col("s").nUnique().over("id")),
    {
      duckdb: `select (median("n") OVER (PARTITION BY "id") + quantile_cont("n", 0.25) OVER (PARTITION BY "id")) + (count(DISTINCT "s") OVER (PARTITION BY "id") + COALESCE(max(CASE WHEN "s" IS NULL THEN 1 ELSE 0 END) OVER (PARTITION BY "id"), 0)) as "v"`,
      postgres: { unsupported: /median\(\)\.over\(\) is not supported by the postgres dialect/ },
      snowflake: `select (MEDIAN(CAST("N" AS FLOAT)) OVER (PARTITION BY "ID") + PERCENTILE_CONT(0.25) WITHIN GROUP (ORDER BY CAST("N" AS FLOAT)) OVER (PARTITION BY "ID")) + (COUNT(DISTINCT "S") OVER (PARTITION BY "ID") + COALESCE(MAX(CASE WHEN "S" IS NULL THEN 1 ELSE 0 END) OVER (PARTITION BY "ID"), 0)) as "V"`,
    },
  ],
  [
    "variance of integers is a double",
    col("n").var(),
    {
      duckdb: `select var_samp("n") as "v"`,
      postgres: `select CAST(var_samp("n") AS DOUBLE PRECISION) as "v"`,
      snowflake: `select VAR_SAMP(CAST("N" AS FLOAT)) as "V"`,
    },
  ],
  [
    "offset a timestamp by hours",
    col("ts").dt.offsetBy("12h"),
    {
      duckdb: `select "ts" + INTERVAL '12 hours' as "v"`,
      postgres: `select "ts" + INTERVAL '12 hours' as "v"`,
      snowflake: `select DATEADD(HOUR, 12, "TS") as "V"`,
    },
  ],
  [
    // Polars' float kernel l - r * floor(l / r): the divisor's sign; an integer operand is cast, as Polars casts it.
    "modulo of doubles",
    col("x").mod(col("n")),
    {
      duckdb: `select CASE WHEN CAST("n" AS DOUBLE) = 0 THEN "x" * CAST('NaN' AS DOUBLE) ELSE "x" - CAST("n" AS DOUBLE) * floor("x" / CAST("n" AS DOUBLE)) END as "v"`,
      postgres: `select CASE WHEN CAST("n" AS DOUBLE PRECISION) = 0 THEN "x" * CAST('NaN' AS DOUBLE PRECISION) ELSE "x" - CAST("n" AS DOUBLE PRECISION) * floor("x" / CAST("n" AS DOUBLE PRECISION)) END as "v"`,
      snowflake: `select CASE WHEN CAST("N" AS FLOAT) = 0 THEN "X" * CAST('NaN' AS FLOAT) ELSE "X" - CAST("N" AS FLOAT) * floor("X" / CAST("N" AS FLOAT)) END as "V"`,
    },
  ],
  [
    "division with a double operand needs no cast",
    col("x").div(col("n")),
    {
      duckdb: `select CASE WHEN "n" = 0 THEN "x" * CAST('inf' AS DOUBLE) ELSE "x" / "n" END as "v"`,
      postgres: `select CASE WHEN "n" = 0 THEN "x" * CAST('inf' AS DOUBLE PRECISION) ELSE "x" / "n" END as "v"`,
      snowflake: `select CASE WHEN "N" = 0 THEN "X" * CAST('inf' AS FLOAT) ELSE "X" / "N" END as "V"`,
    },
  ],
  [
    "boolean to double",
    col("flag").cast("double"),
    {
      duckdb: `select CAST("flag" AS DOUBLE) as "v"`,
      postgres: `select CAST(CAST("flag" AS INTEGER) AS DOUBLE PRECISION) as "v"`,
      snowflake: `select CAST(CAST("FLAG" AS NUMBER(38,0)) AS FLOAT) as "V"`,
    },
  ],
  [
    "boolean to bigint",
    col("flag").cast("bigint"),
    {
      duckdb: `select CAST("flag" AS BIGINT) as "v"`,
      postgres: `select CAST(CAST("flag" AS INTEGER) AS BIGINT) as "v"`,
      snowflake: `select CAST("FLAG" AS NUMBER(38,0)) as "V"`,
    },
  ],
  [
    "bigint and double to boolean",
    col("id").cast("boolean").and(col("x").cast("boolean")),
    {
      duckdb: `select CAST("id" AS BOOLEAN) AND CAST("x" AS BOOLEAN) as "v"`,
      postgres: `select ("id" <> 0) AND ("x" <> 0) as "v"`,
      snowflake: `select CAST("ID" AS BOOLEAN) AND ("X" <> 0) as "V"`,
    },
  ],
  [
    "double to varchar keeps the .0 of an integral value",
    col("x").cast("varchar"),
    {
      duckdb: `select CASE WHEN "x" = CAST('inf' AS DOUBLE) THEN 'inf' WHEN "x" = -CAST('inf' AS DOUBLE) THEN '-inf' WHEN "x" = CAST('NaN' AS DOUBLE) THEN 'NaN' ELSE CAST("x" AS VARCHAR) END as "v"`,
      postgres: `select CASE WHEN "x" = CAST('inf' AS DOUBLE PRECISION) THEN 'inf' WHEN "x" = -CAST('inf' AS DOUBLE PRECISION) THEN '-inf' WHEN "x" = CAST('NaN' AS DOUBLE PRECISION) THEN 'NaN' ELSE regexp_replace(CAST("x" AS TEXT), '^(-?[0-9]+)$', '\\1.0') END as "v"`,
      snowflake: `select CASE WHEN "X" = CAST('inf' AS FLOAT) THEN 'inf' WHEN "X" = -CAST('inf' AS FLOAT) THEN '-inf' WHEN "X" = CAST('NaN' AS FLOAT) THEN 'NaN' ELSE REGEXP_REPLACE(CAST("X" AS VARCHAR), '^(-?[0-9]+)$', '\\\\1.0') END as "V"`,
    },
  ],
  [
    "mean and standard deviation of integers are doubles",
    col("n").mean().add(col("n").std()),
    {
      duckdb: `select avg("n") + stddev_samp("n") as "v"`,
      postgres: `select CAST(avg("n") AS DOUBLE PRECISION) + CAST(stddev_samp("n") AS DOUBLE PRECISION) as "v"`,
      snowflake: `select AVG(CAST("N" AS FLOAT)) + STDDEV_SAMP(CAST("N" AS FLOAT)) as "V"`,
    },
  ],
  [
    "truncate a timestamp labelled by the week's end",
    col("ts").dt.truncate("1w", { label: "right" }),
    {
      duckdb: `select date_trunc('week', "ts") + INTERVAL '1 week' as "v"`,
      postgres: `select date_trunc('week', "ts") + INTERVAL '1 week' as "v"`,
      snowflake: `select DATEADD(WEEK, 1, DATEADD(DAY, 1 - DAYOFWEEKISO("TS"), DATE_TRUNC('DAY', "TS"))) as "V"`,
    },
  ],
  [
    "truncate a date labelled by the month's end",
    col("d").dt.truncate("1mo", { label: "right" }),
    {
      duckdb: `select CAST(date_trunc('month', "d") + INTERVAL '1 month' AS DATE) as "v"`,
      postgres: `select CAST(date_trunc('month', CAST("d" AS TIMESTAMP)) + INTERVAL '1 month' AS DATE) as "v"`,
      snowflake: `select DATEADD(MONTH, 1, DATE_TRUNC('MONTH', "D")) as "V"`,
    },
  ],
  [
    "variance of integers, any and all over a whole partition",
    col("n").var().over("id").gt(1).and(col("flag").any().over("id")).or(col("flag").all().over("id")),
    {
      duckdb: `select ((var_samp("n") OVER (PARTITION BY "id") > 1) AND COALESCE(bool_or("flag") OVER (PARTITION BY "id"), FALSE)) OR COALESCE(bool_and("flag") OVER (PARTITION BY "id"), TRUE) as "v"`,
      postgres: `select ((CAST(var_samp("n") OVER (PARTITION BY "id") AS DOUBLE PRECISION) > 1) AND COALESCE(bool_or("flag") OVER (PARTITION BY "id"), FALSE)) OR COALESCE(bool_and("flag") OVER (PARTITION BY "id"), TRUE) as "v"`,
      snowflake: `select ((VAR_SAMP(CAST("N" AS FLOAT)) OVER (PARTITION BY "ID") > 1) AND COALESCE(BOOLOR_AGG("FLAG") OVER (PARTITION BY "ID"), FALSE)) OR COALESCE(BOOLAND_AGG("FLAG") OVER (PARTITION BY "ID"), TRUE) as "V"`,
    },
  ],
  [
    "median over a whole partition",
    col("x").median().over("id"),
    {
      duckdb: `select median("x") OVER (PARTITION BY "id") as "v"`,
      postgres: { unsupported: /^median\(\)\.over\(\) is not supported by the postgres dialect$/ },
      snowflake: `select MEDIAN("X") OVER (PARTITION BY "ID") as "V"`,
    },
  ],
  [
    "quantile over a whole partition",
    col("x").quantile(0.25, { interpolation: "linear" }).over("id"),
    {
      duckdb: `select quantile_cont("x", 0.25) OVER (PARTITION BY "id") as "v"`,
      postgres: { unsupported: /^quantile\(\)\.over\(\) is not supported by the postgres dialect$/ },
      snowflake: `select PERCENTILE_CONT(0.25) WITHIN GROUP (ORDER BY "X") OVER (PARTITION BY "ID") as "V"`,
    },
  ],
  [
    "distinct count over a whole partition",
    col("s").nUnique().over("id"),
    {
      duckdb: `select (count(DISTINCT "s") OVER (PARTITION BY "id") + COALESCE(max(CASE WHEN "s" IS NULL THEN 1 ELSE 0 END) OVER (PARTITION BY "id"), 0)) as "v"`,
      postgres: { unsupported: /^nUnique\(\)\.over\(\) is not supported by the postgres dialect$/ },
      snowflake: `select (COUNT(DISTINCT "S") OVER (PARTITION BY "ID") + COALESCE(MAX(CASE WHEN "S" IS NULL THEN 1 ELSE 0 END) OVER (PARTITION BY "ID"), 0)) as "V"`,
    },
  ],
  // One meaning for numbers and casts on every engine (Polars'): by zero, integer floor division, text of values.
  [
    "floor division of doubles: floor of the true division, ±inf or NaN by zero",
    col("x").floorDiv(col("n")),
    {
      duckdb: `select floor(CASE WHEN "n" = 0 THEN "x" * CAST('inf' AS DOUBLE) ELSE "x" / "n" END) as "v"`,
      postgres: `select floor(CASE WHEN "n" = 0 THEN "x" * CAST('inf' AS DOUBLE PRECISION) ELSE "x" / "n" END) as "v"`,
      snowflake: `select floor(CASE WHEN "N" = 0 THEN "X" * CAST('inf' AS FLOAT) ELSE "X" / "N" END) as "V"`,
    },
  ],
  [
    // The truncated remainder, moved by the divisor where the signs differ (Polars' floored modulo).
    "modulo of integers by zero is NULL",
    col("n").mod(col("id")),
    {
      duckdb: `select CASE WHEN ("n" % NULLIF("id", 0)) <> 0 AND ((("n" % NULLIF("id", 0)) < 0) <> (NULLIF("id", 0) < 0)) THEN ("n" % NULLIF("id", 0)) + NULLIF("id", 0) ELSE ("n" % NULLIF("id", 0)) END as "v"`,
      postgres: `select CASE WHEN ("n" % NULLIF("id", 0)) <> 0 AND ((("n" % NULLIF("id", 0)) < 0) <> (NULLIF("id", 0) < 0)) THEN ("n" % NULLIF("id", 0)) + NULLIF("id", 0) ELSE ("n" % NULLIF("id", 0)) END as "v"`,
      snowflake: `select CASE WHEN ("N" % NULLIF("ID", 0)) <> 0 AND ((("N" % NULLIF("ID", 0)) < 0) <> (NULLIF("ID", 0) < 0)) THEN ("N" % NULLIF("ID", 0)) + NULLIF("ID", 0) ELSE ("N" % NULLIF("ID", 0)) END as "V"`,
    },
  ],
  [
    "date to varchar, whatever the session's output format",
    col("d").cast("varchar"),
    {
      duckdb: `select CAST("d" AS VARCHAR) as "v"`,
      postgres: `select to_char("d", 'YYYY-MM-DD') as "v"`,
      snowflake: `select TO_VARCHAR("D", 'YYYY-MM-DD') as "V"`,
    },
  ],
  [
    "timestamp to varchar with six fractional digits, as Polars",
    col("ts").cast("varchar"),
    {
      duckdb: `select strftime("ts", '%Y-%m-%d %H:%M:%S.%f') as "v"`,
      postgres: `select to_char("ts", 'YYYY-MM-DD HH24:MI:SS.US') as "v"`,
      snowflake: `select TO_VARCHAR("TS", 'YYYY-MM-DD HH24:MI:SS.FF6') as "V"`,
    },
  ],
  [
    "double to boolean: non-zero is true",
    col("x").cast("boolean"),
    {
      duckdb: `select CAST("x" AS BOOLEAN) as "v"`,
      postgres: `select ("x" <> 0) as "v"`,
      snowflake: `select ("X" <> 0) as "V"`,
    },
  ],
  [
    // POWER, EXP and LN: https://docs.snowflake.com/en/sql-reference/functions/pow, …/exp, …/ln
    "pow (an integer for integers), exp and log1p, with Polars' NaN and inf where engines would fail",
    col("n").pow(2).add(col("x").exp()).add(col("x").log1p()),
    {
      duckdb: `select (CAST(trunc(CASE WHEN "n" < 0 AND 2 <> trunc(2) THEN CAST('NaN' AS DOUBLE) WHEN "n" = 0 AND 2 < 0 THEN CAST('inf' AS DOUBLE) ELSE power("n", 2) END) AS BIGINT) + CASE WHEN "x" = CAST('NaN' AS DOUBLE) THEN "x" WHEN "x" > 709.782712893384 THEN CAST('inf' AS DOUBLE) WHEN "x" < -745.1332191019412 THEN 0 ELSE exp("x") END) + CASE WHEN "x" < -1 THEN CAST('NaN' AS DOUBLE) WHEN "x" = -1 THEN CAST('-inf' AS DOUBLE) WHEN "x" >= CAST('inf' AS DOUBLE) OR ("x" + 1) = 1 THEN "x" WHEN ("x" + 1) - 1 = "x" THEN ln(("x" + 1)) ELSE "x" * ln(("x" + 1)) / (("x" + 1) - 1) END as "v"`,
      postgres: `select (CAST(trunc(CASE WHEN "n" < 0 AND 2 <> trunc(2) THEN CAST('NaN' AS DOUBLE PRECISION) WHEN "n" = 0 AND 2 < 0 THEN CAST('inf' AS DOUBLE PRECISION) ELSE power("n", 2) END) AS BIGINT) + CASE WHEN "x" = CAST('NaN' AS DOUBLE PRECISION) THEN "x" WHEN "x" > 709.782712893384 THEN CAST('inf' AS DOUBLE PRECISION) WHEN "x" < -745.1332191019412 THEN 0 ELSE exp("x") END) + CASE WHEN "x" < -1 THEN CAST('NaN' AS DOUBLE PRECISION) WHEN "x" = -1 THEN CAST('-inf' AS DOUBLE PRECISION) WHEN "x" >= CAST('inf' AS DOUBLE PRECISION) OR ("x" + 1) = 1 THEN "x" WHEN ("x" + 1) - 1 = "x" THEN ln(("x" + 1)) ELSE "x" * ln(("x" + 1)) / (("x" + 1) - 1) END as "v"`,
      snowflake: `select (CAST(trunc(CASE WHEN "N" < 0 AND 2 <> trunc(2) THEN CAST('NaN' AS FLOAT) WHEN "N" = 0 AND 2 < 0 THEN CAST('inf' AS FLOAT) ELSE power("N", 2) END) AS NUMBER(38,0)) + CASE WHEN "X" = CAST('NaN' AS FLOAT) THEN "X" WHEN "X" > 709.782712893384 THEN CAST('inf' AS FLOAT) WHEN "X" < -745.1332191019412 THEN 0 ELSE exp("X") END) + CASE WHEN "X" < -1 THEN CAST('NaN' AS FLOAT) WHEN "X" = -1 THEN CAST('-inf' AS FLOAT) WHEN "X" >= CAST('inf' AS FLOAT) OR ("X" + 1) = 1 THEN "X" WHEN ("X" + 1) - 1 = "X" THEN ln(("X" + 1)) ELSE "X" * ln(("X" + 1)) / (("X" + 1) - 1) END as "V"`,
    },
  ],
  [
    // STDDEV_POP, VAR_POP: https://docs.snowflake.com/en/sql-reference/functions/stddev_pop, …/var_pop (window functions too)
    "std and var with ddof 0, nullCount",
    col("x").std({ ddof: 0 }).add(col("n").var({ ddof: 0 })).add(col("x").nullCount()),
    {
      duckdb: `select (stddev_pop("x") + var_pop("n")) + COALESCE(CAST(sum(CASE WHEN "x" IS NULL THEN 1 ELSE 0 END) AS BIGINT), 0) as "v"`,
      postgres: `select (stddev_pop("x") + CAST(var_pop("n") AS DOUBLE PRECISION)) + COALESCE(CAST(sum(CASE WHEN "x" IS NULL THEN 1 ELSE 0 END) AS BIGINT), 0) as "v"`,
      snowflake: `select (STDDEV_POP("X") + VAR_POP(CAST("N" AS FLOAT))) + COALESCE(SUM(CASE WHEN "X" IS NULL THEN 1 ELSE 0 END), 0) as "V"`,
    },
  ],
  [
    "population variance over a partition",
    col("n").var({ ddof: 0 }).over("id"),
    {
      duckdb: `select var_pop("n") OVER (PARTITION BY "id") as "v"`,
      postgres: `select CAST(var_pop("n") OVER (PARTITION BY "id") AS DOUBLE PRECISION) as "v"`,
      snowflake: `select VAR_POP(CAST("N" AS FLOAT)) OVER (PARTITION BY "ID") as "V"`,
    },
  ],
  [
    // COVAR_SAMP, COVAR_POP, CORR (also as window functions): https://docs.snowflake.com/en/sql-reference/functions/covar_samp, …/covar_pop, …/corr
    "cov with ddof, corr (NaN where SQL gives NULL)",
    cov("x", "n").add(cov("x", "x", { ddof: 0 })).add(corr("n", "x")),
    {
      duckdb: `select (covar_samp("x", "n") + covar_pop("x", "x")) + COALESCE(corr("n", "x"), CAST('NaN' AS DOUBLE)) as "v"`,
      postgres: `select (covar_samp("x", "n") + covar_pop("x", "x")) + COALESCE(corr("n", "x"), CAST('NaN' AS DOUBLE PRECISION)) as "v"`,
      snowflake: `select (covar_samp("X", CAST("N" AS FLOAT)) + covar_pop("X", "X")) + COALESCE(corr(CAST("N" AS FLOAT), "X"), CAST('NaN' AS FLOAT)) as "V"`,
    },
  ],
  [
    "corr over a partition",
    corr("x", "n").over("id"),
    {
      duckdb: `select COALESCE(corr("x", "n") OVER (PARTITION BY "id"), CAST('NaN' AS DOUBLE)) as "v"`,
      postgres: `select COALESCE(corr("x", "n") OVER (PARTITION BY "id"), CAST('NaN' AS DOUBLE PRECISION)) as "v"`,
      snowflake: `select COALESCE(corr("X", CAST("N" AS FLOAT)) OVER (PARTITION BY "ID"), CAST('NaN' AS FLOAT)) as "V"`,
    },
  ],
  [
    "cumProd (DuckDB only: no product aggregate elsewhere)",
    col("n").cumProd().over("id", { orderBy: "d" }),
    {
      duckdb: `select CASE WHEN "n" IS NULL THEN NULL ELSE CAST(product("n") OVER (PARTITION BY "id" ORDER BY "d" ASC NULLS FIRST ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS BIGINT) END as "v"`,
      postgres: { unsupported: /^cumProd\(\) is not supported by the postgres dialect$/ },
      snowflake: { unsupported: /^cumProd\(\) is not supported by the snowflake dialect$/ },
    },
  ],
  [
    "replaceStrict with a null key and a default, replace keeping unmapped values",
    col("s").replaceStrict(new Map<string | null, number>([["a", 1], [null, 0]]), { default: -1 }).add(col("n").replace([1, 2], [10, 20])),
    {
      duckdb: `select CASE WHEN "s" = 'a' THEN 1 WHEN "s" IS NULL THEN 0 ELSE -1 END + CASE WHEN "n" = 1 THEN 10 WHEN "n" = 2 THEN 20 ELSE "n" END as "v"`,
      postgres: `select CASE WHEN "s" = 'a' THEN 1 WHEN "s" IS NULL THEN 0 ELSE -1 END + CASE WHEN "n" = 1 THEN 10 WHEN "n" = 2 THEN 20 ELSE "n" END as "v"`,
      snowflake: `select CASE WHEN "S" = 'a' THEN 1 WHEN "S" IS NULL THEN 0 ELSE -1 END + CASE WHEN "N" = 1 THEN 10 WHEN "N" = 2 THEN 20 ELSE "N" END as "V"`,
    },
  ],
  [
    // LEFT, RIGHT, GREATEST, LEAST, SUBSTRING: https://docs.snowflake.com/en/sql-reference/functions/left, …/right, …/greatest, …/least, …/substr
    "slice from the end, head and tail with negative counts",
    concatStr([col("s").str.slice(-3, 2), col("s").str.head(-1), col("s").str.tail(2)]),
    {
      duckdb: `select (substring("s", greatest(length("s") + -3, 0) + 1, greatest(least(greatest(length("s") + -3 + 2, 0), length("s")) - greatest(length("s") + -3, 0), 0)) || left("s", CASE WHEN -1 >= 0 THEN -1 ELSE greatest(length("s") + -1, 0) END) || right("s", CASE WHEN 2 >= 0 THEN 2 ELSE greatest(length("s") + 2, 0) END)) as "v"`,
      postgres: `select (substring("s", greatest(length("s") + -3, 0) + 1, greatest(least(greatest(length("s") + -3 + 2, 0), length("s")) - greatest(length("s") + -3, 0), 0)) || left("s", CASE WHEN -1 >= 0 THEN -1 ELSE greatest(length("s") + -1, 0) END) || right("s", CASE WHEN 2 >= 0 THEN 2 ELSE greatest(length("s") + 2, 0) END)) as "v"`,
      snowflake: `select (substring("S", greatest(length("S") + -3, 0) + 1, greatest(least(greatest(length("S") + -3 + 2, 0), length("S")) - greatest(length("S") + -3, 0), 0)) || left("S", CASE WHEN -1 >= 0 THEN -1 ELSE greatest(length("S") + -1, 0) END) || right("S", CASE WHEN 2 >= 0 THEN 2 ELSE greatest(length("S") + 2, 0) END)) as "V"`,
    },
  ],
  [
    // REPEAT and TRIM(<expr>, <characters>): https://docs.snowflake.com/en/sql-reference/functions/repeat, …/trim
    "padStart, padEnd, zfill, stripChars",
    concatStr([col("s").str.padStart(6, "*"), col("s").str.padEnd(8), col("s").str.zfill(3), col("s").str.stripChars("ab")]),
    {
      duckdb: `select (CASE WHEN length("s") >= 6 THEN "s" ELSE repeat('*', 6 - length("s")) || "s" END || CASE WHEN length("s") >= 8 THEN "s" ELSE "s" || repeat(' ', 8 - length("s")) END || CASE WHEN length("s") >= 3 THEN "s" WHEN left("s", 1) IN ('-', '+') THEN left("s", 1) || repeat('0', 3 - length("s")) || substring("s", 2) ELSE repeat('0', 3 - length("s")) || "s" END || trim(BOTH 'ab' FROM "s")) as "v"`,
      postgres: `select (CASE WHEN length("s") >= 6 THEN "s" ELSE repeat('*', 6 - length("s")) || "s" END || CASE WHEN length("s") >= 8 THEN "s" ELSE "s" || repeat(' ', 8 - length("s")) END || CASE WHEN length("s") >= 3 THEN "s" WHEN left("s", 1) IN ('-', '+') THEN left("s", 1) || repeat('0', 3 - length("s")) || substring("s", 2) ELSE repeat('0', 3 - length("s")) || "s" END || trim(BOTH 'ab' FROM "s")) as "v"`,
      snowflake: `select (CASE WHEN length("S") >= 6 THEN "S" ELSE repeat('*', 6 - length("S")) || "S" END || CASE WHEN length("S") >= 8 THEN "S" ELSE "S" || repeat(' ', 8 - length("S")) END || CASE WHEN length("S") >= 3 THEN "S" WHEN left("S", 1) IN ('-', '+') THEN left("S", 1) || repeat('0', 3 - length("S")) || substring("S", 2) ELSE repeat('0', 3 - length("S")) || "S" END || TRIM("S", 'ab')) as "V"`,
    },
  ],
  [
    // EXTRACT(NANOSECOND …), WEEKISO, YEAROFWEEKISO, DAYOFYEAR: https://docs.snowflake.com/en/sql-reference/functions/extract, …/year
    "millisecond, microsecond, ISO week and year, day of the year",
    col("ts").dt.millisecond().add(col("ts").dt.microsecond()).add(col("d").dt.week()).add(col("d").dt.isoYear()).add(col("ts").dt.ordinalDay()),
    {
      duckdb: `select ((((CAST(floor(extract(microseconds FROM "ts") / 1000) AS INTEGER) % 1000) + (CAST(extract(microseconds FROM "ts") AS INTEGER) % 1000000)) + CAST(extract(week FROM "d") AS INTEGER)) + CAST(extract(isoyear FROM "d") AS INTEGER)) + CAST(extract(doy FROM "ts") AS INTEGER) as "v"`,
      postgres: `select ((((CAST(floor(extract(microseconds FROM "ts") / 1000) AS INTEGER) % 1000) + (CAST(extract(microseconds FROM "ts") AS INTEGER) % 1000000)) + CAST(extract(week FROM "d") AS INTEGER)) + CAST(extract(isoyear FROM "d") AS INTEGER)) + CAST(extract(doy FROM "ts") AS INTEGER) as "v"`,
      snowflake: `select (((FLOOR(EXTRACT(NANOSECOND FROM "TS") / 1000000) + FLOOR(EXTRACT(NANOSECOND FROM "TS") / 1000)) + CAST(WEEKISO("D") AS NUMBER(38,0))) + CAST(YEAROFWEEKISO("D") AS NUMBER(38,0))) + CAST(DAYOFYEAR("TS") AS NUMBER(38,0)) as "V"`,
    },
  ],
  [
    "dt.date",
    col("ts").dt.date(),
    {
      duckdb: `select CAST("ts" AS DATE) as "v"`,
      postgres: `select CAST("ts" AS DATE) as "v"`,
      snowflake: `select CAST("TS" AS DATE) as "V"`,
    },
  ],
  [
    "compound offsetBy: months first, as one move",
    col("ts").dt.offsetBy("-1y2mo12h"),
    {
      duckdb: `select "ts" + INTERVAL '-14 months' + INTERVAL '-12 hours' as "v"`,
      postgres: `select "ts" + INTERVAL '-14 months' + INTERVAL '-12 hours' as "v"`,
      snowflake: `select DATEADD(HOUR, -12, DATEADD(MONTH, -14, "TS")) as "V"`,
    },
  ],
  [
    "compound offsetBy on a date",
    col("d").dt.offsetBy("1mo1d"),
    {
      duckdb: `select CAST(CAST("d" + INTERVAL '1 month' AS DATE) + INTERVAL '1 day' AS DATE) as "v"`,
      postgres: `select CAST(CAST("d" + INTERVAL '1 month' AS DATE) + INTERVAL '1 day' AS DATE) as "v"`,
      snowflake: `select DATEADD(DAY, 1, DATEADD(MONTH, 1, "D")) as "V"`,
    },
  ],
  [
    "rollingVar by rows with ddof 0",
    col("x").rollingVar(3, { ddof: 0 }).over("id", { orderBy: "d" }),
    {
      duckdb: `select CASE WHEN count("x") OVER (PARTITION BY "id" ORDER BY "d" ASC NULLS FIRST ROWS BETWEEN 2 PRECEDING AND CURRENT ROW) >= 3 THEN var_pop("x") OVER (PARTITION BY "id" ORDER BY "d" ASC NULLS FIRST ROWS BETWEEN 2 PRECEDING AND CURRENT ROW) END as "v"`,
      postgres: `select CASE WHEN count("x") OVER (PARTITION BY "id" ORDER BY "d" ASC NULLS FIRST ROWS BETWEEN 2 PRECEDING AND CURRENT ROW) >= 3 THEN var_pop("x") OVER (PARTITION BY "id" ORDER BY "d" ASC NULLS FIRST ROWS BETWEEN 2 PRECEDING AND CURRENT ROW) END as "v"`,
      snowflake: `select CASE WHEN count("X") OVER (PARTITION BY "ID" ORDER BY "D" ASC NULLS FIRST ROWS BETWEEN 2 PRECEDING AND CURRENT ROW) >= 3 THEN VAR_POP("X") OVER (PARTITION BY "ID" ORDER BY "D" ASC NULLS FIRST ROWS BETWEEN 2 PRECEDING AND CURRENT ROW) END as "V"`,
    },
  ],
  [
    "rollingStd over time with ddof 0",
    col("x").rollingStd("7d", { by: "d", ddof: 0 }).over("id"),
    {
      duckdb: `select CASE WHEN "d" IS NULL THEN NULL ELSE stddev_pop("x") OVER (PARTITION BY "id" ORDER BY "d" ASC NULLS FIRST RANGE BETWEEN INTERVAL '6 days' PRECEDING AND CURRENT ROW) END as "v"`,
      postgres: `select CASE WHEN "d" IS NULL THEN NULL ELSE stddev_pop("x") OVER (PARTITION BY "id" ORDER BY "d" ASC NULLS FIRST RANGE BETWEEN INTERVAL '6 days' PRECEDING AND CURRENT ROW) END as "v"`,
      snowflake: `select CASE WHEN "D" IS NULL THEN NULL ELSE STDDEV_POP("X") OVER (PARTITION BY "ID" ORDER BY "D" ASC NULLS FIRST RANGE BETWEEN INTERVAL '6 days' PRECEDING AND CURRENT ROW) END as "V"`,
    },
  ],
  [
    "rollingMedian by rows (DuckDB only)",
    col("x").rollingMedian(3).over("id", { orderBy: "d" }),
    {
      duckdb: `select CASE WHEN count("x") OVER (PARTITION BY "id" ORDER BY "d" ASC NULLS FIRST ROWS BETWEEN 2 PRECEDING AND CURRENT ROW) >= 3 THEN median("x") OVER (PARTITION BY "id" ORDER BY "d" ASC NULLS FIRST ROWS BETWEEN 2 PRECEDING AND CURRENT ROW) END as "v"`,
      postgres: { unsupported: /^median\(\)\.over\(\) is not supported by the postgres dialect$/ },
      snowflake: { unsupported: /^rollingMedian\(\) is not supported by the snowflake dialect$/ },
    },
  ],
  [
    "rollingQuantile over time (DuckDB only)",
    col("x").rollingQuantile(0.9, "7d", { by: "d", interpolation: "linear" }).over("id"),
    {
      duckdb: `select CASE WHEN "d" IS NULL THEN NULL ELSE quantile_cont("x", 0.9) OVER (PARTITION BY "id" ORDER BY "d" ASC NULLS FIRST RANGE BETWEEN INTERVAL '6 days' PRECEDING AND CURRENT ROW) END as "v"`,
      postgres: { unsupported: /^quantile\(\)\.over\(\) is not supported by the postgres dialect$/ },
      snowflake: { unsupported: /^rollingQuantile\(\) is not supported by the snowflake dialect$/ },
    },
  ],
  [
    // DATEADD and DAYOFMONTH: https://docs.snowflake.com/en/sql-reference/functions/dateadd, …/year
    "monthEnd of a timestamp, keeping its time of day",
    col("ts").dt.monthEnd(),
    {
      duckdb: `select (("ts" - CAST(extract(day FROM "ts") - 1 AS INTEGER) * INTERVAL '1 day') + INTERVAL '1 month' - INTERVAL '1 day') as "v"`,
      postgres: `select (("ts" - CAST(extract(day FROM "ts") - 1 AS INTEGER) * INTERVAL '1 day') + INTERVAL '1 month' - INTERVAL '1 day') as "v"`,
      snowflake: `select DATEADD(DAY, -1, DATEADD(MONTH, 1, DATEADD(DAY, 1 - DAYOFMONTH("TS"), "TS"))) as "V"`,
    },
  ],
  [
    "monthStart of a date",
    col("d").dt.monthStart(),
    {
      duckdb: `select ("d" - CAST(extract(day FROM "d") AS INTEGER) + 1) as "v"`,
      postgres: `select ("d" - CAST(extract(day FROM "d") AS INTEGER) + 1) as "v"`,
      snowflake: `select DATEADD(DAY, 1 - DAYOFMONTH("D"), "D") as "V"`,
    },
  ],
  [
    // DATE_PART(EPOCH_MICROSECOND, …): https://docs.snowflake.com/en/sql-reference/functions-date-time#supported-date-and-time-parts
    "dt.epoch in microseconds (other units floor-divide it)",
    col("ts").dt.epoch().add(col("d").dt.epoch()),
    {
      duckdb: `select epoch_us("ts") + epoch_us(CAST("d" AS TIMESTAMP)) as "v"`,
      postgres: `select CAST(extract(epoch FROM "ts") * 1000000 AS BIGINT) + CAST(extract(epoch FROM "d") * 1000000 AS BIGINT) as "v"`,
      snowflake: `select DATE_PART(EPOCH_MICROSECOND, "TS") + DATE_PART(EPOCH_MICROSECOND, CAST("D" AS TIMESTAMP_NTZ)) as "V"`,
    },
  ],
  [
    // Polars' scalar kernel for a literal divisor goes through the reciprocal: x - r * floor(x * (1 / r)).
    // Snowflake: FLOOR of a FLOAT is a FLOAT (https://docs.snowflake.com/en/sql-reference/functions/floor).
    "modulo of a double by a literal, through its reciprocal as Polars",
    col("x").mod(5.5),
    {
      duckdb: `select ("x" - CAST(5.5 AS DOUBLE) * floor("x" * (CAST(1 AS DOUBLE) / CAST(5.5 AS DOUBLE)))) as "v"`,
      postgres: `select ("x" - CAST(5.5 AS DOUBLE PRECISION) * floor("x" * (CAST(1 AS DOUBLE PRECISION) / CAST(5.5 AS DOUBLE PRECISION)))) as "v"`,
      snowflake: `select ("X" - CAST(5.5 AS FLOAT) * floor("X" * (CAST(1 AS FLOAT) / CAST(5.5 AS FLOAT)))) as "V"`,
    },
  ],
  [
    // Polars' pct_change: diff / shift on Float64, two lags of one window; from 0 as true division (±inf, NaN).
    "pctChange as diff over shift, in doubles",
    col("x").pctChange(2).over("s", { orderBy: "d" }),
    {
      duckdb: `select CASE WHEN lag("x" * CAST(1 AS DOUBLE), 2) OVER (PARTITION BY "s" ORDER BY "d" ASC NULLS FIRST) = 0 THEN (("x" * CAST(1 AS DOUBLE)) - lag("x" * CAST(1 AS DOUBLE), 2) OVER (PARTITION BY "s" ORDER BY "d" ASC NULLS FIRST)) * CAST('inf' AS DOUBLE) ELSE (("x" * CAST(1 AS DOUBLE)) - lag("x" * CAST(1 AS DOUBLE), 2) OVER (PARTITION BY "s" ORDER BY "d" ASC NULLS FIRST)) / lag("x" * CAST(1 AS DOUBLE), 2) OVER (PARTITION BY "s" ORDER BY "d" ASC NULLS FIRST) END as "v"`,
      postgres: `select CASE WHEN lag("x" * CAST(1 AS DOUBLE PRECISION), 2) OVER (PARTITION BY "s" ORDER BY "d" ASC NULLS FIRST) = 0 THEN (("x" * CAST(1 AS DOUBLE PRECISION)) - lag("x" * CAST(1 AS DOUBLE PRECISION), 2) OVER (PARTITION BY "s" ORDER BY "d" ASC NULLS FIRST)) * CAST('inf' AS DOUBLE PRECISION) ELSE (("x" * CAST(1 AS DOUBLE PRECISION)) - lag("x" * CAST(1 AS DOUBLE PRECISION), 2) OVER (PARTITION BY "s" ORDER BY "d" ASC NULLS FIRST)) / lag("x" * CAST(1 AS DOUBLE PRECISION), 2) OVER (PARTITION BY "s" ORDER BY "d" ASC NULLS FIRST) END as "v"`,
      snowflake: `select CASE WHEN lag("X" * CAST(1 AS FLOAT), 2) OVER (PARTITION BY "S" ORDER BY "D" ASC NULLS FIRST) = 0 THEN (("X" * CAST(1 AS FLOAT)) - lag("X" * CAST(1 AS FLOAT), 2) OVER (PARTITION BY "S" ORDER BY "D" ASC NULLS FIRST)) * CAST('inf' AS FLOAT) ELSE (("X" * CAST(1 AS FLOAT)) - lag("X" * CAST(1 AS FLOAT), 2) OVER (PARTITION BY "S" ORDER BY "D" ASC NULLS FIRST)) / lag("X" * CAST(1 AS FLOAT), 2) OVER (PARTITION BY "S" ORDER BY "D" ASC NULLS FIRST) END as "V"`,
    },
  ],
  [
    // Polars' skew: central moments after the mean — DuckDB over the group's list with a lambda reading its avg,
    // PostgreSQL over the group's values unnested in a subquery (array_agg belongs to the outer query); engines'
    // skewness() use power sums. Snowflake's SKEW is undocumented in algorithm: refused.
    "skew with and without bias",
    col("n").skew().add(col("x").skew({ bias: false })),
    {
      duckdb: `select CASE WHEN count(CAST("n" AS DOUBLE)) = 0 THEN NULL WHEN (list_sum(list_transform(list(CAST("n" AS DOUBLE)), lambda fb_skew_u: (fb_skew_u - avg(CAST("n" AS DOUBLE))) * (fb_skew_u - avg(CAST("n" AS DOUBLE))))) / count(CAST("n" AS DOUBLE))) <= power(2.220446049250313e-16 * avg(CAST("n" AS DOUBLE)), 2) THEN CAST('NaN' AS DOUBLE) ELSE (list_sum(list_transform(list(CAST("n" AS DOUBLE)), lambda fb_skew_u: (fb_skew_u - avg(CAST("n" AS DOUBLE))) * ((fb_skew_u - avg(CAST("n" AS DOUBLE))) * (fb_skew_u - avg(CAST("n" AS DOUBLE)))))) / count(CAST("n" AS DOUBLE))) / power((list_sum(list_transform(list(CAST("n" AS DOUBLE)), lambda fb_skew_u: (fb_skew_u - avg(CAST("n" AS DOUBLE))) * (fb_skew_u - avg(CAST("n" AS DOUBLE))))) / count(CAST("n" AS DOUBLE))), 1.5) END + CASE WHEN count("x") <= 2 THEN NULL WHEN (list_sum(list_transform(list("x"), lambda fb_skew_u: (fb_skew_u - avg("x")) * (fb_skew_u - avg("x")))) / count("x")) <= power(2.220446049250313e-16 * avg("x"), 2) THEN CAST('NaN' AS DOUBLE) ELSE sqrt(CAST(count("x") AS DOUBLE) * (count("x") - 1)) / (count("x") - 2) * ((list_sum(list_transform(list("x"), lambda fb_skew_u: (fb_skew_u - avg("x")) * ((fb_skew_u - avg("x")) * (fb_skew_u - avg("x"))))) / count("x")) / power((list_sum(list_transform(list("x"), lambda fb_skew_u: (fb_skew_u - avg("x")) * (fb_skew_u - avg("x")))) / count("x")), 1.5)) END as "v"`,
      postgres: `select (SELECT CASE WHEN count(fb_skew_u) = 0 THEN NULL WHEN (sum((fb_skew_u - fb_skew_m) * (fb_skew_u - fb_skew_m)) / count(fb_skew_u)) <= power(2.220446049250313e-16 * max(fb_skew_m), 2) THEN CAST('NaN' AS DOUBLE PRECISION) ELSE (sum((fb_skew_u - fb_skew_m) * ((fb_skew_u - fb_skew_m) * (fb_skew_u - fb_skew_m))) / count(fb_skew_u)) / power((sum((fb_skew_u - fb_skew_m) * (fb_skew_u - fb_skew_m)) / count(fb_skew_u)), 1.5) END FROM (SELECT fb_skew_u, avg(fb_skew_u) OVER () AS fb_skew_m FROM unnest(array_agg(CAST("n" AS DOUBLE PRECISION))) AS fb_skew(fb_skew_u)) AS fb_skew_values) + (SELECT CASE WHEN count(fb_skew_u) <= 2 THEN NULL WHEN (sum((fb_skew_u - fb_skew_m) * (fb_skew_u - fb_skew_m)) / count(fb_skew_u)) <= power(2.220446049250313e-16 * max(fb_skew_m), 2) THEN CAST('NaN' AS DOUBLE PRECISION) ELSE sqrt(CAST(count(fb_skew_u) AS DOUBLE PRECISION) * (count(fb_skew_u) - 1)) / (count(fb_skew_u) - 2) * ((sum((fb_skew_u - fb_skew_m) * ((fb_skew_u - fb_skew_m) * (fb_skew_u - fb_skew_m))) / count(fb_skew_u)) / power((sum((fb_skew_u - fb_skew_m) * (fb_skew_u - fb_skew_m)) / count(fb_skew_u)), 1.5)) END FROM (SELECT fb_skew_u, avg(fb_skew_u) OVER () AS fb_skew_m FROM unnest(array_agg("x")) AS fb_skew(fb_skew_u)) AS fb_skew_values) as "v"`,
      snowflake: { unsupported: /^skew\(\) is not supported by the snowflake dialect$/ },
    },
  ],
  [
    "skew as a window is refused",
    col("x").skew().over("s"),
    {
      duckdb: { unsupported: /^skew\(\)\.over\(\) is not supported by the duckdb dialect$/ },
      postgres: { unsupported: /^skew\(\)\.over\(\) is not supported by the postgres dialect$/ },
      snowflake: { unsupported: /^skew\(\) is not supported by the snowflake dialect$/ },
    },
  ],
  [
    // Polars' float floor division by a scalar: floor(x * (1 / d)) (prim_wrapping_floor_div_scalar); an integer side
    // is a double first, as Polars casts it.
    "floorDiv of a double by a literal, through its reciprocal as Polars",
    col("x").floorDiv(49).add(col("n").floorDiv(lit(2.5, "double"))),
    {
      duckdb: `select floor("x" * (CAST(1 AS DOUBLE) / CAST(49 AS DOUBLE))) + floor(CAST("n" AS DOUBLE) * (CAST(1 AS DOUBLE) / CAST(2.5 AS DOUBLE))) as "v"`,
      postgres: `select floor("x" * (CAST(1 AS DOUBLE PRECISION) / CAST(49 AS DOUBLE PRECISION))) + floor(CAST("n" AS DOUBLE PRECISION) * (CAST(1 AS DOUBLE PRECISION) / CAST(2.5 AS DOUBLE PRECISION))) as "v"`,
      snowflake: `select floor("X" * (CAST(1 AS FLOAT) / CAST(49 AS FLOAT))) + floor(CAST("N" AS FLOAT) * (CAST(1 AS FLOAT) / CAST(2.5 AS FLOAT))) as "V"`,
    },
  ],
  [
    // Polars counts multiples from 1970-01-01 00:00 (weeks from Monday 1970-01-05, months from January 1970).
    // TIME_SLICE aligns to 1970-01-01 00:00 (https://docs.snowflake.com/en/sql-reference/functions/time_slice).
    "truncate to 15 minutes",
    col("ts").dt.truncate("15m"),
    {
      duckdb: `select time_bucket(INTERVAL '15 minutes', "ts", TIMESTAMP '1970-01-01') as "v"`,
      postgres: `select date_bin(INTERVAL '15 minutes', "ts", TIMESTAMP '1970-01-01') as "v"`,
      snowflake: `select TIME_SLICE("TS", 15, 'MINUTE') as "V"`,
    },
  ],
  [
    // TIME_SLICE's weeks start at the week holding 1970-01-01 (WEEK_START decides which day): days from 1970-01-05 instead.
    "truncate a date to 2 weeks, labelled by the end",
    col("d").dt.truncate("2w", { label: "right" }),
    {
      duckdb: `select CAST(time_bucket(INTERVAL '2 weeks', "d", DATE '1970-01-05') + INTERVAL '2 weeks' AS DATE) as "v"`,
      postgres: `select CAST(date_bin(INTERVAL '2 weeks', CAST("d" AS TIMESTAMP), TIMESTAMP '1970-01-05') + INTERVAL '2 weeks' AS DATE) as "v"`,
      snowflake: `select DATEADD(WEEK, 2, DATEADD(DAY, 4, TIME_SLICE(DATEADD(DAY, -4, "D"), 14, 'DAY'))) as "V"`,
    },
  ],
  [
    "truncate to 2 months (date_bin takes no months)",
    col("ts").dt.truncate("2mo"),
    {
      duckdb: `select time_bucket(INTERVAL '2 months', "ts", TIMESTAMP '1970-01-01') as "v"`,
      postgres: `select (date_trunc('month', "ts") - mod(mod((CAST(extract(year FROM "ts") AS INTEGER) - 1970) * 12 + CAST(extract(month FROM "ts") AS INTEGER) - 1, 2) + 2, 2) * INTERVAL '1 month') as "v"`,
      snowflake: `select TIME_SLICE("TS", 2, 'MONTH') as "V"`,
    },
  ],
  [
    "truncate a date to 3 days",
    col("d").dt.truncate("3d"),
    {
      duckdb: `select CAST(time_bucket(INTERVAL '3 days', "d", DATE '1970-01-01') AS DATE) as "v"`,
      postgres: `select CAST(date_bin(INTERVAL '3 days', CAST("d" AS TIMESTAMP), TIMESTAMP '1970-01-01') AS DATE) as "v"`,
      snowflake: `select TIME_SLICE("D", 3, 'DAY') as "V"`,
    },
  ],
  [
    "truncate to the hour, labelled by the end",
    col("ts").dt.truncate("1h", { label: "right" }),
    {
      duckdb: `select date_trunc('hour', "ts") + INTERVAL '1 hour' as "v"`,
      postgres: `select date_trunc('hour', "ts") + INTERVAL '1 hour' as "v"`,
      snowflake: `select DATEADD(HOUR, 1, DATE_TRUNC('HOUR', "TS")) as "V"`,
    },
  ],
  [
    // A date has no time of day; Polars returns it unchanged for a period that divides a day.
    "truncate a date to the hour",
    col("d").dt.truncate("1h"),
    {
      duckdb: `select "d" as "v"`,
      postgres: `select "d" as "v"`,
      snowflake: `select "D" as "V"`,
    },
  ],
  [
    // Matched by a pattern, range-checked, assembled from parts: no engine's own date parser (src/dialects/parse-temporal.ts).
    // https://docs.snowflake.com/en/sql-reference/functions/regexp_instr, …/regexp_substr ('e': a group), …/date_from_parts.
    "str.toDate with a format (full-width fields, no day: Polars' fast parser)",
    col("s").str.toDate("%Y-%m", { strict: false }),
    {
      duckdb: `select CASE WHEN regexp_matches("s", '^([0-9]{4})[-]([0-9]{2})$') THEN CASE WHEN CAST(NULLIF(regexp_extract("s", '^([0-9]{4})[-]([0-9]{2})$', 1), '') AS INTEGER) >= 1 AND CAST(NULLIF(regexp_extract("s", '^([0-9]{4})[-]([0-9]{2})$', 2), '') AS INTEGER) BETWEEN 1 AND 12 THEN make_date(CAST(NULLIF(regexp_extract("s", '^([0-9]{4})[-]([0-9]{2})$', 1), '') AS INTEGER), CAST(NULLIF(regexp_extract("s", '^([0-9]{4})[-]([0-9]{2})$', 2), '') AS INTEGER), 1) END END as "v"`,
      postgres: `select CASE WHEN ("s" ~ '^([0-9]{4})[-]([0-9]{2})$') THEN CASE WHEN CAST(NULLIF((regexp_match("s", '^([0-9]{4})[-]([0-9]{2})$'))[1], '') AS INTEGER) >= 1 AND CAST(NULLIF((regexp_match("s", '^([0-9]{4})[-]([0-9]{2})$'))[2], '') AS INTEGER) BETWEEN 1 AND 12 THEN make_date(CAST(NULLIF((regexp_match("s", '^([0-9]{4})[-]([0-9]{2})$'))[1], '') AS INTEGER), CAST(NULLIF((regexp_match("s", '^([0-9]{4})[-]([0-9]{2})$'))[2], '') AS INTEGER), 1) END END as "v"`,
      snowflake: `select CASE WHEN (REGEXP_INSTR("S", '^([0-9]{4})[-]([0-9]{2})$') > 0) THEN CASE WHEN CAST(NULLIF(REGEXP_SUBSTR("S", '^([0-9]{4})[-]([0-9]{2})$', 1, 1, 'e', 1), '') AS INTEGER) >= 1 AND CAST(NULLIF(REGEXP_SUBSTR("S", '^([0-9]{4})[-]([0-9]{2})$', 1, 1, 'e', 2), '') AS INTEGER) BETWEEN 1 AND 12 THEN DATE_FROM_PARTS(CAST(NULLIF(REGEXP_SUBSTR("S", '^([0-9]{4})[-]([0-9]{2})$', 1, 1, 'e', 1), '') AS INTEGER), CAST(NULLIF(REGEXP_SUBSTR("S", '^([0-9]{4})[-]([0-9]{2})$', 1, 1, 'e', 2), '') AS INTEGER), 1) END END as "V"`,
    },
  ],
  [
    // The parts are counted so that out of range is null (split_part gives ''), and only 1..n reach split_part:
    // Snowflake reads 0 as 1 (https://docs.snowflake.com/en/sql-reference/functions/split_part).
    "str.split().list.get()",
    col("s").str.split(",").list.get(1, { nullOnOob: true }),
    {
      duckdb: `select CASE WHEN 1 < (CAST((length("s") - length(replace("s", ',', ''))) // length(',') AS INTEGER) + 1) THEN split_part("s", ',', 1 + 1) END as "v"`,
      postgres: `select CASE WHEN 1 < (CAST((length("s") - length(replace("s", ',', ''))) / length(',') AS INTEGER) + 1) THEN split_part("s", ',', 1 + 1) END as "v"`,
      snowflake: `select CASE WHEN 1 < (CAST(((length("S") - length(replace("S", ',', ''))) - MOD((length("S") - length(replace("S", ',', ''))), length(','))) / length(',') AS NUMBER(38,0)) + 1) THEN split_part("S", ',', 1 + 1) END as "V"`,
    },
  ],
  [
    "str.split().list.get() from the end",
    col("s").str.split("--").list.get(-1, { nullOnOob: true }),
    {
      duckdb: `select CASE WHEN -(-1) <= (CAST((length("s") - length(replace("s", '--', ''))) // length('--') AS INTEGER) + 1) THEN split_part("s", '--', (CAST((length("s") - length(replace("s", '--', ''))) // length('--') AS INTEGER) + 1) + -1 + 1) END as "v"`,
      postgres: `select CASE WHEN -(-1) <= (CAST((length("s") - length(replace("s", '--', ''))) / length('--') AS INTEGER) + 1) THEN split_part("s", '--', (CAST((length("s") - length(replace("s", '--', ''))) / length('--') AS INTEGER) + 1) + -1 + 1) END as "v"`,
      snowflake: `select CASE WHEN -(-1) <= (CAST(((length("S") - length(replace("S", '--', ''))) - MOD((length("S") - length(replace("S", '--', ''))), length('--'))) / length('--') AS NUMBER(38,0)) + 1) THEN split_part("S", '--', (CAST(((length("S") - length(replace("S", '--', ''))) - MOD((length("S") - length(replace("S", '--', ''))), length('--'))) / length('--') AS NUMBER(38,0)) + 1) + -1 + 1) END as "V"`,
    },
  ],
  [
    // Snowflake: REGEXP_LIKE must match the whole text, so a match anywhere is REGEXP_INSTR > 0
    // (https://docs.snowflake.com/en/sql-reference/functions/regexp_instr); a backslash in its literals is doubled.
    "str.contains with a regular expression",
    col("s").str.contains("^(uber|lyft)\\*"),
    { duckdb: `select regexp_matches("s", '^(uber|lyft)\\*') as "v"`, postgres: `select ("s" ~ '^(uber|lyft)\\*') as "v"`, snowflake: `select (REGEXP_INSTR("S", '^(uber|lyft)\\\\*') > 0) as "V"` },
  ],
  [
    // REGEXP_REPLACE replaces every occurrence by default (https://docs.snowflake.com/en/sql-reference/functions/regexp_replace).
    "str.replaceAll with a regular expression",
    col("s").str.replaceAll("[^0-9]+", ""),
    { duckdb: `select regexp_replace("s", '[^0-9]+', '', 'g') as "v"`, postgres: `select regexp_replace("s", '[^0-9]+', '', 'g') as "v"`, snowflake: `select REGEXP_REPLACE("S", '[^0-9]+', '') as "V"` },
  ],
  [
    // The pattern in one more group: group 0, the whole match, is 1 everywhere (REGEXP_SUBSTR's 'e' and group number:
    // https://docs.snowflake.com/en/sql-reference/functions/regexp_substr).
    "str.extract",
    col("s").str.extract("@([a-z]+)\\.com$", 1),
    { duckdb: `select CASE WHEN regexp_matches("s", '@([a-z]+)\\.com$') THEN regexp_extract("s", '(@([a-z]+)\\.com$)', 2) END as "v"`, postgres: `select CASE WHEN ("s" ~ '@([a-z]+)\\.com$') THEN (regexp_match("s", '(@([a-z]+)\\.com$)'))[2] END as "v"`, snowflake: `select CASE WHEN (REGEXP_INSTR("S", '@([a-z]+)\\\\.com$') > 0) THEN REGEXP_SUBSTR("S", '(@([a-z]+)\\\\.com$)', 1, 1, 'e', 2) END as "V"` },
  ],
];

describe("golden SQL per operation and dialect", () => {
  for (const [name, expr, expected] of CASES) {
    for (const [dialect, sqlText] of Object.entries(expected) as [DialectName, PerDialect[DialectName]][]) {
      it(`${name} (${dialect})`, () => {
        if (typeof sqlText !== "string") {
          expect(() => render(expr, dialect)).toThrow(sqlText.unsupported);
        } else {
          expect(render(expr, dialect)).toBe(sqlText);
        }
      });
    }
  }
});
