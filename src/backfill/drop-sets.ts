import { randomUUID } from "node:crypto";
import { type RootOperationNode, sql } from "kysely";
import { builder } from "../compile/kysely-builder.ts";
import { dropTableStatement, formatTable, render, type Statement, tableId } from "../compile/statements.ts";
import type { SqlDialect } from "../dialects/sql-dialect.ts";
import type { Engine, StatementLabel } from "../engines/engine.ts";
import { formatLocation, OwnershipError } from "../errors.ts";
import type { SourceDef, TableRef } from "../ir/definitions.ts";
import { tableKey } from "./identifier-limits.ts";
import { dropRunId, refuseLeased, takeLeases } from "./leases.ts";
import { LEASE_COLUMNS, LedgerStatements, tableMark } from "./ledger.ts";
import { checkLedgerTables, ownerOf, readRegistry, type RegisteredTable, sameTable, tableComment } from "./table-ownership.ts";
import { runDdl } from "./execute.ts";
import type { TimeWindow } from "./window.ts";

/**
 * `drop`: removes feature sets' tables — the offline table and every other table the registry lists under the set
 * (its state tables) — with their registry rows. Only the tool's own tables: each must have the set's registry row and
 * carry that row's mark in its comment (as a run checks before writing); anything else is refused before anything is
 * dropped. A registered table that no longer exists just loses its stale registry row. The run ledger's rows stay as
 * history: they name the dropped table's id, which a recreated table never gets again, so none of them counts.
 */

/** One table to drop (or, where it no longer exists, whose stale registry rows to remove). */
export interface DropTarget {
  readonly set: string;
  readonly table: TableRef;
  readonly role: "offline table" | "state table" | "registered table";
  /** Its rows, where it exists; undefined where only its stale registry rows are removed. */
  readonly rows?: number;
  /** The ids of the set's registry rows naming it, removed with it. */
  readonly registryIds: readonly string[];
}

export interface DropPlan {
  readonly sets: readonly string[];
  /** Per set, the tables in the order they are dropped: the set's other tables first, its offline table last. */
  readonly targets: readonly DropTarget[];
  /** The registry's and leases' statements, with `drop`'s own run id for its lease. */
  readonly ledger: LedgerStatements;
  /** Whether `drop` holds a lease on the sets (where the schema has a leases table of this version). */
  readonly leased: boolean;
}

/** A lease over every time a run can write: while `drop` holds it, no run of the set starts. */
const ALL_TIME: TimeWindow = { start: new Date("0001-01-01T00:00:00Z"), end: new Date("9999-12-31T00:00:00Z") };

/**
 * What dropping `sets` means: the tables to drop with their row counts, checked to be the tool's. Refuses
 * (OwnershipError) a table that is not, or is read as a source, and (BusyError) a set a live run leases. With
 * `lease`, first takes `drop`'s own lease on each set over all time — held while the plan is shown and confirmed,
 * so that no run changes the tables meanwhile; `executeDrop` or `releaseDrop` gives it back — else only checks, read-only.
 */
export async function planDrop(
  engine: Engine,
  sets: readonly { set: string; table: TableRef }[],
  sources: Iterable<SourceDef>,
  options: { now: Date; label: StatementLabel; lease?: { ttlMs: number } },
): Promise<DropPlan> {
  const { dialect } = engine;
  const { label } = options;
  const ledger = new LedgerStatements(dialect, sets[0]?.table.schema, dropRunId(randomUUID()));
  const described = await engine.describeTables([ledger.ledger, ledger.leases, ledger.tables], label);
  checkLedgerTables(engine, ledger, described); // a foreign table under the registry's name is not read as one
  // A leases table of an earlier version (no `taken_at`) was never used by a run of this one, which adds the column.
  const leases = LEASE_COLUMNS.every((c) => described[1]?.some((f) => dialect.identifiers.key(f.name) === dialect.identifiers.key(c.name)));
  const names = sets.map((s) => s.set);
  if (leases && options.lease) await takeLeases(names.map((set) => ({ set, window: ALL_TIME })), engine, ledger, options.now, options.lease.ttlMs, label);
  else if (leases) await refuseLeased(names, ALL_TIME, engine, ledger, options.now, label);
  const leased = Boolean(leases && options.lease);
  try {
    const registry = described[2] ? await readRegistry(engine, ledger, label) : [];
    return { sets: names, targets: await dropTargets(engine, sets, sources, registry, ledger, label), ledger, leased };
  } catch (error) {
    if (leased) await engine.run(ledger.releaseLeases(), label).catch(() => undefined); // else it lapses at its expiry
    throw error;
  }
}

