import { type OperationNode, type RootOperationNode, sql } from "kysely";
import { builder } from "../compile/kysely-builder.ts";
import { createTableStatement, ddlPrelude, render, type Statement, tableId } from "../compile/statements.ts";
import type { SqlDialect } from "../dialects/sql-dialect.ts";
import type { TableRef } from "../ir/definitions.ts";
import { formatTimestamp } from "../ir/time.ts";
import type { Schema } from "../passes/schema.ts";
import { VERSION } from "../version.ts";
import type { TimeWindow } from "./window.ts";

/**
 * The run ledger and leases: two small tables in the offline store's schema, written with bound parameters.
 * - The ledger has a row per run, set and chunk: what was asked (window, definition hash), how it went (status,
 *   rows, timings, attempts, error). A success's row commits in the same transaction as the chunk's rows, so the
 *   ledger never claims rows that are not there; `--resume` skips chunks it marks succeeded with the same hash.
 * - A lease row per running set and window keeps two runs from writing overlapping windows of one set at once;
 *   a killed run's lease expires.
 * - The table registry (`feature_backfill_tables`) has a row per offline table the tool created (or was told to
 *   adopt), with the id it was given then: the tool writes only tables listed there (table-ownership.ts), and a
 *   ledger row counts for `--resume` only while its table id is the registered one.
 */
export const LEDGER_COLUMNS: Schema = [
  { name: "run_id", type: "varchar" },
  { name: "feature_set", type: "varchar" },
  { name: "chunk_start", type: "timestamp" },
  { name: "chunk_end", type: "timestamp" },
  { name: "definition_hash", type: "varchar" },
  { name: "status", type: "varchar" },
  { name: "rows_deleted", type: "bigint" },
  { name: "rows_written", type: "bigint" },
  { name: "attempts", type: "integer" },
  { name: "started_at", type: "timestamp" },
  { name: "finished_at", type: "timestamp" },
  { name: "query_ids", type: "varchar" },
  { name: "error", type: "varchar" },
  { name: "run_window", type: "varchar" },
  // Where the chunk was written (added in place to ledgers of earlier versions, whose rows then never count as done).
  { name: "engine", type: "varchar" },
  { name: "target_schema", type: "varchar" },
  { name: "target_table", type: "varchar" },
  { name: "table_id", type: "varchar" },
];

/** Columns a leases table must have to be taken for one of some version (`taken_at` is added in place). */
export const LEASE_CORE = ["feature_set", "run_id", "window_start", "window_end", "expires_at", "holder"];

/** Columns a table must have to be taken for a ledger of some version (the rest are added in place). */
export const LEDGER_CORE = ["run_id", "feature_set", "chunk_start", "chunk_end", "definition_hash", "status"];

export const REGISTRY_COLUMNS: Schema = [
  { name: "table_schema", type: "varchar" },
  { name: "table_name", type: "varchar" },
  { name: "feature_set", type: "varchar" },
  /** A UUID given when the table was created or adopted: a recreated table gets another. */
  { name: "table_id", type: "varchar" },
  { name: "created_at", type: "timestamp" },
  { name: "tool_version", type: "varchar" },
];

/** Where a chunk is written: the ledger records it, and `--resume` compares it. */
export interface ChunkTarget {
  readonly engine: string;
  readonly table: TableRef;
  readonly tableId: string;
}

/** The registry of the tables the tool owns, beside the ledger in the offline store's schema. */
/** The names of the run ledger's tables, in the offline store's schema: one place for every reader and writer. */
export const LEDGER_TABLE = "feature_backfill_ledger";
export const LEASES_TABLE = "feature_backfill_leases";
export const registryTable = (schema: string | undefined): TableRef => ({ schema, name: "feature_backfill_tables" });

/**
 * The mark a table the tool owns carries in its comment: a table dropped and created again outside the tool (same
 * name, maybe the same columns, none of the rows) lacks it, so its registry row no longer vouches for it.
 */
export const tableMark = (tableId: string): string => `feature-backfill table ${tableId}`;

/**
 * The registry's row for `table`, replacing any earlier one (a table dropped and created again gets a new id), and the
 * table's mark. Run in the transaction that creates the table where DDL is transactional, right after the CREATE
 * elsewhere.
 */
