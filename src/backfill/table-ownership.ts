import { randomUUID } from "node:crypto";
import type { RootOperationNode } from "kysely";
import { formatTable, render } from "../compile/statements.ts";
import type { SqlDialect } from "../dialects/sql-dialect.ts";
import type { Engine, StatementLabel, WarehouseColumn } from "../engines/engine.ts";
import { formatLocation, OwnershipError, UsageError } from "../errors.ts";
import type { SourceDef, TableRef } from "../ir/definitions.ts";
import { identifierProblems, tableKey } from "./identifier-limits.ts";
import { LEASE_CORE, LEASES_TABLE, LEDGER_CORE, LEDGER_TABLE, type LedgerStatements, REGISTRY_COLUMNS, registerTable, registryTable, tableMark } from "./ledger.ts";
import type { SetJob } from "./plan.ts";
import type { TableProblem } from "./preflight.ts";

/**
 * The tool writes only tables it owns. Before anything is written — when planning, in `validate`, and again in a
 * run's preflight — it refuses:
 * - a table it would write (offline tables, stage tables, the ledger's) that resolves to a table read as a source by
 *   any loaded definition, as the warehouse resolves names (folding, truncation; an unqualified source name may
 *   resolve to any schema, so it is compared with the table name alone);
 * - names over the warehouse's identifier limit, and sets whose tables resolve to one name (identifier-limits.ts);
 * - (with the warehouse) an offline table that exists but has no row in the registry (`feature_backfill_tables`),
 *   is registered to another set, or lacks the mark its registered id puts in the table's comment (it was dropped
 *   and created again outside the tool), unless `run --adopt-table` names it.
 */
type Job = Pick<SetJob, "set" | "table" | "columns" | "stage" | "state">;

/** Every problem found without the warehouse: identifier limits and tables the run would write that are sources. */
export function planningProblems(jobs: readonly Job[], sources: Iterable<SourceDef>, dialect: SqlDialect): TableProblem[] {
  const problems = identifierProblems(jobs, dialect);
  const schema = jobs[0]?.table.schema;
  const writes: { set?: string; what: string; table: TableRef }[] = [
    ...unique(jobs.map((j) => ({ set: j.set, what: "offline table", table: j.table }))),
    ...unique(jobs.flatMap((j) => (j.stage ? [{ set: j.set, what: "stage table", table: j.stage.table }] : []))),
    ...unique(jobs.flatMap((j) => (j.state?.tables ?? []).map((table) => ({ set: j.set, what: "state table", table })))),
    ...[LEDGER_TABLE, LEASES_TABLE, registryTable(schema).name].map((name) => ({ what: "run ledger table", table: { schema, name } })),
  ];
  for (const source of sources) {
    for (const write of writes) {
      if (!sameTable(write.table, source.backfill, dialect)) continue;
      const where = source.definedAt ? ` (${formatLocation(source.definedAt)})` : "";
      const subject = write.set ? `feature set "${write.set}": its ${write.what}` : `the ${write.what}`;
      problems.push({ ...(write.set && { set: write.set }), source: source.name, error: new OwnershipError(
        `${subject} ${formatTable(write.table)} is the table source "${source.name}"${where} reads (${formatTable(source.backfill)}); ` +
          "the tool never writes a table it reads. Change offlineStore.schema or offlineStore.table in features.config.json" +
          (source.backfill.schema === undefined ? `, or qualify the source's table with its schema` : ""),
      ) });
    }
  }
  return problems;
}

/** A registry row, as read back. */
export interface RegisteredTable {
  readonly table: TableRef;
  readonly set: string;
  readonly tableId: string;
  readonly createdAt: number;
}

export async function readRegistry(engine: Engine, ledger: LedgerStatements, label?: StatementLabel): Promise<RegisteredTable[]> {
  const rows = await engine.query(ledger.registered(), label);
  return rows.map((r) => ({
    table: { ...(r.table_schema !== null && { schema: String(r.table_schema) }), name: String(r.table_name) },
    set: String(r.feature_set),
    tableId: String(r.table_id),
    createdAt: (r.created_at as Date | null)?.getTime() ?? 0,
  }));
}

/** Each existing table's comment (where the tool's mark is), per set: one small catalog query per table. */
export async function readMarks(engine: Engine, jobs: readonly Job[], existing: readonly boolean[], label?: StatementLabel): Promise<Map<string, string | null>> {
  const marks = new Map<string, string | null>();
  for (const [i, job] of jobs.entries()) {
    if (!existing[i] || marks.has(job.set)) continue;
    const [row] = await engine.query(render(engine.dialect.tableComment(job.table).toOperationNode() as RootOperationNode, engine.dialect), label);
    marks.set(job.set, row?.comment == null ? null : String(row.comment));
  }
  return marks;
}

/** The registry row whose id the table's comment carries: the one that vouches for it. */
export function ownerOf(rows: readonly RegisteredTable[], comment: string | null): RegisteredTable | undefined {
  return rows.filter((r) => (comment ?? "").includes(tableMark(r.tableId))).sort((a, b) => b.createdAt - a.createdAt)[0];
}

