import { type ExprNode, freeze } from "./expr.ts";
import type { DropRel, RelNode, RenameRel } from "./rel.ts";

/** Frame operations that are shorthands for others once the input's columns are known. */
export type Shorthand = RenameRel | DropRel;

const lowered = new WeakMap<Shorthand, { readonly input: string; readonly rel: RelNode }>();

/**
 * The relation a shorthand stands for, over the input's column names (already checked by the type pass): `rename` and
 * `drop` are a `select` of plain column references. Every pass reads a shorthand as its lowered form, so they cannot
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
  }
}

function renamed(from: string, to: string): ExprNode {
  const column: ExprNode = freeze({ kind: "column", name: from });
  return from === to ? column : freeze({ kind: "alias", operand: column, name: to });
}
