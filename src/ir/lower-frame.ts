import { type ExprNode, freeze } from "./expr.ts";
import type { DropRel, RelNode, RenameRel, UniqueRel } from "./rel.ts";

/** Frame operations that are shorthands for others once the input's columns are known. */
export type Shorthand = RenameRel | DropRel | UniqueRel;

const lowered = new WeakMap<Shorthand, { readonly input: string; readonly rel: RelNode }>();

/**
 * The relation a shorthand stands for, over the input's column names (already checked by the type pass): `rename` and
 * `drop` are a `select` of plain column references; `unique` is a GROUP BY of every column (keep "any": the rows of
 * a group are identical), or keeps the rows that a count over the subset's partition puts at 1 — the first in the
 * order (`first`; `last`: the order reversed, nulls too), or the only one (`none`). Every pass reads a shorthand as its lowered form, so they cannot
 * disagree on its meaning; the result is memoised per node, so the type pass's schema of it is the one the compiler
 * finds (for the same input columns).
 */
export function lowerFrame(node: Shorthand, input: readonly string[]): RelNode {
  const key = JSON.stringify(input);
  const known = lowered.get(node);
  if (known?.input === key) return known.rel;
  const rel = freeze(lower(node, input));
  lowered.set(node, { input: key, rel });
  return rel;
}

function lower(node: Shorthand, input: readonly string[]): RelNode {
  switch (node.kind) {
    case "rename": {
      const to = new Map(node.mapping);
      return { kind: "select", input: node.input, columns: freeze(input.map((name) => renamed(name, to.get(name) ?? name))) };
    }
    case "drop":
      return { kind: "select", input: node.input, columns: freeze(input.filter((name) => !node.columns.includes(name)).map((name) => renamed(name, name))) };
    case "unique": {
      const columns = (names: readonly string[]) => freeze(names.map((name): ExprNode => freeze({ kind: "column", name })));
      if (node.keep === "any") return { kind: "aggregate", input: node.input, keys: columns(input), aggs: freeze([]) };
      const reversed = node.keep === "last";
      const orderBy = node.keep === "none" ? [] : node.orderBy.map((k) => freeze({ ...k, descending: k.descending !== reversed, nullsLast: k.nullsLast !== reversed }));
      const count: ExprNode = freeze({
        kind: "window",
        func: freeze({ op: "agg", agg: freeze({ kind: "agg", fn: "count", operand: null }) }),
        // Rows up to this one in the order: its position (a row number); without an order, the whole partition.
        frame: node.keep === "none" ? null : freeze({ kind: "rows" as const, preceding: null }),
        minPeriods: 0,
        partitionBy: columns(node.subset ?? input),
        orderBy: freeze(orderBy),
        over: true,
      });
      const one: ExprNode = freeze({ kind: "literal", value: 1, dtype: "bigint" });
      return { kind: "filter", input: node.input, predicate: freeze({ kind: "binary", op: "eq", left: count, right: one }) };
    }
  }
}

function renamed(from: string, to: string): ExprNode {
  const column: ExprNode = freeze({ kind: "column", name: from });
  return from === to ? column : freeze({ kind: "alias", operand: column, name: to });
}
