import { sql } from "kysely";
import { describe, expect, it } from "vitest";
import { builder, compileNode } from "../../src/compile/kysely-builder.ts";
import { snowflakeDialect } from "../../src/dialects/snowflake/snowflake-dialect.ts";
import { snowflakeName } from "../../src/dialects/snowflake/snowflake-query-compiler.ts";
import { catalogQuery, readColumnType } from "../../src/engines/snowflake/snowflake-catalog.ts";
import { queryTag } from "../../src/engines/snowflake/snowflake-engine.ts";

describe("Snowflake names, binds and catalog types", () => {
  it("folds exactly the names Snowflake would fold when unquoted", () => {
    expect(["customer_id", "_x$1", "Customer_Id", "CUSTOMER_ID", "1st", "a b", "$x", "naïve"].map(snowflakeName)).toEqual([
      "CUSTOMER_ID", "_X$1", "Customer_Id", "CUSTOMER_ID", "1st", "a b", "$x", "naïve",
    ]);
  });

  it("binds values with ? placeholders, in order, and escapes both quotes and backslashes in literals", () => {
    const query = builder
      .selectFrom(sql.id("raw", "events") as never)
      .select(sql`${sql.lit("c:\\tmp's")}`.as("path") as never)
      .where(sql`${sql.id("day")} >= ${"2025-01-01"} AND ${sql.id("n")} < ${3}` as never)
      .toOperationNode();
    const compiled = compileNode(query, snowflakeDialect);
    expect(compiled.sql).toBe(`select 'c:\\\\tmp''s' as "PATH" from "RAW"."EVENTS" where "DAY" >= ? AND "N" < ?`);
    expect(compiled.parameters).toEqual(["2025-01-01", 3]);
  });

  it("looks tables up by the names the statements resolve to", () => {
    const { sql: text, binds } = catalogQuery([{ schema: "raw", name: "card_transactions" }, { name: "Odd Table" }, { name: "it's a \\" }]);
    // Literals rendered by the dialect (quotes doubled, backslashes escaped), not binds inside FROM VALUES.
    expect(text).toContain(`FROM VALUES (0, 'RAW', 'CARD_TRANSACTIONS'), (1, NULL, 'Odd Table'), (2, NULL, 'it''s a \\\\')) AS w`);
    expect(text).not.toContain("?");
    expect(binds).toEqual([]);
  });

  it("reads catalog types as IR families", () => {
    expect([
      readColumnType("NUMBER", 38, 0),
      readColumnType("NUMBER", 10, 2),
      readColumnType("FLOAT", null, null),
      readColumnType("TEXT", null, null),
      readColumnType("TIMESTAMP_NTZ", null, null),
      readColumnType("TIMESTAMP_LTZ", null, null),
      readColumnType("VARIANT", null, null),
    ]).toEqual([
      { type: "NUMBER(38,0)", dtype: "bigint" },
      { type: "NUMBER(10,2)", dtype: "decimal" },
      { type: "FLOAT", dtype: "double" },
      { type: "VARCHAR", dtype: "varchar" },
      { type: "TIMESTAMP_NTZ", dtype: "timestamp" },
      { type: "TIMESTAMP_LTZ", dtype: "timestamptz" },
      { type: "VARIANT", dtype: "other" },
    ]);
  });

  it("QUERY_TAG stays within Snowflake's 2000 characters for any set name", () => {
    expect(JSON.parse(queryTag({ set: "s", window: "[2025-01-01, 2025-02-01)" }))).toMatchObject({ tool: "feature-backfill", set: "s", window: "[2025-01-01, 2025-02-01)" });
    const long = queryTag({ set: "x".repeat(5000), window: "[2025-01-01, 2025-02-01)" });
    expect(long.length).toBeLessThanOrEqual(2000);
    expect(JSON.parse(long).set).toBe(`${"x".repeat(200)}…`);
  });
});
