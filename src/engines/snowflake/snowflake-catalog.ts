import type { TableRef } from "../../ir/definitions.ts";
import { createQueryId, sql } from "kysely";
import { snowflakeDialect } from "../../dialects/snowflake/snowflake-dialect.ts";
import { snowflakeName } from "../../dialects/snowflake/snowflake-query-compiler.ts";
import type { WarehouseColumn } from "../engine.ts";

/**
 * One catalog query for every table a run touches, with the names as Snowflake stores them — the same resolution the
 * dialect's compiler applies, so a table matches here exactly when the statements will find it. The names are string
 * literals rendered by the dialect's compiler (quotes and backslashes escaped), not binds: `FROM VALUES` is
 * documented with literals (https://docs.snowflake.com/en/sql-reference/constructs/values), binds inside it are not.
 * INFORMATION_SCHEMA.COLUMNS covers the session's database (https://docs.snowflake.com/en/sql-reference/info-schema/columns).
 */
export function catalogQuery(tables: readonly TableRef[]): { sql: string; binds: (string | number | null)[] } {
  const rows = tables.map(
    (t, i) => sql`(${sql.lit(i)}, ${t.schema === undefined ? sql`NULL` : sql.lit(snowflakeName(t.schema))}, ${sql.lit(snowflakeName(t.name))})`,
  );
  const query = sql`SELECT w.i, c.column_name, c.data_type, c.numeric_precision, c.numeric_scale FROM (SELECT column1 AS i, column2 AS s, column3 AS t FROM VALUES ${sql.join(rows)}) AS w JOIN information_schema.columns AS c ON c.table_schema = COALESCE(w.s, CURRENT_SCHEMA()) AND c.table_name = w.t ORDER BY w.i, c.ordinal_position`;
  const compiled = snowflakeDialect.createQueryCompiler().compileQuery(query.toOperationNode() as never, createQueryId());
  return { sql: compiled.sql, binds: [] };
}

/**
 * A catalog type as the IR reads it (https://docs.snowflake.com/en/sql-reference/intro-summary-data-types):
 * NUMBER(p,0) is integral (INTEGER and BIGINT are NUMBER(38,0)); NUMBER(p,s>0) a decimal; FLOAT a double; TEXT
 * (VARCHAR) a varchar; TIMESTAMP_NTZ the IR's zone-less timestamp; TIMESTAMP_TZ and _LTZ carry a zone.
 */
export function readColumnType(dataType: string, precision: number | null, scale: number | null): Pick<WarehouseColumn, "type" | "dtype"> {
  switch (dataType) {
    case "NUMBER":
      return { type: `NUMBER(${precision ?? 38},${scale ?? 0})`, dtype: (scale ?? 0) === 0 ? "bigint" : "decimal" };
    case "FLOAT":
      return { type: "FLOAT", dtype: "double" };
    case "TEXT":
      return { type: "VARCHAR", dtype: "varchar" };
    case "BOOLEAN":
      return { type: "BOOLEAN", dtype: "boolean" };
    case "DATE":
      return { type: "DATE", dtype: "date" };
    case "TIMESTAMP_NTZ":
      return { type: "TIMESTAMP_NTZ", dtype: "timestamp" };
    case "TIMESTAMP_TZ":
    case "TIMESTAMP_LTZ":
      return { type: dataType, dtype: "timestamptz" };
    default:
      return { type: dataType, dtype: "other" };
  }
}
