import { type ExprNode, freeze, type OrderKey } from "./expr.ts";
import { joinColumns } from "./join-columns.ts";
import type { AsofJoinRel, DropRel, GroupHeadRel, RelNode, RenameRel, RowIndexRel, UniqueRel } from "./rel.ts";

/** Frame operations that are shorthands for others once the inputs' columns are known. */
export type Shorthand = RenameRel | DropRel | UniqueRel | GroupHeadRel | RowIndexRel | (AsofJoinRel & { readonly strategy: "nearest" });

/** Whether a node is a shorthand: every pass reads it as `lowerFrame` gives it. */
export function isShorthand(node: RelNode): node is Shorthand {
  return node.kind === "asofJoin" ? node.strategy === "nearest" : ["rename", "drop", "unique", "groupHead", "rowIndex"].includes(node.kind);
}

const lowered = new WeakMap<Shorthand, { readonly input: string; readonly rel: RelNode }>();

/**
 * The relation a shorthand stands for, over its inputs' column names (`columns`, already checked by the type pass):
 * `rename` and `drop` are a `select` of plain column references; `unique` is a GROUP BY of every column (keep "any":
 * the rows of a group are identical), or keeps the rows that a count over the subset's partition puts at 1 — the
 * first in the order (`first`; `last`: the order reversed, nulls too), or the only one (`none`); a group's head
 * keeps the rows whose running count is at most n; a row index is a running count from the offset; a nearest as-of
 * join is a backward and a forward one, then the nearer match. Every pass reads a shorthand as its lowered form, so
 * they cannot disagree on its meaning; the result is memoised per node, so the type pass's schema of it is the one
 * the compiler finds (for the same input columns).
 */
export function lowerFrame(node: Shorthand, columns: (rel: RelNode) => readonly string[]): RelNode {
  const inputs = node.kind === "asofJoin" ? [columns(node.left), columns(node.right)] : [columns(node.input)];
  const key = JSON.stringify(inputs);
  const known = lowered.get(node);
  if (known?.input === key) return known.rel;
  const rel = freeze(node.kind === "asofJoin" ? nearest(node, inputs[0]!, inputs[1]!) : lower(node, inputs[0]!));
  lowered.set(node, { input: key, rel });
  return rel;
}

function lower(node: Exclude<Shorthand, AsofJoinRel>, input: readonly string[]): RelNode {
  switch (node.kind) {
    case "rename": {
      const to = new Map(node.mapping);
      return { kind: "select", input: node.input, columns: freeze(input.map((name) => renamed(name, to.get(name) ?? name))) };
    }
    case "drop":
      return { kind: "select", input: node.input, columns: freeze(input.filter((name) => !node.columns.includes(name)).map((name) => renamed(name, name))) };
    case "unique": {
      if (node.keep === "any") return { kind: "aggregate", input: node.input, keys: freeze(input.map(column)), aggs: freeze([]) };
      const count = node.keep === "none" ? rowCount(node.subset ?? input, null) : rowCount(node.subset ?? input, ordered(node.orderBy, node.keep === "last"));
      return { kind: "filter", input: node.input, predicate: binary("eq", count, integer(1)) };
    }
    case "groupHead": {
      const kept: RelNode = freeze({ kind: "filter", input: node.input, predicate: binary("le", rowCount(node.keys, ordered(node.orderBy, node.take === "tail")), integer(node.n)) });
      return { kind: "select", input: kept, columns: freeze([...node.keys, ...input.filter((c) => !node.keys.includes(c))].map(column)) };
    }
    case "rowIndex": {
      const position = rowCount([], ordered(node.orderBy, false)); // from 1
      const index = node.offset === 1 ? position : node.offset === 0 ? binary("sub", position, integer(1)) : binary("add", position, integer(node.offset - 1));
      return { kind: "select", input: node.input, columns: freeze([freeze({ kind: "alias", operand: index, name: node.name }), ...input.map(column)]) };
    }
  }
}

