import { randomUUID } from "node:crypto";
import { existsSync } from "node:fs";
import path from "node:path";
import { CreateTableNode, type RootOperationNode, sql } from "kysely";
import { LedgerStatements, registerTable, registryTable } from "../backfill/ledger.ts";
import { executePlanned, type LoadedProject, loadProjectFor } from "../backfill/run-backfill.ts";
import { planBackfill } from "../backfill/plan.ts";
import { formatWindow, type TimeWindow } from "../backfill/window.ts";
import { planningProblems, readRegistry } from "../backfill/table-ownership.ts";
import { builder } from "../compile/kysely-builder.ts";
import { dropTableStatement, formatTable, render, type Statement, tableId, tableNode } from "../compile/statements.ts";
import type { DialectName } from "../dialects/index.ts";
import type { Sql, SqlDialect } from "../dialects/sql-dialect.ts";
import type { Engine } from "../engines/engine.ts";
import { openEngine } from "../engines/open-engine.ts";
import { IncompleteError, OwnershipError, UsageError } from "../errors.ts";
import type { TableRef } from "../ir/definitions.ts";
import { type Duration, DURATION_HELP, parseDuration } from "../ir/duration.ts";
import { isDType } from "../ir/dtype.ts";
import { addDuration, formatInstant } from "../ir/time.ts";
import { resolveSelection, type SelectionRequest } from "../graph/selection.ts";
import type { Schema } from "../passes/schema.ts";
import { projectStatus } from "../status/project-status.ts";
import { type DatasetPlan, type DatasetSet, planDataset, type SpineRef } from "./plan-dataset.ts";

/** A training set to build (`feature-backfill dataset`; docs/datasets.md). */
export interface DatasetRequest {
  readonly config?: string;
  readonly engine?: DialectName;
  /** `schema.table`, or on DuckDB a `.parquet` or `.csv` file. */
  readonly spine: string;
  readonly sets: readonly string[];
  readonly selection?: SelectionRequest;
  /** The spine's event-time column (default `event_time`). */
  readonly time?: string;
  /** Set key → spine column. */
  readonly keys?: Readonly<Record<string, string>>;
  /** Per set: rows older than this at the event time are no match ("35d"). */
  readonly ttl?: Readonly<Record<string, string>>;
  /** Per set: join as of timestamp + this ("1mo": a left-labelled month is known at its end). */
  readonly shift?: Readonly<Record<string, string>>;
  /** A warehouse table to create or replace, in the offline store's schema. */
  readonly out?: string;
  /** On DuckDB: a `.parquet` or `.csv` file the engine writes. */
  readonly output?: string;
  readonly allowLeakage?: boolean;
  /** Backfill the windows the ledger lacks first (as `run --missing` would), instead of refusing. */
  readonly computeMissing?: boolean;
}

/** What a written training set holds, computed in SQL over it. */
export interface DatasetSummary {
  readonly rows: number;
  /** Per feature column: the share of rows where it is null. */
  readonly nullShare: Readonly<Record<string, number>>;
  /** Spine rows where every feature column is null. */
  readonly rowsWithoutFeatures: number;
}

/** The plan, the statement that writes the training set, and (after a run) its summary. */
export interface DatasetResult {
  readonly plan: DatasetPlan;
  /** The statement that writes the training set (what `--dry-run` prints). */
  readonly statement: Statement;
  readonly summary?: DatasetSummary;
}

/**
 * Plans a training set (reading only the spine's column names and types from the warehouse) and, unless `dryRun`,
 * checks the ledger shows every set backfilled over the time the spine needs, writes it, and summarises it in SQL.
 */
