import { randomUUID } from "node:crypto";
import { CreateTableNode, type RootOperationNode, sql } from "kysely";
import { runDdl } from "../backfill/execute.ts";
import { LedgerStatements, REGISTRY_COLUMNS, registerTable, registryTable, tableMark } from "../backfill/ledger.ts";
import type { LoadedProject } from "../backfill/run-backfill.ts";
import { tableKey } from "../backfill/identifier-limits.ts";
import { checkLedgerTables, readRegistry, sameTable } from "../backfill/table-ownership.ts";
import { builder } from "../compile/kysely-builder.ts";
import { createTableStatement, ddlPrelude, dropTableStatement, formatTable, render, type Statement, tableNode } from "../compile/statements.ts";
import type { Sql, SqlDialect } from "../dialects/sql-dialect.ts";
import type { Engine } from "../engines/engine.ts";
import { OwnershipError } from "../errors.ts";
import type { TableRef } from "../ir/definitions.ts";
import type { DatasetPlan } from "./plan-dataset.ts";

/** What a written training set holds, computed in SQL over it. */
export interface DatasetSummary {
  readonly rows: number;
  /** Per feature column: the share of rows where it is null. */
  readonly nullShare: Readonly<Record<string, number>>;
  /** Spine rows where every feature column is null. */
  readonly rowsWithoutFeatures: number;
}

/** The output table is the tool's: never a source, nor a set's offline table, nor a table another writer created. */
export function checkOutputTable(project: LoadedProject, out: TableRef): void {
  // Names compared as the warehouse resolves them (folding, truncation), as a run compares its own tables.
  const { dialect } = project.config;
  for (const source of project.graph.sources.values()) {
    if (sameTable(source.backfill, out, dialect)) throw new OwnershipError(`--out ${formatTable(out)} is the table source "${source.name}" reads; the tool never writes a table it reads`);
  }
  for (const set of project.graph.sets.keys()) {
    if (tableKey(project.config.tableFor(set), dialect) === tableKey(out, dialect)) throw new OwnershipError(`--out ${formatTable(out)} is the offline table of feature set "${set}"`);
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
export async function writeTable(engine: Engine, out: TableRef, create: Statement): Promise<void> {
  const ledger = new LedgerStatements(engine.dialect, out.schema, "dataset");
  const [existing, registry] = await engine.describeTables([out, ledger.tables]);
  // Only the registry, in the output's schema (where ownership is looked up): no run ledger or leases there. A foreign
  // table of its name is refused, as a run refuses it; the DDL runs under the DDL lock.
  checkLedgerTables(engine, ledger, [undefined, undefined, registry]);
  if (!registry) await runDdl(engine, [...ddlPrelude(out.schema, engine.dialect), createTableStatement(ledger.tables, REGISTRY_COLUMNS, engine.dialect)]);
  const owner = `dataset:${out.name}`;
  if (existing) {
    const registered = (await readRegistry(engine, ledger)).find((r) => tableKey(r.table, engine.dialect) === tableKey(out, engine.dialect));
    // The registry row and the table's mark: a table of that name dropped and made again by hand has no mark.
    const [marked] = await engine.query(render(engine.dialect.tableComment(out).toOperationNode() as RootOperationNode, engine.dialect));
    if (registered?.set !== owner || marked?.comment !== tableMark(registered.tableId)) {
      const why = registered?.set === owner ? "it was made again outside the tool" : registered ? `it is the table of "${registered.set}"` : `it is not in ${formatTable(registryTable(out.schema))}`;
      throw new OwnershipError(`--out ${formatTable(out)} exists and was not written by \`feature-backfill dataset\` (${why}); choose another name`);
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
export async function summarise(engine: Engine, from: Sql, plan: DatasetPlan): Promise<DatasetSummary> {
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
