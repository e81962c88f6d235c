import { sql } from "kysely";
import { describe, expect, it } from "vitest";
import { compileExpr } from "../../src/compile/compile-expr.ts";
import { builder, compileNode } from "../../src/compile/kysely-builder.ts";
import { DIALECTS } from "../../src/dialects/index.ts";
import type { DialectName } from "../../src/dialects/sql-dialect.ts";
import { col, type Expr, len, lit, when } from "../../src/dsl/expr.ts";
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
  ["column", col("x"), { duckdb: `select "x" as "v"`, snowflake: `select "X" as "V"` }],
  ["odd column name", col(`we"ird; --`), { duckdb: `select "we""ird; --" as "v"`, snowflake: `select "we""ird; --" as "V"` }],
  ["string literal with a quote and a backslash", lit(`it's \\ fine`), { duckdb: `select 'it''s \\ fine' as "v"`, snowflake: `select 'it''s \\\\ fine' as "V"` }],
  ["integer, double, boolean literals", col("x").add(1).mul(0.5).eq(true), { duckdb: `select (("x" + 1) * CAST(0.5 AS DOUBLE)) = true as "v"`, snowflake: `select (("X" + 1) * CAST(0.5 AS FLOAT)) = true as "V"` }],
  ["typed null", lit(null, "double"), { duckdb: `select CAST(NULL AS DOUBLE) as "v"`, snowflake: `select CAST(NULL AS FLOAT) as "V"` }],
  ["date literal", lit("2025-01-31", "date"), { duckdb: `select DATE '2025-01-31' as "v"`, snowflake: `select TO_DATE('2025-01-31', 'YYYY-MM-DD') as "V"` }],
  ["timestamp literal from an offset", lit("2025-01-31T08:30:00+02:00", "timestamp"), { duckdb: `select TIMESTAMP '2025-01-31 06:30:00' as "v"`, snowflake: `select TO_TIMESTAMP_NTZ('2025-01-31 06:30:00.000', 'YYYY-MM-DD HH24:MI:SS.FF3') as "V"` }],
  ["true division of integers", col("n").div(col("id")), { duckdb: `select "n" / "id" as "v"`, snowflake: `select CAST("N" AS FLOAT) / "ID" as "V"` }],
  ["modulo and subtraction", col("n").mod(3).sub(col("id")), { duckdb: `select ("n" % 3) - "id" as "v"`, snowflake: `select ("N" % 3) - "ID" as "V"` }],
  ["comparisons and logic", col("x").ge(1).and(col("s").ne("a").or(col("flag").not())), { duckdb: `select ("x" >= 1) AND (("s" <> 'a') OR (NOT "flag")) as "v"`, snowflake: `select ("X" >= 1) AND (("S" <> 'a') OR (NOT "FLAG")) as "V"` }],
  ["negation", col("x").neg(), { duckdb: `select -("x") as "v"`, snowflake: `select -("X") as "V"` }],
  ["negation of a negative literal is not a comment", lit(-1).neg().sub(-2), { duckdb: `select (-(-1)) - -2 as "v"`, snowflake: `select (-(-1)) - -2 as "V"` }],
  ["is null / is not null", col("x").isNull().and(col("s").isNotNull()), { duckdb: `select ("x" IS NULL) AND ("s" IS NOT NULL) as "v"`, snowflake: `select ("X" IS NULL) AND ("S" IS NOT NULL) as "V"` }],
  ["fillNull", col("x").fillNull(0), { duckdb: `select COALESCE("x", 0) as "v"`, snowflake: `select COALESCE("X", 0) as "V"` }],
  ["cast", col("s").cast("bigint"), { duckdb: `select CAST("s" AS BIGINT) as "v"`, snowflake: `select CAST("S" AS NUMBER(38,0)) as "V"` }],
  ["cast of a double to an integer truncates (as Polars)", col("x").cast("integer"), { duckdb: `select CAST(trunc("x") AS INTEGER) as "v"`, snowflake: `select CAST(trunc("X") AS NUMBER(38,0)) as "V"` }],
  ["double literal typed explicitly", lit(1, "double"), { duckdb: `select CAST(1 AS DOUBLE) as "v"`, snowflake: `select CAST(1 AS FLOAT) as "V"` }],
  [
    "when/then chain",
    when(col("x").gt(10)).then("high").when(col("x").gt(5)).then("mid").otherwise("low"),
    {
      duckdb: `select CASE WHEN "x" > 10 THEN 'high' WHEN "x" > 5 THEN 'mid' ELSE 'low' END as "v"`,
      snowflake: `select CASE WHEN "X" > 10 THEN 'high' WHEN "X" > 5 THEN 'mid' ELSE 'low' END as "V"`,
    },
  ],
  ["when without otherwise", when(col("flag")).then(col("x")), { duckdb: `select CASE WHEN "flag" THEN "x" ELSE NULL END as "v"`, snowflake: `select CASE WHEN "FLAG" THEN "X" ELSE NULL END as "V"` }],
  ["truncate a date to the month", col("d").dt.truncate("1mo"), { duckdb: `select CAST(date_trunc('month', "d") AS DATE) as "v"`, snowflake: `select DATE_TRUNC('MONTH', "D") as "V"` }],
  ["truncate a timestamp to the ISO week", col("ts").dt.truncate("1w"), { duckdb: `select date_trunc('week', "ts") as "v"`, snowflake: `select DATEADD(DAY, 1 - DAYOFWEEKISO("TS"), DATE_TRUNC('DAY', "TS")) as "V"` }],
  ["truncate to the day", col("ts").dt.truncate("1d"), { duckdb: `select date_trunc('day', "ts") as "v"`, snowflake: `select DATE_TRUNC('DAY', "TS") as "V"` }],
  [
    "truncate labelled by the quarter's end",
    col("d").dt.truncate("1q", { label: "right" }),
    {
      duckdb: `select CAST(date_trunc('quarter', "d") + INTERVAL 1 QUARTER AS DATE) as "v"`,
      snowflake: `select DATEADD(QUARTER, 1, DATE_TRUNC('QUARTER', "D")) as "V"`,
    },
  ],
  ["truncate to the year", col("d").dt.truncate("1y"), { duckdb: `select CAST(date_trunc('year', "d") AS DATE) as "v"`, snowflake: `select DATE_TRUNC('YEAR', "D") as "V"` }],
  ["mean", col("x").mean(), { duckdb: `select avg("x") as "v"`, snowflake: `select AVG("X") as "V"` }],
  ["sum of integers stays BIGINT", col("n").sum(), { duckdb: `select COALESCE(CAST(sum("n") AS BIGINT), 0) as "v"`, snowflake: `select COALESCE(SUM("N"), 0) as "V"` }],
  ["sum of doubles, 0 when all are null (as Polars)", col("x").sum(), { duckdb: `select COALESCE(sum("x"), 0) as "v"`, snowflake: `select COALESCE(SUM("X"), 0) as "V"` }],
  ["min, max", col("d").min().lt(col("d").max()), { duckdb: `select min("d") < max("d") as "v"`, snowflake: `select MIN("D") < MAX("D") as "V"` }],
  ["count of non-nulls, rows", col("x").count().div(len()), { duckdb: `select count("x") / count(*) as "v"`, snowflake: `select CAST(COUNT("X") AS FLOAT) / COUNT(*) as "V"` }],
  ["sample standard deviation", col("x").std(), { duckdb: `select stddev_samp("x") as "v"`, snowflake: `select STDDEV_SAMP("X") as "V"` }],
  [
    "conditional aggregate",
    when(col("s").eq("a")).then(col("x")).otherwise(0).sum(),
    {
      duckdb: `select COALESCE(sum(CASE WHEN "s" = 'a' THEN "x" ELSE 0 END), 0) as "v"`,
      snowflake: `select COALESCE(SUM(CASE WHEN "S" = 'a' THEN "X" ELSE 0 END), 0) as "V"`,
    },
  ],
  // Snowflake folds unquoted names to upper case: plain lower-case names are quoted upper-cased so that tables created
  // unquoted resolve; any other spelling is kept exactly (and reserved words work because every name is quoted).
  [
    "mixed-case, reserved and odd names",
    col("Amount").add(col("select")).add(col("customer id")).add(col("ID")),
    { duckdb: `select (("Amount" + "select") + "customer id") + "ID" as "v"`, snowflake: `select (("Amount" + "SELECT") + "customer id") + "ID" as "V"` },
  ],
  ["string literal with a backslash-n and a newline", lit("a\\nb\n"), { duckdb: `select 'a\\nb\n' as "v"`, snowflake: `select 'a\\\\nb\n' as "V"` }],
  ["mean of integers is a double", col("n").mean(), { duckdb: `select avg("n") as "v"`, snowflake: `select AVG(CAST("N" AS FLOAT)) as "V"` }],
  ["sample standard deviation of integers", col("id").std(), { duckdb: `select stddev_samp("id") as "v"`, snowflake: `select STDDEV_SAMP(CAST("ID" AS FLOAT)) as "V"` }],
  ["division by a double needs no cast", col("n").div(col("x")), { duckdb: `select "n" / "x" as "v"`, snowflake: `select "N" / "X" as "V"` }],
  [
    "truncate a date to the ISO week, labelled by its end",
    col("d").dt.truncate("1w", { label: "right" }),
    {
      duckdb: `select CAST(date_trunc('week', "d") + INTERVAL 1 WEEK AS DATE) as "v"`,
      snowflake: `select DATEADD(WEEK, 1, DATEADD(DAY, 1 - DAYOFWEEKISO("D"), DATE_TRUNC('DAY', "D"))) as "V"`,
    },
  ],
  [
    "timestamp literal with milliseconds",
    lit("2025-03-01T00:00:00.250Z", "timestamp"),
    { duckdb: `select TIMESTAMP '2025-03-01 00:00:00.250' as "v"`, snowflake: `select TO_TIMESTAMP_NTZ('2025-03-01 00:00:00.250', 'YYYY-MM-DD HH24:MI:SS.FF3') as "V"` },
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
