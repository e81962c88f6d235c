import { containsAgg, containsWindow, type ExprNode, exprChildren, freeze, mapExprChildren, outputName, unalias } from "../ir/expr.ts";
import { type JoinColumn, joinColumns } from "../ir/join-columns.ts";
import { lowerFrame, type Shorthand } from "../ir/lower-frame.ts";
import { type RelNode, visitRel } from "../ir/rel.ts";
import { columnNames, type Schema } from "../passes/schema.ts";

/**
 * One SELECT, still in IR terms: what the compiler merges relational operators into before rendering. Expressions
 * refer to the columns of `from` (qualified by an alias when `from` is a join).
 */
export interface SelectParts {
  readonly from: From;
  /** The columns `from` offers, named as expressions refer to them (`alias.name` inside joins): for typing. */
  readonly fromSchema: Schema;
  readonly columns: readonly (readonly [name: string, expr: ExprNode])[];
  /** Applied before window functions. */
  readonly where: readonly ExprNode[];
  readonly groupBy: readonly ExprNode[] | null;
  /** Applied after window functions (QUALIFY, or a wrapping SELECT where the dialect has no QUALIFY). */
  readonly qualify: readonly ExprNode[];
}

/** A relation a join reads, under its alias. */
export interface Aliased {
  readonly source: { readonly kind: "cte"; readonly name: string } | { readonly kind: "subquery"; readonly parts: SelectParts };
  readonly alias: string;
}

type KeyPairs = readonly (readonly [left: string, right: string])[];

export type From =
  | { readonly kind: "cte"; readonly name: string }
  | { readonly kind: "subquery"; readonly parts: SelectParts; readonly alias: string }
  /** UNION ALL of SELECTs with the same columns in the same order. */
  | { readonly kind: "union"; readonly inputs: readonly SelectParts[]; readonly alias: string }
  | { readonly kind: "join"; readonly how: "inner" | "left" | "right" | "full" | "cross"; readonly left: Aliased; readonly right: Aliased; readonly on: KeyPairs }
  /** Semi and anti joins: the left rows with (or without) a match, as `[NOT] EXISTS`. */
  | { readonly kind: "exists"; readonly negated: boolean; readonly left: Aliased; readonly right: Aliased; readonly on: KeyPairs }
  | {
      readonly kind: "asof";
      readonly left: Aliased;
      readonly right: Aliased;
      readonly by: KeyPairs;
      readonly leftOn: string;
      readonly rightOn: string;
      readonly strategy: "backward" | "forward";
      readonly allowExactMatches: boolean;
    };

/**
 * Folds a feature set's operator chain into as few SELECTs as SQL allows, the way a person would write it: an
 * operator over a SELECT merges into it by substituting column references with the expressions that define them.
 * It wraps the SELECT below in a subquery instead where merging would change the meaning or the cost:
 * - the SELECT is grouped (everything on top of an aggregate reads its result);
 * - the operator reads a computed column more than once (substituting would compute it repeatedly, and a chain of
 *   such operators would grow the SQL exponentially);
 * - window functions would nest inside each other or inside aggregates, or would run before a QUALIFY filter that
 *   must come first.
 * A filter over a SELECT with window functions becomes a QUALIFY: WHERE would run before the windows.
 *
 * `leaf` gives the CTE name and schema of a scan or ref; `schemaOf` the schema the type pass computed for a node.
 */
