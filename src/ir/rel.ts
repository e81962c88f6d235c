import type { Duration } from "./duration.ts";
import type { ExprNode } from "./expr.ts";

/**
 * Relation nodes: a feature set's build function yields a tree of these. Leaves name a source (`scan`) or another
 * feature set (`ref`); the graph resolves those names, so a relation tree is self-contained, printable data.
 */
export type RelNode = ScanRel | RefRel | FilterRel | SelectRel | WithColumnsRel | AggregateRel | JoinRel | AsofJoinRel | ConcatRel;
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

export type JoinHow = "inner" | "left" | "cross" | "semi" | "anti";
export interface JoinKey { readonly left: string; readonly right: string }

/**
 * Polars' `join`: rows of `left` and `right` whose keys are equal (null keys never match). Inner and left joins keep
 * the left keys and drop the right ones; other right columns whose names the left has get `suffix`. Semi and anti
 * joins keep the left columns only; a cross join pairs every row with every row.
 */
export interface JoinRel {
  readonly kind: "join";
  readonly left: RelNode;
  readonly right: RelNode;
  readonly how: JoinHow;
  readonly on: readonly JoinKey[];
  readonly suffix: string;
}

/**
 * Polars' `join_asof`, always a left join: each left row meets the right row with the same `by` keys whose `rightOn`
 * is the latest at or before its `leftOn` (backward) or the earliest at or after it (forward), if that is within
 * `tolerance`. The point-in-time join: backward, a row only sees what was known at its time.
 */
export interface AsofJoinRel {
  readonly kind: "asofJoin";
  readonly left: RelNode;
  readonly right: RelNode;
  readonly leftOn: string;
  readonly rightOn: string;
  readonly by: readonly JoinKey[];
  readonly strategy: "backward" | "forward";
  readonly tolerance: Duration | null;
  readonly suffix: string;
}

/**
 * The rows of every input, one after another (Polars' `concat(how="vertical")`, SQL's UNION ALL): the inputs have the
 * same column names and types in the same order.
 */
export interface ConcatRel { readonly kind: "concat"; readonly inputs: readonly RelNode[] }

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
    join: (n) => [n.left, n.right],
    asofJoin: (n) => [n.left, n.right],
    concat: (n) => n.inputs,
  });
}

/** The node with its inputs replaced, in `relInputs` order. */
export function withInputs(node: RelNode, inputs: readonly RelNode[]): RelNode {
  const [a, b] = inputs as [RelNode, RelNode];
  return visitRel<RelNode>(node, {
    scan: (n) => n,
    ref: (n) => n,
    filter: (n) => ({ ...n, input: a }),
    select: (n) => ({ ...n, input: a }),
    withColumns: (n) => ({ ...n, input: a }),
    aggregate: (n) => ({ ...n, input: a }),
    join: (n) => ({ ...n, left: a, right: b }),
    asofJoin: (n) => ({ ...n, left: a, right: b }),
    concat: (n) => ({ ...n, inputs }),
  });
}

/** The relation with `replace` applied bottom-up: to each node after its inputs (returning the node keeps it). */
export function mapRel(rel: RelNode, replace: (node: RelNode, original: RelNode) => RelNode): RelNode {
  const inputs = relInputs(rel);
  const mapped = inputs.map((input) => mapRel(input, replace));
  return replace(mapped.every((m, i) => m === inputs[i]) ? rel : withInputs(rel, mapped), rel);
}

/** The leaves of a relation, each `scan` or `ref`, in first-use order. */
export function relLeaves(node: RelNode): (ScanRel | RefRel)[] {
  if (node.kind === "scan" || node.kind === "ref") return [node];
  return relInputs(node).flatMap(relLeaves);
}
