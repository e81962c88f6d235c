import type { SelectQueryBuilder, SelectQueryNode } from "kysely";
import { sql } from "kysely";
import type { Sql, SqlDialect } from "../dialects/sql-dialect.ts";
import type { SourceDef, TableRef } from "../ir/definitions.ts";
import type { DType } from "../ir/dtype.ts";
import { type ExprNode, mapExprChildren } from "../ir/expr.ts";
import type { RelNode } from "../ir/rel.ts";
import type { FeatureGraph, FeatureSetNode } from "../graph/feature-graph.ts";
import { closureSources } from "../graph/feature-graph.ts";
import type { ConcreteRange } from "../passes/time-range-pass.ts";
import { sourceSchema, type TypedSet, typeExpr } from "../passes/type-pass.ts";
import { compileExpr } from "./compile-expr.ts";
import { builder, withCtes } from "./kysely-builder.ts";
import { type Aliased, eliminateQualify, type SelectParts, toSelectParts } from "./select-parts.ts";
import { rangePredicate, tableId, windowPredicate } from "./statements.ts";

export interface BackfillQueryInput {
  readonly graph: FeatureGraph;
  readonly typed: ReadonlyMap<string, TypedSet>;
  /** The target set with every set it depends on, dependencies first (`selectSets`); the target is last. */
  readonly closure: readonly FeatureSetNode[];
  readonly dialect: SqlDialect;
  /** The event-time range each source is read over (from the time-range pass). */
  readonly reads: ReadonlyMap<string, ConcreteRange>;
  /** The output window to clip the output to; none when the reads map exactly onto it (or online). */
  readonly clip?: { readonly start: Date; readonly end: Date };
  /**
   * How each source is read, instead of its backfill table over `reads`: the online path (src/online) reads one
   * entity's rows, or rows bound from the request. Everything above the source CTEs is the same statement.
   */
  readonly readSource?: (source: SourceDef) => SourceRead;
}

/** A source CTE's FROM item and filter; `table` names what it reads when that is a table (for CTE naming). */
export interface SourceRead {
  readonly from: Sql;
  readonly where?: Sql;
  readonly table?: TableRef;
}

/**
 * The SELECT that computes one feature set: one CTE per DAG node it needs (sources first, each read over its range,
 * then feature sets in dependency order), and a final SELECT of the target, clipped to the window when asked.
 */
export function compileBackfillQuery({ graph, typed, closure: sets, dialect, reads, clip, readSource }: BackfillQueryInput): SelectQueryNode {
  const target = sets.at(-1)!;
  const sourceNames = closureSources(sets);
  const read =
    readSource ??
    ((source: SourceDef): SourceRead => ({
      from: tableId(source.backfill),
      where: rangePredicate(source.timestamp, source.columns[source.timestamp]!, reads.get(source.name)!, dialect),
      table: source.backfill,
    }));
  const sourceReads = new Map(sourceNames.map((name) => [name, read(graph.sources.get(name)!)]));
  // A CTE named like an unqualified source table would capture that table's name in the CTEs after it.
  const tables = [...sourceReads.values()].flatMap(({ table }) => (table && !table.schema ? [table.name.toLowerCase()] : []));
  const cteNames = assignCteNames([...sourceNames, ...sets.map((s) => s.def.name)], tables);

  const sourceCtes = sourceNames.map((name) => {
    const schema = sourceSchema(graph.sources.get(name)!);
    const { from, where } = sourceReads.get(name)!;
    let query = builder.selectFrom(from as never).select(schema.map((c) => readColumn(c, dialect)) as never);
    if (where) query = query.where(where as never);
    return { name: cteNames.get(name)!, query: query.toOperationNode() };
  });

  const setCtes = sets.map((node) => {
    const { schema, relSchemas } = typed.get(node.def.name)!;
    const leaf = (rel: RelNode) => {
      if (rel.kind === "scan") return { name: cteNames.get(rel.source)!, schema: sourceSchema(graph.sources.get(rel.source)!) };
      if (rel.kind === "ref") return { name: cteNames.get(rel.set)!, schema: typed.get(rel.set)!.schema };
      throw new Error(`not a leaf: ${rel.kind}`);
    };
    const parts = toSelectParts(node.rel, leaf, (rel) => relSchemas.get(rel)!);
    const ordered = { ...parts, columns: schema.map((c) => parts.columns.find(([name]) => name === c.name)!) };
    return { name: cteNames.get(node.def.name)!, query: renderParts(ordered, dialect, node.def).toOperationNode() };
  });

  const { schema } = typed.get(target.def.name)!;
  let final = builder.selectFrom(sql.id(cteNames.get(target.def.name)!) as never).select(schema.map((c) => sql.id(c.name)) as never);
  const predicate = clip && windowPredicate(target.def.timestamp, schema.find((c) => c.name === target.def.timestamp)!.type, clip, dialect);
  if (predicate) final = final.where(predicate as never);
  return withCtes(final.toOperationNode(), [...sourceCtes, ...setCtes]);
}

/**
 * A source column as the CTE reads it: through a cast to its declared type where the warehouse may store that type
 * differently (`castAtScan`), so that everything above computes in the declared type on every engine (DESIGN §9).
 */