/** A timestamp value as the ledger writes them: the dialect's zone-less type by name (Snowflake's bare TIMESTAMP follows a setting). */
const timestampValue = (t: Date, dialect: SqlDialect) => sql`CAST(${formatTimestamp(t)} AS ${sql.raw(dialect.types.timestamp)})`;

export function registerTable(dialect: SqlDialect, entry: { table: TableRef; set: string; tableId: string; at: Date }): Statement[] {
  const registry = registryTable(entry.table.schema);
  const { table } = entry;
  const schema = table.schema ?? null;
  const values = [sql`${schema}`, sql`${table.name}`, sql`${entry.set}`, sql`${entry.tableId}`, timestampValue(entry.at, dialect), sql`${VERSION}`];
  const statement = (query: { toOperationNode(): OperationNode }) => render(query.toOperationNode() as RootOperationNode, dialect);
  return [
    // IS NOT DISTINCT FROM: an unqualified table's rows (a null schema) are replaced too, not piled up.
    statement(sql`DELETE FROM ${tableId(registry)} WHERE ${sql.id("table_schema")} IS NOT DISTINCT FROM ${schema} AND ${sql.id("table_name")} = ${table.name}`),
    statement(sql`INSERT INTO ${tableId(registry)} (${sql.join(REGISTRY_COLUMNS.map((c) => sql.id(c.name)))}) VALUES (${sql.join(values)})`),
    // A literal: COMMENT takes no bind parameter. The text is the tool's own (a UUID), never user input.
    statement(sql`COMMENT ON TABLE ${tableId(table)} IS ${sql.lit(tableMark(entry.tableId))}`),
  ];
}

export const LEASE_COLUMNS: Schema = [
  { name: "feature_set", type: "varchar" },
  { name: "run_id", type: "varchar" },
  { name: "window_start", type: "timestamp" },
  { name: "window_end", type: "timestamp" },
  { name: "expires_at", type: "timestamp" },
  /** host:pid of the process holding it: on the same host, a lease whose process is gone is stale at once. */
  { name: "holder", type: "varchar" },
  /** When the run took it (named in the busy message); added to leases tables of earlier versions. */
  { name: "taken_at", type: "timestamp" },
];

export type ChunkStatus = "succeeded" | "failed" | "interrupted";


export class LedgerStatements {
  readonly ledger: TableRef;
  readonly leases: TableRef;
  readonly tables: TableRef;

  constructor(
    private readonly dialect: SqlDialect,
    schema: string | undefined,
    private readonly runId: string,
  ) {
    this.ledger = { schema, name: LEDGER_TABLE };
    this.leases = { schema, name: LEASES_TABLE };
    this.tables = registryTable(schema);
  }

