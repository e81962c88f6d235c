import {
  ColumnDefinitionNode,
  ColumnNode,
  CreateSchemaNode,
  CreateTableNode,
  DeleteQueryNode,
  DropTableNode,
  InsertQueryNode,
  type RootOperationNode,
  type SelectQueryNode,
  sql,
  TableNode,
  WhereNode,
} from "kysely";
import { format } from "sql-formatter";
import type { SqlDialect, Sql } from "../dialects/sql-dialect.ts";
import type { TableRef } from "../ir/definitions.ts";
import type { DType } from "../ir/dtype.ts";
import { ceilTo, isRepresentable } from "../ir/time.ts";
import type { ConcreteRange } from "../passes/time-range-pass.ts";
import type { Schema } from "../passes/schema.ts";
import { compileNode } from "./kysely-builder.ts";

/** A statement as it is printed by `--dry-run` and sent to the engine: the same text. */
export interface Statement {
  readonly sql: string;
  readonly parameters: readonly unknown[];
}


/** `schema.table`, for messages and progress lines. */
export const formatTable = (t: TableRef): string => (t.schema ? `${t.schema}.${t.name}` : t.name);

export const tableNode = (t: TableRef) => (t.schema ? TableNode.createWithSchema(t.schema, t.name) : TableNode.create(t.name));
export const tableId = (t: TableRef): Sql => (t.schema ? sql.id(t.schema, t.name) : sql.id(t.name));

/**
 * `col >= start AND col < end` for a half-open read range (which may widen: an open side reads all history that
 * way, and open at the start the rows whose time is null too), or undefined when both sides are open. A DATE value d
 * stands for the instant at its midnight, so d is in [S, E) exactly when d >= ceil_day(S) and d < ceil_day(E): date columns
 * get date literals and keep their type (and the engine's min/max pruning).
 */
export function rangePredicate(column: string, type: DType, range: ConcreteRange, dialect: SqlDialect): Sql | undefined {
  // Past 9999-12-31 (a date end rounded up) there is nothing to bound.
  const rounded = (t: Date | undefined) => (t && type === "date" ? ceilTo(t, "day") : t);
  const [start, end] = [rounded(range.start), rounded(range.end)].map((t) => (t && isRepresentable(t) ? t : undefined));
  const bound = (t: Date) => dialect.instant(t, type === "date" ? "date" : "timestamp");
  if (start) return sql.join([sql`${sql.id(column)} >= ${bound(start)}`, ...(end ? [sql`${sql.id(column)} < ${bound(end)}`] : [])], sql` AND `);
  if (!end) return undefined;
  // A source read open at the start takes everything before the end, and the rows whose time is null: windows ordered
  // by time sort them first (as Polars does), where a lag or a cumulative window reaches them. Spelled IS NOT DISTINCT
  // FROM NULL: DuckDB 1.5 then still pushes the range into the scan, where `x < e OR x IS NULL` made it evaluate the
  // whole disjunction per row (revolving_balance_change over a recent window: 1.7× hand-written SQL, 1.1× this way).
  return sql`(${sql.id(column)} IS NOT DISTINCT FROM NULL OR ${sql.id(column)} < ${bound(end)})`;
}

/**
 * `col >= start AND col < end` for the window a statement writes (the DELETE, the INSERT's clip): always both bounds,
 * exactly. A bound no literal can carry is refused when the window is parsed (src/backfill/window.ts); were one to
 * reach here, dropping it would widen the DELETE to the whole table, so it is an error instead.
 */
export function windowPredicate(column: string, type: DType, window: { readonly start: Date; readonly end: Date }, dialect: SqlDialect): Sql {
  const rounded = (t: Date) => (type === "date" ? ceilTo(t, "day") : t);
  const [start, end] = [rounded(window.start), rounded(window.end)];
  if (!isRepresentable(start) || !isRepresentable(end) || start.getTime() > end.getTime()) {
    throw new Error(`refusing to write the window [${window.start.toISOString()}, ${window.end.toISOString()}) of "${column}": a bound no ${type} literal can hold`);
  }
  // Both bounds are held: the read range's predicate is the window's, both sides.
  return rangePredicate(column, type, window, dialect)!;
}