/** A table's comment, where the tool's mark is. */
export async function tableComment(engine: Engine, table: TableRef, label?: StatementLabel): Promise<string | null> {
  const [row] = await engine.query(render(engine.dialect.tableComment(table).toOperationNode() as RootOperationNode, engine.dialect), label);
  return row?.comment == null ? null : String(row.comment);
}

/**
 * Per set, the registered id of its existing offline table, and a problem for each existing table the registry does
 * not give to that set, or that lacks the mark of its registered id (`marks`: dropped and created again outside the
 * tool) — unless adopted: those come back in `adopt`, for the caller to register.
 */
export function ownedTables(
  jobs: readonly Job[],
  existing: readonly boolean[],
  registry: readonly RegisteredTable[],
  marks: ReadonlyMap<string, string | null>,
  dialect: SqlDialect,
  adoptTables: readonly string[] = [],
): { ids: Map<string, string>; adopt: Job[]; problems: TableProblem[] } {
  const adoptKeys = adoptTables.map((name) => tableKey(parseTableName(name), dialect));
  const unknown = adoptTables.filter((_, i) => !jobs.some((j) => tableKey(j.table, dialect) === adoptKeys[i]));
  if (unknown.length) {
    throw new UsageError(`--adopt-table ${unknown.join(", ")}: not a table this run writes (it writes ${unique(jobs.map((j) => formatTable(j.table))).join(", ")})`);
  }
  const ids = new Map<string, string>();
  const adopt: Job[] = [];
  const problems: TableProblem[] = [];
  const seen = new Set<string>();
  jobs.forEach((job, i) => {
    if (!existing[i] || seen.has(job.set)) return;
    seen.add(job.set);
    const key = tableKey(job.table, dialect);
    // The row whose id the table carries (two first runs racing may both have registered it), else the latest.
    const rows = registry.filter((r) => tableKey(r.table, dialect) === key).sort((a, b) => b.createdAt - a.createdAt);
    const isMarked = (r: RegisteredTable) => (marks.get(job.set) ?? "").includes(tableMark(r.tableId));
    const row = rows.find(isMarked) ?? rows[0];
    const marked = row !== undefined && isMarked(row);
    if (row?.set === job.set && marked) return void ids.set(job.set, row.tableId);
    if (adoptKeys.includes(key)) return void adopt.push(job);
    const table = formatTable(job.table);
    const why = !row
      ? `exists but was not created by this tool (it has no row in ${formatTable(registryTable(job.table.schema))})`
      : !marked
        ? `is not the table this tool created (its comment lacks "${tableMark(row.tableId)}": it was dropped and created again, or its comment replaced)`
        : `was created by this tool for feature set "${row.set}"`;
    problems.push({ set: job.set, error: new OwnershipError(
      `feature set "${job.set}": offline table ${table} ${why}; nothing was written. ` +
        `If it is meant to hold this set's rows (its columns match), run once with --adopt-table ${table}; otherwise change offlineStore in features.config.json`,
    ) });
  });
  return { ids, adopt, problems };
}

/**
 * Read-only, for what reads the ledger without writing (a dry run with --resume, `status`, `run --missing`): each
 * set's current table id, or undefined where no ledger row can count — a ledger of an earlier version (no target
 * columns), no registry, or a table that does not exist or is not the tool's.
 */
export async function currentTableIds(engine: Engine, ledger: LedgerStatements, jobs: readonly Pick<SetJob, "set" | "table">[]): Promise<Map<string, string> | undefined> {
  const unique = [...new Map(jobs.map((j) => [j.set, j] as const)).values()];
  const [ledgerColumns, registryColumns, ...tables] = await engine.describeTables([ledger.ledger, ledger.tables, ...unique.map((j) => j.table)]);
  if (!registryColumns || !ledgerColumns?.some((c) => engine.dialect.identifiers.key(c.name) === engine.dialect.identifiers.key("table_id"))) return undefined;
  const existing = tables.map(Boolean);
  const owned = unique.map((j) => ({ ...j, columns: [] }));
  return ownedTables(owned, existing, await readRegistry(engine, ledger), await readMarks(engine, owned, existing), engine.dialect).ids;
}

/**
 * The run's side of ownership, read-only, before anything is created: refuses what `planningProblems` and
 * `ownedTables` refuse, and returns each set's table id (the registered one for an existing table, a new one for a
 * table this run creates: `registerTable` with it joins the CREATE) and the tables to adopt (`adopt`, once the
 * ledger is set up).
 */
