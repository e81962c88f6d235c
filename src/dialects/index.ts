import type { DialectName, SqlDialect } from "./sql-dialect.ts";
import { duckdbDialect } from "./duckdb/duckdb-dialect.ts";

export const DIALECTS: Readonly<Record<DialectName, SqlDialect>> = { duckdb: duckdbDialect };
export type { DialectName, SqlDialect } from "./sql-dialect.ts";
