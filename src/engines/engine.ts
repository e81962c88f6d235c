import type { Statement } from "../compile/statements.ts";
import type { TableRef } from "../ir/definitions.ts";
import type { SqlDialect } from "../dialects/sql-dialect.ts";
import type { DType } from "../ir/dtype.ts";

/**
 * A warehouse column as the IR sees it: `dtype` is the IR type the warehouse type reads as, or a family the IR
 * does not have (`decimal` reads as a number; `timestamptz` carries a zone the IR's UTC timestamps would lose).
 */
export interface WarehouseColumn {
  readonly name: string;
  /** The warehouse's own spelling, for messages: `TIMESTAMP WITH TIME ZONE`. */
  readonly type: string;
  readonly dtype: DType | "decimal" | "timestamptz" | "other";
}

/**
 * What a statement belongs to. Engines that can attach it to the statement (Snowflake: QUERY_TAG) do, so a platform
 * engineer finds a run's statements in the warehouse's query history.
 */
export interface StatementLabel {
  readonly set: string;
  readonly window: string;
}

/**
 * A connection to a warehouse. Every statement of a run goes through `run`; the backfill decides which run inside a
 * transaction. Feature rows never come back through here: `run` returns counts only.
 */
export interface Engine {
  readonly dialect: SqlDialect;
  /** For messages: `duckdb (warehouse.duckdb)`. */
  readonly description: string;
  /** Whether several connections can write at once (not DuckDB: one writer per file). */
  readonly concurrentWriters: boolean;
  /**
   * Executes one statement; returns the rows it changed (0 for DDL) and, where the warehouse has one, the id under
   * which its query history shows the statement. Failures are RunErrors.
   */
  run(statement: Statement, label?: StatementLabel): Promise<{ rowsChanged: number; queryId?: string }>;
  /** Reads a few rows of metadata (the run ledger): never feature rows. Column names come in lower case. */
  query(statement: Statement, label?: StatementLabel): Promise<Record<string, unknown>[]>;
  /** Runs `work` between the dialect's BEGIN and COMMIT; ROLLBACK and rethrow if it throws. */
  transaction<T>(work: () => Promise<T>, label?: StatementLabel): Promise<T>;
  /**
   * The columns of each table, in order, or undefined where a table does not exist; one catalog query for all.
   * Names match as the warehouse resolves them (DuckDB: ignoring case).
   */
  describeTables(tables: readonly TableRef[], label?: StatementLabel): Promise<(WarehouseColumn[] | undefined)[]>;
  /** Cancels the running statement in the warehouse (not merely abandons it); the connection stays usable. */
  interrupt(): Promise<void>;
  /**
   * After a transient error: opens a new connection (a new session: temporary tables are gone) if the one in use
   * was lost, and says whether it did; a no-op otherwise. Fails as opening does (ConnectionError).
   */
  reconnect(): Promise<boolean>;
  close(): Promise<void>;
}

/** How long the network waits of an engine may take (`timeouts` in features.config.json). */
export interface EngineTimeouts {
  /** Connect and log in. */
  readonly connectMs: number;
  /** One statement, enforced by the warehouse where it can; none when undefined. */
  readonly statementMs?: number;
}

export const DEFAULT_TIMEOUTS: EngineTimeouts = { connectMs: 10_000 };