export async function buildDataset(request: DatasetRequest, options: { dryRun?: boolean; now?: Date; progress?: (line: string) => void } = {}): Promise<DatasetResult> {
  const project = await loadProjectFor(request);
  const { config, graph } = project;
  const dialect = config.dialect;
  const names = request.selection ? resolveSelection(graph, { ...request.selection, sets: [...request.sets, ...(request.selection.sets ?? [])] }, "error") : request.sets;
  const sets: DatasetSet[] = names.map((set) => ({
    set,
    ...(request.ttl?.[set] !== undefined && { ttl: duration(request.ttl[set]!, `--ttl ${set}`) }),
    ...(request.shift?.[set] !== undefined && { shift: duration(request.shift[set]!, `--shift ${set}`) }),
  }));
  for (const flag of ["ttl", "shift"] as const) {
    for (const set of Object.keys(request[flag] ?? {})) if (!names.includes(set)) throw new UsageError(`--${flag} ${set}=…: "${set}" is not among the sets given`);
  }
  if (request.out && request.output) throw new UsageError("--out (a table) and --output (a file) exclude each other");
  const spine = spineOf(request.spine, dialect.name);
  const output = request.output ? outputFile(request.output) : undefined;
  if (output && !dialect.copyToFile) throw new UsageError(`--output writes a file from the engine, which ${dialect.name} cannot do: use --out schema.table`);
  if (!request.out && !output) throw new UsageError("give where the training set goes: --out schema.table, or on DuckDB --output file.parquet|csv");
  const out = request.out ? tableOf(request.out, "--out") : undefined;

  let engine = await openEngine(config, { readOnly: true });
  let plan: DatasetPlan;
  let range: { lo: Date; hi: Date } | undefined;
  try {
    const spineColumns = await describeSpine(engine, spine);
    plan = planDataset({ graph, dialect, tableFor: config.tableFor, spine, spineColumns, sets, time: request.time, keys: request.keys, allowLeakage: request.allowLeakage });
    if (out) checkOutputTable(project, out);
    if (options.dryRun) return { plan, statement: writeStatement(plan, dialect, out, output) };
    range = await spineRange(engine, spine, plan.time);
  } finally {
    await engine.close();
  }
  for (const leak of plan.leaks) options.progress?.(`warning: leakage accepted (--allow-leakage): ${leak}`);
  if (range) {
    const now = options.now ?? new Date();
    const gaps = await missingWindows(project, sets, range, now);
    if (gaps.length && request.computeMissing) {
      // The same jobs `run --missing` plans for those windows, run first; then the ledger is read again.
      const jobs = gaps.flatMap(({ set, windows }) => windows.flatMap((window) => planBackfill({ graph, sets: [set], window, dialect, tableFor: config.tableFor })));
      const [problem] = planningProblems(jobs, graph.sources.values(), dialect);
      if (problem) throw problem.error;
      options.progress?.(`--compute-missing: backfilling ${gaps.map(({ set, windows }) => `${set} ${windows.map(formatWindow).join(" ")}`).join("; ")}`);
      await executePlanned(project, jobs);
    }
    const still = gaps.length && request.computeMissing ? await missingWindows(project, sets, range, now) : gaps;
    if (still.length) throw incomplete(still);
  }

  engine = await openEngine(config);
  try {
    const statement = writeStatement(plan, dialect, out, output);
    if (output) {
      options.progress?.(`writing ${output.path}`);
      await engine.run(statement);
    } else {
      options.progress?.(`writing ${formatTable(out!)}`);
      await writeTable(engine, out!, statement);
    }
    const summary = await summarise(engine, output ? dialect.readFile!(output.format, output.path) : tableId(out!), plan);
    return { plan, statement, summary };
  } finally {
    await engine.close();
  }
}

function duration(text: string, flag: string): Duration {
  const d = parseDuration(text);
  if (!d || d.n <= 0) throw new UsageError(`${flag}=${text}: not a positive duration (${DURATION_HELP})`);
  return d;
}

/** `--key a=b`, `--ttl a=35d`: NAME=VALUE pairs into a record. */
export function pairs(values: readonly string[] | undefined, flag: string): Record<string, string> {
  const result: Record<string, string> = {};
  for (const v of values ?? []) {
    const i = v.indexOf("=");
    if (i <= 0 || i === v.length - 1) throw new UsageError(`${flag} ${v}: expected NAME=VALUE`);
    result[v.slice(0, i)] = v.slice(i + 1);
  }
  return result;
}

const FILE = /\.(parquet|csv)$/i;

function spineOf(text: string, engine: DialectName): SpineRef {
  const file = FILE.exec(text);
  if (!file) return { kind: "table", table: tableOf(text, "--spine") };
  if (engine !== "duckdb") throw new UsageError(`--spine ${text}: a file spine is read by DuckDB only; on ${engine} load it into a table and give --spine schema.table`);
  const resolved = path.resolve(text);
  if (!existsSync(resolved)) throw new UsageError(`--spine ${text}: no such file`);
  return { kind: "file", path: resolved, format: file[1]!.toLowerCase() as "parquet" | "csv" };
}

function outputFile(text: string): { path: string; format: "parquet" | "csv" } {
  const file = FILE.exec(text);
  if (!file) throw new UsageError(`--output ${text}: give a .parquet or .csv file`);
  const resolved = path.resolve(text);
  if (!existsSync(path.dirname(resolved))) throw new UsageError(`--output ${text}: the directory ${path.dirname(resolved)} does not exist`);
  return { path: resolved, format: file[1]!.toLowerCase() as "parquet" | "csv" };
}

