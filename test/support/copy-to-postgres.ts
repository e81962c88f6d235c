import path from "node:path";
import { createSchemaStatement, createTableStatement, formatTable } from "../../src/compile/statements.ts";
import { postgresDialect } from "../../src/dialects/postgres/postgres-dialect.ts";
import { openDuckDB } from "../../src/engines/duckdb/duckdb-engine.ts";
import type { TableRef } from "../../src/ir/definitions.ts";
import { isDType } from "../../src/ir/dtype.ts";
import type { TestDatabase } from "./postgres.ts";
import type { TestWarehouse } from "./warehouse.ts";

/**
 * Copies tables of a DuckDB test warehouse into PostgreSQL, so both engines compute over the same rows: the tables
 * are created from DuckDB's catalog with the PostgreSQL dialect's DDL (the same code the backfill uses), DuckDB writes
 * each as CSV, and PostgreSQL reads it with COPY FROM STDIN. Returns the rows copied per table.
 */
export async function copyToPostgres(warehouse: TestWarehouse, db: TestDatabase, tables: readonly TableRef[]): Promise<number[]> {
  const duck = await openDuckDB({ path: warehouse.dbPath });
  const described = await duck.describeTables(tables).finally(() => duck.close());
  const counts: number[] = [];
  for (const [i, table] of tables.entries()) {
    const columns = described[i];
    if (!columns) throw new Error(`${formatTable(table)} is not in the DuckDB warehouse`);
    const schema = columns.map((c) => {
      if (!isDType(c.dtype)) throw new Error(`${formatTable(table)}.${c.name} is ${c.type}, which the IR has no type for`);
      return { name: c.name, type: c.dtype };
    });
    for (const statement of [...(table.schema ? [createSchemaStatement(table.schema, postgresDialect)] : []), createTableStatement(table, schema, postgresDialect)]) {
      await db.query(statement.sql);
    }
    const file = path.join(warehouse.dir, `${formatTable(table)}.csv`);
    // Test-owned names and a temporary path: nothing user-supplied reaches this text.
    await warehouse.exec(`COPY ${formatTable(table)} TO '${file}' (HEADER)`);
    counts.push(await db.copyCsv([table.schema, table.name].filter(Boolean).map((n) => `"${n}"`).join("."), file));
  }
  return counts;
}
