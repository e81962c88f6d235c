import type { DType, InferredType } from "./dtype.ts";
import type { Duration, DurationUnit, Period } from "./duration.ts";

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
  | OffsetExpr
  | ParseExpr
  | FuncExpr
  | AggExpr
  | FilteredExpr
  | SortedExpr
  | WindowExpr
  | AliasExpr;

export type ExprKind = ExprNode["kind"];

export interface ColumnExpr {
  readonly kind: "column";
  readonly name: string;
  /** Set by the compiler only, inside joins: the relation alias the column belongs to. */
  readonly qualifier?: string;
  /** Where a bare string was read as this column's name (`then()`, `clip()`…), for the error when there is none. */
  readonly bare?: string;
}
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
/** `dt.truncate`: the period of `n` units containing the operand (see `Period` for where periods are counted from). */
export interface TruncateExpr {
  readonly kind: "truncate";
  readonly operand: ExprNode;
  readonly unit: DurationUnit;
  /** Units per period when more than one; absent for one, so definitions written before multiples keep their hash. */
  readonly n?: number;
  readonly label: PeriodLabel;
}

/** The period a truncation rounds to. */
export const truncatePeriod = (n: TruncateExpr): Period => ({ n: n.n ?? 1, unit: n.unit });

/** Whether a truncation's period is shorter than a day (seconds, minutes, hours). */
export const isSubDaily = (n: TruncateExpr): boolean => ["second", "minute", "hour"].includes(n.unit);

/** A timestamp or date moved by a duration (`dt.offsetBy`). */
export interface OffsetExpr { readonly kind: "offset"; readonly operand: ExprNode; readonly duration: Duration }

/**
 * Text parsed as a date or timestamp by a strftime `format` (`str.toDate`, `str.toDatetime`), null where it does not
 * parse: the format is checked against the subset of src/ir/strptime.ts when the expression is built.
 */
export interface ParseExpr { readonly kind: "parse"; readonly operand: ExprNode; readonly format: string; readonly to: "date" | "timestamp" }

/**
 * Row-wise functions whose SQL differs little between engines: each dialect renders them from a table. Constant
 * arguments (decimals, offsets) are literal nodes among `args`.
 */
export const SCALAR_FNS = [
  "abs", "round", "roundHalfEven", "truncate", "clip", "floor", "ceil", "sign", "sqrt", "ln", "pow", "exp", "log1p", "isNan", "isFinite", "fillNan", "floorDiv", "isIn", "isBetween",
  "lower", "upper", "contains", "startsWith", "endsWith", "lenChars", "concat", "slice", "replaceAll", "sliceFromEnd", "stripChars", "padStart", "padEnd", "zfill", "head", "tail",
  "year", "month", "day", "hour", "weekday", "daysBetween", "quarter", "minute", "second",
  "millisecond", "microsecond", "isoWeek", "isoYear", "ordinalDay", "toDate", "monthStart", "monthEnd", "epochMicros",
  // str.split(by).list.get(i): args text, separator, index (literals); FromEnd for a negative index.
  "splitPart", "splitPartFromEnd",
  // Regular expressions (src/ir/regex.ts), as literal arguments: text, pattern[, replacement | wrapped pattern, group].
  "containsRegex", "replaceAllRegex", "extract",
] as const;
export type ScalarFn = (typeof SCALAR_FNS)[number];
export interface FuncExpr { readonly kind: "func"; readonly fn: ScalarFn; readonly args: readonly ExprNode[] }

export const AGG_FNS = [
  "mean", "sum", "min", "max", "count", "std", "var", "stdPop", "varPop", "cov", "covPop", "corr", "product", "median", "quantile", "nUnique", "any", "all", "first", "last",
  "skew", "skewUnbiased",
] as const;
export type AggFn = (typeof AGG_FNS)[number];
/**
 * `operand: null` is a row count (`count(*)`). `quantile` carries its fraction. `first`/`last` take a `sorted`
 * operand: the value at the smallest/largest sort key. `cov`, `covPop` and `corr` pair `operand` with `other`, over the
 * rows where both are non-null. `skew` is Polars' skew(bias=True) (the population's), `skewUnbiased` skew(bias=False).
 */
export interface AggExpr {
  readonly kind: "agg";
  readonly fn: AggFn;
  readonly operand: ExprNode | null;
  readonly quantile?: number;
  readonly other?: ExprNode;
}
/** Only inside an aggregation: the operand where the predicate holds, else null (`col("x").filter(p).sum()`). */
export interface FilteredExpr { readonly kind: "filtered"; readonly operand: ExprNode; readonly predicate: ExprNode }
/**
 * Only as the operand of `first`/`last`: the operand ordered by `by` (`col("x").sortBy("date").last()`); rows whose
 * key is null sort first unless `nullsLast`, in either direction (Polars' sort_by).
 */
export interface SortedExpr {
  readonly kind: "sorted";
  readonly operand: ExprNode;
  readonly by: ExprNode;
  readonly descending: boolean;
  readonly nullsLast: boolean;
}

/** A window's sort key. Nulls sort first unless `nullsLast`, in either direction, as Polars' `over(order_by=…)`. */
export interface OrderKey { readonly expr: ExprNode; readonly descending: boolean; readonly nullsLast: boolean }

