import type { Duration } from "./duration.ts";
import type { ExprNode, OrderKey } from "./expr.ts";

/**
 * Relation nodes: a feature set's build function yields a tree of these. Leaves name a source (`scan`) or another
 * feature set (`ref`); the graph resolves those names, so a relation tree is self-contained, printable data.
 */
export type RelNode = ScanRel | RefRel | FilterRel | SelectRel | WithColumnsRel | AggregateRel | JoinRel | AsofJoinRel | RenameRel | DropRel | UniqueRel | ConcatRel | GroupHeadRel | RowIndexRel;
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

export type JoinHow = "inner" | "left" | "right" | "full" | "cross" | "semi" | "anti";
export interface JoinKey { readonly left: string; readonly right: string }

/**
 * Polars' `join`: rows of `left` and `right` whose keys are equal (null keys never match); left, right and full
 * joins keep the unmatched rows of their side(s), with nulls for the other's columns. Output columns as Polars names
 * them (ir/join-columns.ts), `coalesce` as Polars' (absent: Polars' default per join, all but full joins coalesce).
 * Semi and anti joins keep the left columns only; a cross join pairs every row with every row.
 */
export interface JoinRel {
  readonly kind: "join";
  readonly left: RelNode;
  readonly right: RelNode;
  readonly how: JoinHow;
  readonly on: readonly JoinKey[];
  readonly suffix: string;
  readonly coalesce?: boolean;
}

/**
 * Polars' `join_asof`, always a left join: each left row meets the right row with the same `by` keys whose `rightOn`
 * is the latest at or before its `leftOn` (backward), the earliest at or after it (forward), or the nearer of those
 * two (nearest; the later one where they are equally near, as Polars), if that is within `tolerance`. Without
 * `allowExactMatches` (absent: true) a right row at the left row's very time does not match. The point-in-time
 * join: backward, a row only sees what was known at its time. A nearest join is a shorthand for a backward and a
 * forward one (ir/lower-frame.ts).
 */
export interface AsofJoinRel {
  readonly kind: "asofJoin";
  readonly left: RelNode;
  readonly right: RelNode;
  readonly leftOn: string;
  readonly rightOn: string;
  readonly by: readonly JoinKey[];
  readonly strategy: "backward" | "forward" | "nearest";
  readonly tolerance: Duration | null;
  readonly suffix: string;
  readonly allowExactMatches?: boolean;
}

/**
 * Polars' `rename`: the columns named in `mapping` (old → new, all at once, so two may swap) renamed in place.
 * A shorthand for a `select` once the input's columns are known (ir/lower-frame.ts): the passes read it as that.
 */
export interface RenameRel { readonly kind: "rename"; readonly input: RelNode; readonly mapping: readonly (readonly [from: string, to: string])[] }
/** Polars' `drop`: every input column but these, in order. A shorthand for a `select`, as `rename`. */
export interface DropRel { readonly kind: "drop"; readonly input: RelNode; readonly columns: readonly string[] }

/**
 * Polars' `unique`: one row per distinct `subset` (null: all columns). `keep`: "any" where all columns are in the
 * subset (the rows are identical: SELECT DISTINCT); "first"/"last" in `orderBy` (the frame's `sort`), whose ties are
 * arbitrary, as in Polars' unstable sort; "none": only rows whose subset no other row shares. A shorthand for an
 * aggregate or a filter on a window (ir/lower-frame.ts).
 */
export interface UniqueRel {
  readonly kind: "unique";
  readonly input: RelNode;
  readonly subset: readonly string[] | null;
  readonly keep: "any" | "first" | "last" | "none";
  readonly orderBy: readonly OrderKey[];
}

/**
 * Polars' `sort(…).group_by(keys).head(n)` (`tail`: the last n): per group of `keys`, the first `n` rows in `orderBy`
 * (ties arbitrary, as Polars' unstable sort), the keys first, then the other columns. A shorthand for a filter on a
 * running count (ir/lower-frame.ts).
 */
export interface GroupHeadRel {
  readonly kind: "groupHead";
  readonly input: RelNode;
  readonly keys: readonly string[];
  readonly n: number;
  readonly take: "head" | "tail";
  readonly orderBy: readonly OrderKey[];
}
/** Polars' `sort(…).with_row_index(name, offset)`: a first column numbering the rows in `orderBy`, from `offset`. */
export interface RowIndexRel {
  readonly kind: "rowIndex";
  readonly input: RelNode;
  readonly name: string;
  readonly offset: number;
  readonly orderBy: readonly OrderKey[];
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
    rename: (n) => [n.input],
    drop: (n) => [n.input],
    unique: (n) => [n.input],
    concat: (n) => n.inputs,
    groupHead: (n) => [n.input],
    rowIndex: (n) => [n.input],
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
    rename: (n) => ({ ...n, input: a }),
    drop: (n) => ({ ...n, input: a }),
    unique: (n) => ({ ...n, input: a }),
    groupHead: (n) => ({ ...n, input: a }),
    rowIndex: (n) => ({ ...n, input: a }),
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
