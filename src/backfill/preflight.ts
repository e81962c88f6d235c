import { sql } from "kysely";
import { compileNode } from "../compile/kysely-builder.ts";
import { formatTable } from "../compile/statements.ts";
import type { SqlDialect } from "../dialects/sql-dialect.ts";
import type { Engine, StatementLabel, WarehouseColumn } from "../engines/engine.ts";
import { DefinitionError, type FeatureBackfillError, RunError } from "../errors.ts";
import type { TableRef } from "../ir/definitions.ts";
import { type DType, isDType } from "../ir/dtype.ts";
import type { SetJob } from "./plan.ts";

/**
 * Checks every table the jobs touch, failing at the first problem; returns, per job, whether its offline table exists,
 * and the columns of each of `also` (undefined where missing).
 */
export async function preflight(
  jobs: readonly SetJob[],
  engine: Engine,
  label: StatementLabel,
  also: readonly TableRef[],
): Promise<[boolean[], (WarehouseColumn[] | undefined)[]]> {
  const { problems, existing, alsoColumns } = await checkTables(jobs, engine, label, also);
  if (problems[0]) throw problems[0].error;
  return [existing, alsoColumns];
}

/**
 * Checks, in one catalog query, that every source the jobs read exists with its declared columns in compatible
 * types, and that each existing offline table matches its set. Lists every problem (`validate --against-warehouse`
 * shows them all; a run stops at the first) and, per job, whether its offline table exists already. `label` tags the
 * catalog query where the warehouse records one (Snowflake's QUERY_TAG).
 */
export async function checkTables(
  jobs: readonly Pick<SetJob, "set" | "table" | "columns" | "reads">[],
  engine: Engine,
  label?: StatementLabel,
  /** More tables to describe in the same catalog query (the run ledger's). */
  also: readonly TableRef[] = [],
): Promise<{ problems: TableProblem[]; existing: boolean[]; alsoColumns: (WarehouseColumn[] | undefined)[] }> {
  const problems: TableProblem[] = [];
  // An upstream table this run writes first is checked as the run's own offline table, not as a source.
  const writes = new Set(jobs.map((j) => j.set));
  // State tables are the tool's own (and may be created by this run's first chunk): checked by ownership.
  const sources = [...new Map(jobs.flatMap((j) => j.reads.flatMap((r) => ((r.upstream && writes.has(r.upstream)) || r.state ? [] : [[r.source.name, r.source] as const])))).values()];
  const sourceTables = sources.map((s) => s.backfill);
  const described = await engine.describeTables([...sourceTables, ...jobs.map((j) => j.table), ...also], label);
  const alsoColumns = also.map((_, i) => described[sourceTables.length + jobs.length + i]);

  sources.forEach((source, i) => {
    const columns = described[i];
    const where = { source: source.name, at: source.definedAt };
    const table = formatTable(sourceTables[i]!);
    const problem = (error: DefinitionError) => problems.push({ source: source.name, error });
    if (!columns) return void problem(new DefinitionError(`source table ${table} does not exist in ${engine.description}`, where));
    for (const [name, declared] of Object.entries(source.columns)) {
      const found = columns.find((c) => engine.dialect.resolvesTo(name, c.name));
      const otherCase = !found && columns.find((c) => c.name.toLowerCase() === name.toLowerCase());
      if (otherCase) {
        problem(new DefinitionError(caseMismatch(name, otherCase.name, table, engine.dialect), { ...where, column: name }));
        continue;
      }
      if (!found) {
        problem(new DefinitionError(`source table ${table} has no column "${name}"; it has ${columns.map((c) => c.name).join(", ")}`, {
          ...where,
          column: name,
        }));
        continue;
      }
      if (!readsAs(found, declared)) {
        problem(new DefinitionError(
          `column "${name}" is declared ${declared} but ${table}.${found.name} is ${found.type}` +
            (found.dtype === "timestamptz" ? "; timestamps are read as UTC without a zone: convert it (e.g. in a view)" : "") +
            (fractional(found) && (declared === "integer" || declared === "bigint")
              ? "; its values may have a fraction, which engines round differently when casting: declare it double, or round it in a view"
              : ""),
          { ...where, column: name },
        ));
      }
    }
  });

  const exists = jobs.map((job, j) => {
    const existing = described[sources.length + j];
    if (!existing) return false;
    const expected = job.columns.map((c) => `${c.name} ${engine.dialect.types[c.type]}`);
    const matches =
      existing.length === job.columns.length &&
      job.columns.every((c) => existing.some((e) => engine.dialect.resolvesTo(c.name, e.name) && sameType(e.dtype, c.type, engine.dialect.types)));
    if (!matches) {
      problems.push({ set: job.set, error: new RunError(
        `offline table ${formatTable(job.table)} does not match feature set "${job.set}": the table has ` +
          `(${existing.map((c) => `${c.name} ${c.type}`).join(", ")}), the set outputs (${expected.join(", ")}). ` +
          "Drop or rename the table, or use another offlineStore.table name.",
      ) });
    }
    return true;
  });
  return { problems, existing: exists, alsoColumns };
}

/** A table that does not match its definition: a source's (missing, or lacking a declared column) or a set's offline table. */
export interface TableProblem {
  readonly source?: string;
  readonly set?: string;
  readonly error: FeatureBackfillError;
}

/**
 * A declared column that the warehouse holds under another case, where quoted names are case-sensitive: the statements
 * would fail with "invalid identifier" (after the offline table was created), so the preflight names both spellings.
 */
function caseMismatch(declared: string, stored: string, table: string, dialect: SqlDialect): string {
  const written = compileNode(sql.id(declared).toOperationNode() as never, dialect).sql;
  // The spelling that reaches the stored name, if the dialect's quoting can produce one (Snowflake's compiler
  // upper-cases every plain lower-case name, so a quoted lower-case column has none: a view must rename it).
  const reachable = dialect.resolvesTo(stored, stored) ? `declare it as "${stored}"` : undefined;
  return (
    `column "${declared}" is written ${written} in the ${dialect.name} statements, but ${table} has it as "${stored}" ` +
    `(quoted names are case-sensitive there): ${reachable ?? `rename it in the warehouse, or read the table through a view that does (e.g. "${stored}" AS ${stored.toUpperCase()})`}`
  );
}

/** Types the dialect spells alike are one type there (Snowflake stores INTEGER and BIGINT both as NUMBER(38,0)). */
const sameType = (found: WarehouseColumn["dtype"], wanted: DType, types: Readonly<Record<DType, string>>): boolean =>
  found === wanted || (isDType(found) && types[found] === types[wanted]);

/**
 * Whether a warehouse column can be read as the declared type without changing meaning. Numbers are read through a
 * cast to the declared type (`castAtScan`), except that a column that may hold fractions is not read as an integer:
 * DuckDB rounds a DOUBLE 2.5 to 2 and a DECIMAL 2.5 to 3, PostgreSQL rounds halves to even, Polars truncates.
 */
function readsAs(column: WarehouseColumn, declared: DType): boolean {
  const numeric = ["integer", "bigint", "double", "decimal"];
  if (numeric.includes(declared)) return numeric.includes(column.dtype) && !((declared === "integer" || declared === "bigint") && fractional(column));
  return column.dtype === declared;
}

/** A double, or a decimal whose scale is not known to be 0 (`DECIMAL(18,0)` and `NUMBER(38,0)` hold integers). */
const fractional = (column: WarehouseColumn): boolean => column.dtype === "double" || (column.dtype === "decimal" && !/,\s*0\)$/.test(column.type));