/** Polars' rank methods: min (RANK), dense, ordinal (ROW_NUMBER), max, and average (of min and max, a double). */
export const RANK_OPS = ["rank", "denseRank", "rowNumber", "rankMax", "rankAverage"] as const;
export type RankOp = (typeof RANK_OPS)[number];

/** What a window computes for each row. Ranks order the partition by their operand. */
export type WindowFunc =
  /** `fillValue`, a literal, stands where the offset row does not exist (Polars' shift(n, fill_value=…)). */
  | { readonly op: "lag" | "lead"; readonly operand: ExprNode; readonly offset: number; readonly fillValue?: LiteralExpr }
  | { readonly op: RankOp; readonly operand: ExprNode; readonly descending: boolean }
  /**
   * The operand, or where it is null the nearest non-null value before it (forward) or after it (backward) in the
   * window's order, at most `limit` rows away (null: any distance) — Polars' fill_null(strategy=…, limit=…).
   */
  | { readonly op: "fill"; readonly operand: ExprNode; readonly direction: "forward" | "backward"; readonly limit: number | null }
  | { readonly op: "agg"; readonly agg: AggExpr };

/**
 * The rows an aggregate window sees, ending at the current row: the `preceding` rows before it (null: all of them),
 * or the rows whose order key lies within `preceding` of the current row's — (t - d, t], as Polars' rolling_*_by.
 * A null frame is the whole partition.
 */
export type WindowFrame =
  | { readonly kind: "rows"; readonly preceding: number | null }
  | { readonly kind: "range"; readonly preceding: Duration };

export interface WindowExpr {
  readonly kind: "window";
  readonly func: WindowFunc;
  readonly frame: WindowFrame | null;
  /** Rolling results need this many non-null values in the frame, else null (Polars' min_samples). */
  readonly minPeriods: number;
  readonly partitionBy: readonly ExprNode[];
  readonly orderBy: readonly OrderKey[];
  /** Whether `.over(...)` has set the partition and order (it leaves windows that already had it alone). */
  readonly over: boolean;
}
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
    offset: (n) => [n.operand],
    parse: (n) => [n.operand],
    func: (n) => n.args,
    agg: (n) => [...(n.operand ? [n.operand] : []), ...(n.other ? [n.other] : [])],
    filtered: (n) => [n.operand, n.predicate],
    sorted: (n) => [n.operand, n.by],
    window: (n) => [windowOperand(n), ...n.partitionBy, ...n.orderBy.map((k) => k.expr)],
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
    offset: (n) => freeze({ ...n, operand: fn(n.operand) }),
    parse: (n) => freeze({ ...n, operand: fn(n.operand) }),
    func: (n) => freeze({ ...n, args: freeze(n.args.map(fn)) }),
    agg: (n) => freeze({ ...n, operand: n.operand ? fn(n.operand) : null, ...(n.other ? { other: fn(n.other) } : {}) }),
    filtered: (n) => freeze({ ...n, operand: fn(n.operand), predicate: fn(n.predicate) }),
    sorted: (n) => freeze({ ...n, operand: fn(n.operand), by: fn(n.by) }),
    window: (n) =>
      freeze({
        ...n,
        func: freeze(n.func.op === "agg" ? { ...n.func, agg: fn(n.func.agg) as AggExpr } : { ...n.func, operand: fn(n.func.operand) }),
        partitionBy: freeze(n.partitionBy.map(fn)),
        orderBy: freeze(n.orderBy.map((k) => freeze({ ...k, expr: fn(k.expr) }))),
      }),
    alias: (n) => freeze({ ...n, operand: fn(n.operand) }),
  });
}

/** The expression a window computes over: its aggregate, or the operand of a lag or rank. */
export const windowOperand = (n: WindowExpr): ExprNode => (n.func.op === "agg" ? n.func.agg : n.func.operand);

/** Whether any node of `node` (itself included) satisfies `predicate`. */
export function someExpr(node: ExprNode, predicate: (n: ExprNode) => boolean): boolean {
  return predicate(node) || exprChildren(node).some((c) => someExpr(c, predicate));
}

export const containsWindow = (node: ExprNode): boolean => someExpr(node, (n) => n.kind === "window");

/** The window expressions among `exprs` and their subexpressions, outermost first. */
export function windowsIn(exprs: readonly ExprNode[]): WindowExpr[] {
  const found: WindowExpr[] = [];
  const collect = (e: ExprNode): void => {
    if (e.kind === "window") found.push(e);
    exprChildren(e).forEach(collect);
  };
  exprs.forEach(collect);
  return found;
}

/** Aggregates outside windows: what makes an expression an aggregate of its group. */
export const containsAgg = (node: ExprNode): boolean =>
  node.kind === "agg" || (node.kind !== "window" && exprChildren(node).some(containsAgg));

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
    case "window":
      return outputName(windowOperand(node));
    default:
      return outputName(exprChildren(node)[0]!);
  }
}

/** Removes a top-level alias: the expression as it is computed. */
export const unalias = (node: ExprNode): ExprNode => (node.kind === "alias" ? unalias(node.operand) : node);

export function freeze<T extends object>(value: T): T {
  return Object.freeze(value);
}