/** Per set, its tables to drop; refuses one that is not the tool's. */
async function dropTargets(
  engine: Engine,
  sets: readonly { set: string; table: TableRef }[],
  sources: Iterable<SourceDef>,
  registry: readonly RegisteredTable[],
  ledger: LedgerStatements,
  label: StatementLabel,
): Promise<DropTarget[]> {
  const { dialect } = engine;
  const key = (t: TableRef) => tableKey(t, dialect);
  const read = [...sources];
  // Per set: the configured offline table (registered or not: a table there that is not the set's is reported) and
  // every table registered under the set; the offline table last.
  const candidates = sets.flatMap(({ set, table }) => {
    const others = new Map<string, TableRef>();
    for (const row of registry) if (row.set === set && key(row.table) !== key(table)) others.set(key(row.table), row.table);
    // Named as state tables are (`<offline table>__state_<shape>`: state-pass.ts); any other is, say, the offline
    // table of an earlier offlineStore.table. The name only labels it: what is dropped is what the registry lists.
    const fold = dialect.identifiers.key;
    const isState = (t: TableRef) =>
      fold(t.schema ?? "") === fold(table.schema ?? "") && fold(t.name).startsWith(fold(table.name)) && /^__state\w*$/i.test(fold(t.name).slice(fold(table.name).length));
    const role = (t: TableRef) => (isState(t) ? ("state table" as const) : ("registered table" as const));
    return [...[...others.values()].map((t) => ({ set, table: t, role: role(t) })), { set, table, role: "offline table" as const }];
  });
  const exists = await engine.describeTables(candidates.map((c) => c.table), label);
  const ledgerKeys = [ledger.ledger, ledger.leases, ledger.tables].map(key);
  const targets: DropTarget[] = [];
  for (const [i, candidate] of candidates.entries()) {
    const rows = registry.filter((r) => key(r.table) === key(candidate.table));
    const registryIds = rows.filter((r) => r.set === candidate.set).map((r) => r.tableId);
    if (!exists[i]) {
      if (registryIds.length) targets.push({ ...candidate, registryIds });
      continue;
    }
    const refuse = (why: string, wayOut: string) =>
      new OwnershipError(`feature set "${candidate.set}": ${candidate.role} ${formatTable(candidate.table)} ${why}; nothing was dropped. ${wayOut}`);
    if (ledgerKeys.includes(key(candidate.table))) throw refuse("is one of the run ledger's tables", "Remove its row from the registry by hand");
    const source = read.find((s) => sameTable(candidate.table, s.backfill, dialect));
    if (source) {
      const where = source.definedAt ? ` (${formatLocation(source.definedAt)})` : "";
      throw refuse(`is the table source "${source.name}"${where} reads`, "Change the source, or drop the table by hand");
    }
    const owner = ownerOf(rows, await tableComment(engine, candidate.table, label));
    if (owner?.set !== candidate.set) {
      const why = owner
        ? `was created by this tool for feature set "${owner.set}"`
        : rows.length === 0
          ? `exists but was not created by this tool (it has no row in ${formatTable(ledger.tables)})`
          : `is not the table this tool created (its comment lacks "${tableMark(rows[0]!.tableId)}": it was dropped and created again, or its comment replaced)`;
      throw refuse(why, "The tool drops only tables it created: drop it by hand if it is no longer wanted, or change offlineStore in features.config.json");
    }
    targets.push({ ...candidate, registryIds, rows: await countRows(engine, candidate.table, label) });
  }
  return targets;
}

/**
 * The statements that drop the plan's tables, in order: per table, its DROP and then its registry rows' DELETE. Where
 * DDL cannot be in a transaction (Snowflake) they run one by one, and this order is what makes a drop killed midway
 * safe to run again: a table gone with its registry row left is a stale row (no ledger row counts for a missing
 * table; a run recreates the table and registers a new id; `drop` again removes the row), whereas a marked table
 * whose row was removed first would be refused as foreign by every command. The offline table goes last, so a set
 * whose offline table exists still lists its remaining state tables.
 */
export function dropStatements(plan: Pick<DropPlan, "targets" | "ledger">, dialect: SqlDialect): Statement[] {
  const registry = tableId(plan.ledger.tables);
  return plan.targets.flatMap((t) => [
    ...(t.rows !== undefined ? [dropTableStatement(t.table, dialect)] : []),
    ...(t.registryIds.length
      ? [statement(sql`DELETE FROM ${registry} WHERE ${sql.id("table_id")} IN (${sql.join(t.registryIds.map((id) => sql`${id}`))})`, dialect)]
      : []),
  ]);
}

/**
 * Drops the plan's tables — in one transaction where DDL is transactional (DuckDB, PostgreSQL: all or nothing), else
 * one statement at a time in `dropStatements`' order — and gives back the plan's lease.
 */
export async function executeDrop(engine: Engine, plan: DropPlan, label: StatementLabel): Promise<void> {
  try {
    await runDdl(engine, dropStatements(plan, engine.dialect), label);
  } catch (error) {
    await releaseDrop(engine, plan, label).catch(() => undefined); // else it lapses at its expiry
    throw error;
  }
  await releaseDrop(engine, plan, label);
}

/** Gives back the lease `planDrop` took (the drop was declined, or is done). */
export async function releaseDrop(engine: Engine, plan: DropPlan, label: StatementLabel): Promise<void> {
  if (plan.leased) await engine.run(plan.ledger.releaseLeases(), label);
}


async function countRows(engine: Engine, table: TableRef, label: StatementLabel): Promise<number> {
  const [row] = await engine.query(render(builder.selectFrom(tableId(table) as never).select(sql`count(*)`.as("n") as never).toOperationNode(), engine.dialect), label);
  return Number(row?.n ?? 0);
}

const statement = (query: { toOperationNode(): unknown }, dialect: SqlDialect): Statement => render(query.toOperationNode() as RootOperationNode, dialect);