export function toSelectParts(
  rel: RelNode,
  leaf: (rel: RelNode) => { name: string; schema: Schema },
  schemaOf: (rel: RelNode) => Schema,
  aliases: { next: () => string } = counter(),
): SelectParts {
  const recur = (r: RelNode) => toSelectParts(r, leaf, schemaOf, aliases);
  const names = (r: RelNode) => columnNames(schemaOf(r));
  const consume = (input: RelNode, exprs: readonly ExprNode[], role: Role) => open(recur(input), schemaOf(input), exprs, role, aliases);
  const fromLeaf = (r: RelNode): SelectParts => {
    const { name, schema } = leaf(r);
    return { from: { kind: "cte", name }, fromSchema: schema, columns: identity(schema), where: [], groupBy: null, qualify: [] };
  };
  const side = (r: RelNode) => aliased(recur(r), schemaOf(r), aliases);
  return visitRel<SelectParts>(rel, {
    scan: fromLeaf,
    ref: fromLeaf,
    filter: (n) => {
      const p = consume(n.input, [n.predicate], "filter");
      const predicate = inline(n.predicate, p);
      const afterWindows = p.qualify.length > 0 || containsWindow(predicate) || p.columns.some(([, e]) => containsWindow(e));
      return afterWindows ? { ...p, qualify: [...p.qualify, predicate] } : { ...p, where: [...p.where, predicate] };
    },
    select: (n) => {
      const p = consume(n.input, n.columns, "project");
      return { ...p, columns: n.columns.map((c) => [outputName(c), inline(c, p)] as const) };
    },
    withColumns: (n) => {
      const p = consume(n.input, n.columns, "project");
      const added = n.columns.map((c) => [outputName(c), inline(c, p)] as const);
      const kept = p.columns.map(([name, expr]) => added.find(([a]) => a === name) ?? ([name, expr] as const));
      return { ...p, columns: [...kept, ...added.filter(([a]) => !p.columns.some(([name]) => name === a))] };
    },
    aggregate: (n) => {
      const p = consume(n.input, [...n.keys, ...n.aggs], "aggregate");
      const keys = n.keys.map((k) => [outputName(k), inline(k, p)] as const);
      const aggs = n.aggs.map((a) => [outputName(a), inline(a, p)] as const);
      return { ...p, columns: [...keys, ...aggs], groupBy: keys.map(([, e]) => e) };
    },
    join: (n) => {
      const [left, right] = [side(n.left), side(n.right)];
      const on = n.on.map((k) => [k.left, k.right] as const);
      const from: From =
        n.how === "semi" || n.how === "anti"
          ? { kind: "exists", negated: n.how === "anti", left, right, on }
          : { kind: "join", how: n.how, left, right, on };
      return joined(from, left, right, joinColumns(n, columnNames(schemaOf(n.left)), columnNames(schemaOf(n.right))), schemaOf(n.left), schemaOf(n.right));
    },
    asofJoin: (n) => {
      if (n.strategy === "nearest") return recur(lowerFrame(n as Shorthand, names));
      const [left, right] = [side(n.left), side(n.right)];
      const by = n.by.map((k) => [k.left, k.right] as const);
      const from: From = { kind: "asof", left, right, by, leftOn: n.leftOn, rightOn: n.rightOn, strategy: n.strategy, allowExactMatches: n.allowExactMatches !== false };
      const parts = joined(from, left, right, joinColumns(n, columnNames(schemaOf(n.left)), columnNames(schemaOf(n.right))), schemaOf(n.left), schemaOf(n.right));
      if (!n.tolerance) return parts;
      // Beyond the tolerance the nearest row is no match: its columns read as null.
      const [l, r] = [qualified(left.alias, n.leftOn), qualified(right.alias, n.rightOn)];
      const bound: ExprNode = freeze({ kind: "offset", operand: l, duration: { ...n.tolerance, n: n.strategy === "backward" ? -n.tolerance.n : n.tolerance.n } });
      const within: ExprNode = freeze({ kind: "binary", op: n.strategy === "backward" ? "ge" : "le", left: r, right: bound });
      const nulled = (e: ExprNode): ExprNode =>
        e.kind === "column" && e.qualifier === right.alias ? freeze({ kind: "case", branches: [{ when: within, then: e }], otherwise: NULL }) : e;
      return { ...parts, columns: parts.columns.map(([name, e]) => [name, nulled(e)] as const) };
    },
    rename: (n) => recur(lowerFrame(n, names)),
    drop: (n) => recur(lowerFrame(n, names)),
    unique: (n) => recur(lowerFrame(n, names)),
    groupHead: (n) => recur(lowerFrame(n, names)),
    rowIndex: (n) => recur(lowerFrame(n, names)),
    concat: (n) => {
      const schema = schemaOf(n);
      // Stacked by position: each part's columns in the schema's order.
      const inputs = n.inputs.map((input) => {
        const p = recur(input);
        return { ...p, columns: schema.map((c) => p.columns.find(([name]) => name === c.name)!) };
      });
      return { from: { kind: "union", inputs, alias: aliases.next() }, fromSchema: schema, columns: identity(schema), where: [], groupBy: null, qualify: [] };
    },
  });
}

type Role = "filter" | "project" | "aggregate";

