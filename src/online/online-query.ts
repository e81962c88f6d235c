import { LimitNode, OrderByItemNode, QueryNode, SelectQueryNode, sql, ValueNode } from "kysely";
import { compileBackfillQuery, type SourceRead } from "../compile/compile-backfill.ts";
import { render, tableId } from "../compile/statements.ts";
import type { Sql, SqlDialect } from "../dialects/sql-dialect.ts";
import type { FeatureGraph } from "../graph/feature-graph.ts";
import { selectSets } from "../graph/feature-graph.ts";
import type { SourceDef, TableRef } from "../ir/definitions.ts";
import type { DType } from "../ir/dtype.ts";
import { type EntityFilters, pushEntityFilters } from "../passes/entity-filter-pass.ts";
import type { Schema } from "../passes/schema.ts";
import { sourceSchema, type TypedSet } from "../passes/type-pass.ts";

/** What a bind parameter of an online statement stands for; filled in per request. */
export type Slot =
  | { readonly kind: "entity"; readonly field: string }
  | { readonly kind: "asOf"; readonly as: "date" | "timestamp" }
  /** One column of a request-fed source: all its rows' values, as one array. */
  | { readonly kind: "rows"; readonly source: string; readonly column: string };

/**
 * One feature set's online statement for one shape of request (which entity fields, which sources the request feeds).
 * Every value is a bind parameter — a request's rows too, one array per column — so the text does not depend on the
 * values nor on how many rows a request carries: the store prepares each of the few texts once per connection.
 */
export interface OnlineQuery {
  readonly set: string;
  readonly sql: string;
  readonly slots: readonly Slot[];
  readonly columns: Schema;
  /** Per source: where it is read, and on which columns the entity filters it (empty: every entity's rows). */
  readonly reads: readonly { readonly source: string; readonly from: TableRef | "request"; readonly filters: ReadonlyMap<string, string> }[];
}

export interface OnlineQueryInput {
  readonly graph: FeatureGraph;
  readonly typed: ReadonlyMap<string, TypedSet>;
  readonly set: string;
  /** The request's entity fields that are output columns of the set (its keys among them). */
  readonly fields: readonly string[];
  readonly dialect: SqlDialect;
  /** Sources read from rows the request carries. */
  readonly requestSources: ReadonlySet<string>;
}

/**
 * The backfill statement of the set, with its IO changed: each source CTE reads the online table (or the request's
 * rows, as a VALUES list of bound values) filtered on the entity where the entity-filter pass proves it equivalent,
 * and on event time <= asOf — the data a backfill run at asOf could have seen. Windows and lags then see exactly the
 * rows such a backfill would (no lookback bound is needed: the entity's whole history up to asOf is read). The
 * output is the set's rows for the entity at or before asOf, the latest first, one row.
 */
export function compileOnlineQuery({ graph, typed, set, fields, dialect, requestSources }: OnlineQueryInput): OnlineQuery {
  const closure = selectSets(graph, [set]);
  const target = closure.at(-1)!;
  const filters: EntityFilters = pushEntityFilters(graph, target, typed, fields);
  const param = (slot: Slot, type: DType): Sql => sql`CAST(${slot} AS ${sql.raw(dialect.types[type])})`;
  // A DATE d stands for its midnight: d <= asOf exactly when d <= the date of asOf.
  const upToAsOf = (column: string, type: DType): Sql =>
    sql`${sql.id(column)} <= ${type === "date" ? param({ kind: "asOf", as: "date" }, "date") : param({ kind: "asOf", as: "timestamp" }, "timestamp")}`;

  const reads: OnlineQuery["reads"][number][] = [];
  const readSource = (source: SourceDef): SourceRead => {
    const onEntity = filters.get(source.name) ?? new Map<string, string>();
    const onKey = [...onEntity].map(([column, field]) => sql`${sql.id(column)} = ${param({ kind: "entity", field }, source.columns[column]!)}`);
    // Rows whose time is null too, as a backfill reads them (rangePredicate): windows ordered by time sort them first.
    const known = sql`(${upToAsOf(source.timestamp, source.columns[source.timestamp]!)} OR ${sql.id(source.timestamp)} IS NULL)`;
    const where = sql.join([...onKey, known], sql` AND `);
    const table = requestSources.has(source.name) ? undefined : onlineTable(source);
    reads.push({ source: source.name, from: table ?? "request", filters: onEntity });
    return table ? { from: tableId(table), where, table } : { from: requestRelation(source, dialect), where };
  };

  const node = compileBackfillQuery({ graph, typed, closure, dialect, reads: new Map(), readSource });
  const { schema } = typed.get(set)!;
  const ts = target.def.timestamp;
  const tsType = schema.find((c) => c.name === ts)!.type;
  const outputType = (field: string) => schema.find((c) => c.name === field)!.type;
  const where = sql.join([...fields.map((f) => sql`${sql.id(f)} = ${param({ kind: "entity", field: f }, outputType(f))}`), upToAsOf(ts, tsType)], sql` AND `);
  const latest = SelectQueryNode.cloneWithLimit(
    SelectQueryNode.cloneWithOrderByItems(QueryNode.cloneWithWhere(node, where.toOperationNode()), [
      OrderByItemNode.create(sql.id(ts).toOperationNode(), sql.raw("DESC").toOperationNode()),
    ]),
    LimitNode.create(ValueNode.createImmediate(1)),
  );
  const statement = render(latest, dialect);
  return { set, sql: statement.sql, slots: statement.parameters as Slot[], columns: schema, reads };
}

export const onlineTable = (source: SourceDef): TableRef => (source.online?.kind === "table" ? source.online.table : source.backfill);

/**
 * The request's rows as a relation: each column one bound array, unnested side by side (arrays of one length
 * unnest in lockstep, in DuckDB and in PostgreSQL since 10), each element cast to the column's type as a bound
 * scalar would be. No rows is an empty relation of the same columns.
 */
function requestRelation(source: SourceDef, dialect: SqlDialect): Sql {
  const columns = sourceSchema(source).map(
    (c) => sql`unnest(CAST(${{ kind: "rows", source: source.name, column: c.name } satisfies Slot} AS ${sql.raw(dialect.types[c.type])}[])) AS ${sql.id(c.name)}`,
  );
  return sql`(SELECT ${sql.join(columns)}) AS ${sql.id("request_rows")}`;
}
