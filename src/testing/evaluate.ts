import { sql } from "kysely";
import { planBackfill, rowStatements } from "../backfill/plan.ts";
import { parseWindow, type TimeWindow } from "../backfill/window.ts";
import { compileNode } from "../compile/kysely-builder.ts";
import { createSchemaStatement, createTableStatement, type Statement, tableId } from "../compile/statements.ts";
import { duckdbDialect } from "../dialects/duckdb/duckdb-dialect.ts";
import { UsageError } from "../errors.ts";
import { buildGraph, closureSources, selectSets } from "../graph/feature-graph.ts";
import type { FeatureSetDef, SourceDef } from "../ir/definitions.ts";
import type { DType } from "../ir/dtype.ts";
import { formatDate, formatTimestamp, isMidnight, parseDate, parseInstant } from "../ir/time.ts";
import type { Schema } from "../passes/schema.ts";
import { sourceSchema } from "../passes/type-pass.ts";

/** A fixture value: dates as `"2025-01-31"` (or a Date at midnight UTC), timestamps as ISO text with a zone or a Date. */
export type FixtureValue = string | number | bigint | boolean | null | Date;
/** One input row of a fixture, by column name. */
export type FixtureRow = Readonly<Record<string, FixtureValue>>;
/**
 * An output value, in the shapes fixtures are written in: dates `"2025-01-01"`, timestamps `"2025-01-01T06:00:00.000Z"`,
 * BIGINTs as numbers (as bigint beyond 2^53), doubles as numbers.
 */
export type ResultValue = string | number | bigint | boolean | null;

/** Options of `evaluate()`: the window to evaluate over, as a backfill of it would (default: all history). */
export interface EvaluateOptions {
  /** With `end`: evaluate as a backfill of the window `[start, end)` does (read ranges, clipping). Default: all history, [0001-01-01, 9999-12-31). */
  readonly start?: string;
  readonly end?: string;
}

// Where the output is written inside the throwaway database: apart from any source table's schema.
const OUTPUT_SCHEMA = "feature_backfill_evaluate";
const BATCH = 500; // rows per INSERT, well inside DuckDB's parameter limits

/**
 * Runs a feature set on inline rows, per source name, in a fresh in-memory DuckDB, through the same planner, compiler
 * and statements a backfill runs (DDL, DELETE of the window, INSERT … SELECT), and returns the rows it wrote, sorted by
 * keys and timestamp. Values are bound as parameters, never spliced into SQL. For unit tests of feature definitions.
 *
 * @example
 * const rows = await evaluate(avgMonthlyRevolvingBalance, {
 *   customer_accounts: [
 *     { customer_id: 1, account_id: 10, date: "2025-01-03", balance: 100, account_type: "revolving" },
 *     { customer_id: 1, account_id: 10, date: "2025-01-04", balance: 300, account_type: "revolving" },
 *   ],
 * });
 * // [{ customer_id: 1, date: "2025-01-01", avg_monthly_revolving_balance: 200 }]
 */
export async function evaluate(
  set: FeatureSetDef,
  fixtures: Readonly<Record<string, readonly FixtureRow[]>>,
  options: EvaluateOptions = {},
): Promise<Record<string, ResultValue>[]> {
  const graph = buildGraph([set]);
  const sources = closureSources(selectSets(graph, [set.name])).map((name) => graph.sources.get(name)!);
  checkFixtureNames(set.name, sources, fixtures);
  const window = evaluationWindow(options);
  const [job] = planBackfill({
    graph,
    sets: [set.name],
    window,
    dialect: duckdbDialect,
    tableFor: (name) => ({ schema: OUTPUT_SCHEMA, name }),
  });

  // Imported here: the DSL loads this module with the package, and a feature module must not load DuckDB.
  const { openDuckDB } = await import("../engines/duckdb/duckdb-engine.ts");
  const engine = await openDuckDB({ path: ":memory:", threads: 1 });
  try {
    for (const source of sources) {
      const schema = sourceSchema(source);
      if (source.backfill.schema) await engine.run(createSchemaStatement(source.backfill.schema, duckdbDialect));
      await engine.run(createTableStatement(source.backfill, schema, duckdbDialect));
      const rows = fixtures[source.name]!.map((row, i) => bindRow(source, schema, row, i));
      for (let i = 0; i < rows.length; i += BATCH) await engine.run(insertRows(source, schema, rows.slice(i, i + BATCH)));
    }
    for (const statement of rowStatements(job!)) await engine.run(statement);
    const rows = await engine.query(selectOutput(job!.table, job!.columns, [...set.keys, set.timestamp]));
    return rows.map((row) => Object.fromEntries(job!.columns.map((c) => [c.name, toResult(row[c.name], c.type)])));
  } finally {
    await engine.close();
  }
}

