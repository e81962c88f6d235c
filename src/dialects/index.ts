import type { DialectName, SqlDialect } from "./sql-dialect.ts";
import { duckdbDialect } from "./duckdb/duckdb-dialect.ts";
import { postgresDialect } from "./postgres/postgres-dialect.ts";
import { snowflakeDialect } from "./snowflake/snowflake-dialect.ts";

export const DIALECTS: Readonly<Record<DialectName, SqlDialect>> = { duckdb: duckdbDialect, postgres: postgresDialect, snowflake: snowflakeDialect };
export type { DialectName, SqlDialect } from "./sql-dialect.ts";
