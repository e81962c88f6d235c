import { type ExprNode, exprChildren, mapExprChildren, outputName, unalias } from "../ir/expr.ts";
import { type RelNode, visitRel } from "../ir/rel.ts";
import type { Schema } from "../passes/schema.ts";

/**
 * One SELECT, still in IR terms: what the compiler merges relational operators into before rendering. Expressions
 * refer to the columns of `from`.
 */
export interface SelectParts {
  readonly from: From;
  /** The schema of `from`: what expressions here are typed against. */
  readonly fromSchema: Schema;
  readonly columns: readonly (readonly [name: string, expr: ExprNode])[];
  readonly where: readonly ExprNode[];
  readonly groupBy: readonly ExprNode[] | null;
}

export type From =
  | { readonly kind: "cte"; readonly name: string }
  | { readonly kind: "subquery"; readonly parts: SelectParts; readonly alias: string };

/**
 * Folds a feature set's operator chain into as few SELECTs as SQL allows, the way a person would write it: a filter,
 * projection or grouping over a non-grouped SELECT merges into it by substituting column references with the
 * expressions that define them. It wraps the SELECT below in a subquery instead when that is grouped, or when the
 * operator reads a computed column more than once (substituting would compute it repeatedly, and a chain of such
 * operators would grow the SQL exponentially).
 *
 * `leaf` gives the CTE name and schema of a scan or ref; `schemaOf` the schema the type pass computed for a node.
 */
export function toSelectParts(
  rel: RelNode,
  leaf: (rel: RelNode) => { name: string; schema: Schema },
  schemaOf: (rel: RelNode) => Schema,
): SelectParts {
  const recur = (r: RelNode) => toSelectParts(r, leaf, schemaOf);
  const fromLeaf = (r: RelNode): SelectParts => {
    const { name, schema } = leaf(r);
    return { from: { kind: "cte", name }, fromSchema: schema, columns: identity(schema), where: [], groupBy: null };
  };
  return visitRel<SelectParts>(rel, {
    scan: fromLeaf,
    ref: fromLeaf,
    filter: (n) => {
      const p = open(recur(n.input), schemaOf(n.input), [n.predicate]);
      return { ...p, where: [...p.where, inline(n.predicate, p)] };
    },
    select: (n) => {
      const p = open(recur(n.input), schemaOf(n.input), n.columns);
      return { ...p, columns: n.columns.map((c) => [outputName(c), inline(c, p)] as const) };
    },
    withColumns: (n) => {
      const p = open(recur(n.input), schemaOf(n.input), n.columns);
      const added = n.columns.map((c) => [outputName(c), inline(c, p)] as const);
      const kept = p.columns.map(([name, expr]) => added.find(([a]) => a === name) ?? ([name, expr] as const));
      return { ...p, columns: [...kept, ...added.filter(([a]) => !p.columns.some(([name]) => name === a))] };
    },
    aggregate: (n) => {
      const p = open(recur(n.input), schemaOf(n.input), [...n.keys, ...n.aggs]);
      const keys = n.keys.map((k) => [outputName(k), inline(k, p)] as const);
      const aggs = n.aggs.map((a) => [outputName(a), inline(a, p)] as const);
      return { ...p, columns: [...keys, ...aggs], groupBy: keys.map(([, e]) => e) };
    },
  });
}

/** Parts that an operator reading `exprs` can merge into; otherwise they are wrapped in a subquery first. */
function open(parts: SelectParts, schema: Schema, exprs: readonly ExprNode[]): SelectParts {
  const uses = new Map<string, number>();
  const count = (e: ExprNode): void => {
    if (e.kind === "column") uses.set(e.name, (uses.get(e.name) ?? 0) + 1);
    exprChildren(e).forEach(count);
  };
  exprs.forEach(count);
  const computedTwice = parts.columns.some(([name, e]) => e.kind !== "column" && e.kind !== "literal" && (uses.get(name) ?? 0) > 1);
  if (parts.groupBy === null && !computedTwice) return parts;
  const alias = `t${parts.from.kind === "subquery" ? Number(parts.from.alias.slice(1)) + 1 : 1}`;
  return { from: { kind: "subquery", parts, alias }, fromSchema: schema, columns: identity(schema), where: [], groupBy: null };
}

/** `expr` (over the parts' output columns) rewritten over the parts' FROM, without its top-level alias. */
function inline(expr: ExprNode, parts: SelectParts): ExprNode {
  const substitute = (e: ExprNode): ExprNode => {
    if (e.kind === "column") return parts.columns.find(([name]) => name === e.name)?.[1] ?? e;
    return mapExprChildren(e, substitute);
  };
  return substitute(unalias(expr));
}

const identity = (schema: Schema) => schema.map((c) => [c.name, { kind: "column", name: c.name }] as const);