/** Parts that an operator reading `exprs` can merge into; otherwise they are wrapped in a subquery first. */
function open(parts: SelectParts, schema: Schema, exprs: readonly ExprNode[], role: Role, aliases: { next: () => string }): SelectParts {
  const uses = new Map<string, number>();
  const count = (e: ExprNode): void => {
    if (e.kind === "column") uses.set(e.name, (uses.get(e.name) ?? 0) + 1);
    exprChildren(e).forEach(count);
  };
  exprs.forEach(count);
  const used = parts.columns.filter(([name]) => uses.has(name));
  const computedTwice = used.some(([name, e]) => e.kind !== "column" && e.kind !== "literal" && uses.get(name)! > 1);
  const readsWindow = used.some(([, e]) => containsWindow(e));
  const nests = readsWindow && exprs.some((e) => containsWindow(e) || containsAgg(e));
  const windowsAfterQualify = parts.qualify.length > 0 && (role === "aggregate" || exprs.some(containsWindow));
  const mustWrap = parts.groupBy !== null || computedTwice || nests || windowsAfterQualify || (role === "aggregate" && readsWindow);
  if (!mustWrap) return parts;
  const alias = aliases.next();
  return { from: { kind: "subquery", parts, alias }, fromSchema: schema, columns: identity(schema), where: [], groupBy: null, qualify: [] };
}

/** A relation for a join to read: a CTE as it is when nothing was done to it, else the parts as a subquery. */
function aliased(parts: SelectParts, schema: Schema, aliases: { next: () => string }): Aliased {
  const bare =
    parts.from.kind === "cte" && parts.where.length === 0 && parts.groupBy === null && parts.qualify.length === 0 &&
    parts.columns.length === schema.length && parts.columns.every(([name, e], i) => e.kind === "column" && e.name === name && schema[i]!.name === name);
  return { source: bare && parts.from.kind === "cte" ? { kind: "cte", name: parts.from.name } : { kind: "subquery", parts }, alias: aliases.next() };
}

function joined(
  from: From,
  left: Aliased,
  right: Aliased,
  columns: readonly JoinColumn[],
  leftSchema: Schema,
  rightSchema: Schema,
): SelectParts {
  const scoped = (alias: string, schema: Schema) => schema.map((c) => ({ name: `${alias}.${c.name}`, type: c.type }));
  return {
    from,
    fromSchema: [...scoped(left.alias, leftSchema), ...scoped(right.alias, rightSchema)],
    columns: columns.map((c) => {
      if (c.side === "both") return [c.name, freeze({ kind: "coalesce", operands: [qualified(left.alias, c.source), qualified(right.alias, c.other)] })] as const;
      return [c.name, qualified(c.side === "left" ? left.alias : right.alias, c.source)] as const;
    }),
    where: [],
    groupBy: null,
    qualify: [],
  };
}

/** `expr` (over the parts' output columns) rewritten over the parts' FROM, without its top-level alias. */
function inline(expr: ExprNode, parts: SelectParts): ExprNode {
  const substitute = (e: ExprNode): ExprNode => {
    if (e.kind === "column" && e.qualifier === undefined) return parts.columns.find(([name]) => name === e.name)?.[1] ?? e;
    return mapExprChildren(e, substitute);
  };
  return substitute(unalias(expr));
}

/**
 * The parts with their QUALIFY turned into a wrapping SELECT, for dialects without QUALIFY (sqlglot's
 * `eliminate_qualify`): the inner SELECT computes the condition as a column, the outer one filters on it.
 */
export function eliminateQualify(parts: SelectParts): SelectParts {
  const flag = "__qualify";
  const condition = parts.qualify.reduce((a, b): ExprNode => freeze({ kind: "binary", op: "and", left: a, right: b }));
  const inner: SelectParts = { ...parts, columns: [...parts.columns, [flag, condition]], qualify: [] };
  const names = parts.columns.map(([name]) => name);
  return {
    from: { kind: "subquery", parts: inner, alias: "qualified" },
    fromSchema: [], // only plain columns are read out here: nothing to type
    columns: names.map((name) => [name, column(name)] as const),
    where: [column(flag)],
    groupBy: null,
    qualify: [],
  };
}

const NULL: ExprNode = freeze({ kind: "literal", value: null, dtype: "null" });
const qualified = (qualifier: string, name: string): ExprNode => freeze({ kind: "column", name, qualifier });
const column = (name: string): ExprNode => freeze({ kind: "column", name });
const identity = (schema: Schema) => schema.map((c) => [c.name, column(c.name)] as const);
const counter = () => {
  let n = 0;
  return { next: () => `t${++n}` };
};
