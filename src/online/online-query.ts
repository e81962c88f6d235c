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
  | { readonly kind: "row"; readonly source: string; readonly row: number; readonly column: string };

/**
 * One feature set's online statement for one shape of request (which entity fields, how many rows per request-fed
 * source). Every value is a bind parameter, so the text is compiled once and reused: the store prepares it once per
 * connection.
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
  /** Sources read from rows the request carries, with how many rows. */
  readonly requestRows: ReadonlyMap<string, number>;
}

/**
 * The backfill statement of the set, with its IO changed: each source CTE reads the online table (or the request's
 * rows, as a VALUES list of bound values) filtered on the entity where the entity-filter pass proves it equivalent,
 * and on event time <= asOf — the data a backfill run at asOf could have seen. Windows and lags then see exactly the
 * rows such a backfill would (no lookback bound is needed: the entity's whole history up to asOf is read). The
 * output is the set's rows for the entity at or before asOf, the latest first, one row.
 */
export function compileOnlineQuery({ graph, typed, set, fields, dialect, requestRows }: OnlineQueryInput): OnlineQuery {
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
    const where = sql.join([...onKey, upToAsOf(source.timestamp, source.columns[source.timestamp]!)], sql` AND `);
    const rows = requestRows.get(source.name);
    const table = rows === undefined ? onlineTable(source) : undefined;
    reads.push({ source: source.name, from: table ?? "request", filters: onEntity });
    return table ? { from: tableId(table), where, table } : { from: valuesRelation(source, rows!, param), where };
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

/** The request's rows as a relation of bound values; no rows is an empty relation of the same columns. */
function valuesRelation(source: SourceDef, count: number, param: (slot: Slot, type: DType) => Sql): Sql {
  const schema = sourceSchema(source);
  const alias = sql.id("request_rows");
  // Row -1 binds nulls: the columns keep their types, and WHERE 1 = 0 keeps the relation empty.
  if (count === 0) return sql`(SELECT ${sql.join(schema.map((c) => sql`${param({ kind: "row", source: source.name, row: -1, column: c.name }, c.type)} AS ${sql.id(c.name)}`))} WHERE 1 = 0) AS ${alias}`;
  const tuples = Array.from({ length: count }, (_, row) => sql`(${sql.join(schema.map((c) => param({ kind: "row", source: source.name, row, column: c.name }, c.type)))})`);
  return sql`(VALUES ${sql.join(tuples)}) AS ${alias} (${sql.join(schema.map((c) => sql.id(c.name)))})`;
}