function readColumn(column: { readonly name: string; readonly type: DType }, dialect: SqlDialect): Sql {
  if (!dialect.castAtScan.includes(column.type)) return sql.id(column.name);
  return sql`CAST(${sql.id(column.name)} AS ${sql.raw(dialect.types[column.type])})`.as(column.name) as unknown as Sql;
}

function renderParts(parts: SelectParts, dialect: SqlDialect, def: FeatureSetNode["def"]): SelectQueryBuilder<any, any, any> {
  if (parts.qualify.length > 0 && !dialect.supportsQualify) return renderParts(eliminateQualify(parts), dialect, def);
  const where = { set: def.name, at: def.definedAt };
  // Inside joins columns are qualified, and the FROM schema names them "alias.name".
  const scoped = (e: ExprNode): ExprNode => (e.kind === "column" && e.qualifier ? { kind: "column", name: `${e.qualifier}.${e.name}` } : mapExprChildren(e, scoped));
  const typeOf = (e: ExprNode) => typeExpr(scoped(e), parts.fromSchema, where, "typed");
  const expr = (e: ExprNode) => compileExpr(e, dialect, typeOf);
  // kysely parenthesises a query embedded in a fragment.
  const source = (a: Aliased) => (a.source.kind === "cte" ? sql.id(a.source.name) : sql`${renderParts(a.source.parts, dialect, def)}`);
  const keysEqual = (l: Aliased, r: Aliased, on: readonly (readonly [string, string])[]) =>
    sql.join(on.map(([lk, rk]) => sql`${sql.id(l.alias, lk)} = ${sql.id(r.alias, rk)}`), sql` AND `);
  const f = parts.from;
  const wheres = parts.where.map(expr);
  let from: unknown;
  switch (f.kind) {
    case "cte":
      from = sql.id(f.name);
      break;
    case "subquery":
      from = renderParts(f.parts, dialect, def).as(f.alias);
      break;
    case "union":
      // Each operand in parentheses: its own QUALIFY or ORDER BY stays with it (kysely's unionAll would put a QUALIFY
      // after the last operand), as PostgreSQL, DuckDB and Snowflake allow (https://docs.snowflake.com/en/sql-reference/operators-query).
      from = sql`(${sql.join(f.inputs.map((p) => renderParts(p, dialect, def)), sql` UNION ALL `)}) AS ${sql.id(f.alias)}`;
      break;
    case "join": {
      const join = sql.raw({ inner: "INNER JOIN", left: "LEFT JOIN", right: "RIGHT JOIN", full: "FULL JOIN", cross: "CROSS JOIN" }[f.how]);
      const on = f.how === "cross" ? sql`` : sql` ON ${keysEqual(f.left, f.right, f.on)}`;
      from = sql`${source(f.left)} AS ${sql.id(f.left.alias)} ${join} ${source(f.right)} AS ${sql.id(f.right.alias)}${on}`;
      break;
    }
    case "exists":
      // Null keys never match, as in Polars: an anti join keeps left rows with null keys.
      from = sql`${source(f.left)} AS ${sql.id(f.left.alias)}`;
      wheres.unshift(
        sql`${sql.raw(f.negated ? "NOT EXISTS" : "EXISTS")} (SELECT 1 FROM ${source(f.right)} AS ${sql.id(f.right.alias)} WHERE ${keysEqual(f.left, f.right, f.on)})`,
      );
      break;
    case "asof":
      from = dialect.asofJoin({
        left: source(f.left),
        right: source(f.right),
        leftAlias: f.left.alias,
        rightAlias: f.right.alias,
        by: f.by.map(([l, r]) => [sql.id(f.left.alias, l), sql.id(f.right.alias, r)] as const),
        leftOn: sql.id(f.left.alias, f.leftOn),
        rightOn: sql.id(f.right.alias, f.rightOn),
        strategy: f.strategy,
        ...(!f.allowExactMatches && { allowExactMatches: false }),
      });
      break;
  }
  let query = builder.selectFrom(from as never).select(
    parts.columns.map(([name, e]) => (e.kind === "column" && !e.qualifier && e.name === name ? sql.id(name) : expr(e).as(name))) as never,
  );
  for (const predicate of wheres) query = query.where(predicate as never);
  // A bare integer in GROUP BY means "the n-th output column": group by a constant as an expression instead.
  const groupKey = (e: ExprNode) => (e.kind === "literal" ? dialect.cast(expr(e), e.dtype, e.dtype === "null" ? "integer" : e.dtype) : expr(e));
  if (parts.groupBy) query = query.groupBy(parts.groupBy.map(groupKey) as never);
  if (parts.qualify.length > 0) query = query.modifyEnd(sql`QUALIFY ${sql.join(parts.qualify.map(expr), sql` AND `)}`);
  return query;
}

/**
 * A CTE is named after its node when that is a plain identifier (readable SQL); other names — any text is allowed
 * in a name — get `node_<n>`. Names are unique ignoring case, as the warehouse compares them; the dialect quotes them.
 */
function assignCteNames(names: readonly string[], reserved: readonly string[]): Map<string, string> {
  const plain = /^[A-Za-z_][A-Za-z0-9_]*$/;
  const taken = new Set<string>(reserved);
  const result = new Map<string, string>();
  names.forEach((name, i) => {
    let cte = plain.test(name) ? name : `node_${i + 1}`;
    while (taken.has(cte.toLowerCase())) cte = `${cte}_`;
    taken.add(cte.toLowerCase());
    result.set(name, cte);
  });
  return result;
}