function tableOf(text: string, flag: string): TableRef & { name: string } {
  const parts = text.split(".");
  if (parts.length > 2 || parts.some((p) => p === "")) throw new UsageError(`${flag} ${text}: expected table or schema.table`);
  return parts.length === 2 ? { schema: parts[0]!, name: parts[1]! } : { name: parts[0]! };
}

/** The spine's columns as the IR types them; a column of another type is refused by name. */
async function describeSpine(engine: Engine, spine: SpineRef): Promise<Schema> {
  if (spine.kind === "table") {
    const [columns] = await engine.describeTables([spine.table]);
    if (!columns) throw new UsageError(`--spine ${formatTable(spine.table)}: no such table`);
    return columns.map((c) => {
      if (!isDType(c.dtype)) throw new UsageError(`--spine ${formatTable(spine.table)}: column "${c.name}" is ${c.type}, which training sets do not carry; cast it in a view`);
      return { name: c.name, type: c.dtype };
    });
  }
  const from = engine.dialect.readFile!(spine.format, spine.path);
  const rows = await engine.query(render(sql`DESCRIBE SELECT * FROM ${from}`.toOperationNode() as RootOperationNode, engine.dialect));
  const types: Record<string, Schema[number]["type"]> = { BOOLEAN: "boolean", INTEGER: "integer", SMALLINT: "integer", TINYINT: "integer", BIGINT: "bigint", DOUBLE: "double", FLOAT: "double", VARCHAR: "varchar", DATE: "date", TIMESTAMP: "timestamp" };
  return rows.map((r) => {
    const type = types[String(r.column_type)];
    if (!type) throw new UsageError(`--spine ${spine.path}: column "${String(r.column_name)}" is ${String(r.column_type)}, which training sets do not carry`);
    return { name: String(r.column_name), type };
  });
}

async function spineRange(engine: Engine, spine: SpineRef, time: string): Promise<{ lo: Date; hi: Date } | undefined> {
  const from = spine.kind === "file" ? engine.dialect.readFile!(spine.format, spine.path) : tableId(spine.table);
  const t = sql`CAST(${sql.id(time)} AS ${sql.raw(engine.dialect.types.timestamp)})`;
  const query = builder.selectFrom(sql`${from} AS s` as never).select([sql`min(${t})`.as("lo"), sql`max(${t})`.as("hi")] as never);
  const [row] = await engine.query(render(query.toOperationNode() as RootOperationNode, engine.dialect));
  return row?.lo instanceof Date && row.hi instanceof Date ? { lo: row.lo, hi: row.hi } : undefined;
}

/**
 * The windows, per set, the run ledger does not show filled with today's definition over the stretch the spine's
 * events read: from the first event (minus the TTL and the shift) to the last (minus the shift). The ledger is read as
 * `status` and `run --resume` read it (src/status/project-status.ts: chunks written to the set's table as it is now),
 * so they never disagree.
 */
async function missingWindows(project: LoadedProject, sets: readonly DatasetSet[], range: { lo: Date; hi: Date }, now: Date) {
  const result: { set: string; windows: (TimeWindow & { state: string })[] }[] = [];
  for (const s of sets) {
    const back = (t: Date, d?: Duration) => (d ? addDuration(t, { ...d, n: -d.n }) : t);
    const need = { start: back(back(range.lo, s.shift), s.ttl), end: new Date(back(range.hi, s.shift).getTime() + 1) };
    const { statuses } = await projectStatus(project.config, project.graph, [s.set], need, now);
    const windows = statuses.flatMap((st) => st.spans.filter((sp) => sp.state !== "filled"));
    if (windows.length) result.push({ set: s.set, windows });
  }
  return result;
}

function incomplete(gaps: Awaited<ReturnType<typeof missingWindows>>): IncompleteError {
  const lines = gaps.map(({ set, windows }) => {
    const [first, last] = [windows[0]!, windows.at(-1)!];
    return (
      `feature set "${set}": the run ledger does not show it backfilled with its current definition over ${windows.map((g) => `[${formatInstant(g.start)}, ${formatInstant(g.end)}) (${g.state})`).join(", ")}; ` +
      `fill it with: feature-backfill run --set ${set} --start ${formatInstant(first.start)} --end ${formatInstant(last.end)} --missing (or give dataset --compute-missing)`
    );
  });
  return new IncompleteError(`the training set needs rows the offline tables may not hold:\n  ${lines.join("\n  ")}`);
}

