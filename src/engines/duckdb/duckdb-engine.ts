import { type DuckDBConnection, DuckDBInstance } from "@duckdb/node-api";
import type { Statement } from "../../compile/statements.ts";
import type { TableRef } from "../../ir/definitions.ts";
import { duckdbDialect } from "../../dialects/duckdb/duckdb-dialect.ts";
import { BusyError, RunError, messageOf } from "../../errors.ts";
import type { Engine, WarehouseColumn } from "../engine.ts";
import { inTransaction } from "../transaction.ts";

export interface DuckDBSettings {
  /** A database file (created if missing) or ":memory:". */
  readonly path: string;
  /** Worker threads; DuckDB's default is one per core. */
  readonly threads?: number;
  /** e.g. "4GB"; DuckDB's default is 80% of RAM. */
  readonly memoryLimit?: string;
  /** For checks (`validate --against-warehouse`): a missing file is an error rather than created, and nothing can be written. */
  readonly readOnly?: boolean;
}

/** Embedded DuckDB through @duckdb/node-api: one connection, so one transaction at a time (DuckDB has one writer). */
export async function openDuckDB(settings: DuckDBSettings): Promise<Engine> {
  const options: Record<string, string> = {};
  if (settings.threads !== undefined) options.threads = String(settings.threads);
  if (settings.memoryLimit !== undefined) options.memory_limit = settings.memoryLimit;
  // DuckDB refuses a read-only in-memory database; there is nothing to protect in one anyway.
  if (settings.readOnly && settings.path !== ":memory:") options.access_mode = "READ_ONLY";
  try {
    const instance = await DuckDBInstance.create(settings.path, options);
    const connection = await instance.connect();
    // Every timestamp is UTC (DESIGN.md §2): the session zone must not come from the machine running the backfill.
    // (A TimeZone option at creation fails: the built-in ICU extension is not loaded yet then.)
    await connection.run("SET TimeZone = 'UTC'");
    return new DuckDBEngine(instance, connection, settings.path);
  } catch (error) {
    // DuckDB has one writer: a second process cannot open the file while a backfill holds it.
    if (/Conflicting lock/i.test(messageOf(error))) {
      throw new BusyError(`the DuckDB database ${settings.path} is in use by another process (${messageOf(error).match(/PID \d+/)?.[0] ?? "another run"}); runs of one warehouse file take turns`);
    }
    throw new RunError(`cannot open DuckDB database ${settings.path}: ${messageOf(error)}`, undefined, { cause: error });
  }
}

// DuckDB's type names (duckdb_columns().data_type) as the IR reads them.
const TYPES: Record<string, WarehouseColumn["dtype"]> = {
  BOOLEAN: "boolean",
  TINYINT: "integer",
  SMALLINT: "integer",
  INTEGER: "integer",
  BIGINT: "bigint",
  HUGEINT: "bigint",
  FLOAT: "double",
  DOUBLE: "double",
  VARCHAR: "varchar",
  DATE: "date",
  TIMESTAMP: "timestamp",
  "TIMESTAMP WITH TIME ZONE": "timestamptz",
};

class DuckDBEngine implements Engine {
  readonly dialect = duckdbDialect;
  readonly concurrentWriters = false;
  readonly description: string;

  constructor(
    private readonly instance: DuckDBInstance,
    private readonly connection: DuckDBConnection,
    path: string,
  ) {
    this.description = `duckdb (${path})`;
  }

  async run(statement: Statement): Promise<{ rowsChanged: number; queryId?: string }> {
    const result = await this.exec(statement.sql, statement.parameters);
    return { rowsChanged: result.rowsChanged };
  }

  async query(statement: Statement): Promise<Record<string, unknown>[]> {
    try {
      const reader = await this.connection.runAndReadAll(statement.sql, statement.parameters as never);
      return reader.getRowObjectsJS() as Record<string, unknown>[];
    } catch (error) {
      throw new RunError(firstLine(error), statement.sql, { cause: error });
    }
  }

  transaction<T>(work: () => Promise<T>): Promise<T> {
    return inTransaction((text) => this.exec(text), this.dialect.transaction, work);
  }

  async describeTables(tables: readonly TableRef[]): Promise<(WarehouseColumn[] | undefined)[]> {
    if (tables.length === 0) return [];
    const wanted = tables.map((_, i) => `($${3 * i + 1}::INTEGER, $${3 * i + 2}::VARCHAR, $${3 * i + 3}::VARCHAR)`).join(", ");
    const reader = await this.connection.runAndReadAll(
      `SELECT w.i, c.column_name, c.data_type
       FROM (VALUES ${wanted}) AS w(i, s, t)
       JOIN duckdb_columns() AS c
         ON c.database_name = current_database()
        AND lower(c.schema_name) = lower(coalesce(w.s, current_schema())) AND lower(c.table_name) = lower(w.t)
       ORDER BY w.i, c.column_index`,
      tables.flatMap((t, i) => [i, t.schema ?? null, t.name]),
    ).catch((error: unknown) => {
      throw new RunError(`cannot read the catalog: ${messageOf(error)}`, undefined, { cause: error });
    });
    const result: (WarehouseColumn[] | undefined)[] = tables.map(() => undefined);
    for (const [i, name, type] of reader.getRows()) {
      const columns = (result[Number(i)] ??= []);
      const spelled = String(type);
      columns.push({ name: String(name), type: spelled, dtype: TYPES[spelled] ?? (spelled.startsWith("DECIMAL") ? "decimal" : "other") });
    }
    return result;
  }

  async interrupt(): Promise<void> {
    this.connection.interrupt();
  }

  /** In-process: there is no connection to lose, and no DuckDB error is transient (a file lock fails the open). */
  async reconnect(): Promise<boolean> {
    return false;
  }

  async close(): Promise<void> {
    this.connection.closeSync();
    this.instance.closeSync();
  }

  /** Every statement goes through here, so every failure is a RunError carrying its SQL. */
  private async exec(text: string, parameters: readonly unknown[] = []) {
    try {
      return await this.connection.run(text, parameters as never);
    } catch (error) {
      throw new RunError(firstLine(error), text, { cause: error });
    }
  }
}

// DuckDB appends the statement's line and a caret: the message stays one line; --verbose shows the rest (the cause).
const firstLine = (error: unknown): string => messageOf(error).split("\n")[0]!;
