import type { DType, InferredType } from "./dtype.ts";

/**
 * Expression nodes: plain, frozen data with a `kind` tag. No SQL lives here; dialects decide how each renders.
 * Literal values are JSON values so that a definition can be hashed and printed.
 */
export type ExprNode =
  | ColumnExpr
  | LiteralExpr
  | BinaryExpr
  | UnaryExpr
  | IsNullExpr
  | CoalesceExpr
  | CaseExpr
  | CastExpr
  | TruncateExpr
  | AggExpr
  | AliasExpr;

export type ExprKind = ExprNode["kind"];

export interface ColumnExpr { readonly kind: "column"; readonly name: string }
export interface LiteralExpr {
  readonly kind: "literal";
  readonly value: string | number | boolean | null;
  readonly dtype: InferredType;
}
export const ARITHMETIC_OPS = ["add", "sub", "mul", "div", "mod"] as const;
export const COMPARISON_OPS = ["eq", "ne", "lt", "le", "gt", "ge"] as const;
export const LOGICAL_OPS = ["and", "or"] as const;
export type ArithmeticOp = (typeof ARITHMETIC_OPS)[number];
export type ComparisonOp = (typeof COMPARISON_OPS)[number];
export type LogicalOp = (typeof LOGICAL_OPS)[number];
export type BinaryOp = ArithmeticOp | ComparisonOp | LogicalOp;
export interface BinaryExpr { readonly kind: "binary"; readonly op: BinaryOp; readonly left: ExprNode; readonly right: ExprNode }
export interface UnaryExpr { readonly kind: "unary"; readonly op: "not" | "neg"; readonly operand: ExprNode }
export interface IsNullExpr { readonly kind: "isNull"; readonly operand: ExprNode; readonly negated: boolean }
export interface CoalesceExpr { readonly kind: "coalesce"; readonly operands: readonly ExprNode[] }
export interface CaseExpr {
  readonly kind: "case";
  readonly branches: readonly { readonly when: ExprNode; readonly then: ExprNode }[];
  readonly otherwise: ExprNode;
}
export interface CastExpr { readonly kind: "cast"; readonly operand: ExprNode; readonly to: DType }

/** Calendar periods `dt.truncate` understands, aligned in UTC; weeks start on Monday (ISO 8601). */
export const TIME_UNITS = ["day", "week", "month", "quarter", "year"] as const;
export type TimeUnit = (typeof TIME_UNITS)[number];
/**
 * `left` labels a period by its first instant (Polars' default); `right` by the first instant after it, i.e. the
 * moment every value in the period is known — the point-in-time-safe label for features served later.
 */
export type PeriodLabel = "left" | "right";
export interface TruncateExpr {
  readonly kind: "truncate";
  readonly operand: ExprNode;
  readonly unit: TimeUnit;
  readonly label: PeriodLabel;
}

export const AGG_FNS = ["mean", "sum", "min", "max", "count", "std"] as const;
export type AggFn = (typeof AGG_FNS)[number];
/** `operand: null` is a row count (`count(*)`). */
export interface AggExpr { readonly kind: "agg"; readonly fn: AggFn; readonly operand: ExprNode | null }
export interface AliasExpr { readonly kind: "alias"; readonly operand: ExprNode; readonly name: string }

type Handlers<R> = { readonly [K in ExprKind]: (node: Extract<ExprNode, { kind: K }>) => R };

/** Exhaustive dispatch: adding a node kind fails to compile until every visitor handles it. */
export function visitExpr<R>(node: ExprNode, handlers: Handlers<R>): R {
  return (handlers[node.kind] as (n: ExprNode) => R)(node);
}

/** The direct children of an expression, in evaluation order. */
export function exprChildren(node: ExprNode): readonly ExprNode[] {
  return visitExpr<readonly ExprNode[]>(node, {
    column: () => [],
    literal: () => [],
    binary: (n) => [n.left, n.right],
    unary: (n) => [n.operand],
    isNull: (n) => [n.operand],
    coalesce: (n) => n.operands,
    case: (n) => [...n.branches.flatMap((b) => [b.when, b.then]), n.otherwise],
    cast: (n) => [n.operand],
    truncate: (n) => [n.operand],
    agg: (n) => (n.operand ? [n.operand] : []),
    alias: (n) => [n.operand],
  });
}

/** Rebuilds `node` with each child replaced by `fn(child)`; leaves are returned as they are. */
export function mapExprChildren(node: ExprNode, fn: (child: ExprNode) => ExprNode): ExprNode {
  return visitExpr<ExprNode>(node, {
    column: (n) => n,
    literal: (n) => n,
    binary: (n) => freeze({ ...n, left: fn(n.left), right: fn(n.right) }),
    unary: (n) => freeze({ ...n, operand: fn(n.operand) }),
    isNull: (n) => freeze({ ...n, operand: fn(n.operand) }),
    coalesce: (n) => freeze({ ...n, operands: freeze(n.operands.map(fn)) }),
    case: (n) =>
      freeze({ ...n, branches: freeze(n.branches.map((b) => freeze({ when: fn(b.when), then: fn(b.then) }))), otherwise: fn(n.otherwise) }),
    cast: (n) => freeze({ ...n, operand: fn(n.operand) }),
    truncate: (n) => freeze({ ...n, operand: fn(n.operand) }),
    agg: (n) => freeze({ ...n, operand: n.operand ? fn(n.operand) : null }),
    alias: (n) => freeze({ ...n, operand: fn(n.operand) }),
  });
}

/**
 * The name an expression's output column gets, as in Polars: its alias, else the name of its leftmost input
 * (`col("a").add(col("b"))` is "a", `lit(1).add(col("b"))` is "literal"); a conditional is named after its first
 * `then` value, and a row count (`len()`) "len".
 */
export function outputName(node: ExprNode): string {
  switch (node.kind) {
    case "alias":
      return node.name;
    case "column":
      return node.name;
    case "literal":
      return "literal";
    case "agg":
      return node.operand ? outputName(node.operand) : "len";
    case "case":
      return outputName(node.branches[0]!.then);
    default:
      return outputName(exprChildren(node)[0]!);
  }
}

/** Removes a top-level alias: the expression as it is computed. */
export const unalias = (node: ExprNode): ExprNode => (node.kind === "alias" ? unalias(node.operand) : node);

export function freeze<T extends object>(value: T): T {
  return Object.freeze(value);
}