/** The output table is the tool's: never a source, nor a set's offline table, nor a table another writer created. */
function checkOutputTable(project: LoadedProject, out: TableRef): void {
  const key = (t: TableRef) => `${(t.schema ?? "").toLowerCase()}.${t.name.toLowerCase()}`;
  for (const source of project.graph.sources.values()) {
    if (key(source.backfill) === key(out)) throw new OwnershipError(`--out ${formatTable(out)} is the table source "${source.name}" reads; the tool never writes a table it reads`);
  }
  for (const set of project.graph.sets.keys()) {
    if (key(project.config.tableFor(set)) === key(out)) throw new OwnershipError(`--out ${formatTable(out)} is the offline table of feature set "${set}"`);
  }
}

/** `CREATE TABLE out AS <select>`, or the engine's `COPY (<select>) TO file`. */
export function writeStatement(plan: DatasetPlan, dialect: SqlDialect, out: TableRef | undefined, file: { path: string; format: "parquet" | "csv" } | undefined): Statement {
  if (file) return render(dialect.copyToFile!(sql`${{ toOperationNode: () => plan.select }}`, file.format, file.path).toOperationNode() as RootOperationNode, dialect);
  // Where DDL cannot join a transaction (Snowflake), one CREATE OR REPLACE swaps the table atomically instead.
  const orReplace = dialect.transactionalDdl ? {} : { frontModifiers: [sql.raw("OR REPLACE").toOperationNode()] };
  return render(CreateTableNode.cloneWith(CreateTableNode.create(tableNode(out!)), { selectQuery: plan.select, ...orReplace }), dialect);
}

/**
 * Replaces the table in one transaction (DROP, CREATE … AS, registry row and mark), so readers see the old training
 * set or the new one; where DDL is not transactional, with one CREATE OR REPLACE … AS, then the registry row. A table of that name that the registry does not list as a training set is refused.
 */
async function writeTable(engine: Engine, out: TableRef, create: Statement): Promise<void> {
  const ledger = new LedgerStatements(engine.dialect, out.schema, "dataset");
  for (const statement of ledger.setup()) await engine.run(statement);
  const [existing] = await engine.describeTables([out]);
  const owner = `dataset:${out.name}`;
  if (existing) {
    const registered = (await readRegistry(engine, ledger)).find((r) => r.table.name.toLowerCase() === out.name.toLowerCase() && (r.table.schema ?? "").toLowerCase() === (out.schema ?? "").toLowerCase());
    if (registered?.set !== owner) {
      throw new OwnershipError(`--out ${formatTable(out)} exists and was not written by \`feature-backfill dataset\` (${registered ? `it is the table of "${registered.set}"` : `it is not in ${formatTable(registryTable(out.schema))}`}); choose another name`);
    }
  }
  const register = registerTable(engine.dialect, { table: out, set: owner, tableId: randomUUID(), at: new Date() });
  if (!engine.dialect.transactionalDdl) {
    await engine.run(create);
    await engine.transaction(async () => {
      for (const statement of register) await engine.run(statement);
    });
    return;
  }
  await engine.transaction(async () => {
    await engine.run(dropTableStatement(out, engine.dialect));
    await engine.run(create);
    for (const statement of register) await engine.run(statement);
  });
}

/** Rows, null share per feature column and rows without any feature, computed in the warehouse. */
async function summarise(engine: Engine, from: Sql, plan: DatasetPlan): Promise<DatasetSummary> {
  const features = plan.features.flatMap((f) => f.columns);
  const none = features.length ? sql.join(features.map((c) => sql`${sql.id(c)} IS NULL`), sql` AND `) : sql`TRUE`;
  const query = builder.selectFrom(sql`${from} AS d` as never).select([
    sql`count(*)`.as("rows"),
    sql`sum(CASE WHEN ${none} THEN 1 ELSE 0 END)`.as("without_features"),
    ...features.map((c, i) => sql`count(${sql.id(c)})`.as(`f${i}`)),
  ] as never);
  const [row] = await engine.query(render(query.toOperationNode() as RootOperationNode, engine.dialect));
  const rows = Number(row!.rows);
  return {
    rows,
    rowsWithoutFeatures: Number(row!.without_features ?? 0),
    nullShare: Object.fromEntries(features.map((c, i) => [c, rows === 0 ? 0 : 1 - Number(row![`f${i}`]) / rows])),
  };
}