/**
 * The DDL that creates a table (and its schema) where missing, behind the dialect's DDL lock where it has one: for
 * a transaction, so concurrent runs creating the same tables take turns instead of failing.
 */
export function createTableStatements(table: TableRef, columns: Schema, dialect: SqlDialect): Statement[] {
  return [...ddlPrelude(table.schema, dialect), createTableStatement(table, columns, dialect)];
}

/** What comes before creating tables in `schema`: the dialect's DDL lock where it has one, and the schema itself. */
export function ddlPrelude(schema: string | undefined, dialect: SqlDialect): Statement[] {
  return [
    ...(dialect.ddlLock ? [render(dialect.ddlLock(schema).toOperationNode() as RootOperationNode, dialect)] : []),
    ...(schema ? [createSchemaStatement(schema, dialect)] : []),
  ];
}

/** `CREATE SCHEMA IF NOT EXISTS`, or with `strict` a CREATE that fails where the schema exists (one made to be dropped). */
export function createSchemaStatement(schema: string, dialect: SqlDialect, strict = false): Statement {
  return render(CreateSchemaNode.create(schema, { ifNotExists: !strict }), dialect);
}

export function createTableStatement(table: TableRef, columns: Schema, dialect: SqlDialect): Statement {
  const node = CreateTableNode.cloneWith(CreateTableNode.create(tableNode(table)), { ifNotExists: true });
  const withColumns = columns.reduce(
    (acc, c) => CreateTableNode.cloneWithColumn(acc, ColumnDefinitionNode.create(c.name, sql.raw(dialect.types[c.type]).toOperationNode())),
    node,
  );
  return render(withColumns, dialect);
}

/** `CREATE TEMPORARY TABLE stage AS <select>`: a result computed once and read by several statements. */
export function createStageStatement(stage: TableRef, select: SelectQueryNode, dialect: SqlDialect): Statement {
  return render(CreateTableNode.cloneWith(CreateTableNode.create(tableNode(stage)), { temporary: true, selectQuery: select }), dialect);
}

export function dropTableStatement(table: TableRef, dialect: SqlDialect): Statement {
  return render(DropTableNode.create(tableNode(table), { ifExists: true }), dialect);
}

/** DELETE of one window's rows: the predicate is required (`windowPredicate`), a DELETE without one is never built. */
export function deleteStatement(table: TableRef, where: Sql, dialect: SqlDialect): Statement {
  return render({ ...DeleteQueryNode.create([tableNode(table)]), where: WhereNode.create(where.toOperationNode()) }, dialect);
}

export function insertStatement(table: TableRef, columns: Schema, select: SelectQueryNode, dialect: SqlDialect): Statement {
  const node = InsertQueryNode.cloneWith(InsertQueryNode.create(tableNode(table)), {
    columns: columns.map((c) => ColumnNode.create(c.name)),
    values: select,
  });
  return render(node, dialect);
}

/**
 * Compiles a kysely tree with the dialect's compiler and formats it. The formatted text is what runs, so a dry run
 * prints exactly the statements a run sends (sql-formatter changes only whitespace and keyword case).
 */
export function render(node: RootOperationNode, dialect: SqlDialect): Statement {
  const compiled = compileNode(node, dialect);
  return { sql: formatted(compiled.sql, dialect), parameters: compiled.parameters };
}

/** Formatted SQL; the compiled text as it is should the formatter not parse it (its grammar lags the warehouses'). */
function formatted(text: string, dialect: SqlDialect): string {
  try {
    // Bind placeholders of every supported dialect: `?` (Snowflake) and `$1` (DuckDB, PostgreSQL).
    return format(text, { language: dialect.formatterLanguage, keywordCase: "upper", paramTypes: { positional: true, numbered: ["$"] } });
  } catch {
    return text;
  }
}
