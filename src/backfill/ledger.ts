import { type OperationNode, type RootOperationNode, sql } from "kysely";
import { builder } from "../compile/kysely-builder.ts";
import { createSchemaStatement, createTableStatement, render, type Statement, tableId } from "../compile/statements.ts";
import type { SqlDialect } from "../dialects/sql-dialect.ts";
import type { TableRef } from "../ir/definitions.ts";
import { formatTimestamp } from "../ir/time.ts";
import type { Schema } from "../passes/schema.ts";
import type { TimeWindow } from "./window.ts";

/**
 * The run ledger and leases: two small tables in the offline store's schema, written with bound parameters.
 * - The ledger has a row per run, set and chunk: what was asked (window, definition hash), how it went (status,
 *   rows, timings, attempts, error). A success's row commits in the same transaction as the chunk's rows, so the
 *   ledger never claims rows that are not there; `--resume` skips chunks it marks succeeded with the same hash.
 * - A lease row per running set and window keeps two runs from writing overlapping windows of one set at once;
 *   a killed run's lease expires.
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
];

export const LEASE_COLUMNS: Schema = [
  { name: "feature_set", type: "varchar" },
  { name: "run_id", type: "varchar" },
  { name: "window_start", type: "timestamp" },
  { name: "window_end", type: "timestamp" },
  { name: "expires_at", type: "timestamp" },
  /** host:pid of the process holding it: on the same host, a lease whose process is gone is stale at once. */
  { name: "holder", type: "varchar" },
];

export type ChunkStatus = "succeeded" | "failed" | "interrupted";


export class LedgerStatements {
  readonly ledger: TableRef;
  readonly leases: TableRef;

  constructor(
    private readonly dialect: SqlDialect,
    schema: string | undefined,
    private readonly runId: string,
  ) {
    this.ledger = { schema, name: "feature_backfill_ledger" };
    this.leases = { schema, name: "feature_backfill_leases" };
  }

  setup(): Statement[] {
    return [
      ...(this.ledger.schema ? [createSchemaStatement(this.ledger.schema, this.dialect)] : []),
      createTableStatement(this.ledger, LEDGER_COLUMNS, this.dialect),
      createTableStatement(this.leases, LEASE_COLUMNS, this.dialect),
    ];
  }

  /**
   * The chunk's row, written once: for a success inside the chunk's transaction (it commits with the rows), for a
   * failure after the rollback. A chunk killed mid-way leaves no row — and no rows of its own.
   */
  record(
    chunk: { set: string; window: TimeWindow; definitionHash: string; runWindow: string; startedAt: Date },
    outcome: { status: ChunkStatus; rowsDeleted: number; rowsWritten: number; attempts: number; queryIds: string[]; error?: string },
    finishedAt: Date,
  ): Statement {
    const values = [
      sql`${this.runId}`, sql`${chunk.set}`, this.#ts(chunk.window.start), this.#ts(chunk.window.end), sql`${chunk.definitionHash}`,
      sql`${outcome.status}`, sql`${outcome.rowsDeleted}`, sql`${outcome.rowsWritten}`, sql`${outcome.attempts}`,
      this.#ts(chunk.startedAt), this.#ts(finishedAt), sql`${outcome.queryIds.join(",") || null}`, sql`${outcome.error ?? null}`, sql`${chunk.runWindow}`,
    ];
    return this.#render(sql`INSERT INTO ${tableId(this.ledger)} (${sql.join(LEDGER_COLUMNS.map((c) => sql.id(c.name)))}) VALUES (${sql.join(values)})`);
  }

  /** Chunks of these sets that some run completed, with the definition hash they were written with. */
  completed(sets: readonly string[]): Statement {
    return this.#render(
      builder
        .selectFrom(tableId(this.ledger) as never)
        .select(["feature_set", "chunk_start", "chunk_end", "definition_hash", "finished_at"].map((c) => sql.id(c).as(c)) as never)
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
        .select(["run_id", "window_start", "window_end", "expires_at", "holder"].map((c) => sql.id(c).as(c)) as never)
        .where(
          sql`${sql.id("feature_set")} = ${set} AND ${sql.id("window_start")} < ${this.#ts(window.end)} AND ${sql.id("window_end")} > ${this.#ts(window.start)}` as never,
        ),
    );
  }

  takeLease(set: string, window: TimeWindow, expiresAt: Date, holder: string): Statement {
    return this.#render(
      sql`INSERT INTO ${tableId(this.leases)} (${sql.join(LEASE_COLUMNS.map((c) => sql.id(c.name)))}) VALUES (${set}, ${this.runId}, ${this.#ts(window.start)}, ${this.#ts(window.end)}, ${this.#ts(expiresAt)}, ${holder})`,
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
    return sql`CAST(${formatTimestamp(t)} AS ${sql.raw(this.dialect.types.timestamp)})`;
  }

  #render(query: { toOperationNode(): OperationNode }): Statement {
    return render(query.toOperationNode() as RootOperationNode, this.dialect);
  }
}

