import { DuckDBConnection, DuckDBInstance } from "@duckdb/node-api";
import type { Statement, TableRef } from "../../compile/statements.ts";
import { duckdbDialect } from "../../dialects/duckdb/duckdb-dialect.ts";
import { RunError } from "../../errors.ts";
import type { Engine, WarehouseColumn } from "../engine.ts";

export interface DuckDBSettings {
  /** A database file (created if missing) or ":memory:". */
  readonly path: string;
  /** Worker threads; DuckDB's default is one per core. */
  readonly threads?: number;
  /** e.g. "4GB"; DuckDB's default is 80% of RAM. */
  readonly memoryLimit?: string;
}

/** Embedded DuckDB through @duckdb/node-api: one connection, so one transaction at a time (DuckDB has one writer). */
export async function openDuckDB(settings: DuckDBSettings): Promise<Engine> {
  const options: Record<string, string> = {};
  if (settings.threads !== undefined) options.threads = String(settings.threads);
  if (settings.memoryLimit !== undefined) options.memory_limit = settings.memoryLimit;
  let instance: DuckDBInstance;
  try {
    instance = await DuckDBInstance.create(settings.path, options);
  } catch (error) {
    throw new RunError(`cannot open DuckDB database ${settings.path}: ${messageOf(error)}`, undefined, { cause: error });
  }
  const connection = await instance.connect();
  return new DuckDBEngine(instance, connection, settings.path);
}

class DuckDBEngine implements Engine {
  readonly dialect = duckdbDialect;
  readonly description: string;

  constructor(
    private readonly instance: DuckDBInstance,
    private readonly connection: DuckDBConnection,
    path: string,
  ) {
    this.description = `duckdb (${path})`;
  }

  async run(statement: Statement): Promise<{ rowsChanged: number }> {
    try {
      const result = await this.connection.run(statement.sql, statement.parameters as never);
      return { rowsChanged: result.rowsChanged };
    } catch (error) {
      throw new RunError(messageOf(error), statement.sql, { cause: error });
    }
  }

  async transaction<T>(work: () => Promise<T>): Promise<T> {
    await this.connection.run("BEGIN TRANSACTION");
    try {
      const result = await work();
      await this.connection.run("COMMIT");
      return result;
    } catch (error) {
      // A failed statement leaves DuckDB's transaction aborted; ROLLBACK ends it and keeps the connection usable.
      await this.connection.run("ROLLBACK").catch(() => undefined);
      throw error;
    }
  }

  async tableColumns(table: TableRef): Promise<WarehouseColumn[] | undefined> {
    const reader = await this.connection.runAndReadAll(
      `SELECT column_name, upper(data_type) AS data_type FROM information_schema.columns
       WHERE table_schema = coalesce($1, current_schema()) AND table_name = $2 ORDER BY ordinal_position`,
      [table.schema ?? null, table.name],
    );
    const rows = reader.getRows();
    return rows.length ? rows.map(([name, type]) => ({ name: String(name), type: String(type) })) : undefined;
  }

  interrupt(): void {
    this.connection.interrupt();
  }

  async close(): Promise<void> {
    this.connection.closeSync();
    this.instance.closeSync();
  }
}

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));
