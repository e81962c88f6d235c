import type { ExprNode } from "./expr.ts";

/**
 * Relation nodes: a feature set's build function yields a tree of these. Leaves name a source (`scan`) or another
 * feature set (`ref`); the graph resolves those names, so a relation tree is self-contained, printable data.
 */
export type RelNode = ScanRel | RefRel | FilterRel | SelectRel | WithColumnsRel | AggregateRel;
export type RelKind = RelNode["kind"];

export interface ScanRel { readonly kind: "scan"; readonly source: string }
export interface RefRel { readonly kind: "ref"; readonly set: string }
export interface FilterRel { readonly kind: "filter"; readonly input: RelNode; readonly predicate: ExprNode }
/** Exactly these columns, in this order. */
export interface SelectRel { readonly kind: "select"; readonly input: RelNode; readonly columns: readonly ExprNode[] }
/** Every input column, with same-named ones replaced in place and new ones appended (Polars `with_columns`). */
export interface WithColumnsRel { readonly kind: "withColumns"; readonly input: RelNode; readonly columns: readonly ExprNode[] }
/** One row per distinct key tuple: the keys, then the aggregates (Polars `group_by().agg()`). */
export interface AggregateRel {
  readonly kind: "aggregate";
  readonly input: RelNode;
  readonly keys: readonly ExprNode[];
  readonly aggs: readonly ExprNode[];
}

type Handlers<R> = { readonly [K in RelKind]: (node: Extract<RelNode, { kind: K }>) => R };

export function visitRel<R>(node: RelNode, handlers: Handlers<R>): R {
  return (handlers[node.kind] as (n: RelNode) => R)(node);
}

export function relInputs(node: RelNode): readonly RelNode[] {
  return visitRel<readonly RelNode[]>(node, {
    scan: () => [],
    ref: () => [],
    filter: (n) => [n.input],
    select: (n) => [n.input],
    withColumns: (n) => [n.input],
    aggregate: (n) => [n.input],
  });
}

/** The leaves of a relation, each `scan` or `ref`, in first-use order. */
export function relLeaves(node: RelNode): (ScanRel | RefRel)[] {
  if (node.kind === "scan" || node.kind === "ref") return [node];
  return relInputs(node).flatMap(relLeaves);
}