  /**
   * What makes the ledger's three tables ready, given their columns as the catalog found them (undefined: missing):
   * nothing where they are complete; else the creation of those missing and the columns that tables of an earlier
   * version lack — for one transaction where DDL can be in one (it then holds the DDL lock).
   */
  setup(described: readonly (readonly { name: string }[] | undefined)[]): Statement[] {
    const shapes = [[this.ledger, LEDGER_COLUMNS], [this.leases, LEASE_COLUMNS], [this.tables, REGISTRY_COLUMNS]] as const;
    const statements = shapes.flatMap(([table, columns], i) => {
      const found = described[i];
      if (!found) return [createTableStatement(table, columns, this.dialect)];
      const lacks = columns.filter((c) => !found.some((f) => f.name.toLowerCase() === c.name.toLowerCase()));
      return lacks.map((c) => this.#render(sql`ALTER TABLE ${tableId(table)} ADD COLUMN IF NOT EXISTS ${sql.id(c.name)} ${sql.raw(this.dialect.types[c.type])}`));
    });
    return statements.length ? [...ddlPrelude(this.ledger.schema, this.dialect), ...statements] : [];
  }

  /** Every registered table (a handful of rows). */
  registered(): Statement {
    return this.#render(builder.selectFrom(tableId(this.tables) as never).select(REGISTRY_COLUMNS.map((c) => sql.id(c.name).as(c.name)) as never));
  }

  /**
   * The chunk's row, written once: for a success inside the chunk's transaction (it commits with the rows), for a
   * failure after the rollback. A chunk killed mid-way leaves no row — and no rows of its own.
   */
  record(
    chunk: { set: string; window: TimeWindow; definitionHash: string; runWindow: string; startedAt: Date; target: ChunkTarget },
    outcome: { status: ChunkStatus; rowsDeleted: number; rowsWritten: number; attempts: number; queryIds: string[]; error?: string },
    finishedAt: Date,
  ): Statement {
    const values = [
      sql`${this.runId}`, sql`${chunk.set}`, this.#ts(chunk.window.start), this.#ts(chunk.window.end), sql`${chunk.definitionHash}`,
      sql`${outcome.status}`, sql`${outcome.rowsDeleted}`, sql`${outcome.rowsWritten}`, sql`${outcome.attempts}`,
      this.#ts(chunk.startedAt), this.#ts(finishedAt), sql`${outcome.queryIds.join(",") || null}`, sql`${outcome.error ?? null}`, sql`${chunk.runWindow}`,
      sql`${chunk.target.engine}`, sql`${chunk.target.table.schema ?? null}`, sql`${chunk.target.table.name}`, sql`${chunk.target.tableId}`,
    ];
    return this.#render(sql`INSERT INTO ${tableId(this.ledger)} (${sql.join(LEDGER_COLUMNS.map((c) => sql.id(c.name)))}) VALUES (${sql.join(values)})`);
  }

  /** Chunks of these sets that some run completed, with the definition hash they were written with and where. */
  completed(sets: readonly string[]): Statement {
    const columns = ["run_id", "feature_set", "chunk_start", "chunk_end", "definition_hash", "finished_at", "engine", "target_schema", "target_table", "table_id"];
    return this.#render(
      builder
        .selectFrom(tableId(this.ledger) as never)
        .select(columns.map((c) => sql.id(c).as(c)) as never)
        .where(sql`${sql.id("status")} = ${"succeeded"} AND ${sql.id("feature_set")} IN (${sql.join(sets.map((s) => sql`${s}`))})` as never)
    );
  }

  /** Undefined where the dialect needs no lock. */
  lockLeases(): Statement | undefined {
    return this.dialect.lockTable && this.#render(this.dialect.lockTable(tableId(this.leases)));
  }

  expireLeases(now: Date): Statement {
    return this.#render(sql`DELETE FROM ${tableId(this.leases)} WHERE ${sql.id("expires_at")} < ${this.#ts(now)}`);
  }

  /** Live leases of `set` overlapping `window`, held by other runs. */
  overlappingLeases(set: string, window: TimeWindow): Statement {
    return this.#render(
      builder
        .selectFrom(tableId(this.leases) as never)
        .select(["run_id", "window_start", "window_end", "expires_at", "holder", "taken_at"].map((c) => sql.id(c).as(c)) as never)
        .where(
          sql`${sql.id("feature_set")} = ${set} AND ${sql.id("window_start")} < ${this.#ts(window.end)} AND ${sql.id("window_end")} > ${this.#ts(window.start)}` as never,
        ),
    );
  }

  takeLease(set: string, window: TimeWindow, takenAt: Date, expiresAt: Date, holder: string): Statement {
    return this.#render(
      sql`INSERT INTO ${tableId(this.leases)} (${sql.join(LEASE_COLUMNS.map((c) => sql.id(c.name)))}) VALUES (${set}, ${this.runId}, ${this.#ts(window.start)}, ${this.#ts(window.end)}, ${this.#ts(expiresAt)}, ${holder}, ${this.#ts(takenAt)})`,
    );
  }

  dropLeasesOf(runId: string): Statement {
    return this.#render(sql`DELETE FROM ${tableId(this.leases)} WHERE ${sql.id("run_id")} = ${runId}`);
  }

  renewLeases(expiresAt: Date): Statement {
    return this.#render(sql`UPDATE ${tableId(this.leases)} SET ${sql.id("expires_at")} = ${this.#ts(expiresAt)} WHERE ${sql.id("run_id")} = ${this.runId}`);
  }

  releaseLeases(): Statement {
    return this.dropLeasesOf(this.runId);
  }

  /** The dialect's zone-less timestamp by name: Snowflake's bare TIMESTAMP follows TIMESTAMP_TYPE_MAPPING. */
  #ts(t: Date) {
    return timestampValue(t, this.dialect);
  }

  #render(query: { toOperationNode(): OperationNode }): Statement {
    return render(query.toOperationNode() as RootOperationNode, this.dialect);
  }
}

