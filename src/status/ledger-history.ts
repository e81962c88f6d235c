import { type OperationNode, type RootOperationNode, sql } from "kysely";
import { builder } from "../compile/kysely-builder.ts";
import { render, type Statement, tableId } from "../compile/statements.ts";
import type { SqlDialect } from "../dialects/sql-dialect.ts";
import type { Engine } from "../engines/engine.ts";
import type { TableRef } from "../ir/definitions.ts";
import { LEASES_TABLE, LEDGER_TABLE } from "../backfill/ledger.ts";

/** One ledger row: a chunk a run wrote (or failed to). */
export interface LedgerEntry {
  readonly runId: string;
  readonly set: string;
  readonly start: Date;
  readonly end: Date;
  readonly definitionHash: string;
  readonly status: string;
  readonly startedAt: Date;
  readonly finishedAt: Date;
  readonly error?: string;
}

/** A live or expired lease: a run writing a set's window now (or killed while doing so). */
export interface LeaseEntry {
  readonly set: string;
  readonly runId: string;
  readonly start: Date;
  readonly end: Date;
  readonly expiresAt: Date;
  readonly holder: string;
}

export interface LedgerHistory {
  readonly entries: readonly LedgerEntry[];
  readonly leases: readonly LeaseEntry[];
}


/**
 * What the ledger and the leases hold about `sets`, read-only: two SELECTs over the columns every ledger has
 * (src/backfill/ledger.ts), so ledgers written by older versions read too. No ledger yet: empty history.
 */
export async function readLedgerHistory(engine: Engine, schema: string | undefined, sets: readonly string[]): Promise<LedgerHistory> {
  const ledger: TableRef = { schema, name: LEDGER_TABLE };
  const leases: TableRef = { schema, name: LEASES_TABLE };
  const [ledgerColumns, leaseColumns] = await engine.describeTables([ledger, leases]);
  if (!ledgerColumns || sets.length === 0) return { entries: [], leases: [] };
  const statements = historyStatements(engine.dialect, schema, sets);
  const entries = (await engine.query(statements.ledger)).map(
    (r): LedgerEntry => ({
      runId: String(r.run_id),
      set: String(r.feature_set),
      start: r.chunk_start as Date,
      end: r.chunk_end as Date,
      definitionHash: String(r.definition_hash),
      status: String(r.status),
      startedAt: r.started_at as Date,
      finishedAt: r.finished_at as Date,
      ...(r.error == null ? {} : { error: String(r.error) }),
    }),
  );
  const held = leaseColumns
    ? (await engine.query(statements.leases)).map(
        (r): LeaseEntry => ({
          set: String(r.feature_set),
          runId: String(r.run_id),
          start: r.window_start as Date,
          end: r.window_end as Date,
          expiresAt: r.expires_at as Date,
          holder: String(r.holder),
        }),
      )
    : [];
  return { entries, leases: held };
}

/** The two reads, rendered for a dialect (golden-tested for Snowflake, which cannot be reached from here). */
export function historyStatements(dialect: SqlDialect, schema: string | undefined, sets: readonly string[]): { ledger: Statement; leases: Statement } {
  const of = (name: string, columns: readonly string[], order: string) =>
    renderQuery(
      builder
        .selectFrom(tableId({ schema, name }) as never)
        .select(columns.map((c) => sql.id(c).as(c)) as never)
        .where(sql`${sql.id("feature_set")} IN (${sql.join(sets.map((s) => sql`${s}`))})` as never)
        .orderBy(sql.id(order) as never),
      dialect,
    );
  return {
    ledger: of(LEDGER_TABLE, ["run_id", "feature_set", "chunk_start", "chunk_end", "definition_hash", "status", "started_at", "finished_at", "error"], "finished_at"),
    leases: of(LEASES_TABLE, ["feature_set", "run_id", "window_start", "window_end", "expires_at", "holder"], "window_start"),
  };
}

const renderQuery = (query: { toOperationNode(): OperationNode }, dialect: SqlDialect): Statement =>
  render(query.toOperationNode() as RootOperationNode, dialect);
