import type { Statement, TableRef } from "../compile/statements.ts";
import type { SqlDialect } from "../dialects/sql-dialect.ts";

export interface WarehouseColumn {
  readonly name: string;
  /** The warehouse's own type name, upper case (`BIGINT`, `DOUBLE`, …). */
  readonly type: string;
}

/**
 * A connection to a warehouse. Every statement of a run goes through `run`; the backfill decides which run inside a
 * transaction. Feature rows never come back through here: `run` returns counts only.
 */
export interface Engine {
  readonly dialect: SqlDialect;
  /** For messages: `duckdb (warehouse.duckdb)`. */
  readonly description: string;
  /** Executes one statement; returns the rows it changed (0 for DDL). */
  run(statement: Statement): Promise<{ rowsChanged: number }>;
  /** Runs `work` between BEGIN and COMMIT; ROLLBACK and rethrow if it throws. */
  transaction<T>(work: () => Promise<T>): Promise<T>;
  /** The table's columns in order, or undefined when it does not exist. `schema` undefined: the default schema. */
  tableColumns(table: TableRef): Promise<WarehouseColumn[] | undefined>;
  /** Cancels the running statement in the warehouse (not merely abandons it); the connection stays usable. */
  interrupt(): void;
  close(): Promise<void>;
}