/** The order keys, or all reversed (nulls too: the last row in the order comes first). */
const ordered = (keys: readonly OrderKey[], reversed: boolean): readonly OrderKey[] =>
  freeze(keys.map((k) => freeze({ ...k, descending: k.descending !== reversed, nullsLast: k.nullsLast !== reversed })));

/**
 * count(*) over the partition of `partitionBy`: with an order, of the rows up to this one — its position, a row
 * number — else of the whole partition.
 */
function rowCount(partitionBy: readonly string[], orderBy: readonly OrderKey[] | null): ExprNode {
  return freeze({
    kind: "window",
    func: freeze({ op: "agg", agg: freeze({ kind: "agg", fn: "count", operand: null }) }),
    frame: orderBy ? freeze({ kind: "rows" as const, preceding: null }) : null,
    minPeriods: 0,
    partitionBy: freeze(partitionBy.map(column)),
    orderBy: orderBy ?? freeze([]),
    over: true,
  });
}

const integer = (value: number): ExprNode => freeze({ kind: "literal", value, dtype: "bigint" });
const binary = (op: "eq" | "le" | "add" | "sub", left: ExprNode, right: ExprNode): ExprNode => freeze({ kind: "binary", op, left, right });

/**
 * A nearest as-of join: the backward match and the forward match (each within the tolerance, exact matches as
 * asked), their right columns under prefixed names, then each output column from the forward match where it is
 * at least as near as the backward one (Polars prefers the later row on a tie: polars-ops asof/mod.rs,
 * AsofJoinNearestState), else from the backward one. Distances compare as microseconds since the epoch.
 */
function nearest(node: AsofJoinRel, left: readonly string[], right: readonly string[]): RelNode {
  const side = (strategy: "backward" | "forward", prefix: string, input: RelNode): AsofJoinRel => ({
    ...node,
    strategy,
    left: input,
    right: freeze({ kind: "select", input: node.right, columns: freeze(right.map((name) => renamed(name, prefix + name))) }),
    rightOn: prefix + node.rightOn,
    by: freeze(node.by.map((k) => freeze({ left: k.left, right: prefix + k.right }))),
  });
  const [B, F] = ["__backward_", "__forward_"];
  const both = freeze(side("forward", F, freeze(side("backward", B, node.left))));
  const epoch = (e: ExprNode): ExprNode => freeze({ kind: "func", fn: "epochMicros", args: freeze([e]) });
  const minus = (a: ExprNode, b: ExprNode): ExprNode => freeze({ kind: "binary", op: "sub", left: epoch(a), right: epoch(b) });
  const isNull = (e: ExprNode, negated = false): ExprNode => freeze({ kind: "isNull", operand: e, negated });
  const [t, back, ahead] = [column(node.leftOn), column(B + node.rightOn), column(F + node.rightOn)];
  const forwardIsNearer: ExprNode = freeze({
    kind: "binary",
    op: "and",
    left: isNull(ahead, true),
    right: freeze({ kind: "binary", op: "or", left: isNull(back), right: freeze({ kind: "binary", op: "le", left: minus(ahead, t), right: minus(t, back) }) }),
  });
  const columns = joinColumns({ ...node, strategy: "backward" }, left, right).map((c): ExprNode => {
    if (c.side !== "right") return renamed(c.source, c.name);
    const pick: ExprNode = freeze({ kind: "case", branches: freeze([freeze({ when: forwardIsNearer, then: column(F + c.source) })]), otherwise: column(B + c.source) });
    return freeze({ kind: "alias", operand: pick, name: c.name });
  });
  return { kind: "select", input: both, columns: freeze(columns) };
}

const column = (name: string): ExprNode => freeze({ kind: "column", name });

function renamed(from: string, to: string): ExprNode {
  return from === to ? column(from) : freeze({ kind: "alias", operand: column(from), name: to });
}