function evaluationWindow(options: EvaluateOptions): TimeWindow {
  if (options.start === undefined && options.end === undefined) {
    // All the history a window can bound (src/ir/time.ts, INSTANT_RANGE): a written window always has both bounds.
    return parseWindow("0001-01-01", "9999-12-31");
  }
  if (options.start === undefined || options.end === undefined) throw new UsageError("evaluate(): give both start and end, or neither");
  return parseWindow(options.start, options.end);
}

function checkFixtureNames(set: string, sources: readonly SourceDef[], fixtures: Readonly<Record<string, readonly FixtureRow[]>>): void {
  const needed = sources.map((s) => s.name);
  const unknown = Object.keys(fixtures).filter((name) => !needed.includes(name));
  if (unknown.length) throw new UsageError(`evaluate(${set}): no source named ${unknown.map((n) => JSON.stringify(n)).join(", ")}; it reads ${needed.join(", ")}`);
  const missing = needed.filter((name) => !Array.isArray(fixtures[name]));
  if (missing.length) throw new UsageError(`evaluate(${set}): no rows given for ${missing.join(", ")} (pass [] for an empty table)`);
}

/** A fixture row as bind values in the table's column order, each checked against its declared type. */
function bindRow(source: SourceDef, schema: Schema, row: FixtureRow, index: number): unknown[] {
  const extra = Object.keys(row).filter((k) => !(k in source.columns));
  const at = `evaluate(): ${source.name} row ${index + 1}`;
  if (extra.length) throw new UsageError(`${at}: no column ${extra.map((c) => JSON.stringify(c)).join(", ")}; it has ${Object.keys(source.columns).join(", ")}`);
  return schema.map(({ name, type }) => {
    const value = row[name] ?? null;
    const bound = value === null ? null : bindValue(value, type);
    if (bound === undefined) throw new UsageError(`${at}, column "${name}": ${describeValue(value)} is not a valid ${type}`);
    return bound;
  });
}

/** The value to bind (cast to the column's type in SQL), or undefined when it is not one of the type's values. */
function bindValue(value: Exclude<FixtureValue, null>, type: DType): unknown {
  switch (type) {
    case "boolean":
      return typeof value === "boolean" ? value : undefined;
    case "integer":
    case "bigint": {
      const limit = type === "integer" ? 2n ** 31n : 2n ** 63n;
      const n = typeof value === "bigint" ? value : typeof value === "number" && Number.isSafeInteger(value) ? BigInt(value) : undefined;
      return n !== undefined && n >= -limit && n < limit ? n : undefined;
    }
    case "double":
      // As text, which the CAST parses exactly: a JS number bound as it is would be taken for a BIGINT when it is
      // integral, and one of magnitude 2^63 or more (1e20) would not fit.
      return typeof value === "number" && Number.isFinite(value) ? (Object.is(value, -0) ? "-0.0" : String(value)) : undefined;
    case "varchar":
      return typeof value === "string" ? value : undefined;
    case "date": {
      const t = value instanceof Date ? value : typeof value === "string" ? parseDate(value) : undefined;
      return t && !Number.isNaN(t.getTime()) && isMidnight(t) ? formatDate(t) : undefined;
    }
    case "timestamp": {
      const t = value instanceof Date ? value : typeof value === "string" ? parseInstant(value) : undefined;
      return t && !Number.isNaN(t.getTime()) ? formatTimestamp(t) : undefined;
    }
  }
}

function insertRows(source: SourceDef, schema: Schema, rows: readonly unknown[][]): Statement {
  const types = duckdbDialect.types;
  const tuple = (row: readonly unknown[]) => sql`(${sql.join(row.map((v, i) => sql`CAST(${v} AS ${sql.raw(types[schema[i]!.type])})`))})`;
  const node = sql`INSERT INTO ${tableId(source.backfill)} (${sql.join(schema.map((c) => sql.id(c.name)))}) VALUES ${sql.join(rows.map(tuple))}`;
  return compileNode(node.toOperationNode(), duckdbDialect);
}

function selectOutput(table: Parameters<typeof tableId>[0], columns: Schema, order: readonly string[]): Statement {
  const node = sql`SELECT ${sql.join(columns.map((c) => sql.id(c.name)))} FROM ${tableId(table)} ORDER BY ${sql.join(order.map((c) => sql.id(c)))}`;
  return compileNode(node.toOperationNode(), duckdbDialect);
}

function toResult(value: unknown, type: DType): ResultValue {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return type === "date" ? formatDate(value) : value.toISOString();
  if (typeof value === "bigint") return Number.isSafeInteger(Number(value)) ? Number(value) : value;
  return value as ResultValue;
}

const describeValue = (v: FixtureValue): string =>
  v instanceof Date ? `Date ${v.toISOString()}` : typeof v === "bigint" ? `${v}n` : JSON.stringify(v);