export async function checkOwnership(
  jobs: readonly SetJob[],
  engine: Engine,
  ledger: LedgerStatements,
  existing: readonly boolean[],
  options: { registryExists: boolean; adoptTables?: readonly string[]; label: StatementLabel; existingState: ReadonlySet<string> },
): Promise<{ ids: Map<string, string>; adopt: (registerAt: Date) => Promise<void> }> {
  // Again here: a caller may plan without the graph; the sources the jobs read are known.
  // An upstream set's table read in place of recomputing it, and a state table, are the tool's own, not sources.
  const [planning] = planningProblems(jobs, jobs.flatMap((j) => j.reads.flatMap((r) => (r.upstream || r.state ? [] : [r.source]))), engine.dialect);
  if (planning) throw planning.error;
  const registry = options.registryExists ? await readRegistry(engine, ledger, options.label) : [];
  const marks = await readMarks(engine, jobs, existing, options.label);
  const { ids, adopt, problems } = ownedTables(jobs, existing, registry, marks, engine.dialect, options.adoptTables);
  if (problems[0]) throw problems[0].error;
  await checkStateTables(jobs, engine, registry, options.existingState, options.label);
  const adopted = adopt.map((job) => ({ job, tableId: randomUUID() }));
  for (const { job, tableId } of adopted) ids.set(job.set, tableId);
  for (const job of jobs) if (!ids.has(job.set)) ids.set(job.set, randomUUID()); // registered when the run creates it
  return {
    ids,
    // Each adopted table gets a new id, so no earlier ledger row counts for it.
    adopt: async (at) => {
      for (const { job, tableId } of adopted) {
        await engine.transaction(async () => {
          for (const s of registerTable(engine.dialect, { table: job.table, set: job.set, tableId, at })) await engine.run(s, options.label);
        }, options.label);
      }
    },
  };
}

/**
 * An existing state table (`existing`: `tableKey`s) is written only if the registry gives it to its set and it carries
 * that row's mark; never adopted (state is rebuilt from the sources: drop the table, or `run --full`, instead).
 */
async function checkStateTables(jobs: readonly SetJob[], engine: Engine, registry: readonly RegisteredTable[], existing: ReadonlySet<string>, label: StatementLabel): Promise<void> {
  const tables = new Map(jobs.flatMap((j) => (j.state?.tables ?? []).map((t) => [tableKey(t, engine.dialect), { set: j.set, table: t }] as const)));
  for (const [key, { set, table }] of tables) {
    if (!existing.has(key)) continue;
    // The registry row the table's mark names (two first runs racing may both have registered it) vouches for it.
    const owner = ownerOf(registry.filter((r) => tableKey(r.table, engine.dialect) === key), await tableComment(engine, table, label));
    if (owner?.set === set) continue;
    throw new OwnershipError(
      `feature set "${set}": state table ${formatTable(table)} exists but is not one this tool created for it; nothing was written. ` +
        "Rename or drop it (the tool rebuilds state from the sources), or change offlineStore in features.config.json",
    );
  }
}

/**
 * Refuses a table named as one of the ledger's that is not the tool's (another shape); `LedgerStatements.setup`
 * then creates those missing and adds the columns of a later version. `described` are their columns, as the
 * preflight found them: ledger, leases, registry.
 */
export function checkLedgerTables(engine: Engine, ledger: LedgerStatements, described: readonly (WarehouseColumn[] | undefined)[]): void {
  const [ledgerColumns, leaseColumns, registryColumns] = described;
  const missingFrom = (columns: WarehouseColumn[], names: readonly string[]) =>
    names.filter((n) => !columns.some((c) => engine.dialect.identifiers.key(c.name) === engine.dialect.identifiers.key(n)));
  const shapes: [TableRef, WarehouseColumn[] | undefined, readonly string[]][] = [
    [ledger.ledger, ledgerColumns, LEDGER_CORE],
    [ledger.leases, leaseColumns, LEASE_CORE],
    [ledger.tables, registryColumns, REGISTRY_COLUMNS.map((c) => c.name)],
  ];
  for (const [table, columns, needed] of shapes) {
    const missing = columns && missingFrom(columns, needed);
    if (missing?.length) {
      throw new OwnershipError(`${formatTable(table)} exists but is not a feature-backfill table (it lacks ${missing.join(", ")}); nothing was written. Rename it, or change offlineStore.schema`);
    }
  }
}

/** `schema.table` or `table`, as --adopt-table takes it. */
function parseTableName(name: string): TableRef {
  const dot = name.lastIndexOf(".");
  return dot < 0 ? { name } : { schema: name.slice(0, dot), name: name.slice(dot + 1) };
}

/**
 * Whether two names may resolve to one table. An unqualified name resolves through the session's schema, which is
 * not known here: it is compared by table name alone (a refusal then names the way out: qualify it).
 */
export function sameTable(a: TableRef, b: TableRef, dialect: SqlDialect): boolean {
  const key = dialect.identifiers.key;
  if (key(a.name) !== key(b.name)) return false;
  return a.schema === undefined || b.schema === undefined || key(a.schema) === key(b.schema);
}

function unique<T>(items: readonly T[]): T[] {
  const seen = new Set<string>();
  return items.filter((item) => {
    const key = JSON.stringify(item);
    return !seen.has(key) && (seen.add(key), true);
  });
}
