import { DTYPES, type DType, isDType, type InferredType } from "../ir/dtype.ts";
import { formatDate, isMidnight, parseInstant } from "../ir/time.ts";
import {
  type AggFn,
  type BinaryOp,
  type ExprNode,
  freeze,
  type PeriodLabel,
  TIME_UNITS,
  type TimeUnit,
} from "../ir/expr.ts";
import { recordOrigin } from "../ir/origin.ts";
import { captureCallSite } from "./call-site.ts";

/** A JS value usable where an expression is expected: literals become `lit(value)`. */
export type IntoExpr = Expr | string | number | boolean | null | Date;

const EXPR = Symbol.for("feature-backfill.Expr");

const PERIODS: Record<string, TimeUnit> = { "1d": "day", "1w": "week", "1mo": "month", "1q": "quarter", "1y": "year" };

/**
 * A lazy column expression, shaped like Polars' `pl.Expr`. It only builds IR; nothing runs until a backfill.
 *
 * @example col("balance").mul(2).alias("double_balance")   // "balance" * 2 AS "double_balance"
 */
export class Expr {
  constructor(readonly node: ExprNode) {
    // Type errors name the line that built the offending expression (src/ir/origin.ts).
    recordOrigin(node, captureCallSite());
  }

  // Recognised by a registered symbol rather than by class identity: a project may load two copies of this package
  // (a global CLI and a local dependency), and their expressions must mix.
  readonly [EXPR] = true;
  static [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === "object" && value !== null && (value as { [EXPR]?: boolean })[EXPR] === true;
  }

  add(other: IntoExpr): Expr { return this.#binary("add", other); }
  sub(other: IntoExpr): Expr { return this.#binary("sub", other); }
  mul(other: IntoExpr): Expr { return this.#binary("mul", other); }
  /** True division: always a double, as Polars' `/` (integer operands are not floor-divided). */
  div(other: IntoExpr): Expr { return this.#binary("div", other); }
  mod(other: IntoExpr): Expr { return this.#binary("mod", other); }
  eq(other: IntoExpr): Expr { return this.#binary("eq", other); }
  ne(other: IntoExpr): Expr { return this.#binary("ne", other); }
  lt(other: IntoExpr): Expr { return this.#binary("lt", other); }
  le(other: IntoExpr): Expr { return this.#binary("le", other); }
  gt(other: IntoExpr): Expr { return this.#binary("gt", other); }
  ge(other: IntoExpr): Expr { return this.#binary("ge", other); }
  and(other: IntoExpr): Expr { return this.#binary("and", other); }
  or(other: IntoExpr): Expr { return this.#binary("or", other); }
  not(): Expr { return wrap({ kind: "unary", op: "not", operand: this.node }); }
  neg(): Expr { return wrap({ kind: "unary", op: "neg", operand: this.node }); }

  isNull(): Expr { return wrap({ kind: "isNull", operand: this.node, negated: false }); }
  isNotNull(): Expr { return wrap({ kind: "isNull", operand: this.node, negated: true }); }
  /** @example col("limit").fillNull(0)   // COALESCE("limit", 0) */
  fillNull(value: IntoExpr): Expr { return wrap({ kind: "coalesce", operands: freeze([this.node, toExpr(value).node]) }); }
  /** @example col("amount").cast("bigint")   // CAST("amount" AS BIGINT) */
  cast(to: DType): Expr {
    if (!isDType(to)) throw new TypeError(`cast(): unknown type ${JSON.stringify(to)}; expected one of ${listTypes()}`);
    return wrap({ kind: "cast", operand: this.node, to });
  }
  alias(name: string): Expr {
    if (typeof name !== "string" || name === "") throw new TypeError("alias(): the name must be a non-empty string");
    return wrap({ kind: "alias", operand: this.node, name });
  }

  /** @example col("balance").mean()   // avg("balance") */
  mean(): Expr { return this.#agg("mean"); }
  sum(): Expr { return this.#agg("sum"); }
  min(): Expr { return this.#agg("min"); }
  max(): Expr { return this.#agg("max"); }
  /** Non-null values in the group, as Polars' `count()`; use `len()` for rows. */
  count(): Expr { return this.#agg("count"); }
  /** Sample standard deviation (ddof = 1, Polars' default). */
  std(): Expr { return this.#agg("std"); }

  /** Date and time functions (Polars' `.dt` namespace). */
  get dt(): DateTimeNamespace { return new DateTimeNamespace(this); }

  #binary(op: BinaryOp, other: IntoExpr): Expr {
    return wrap({ kind: "binary", op, left: this.node, right: toExpr(other).node });
  }
  #agg(fn: AggFn): Expr {
    return wrap({ kind: "agg", fn, operand: this.node });
  }
}

export class DateTimeNamespace {
  constructor(private readonly expr: Expr) {}

  /**
   * Truncates to the start of a calendar period in UTC: "1d", "1w" (ISO weeks, from Monday), "1mo", "1q", "1y".
   * `label: "right"` labels the period by its end instead (the first instant of the next period), the moment all of
   * its rows are known: use it when the feature is looked up point-in-time.
   *
   * @example col("date").dt.truncate("1mo")   // DuckDB: CAST(date_trunc('month', "date") AS DATE)
   */
  truncate(every: string, options: { label?: PeriodLabel } = {}): Expr {
    const unit = PERIODS[every];
    if (!unit) {
      throw new TypeError(
        `dt.truncate(): unsupported period ${JSON.stringify(every)}; expected one of ${Object.keys(PERIODS).join(", ")} (${TIME_UNITS.join(", ")})`,
      );
    }
    const label = options.label ?? "left";
    if (label !== "left" && label !== "right") throw new TypeError(`dt.truncate(): label must be "left" or "right"`);
    return wrap({ kind: "truncate", operand: this.expr.node, unit, label });
  }
}

/**
 * A column of the frame.
 * @example col("balance")   // "balance"
 */
export function col(name: string): Expr {
  if (typeof name !== "string" || name === "") throw new TypeError("col(): the column name must be a non-empty string");
  return wrap({ kind: "column", name });
}

/**
 * A literal value; strings, numbers, booleans, null and Dates (as UTC timestamps). Pass a type to pin it:
 * `lit("2025-01-01", "date")`. Literals are rendered by the dialect from the validated value, never spliced.
 * @example lit(0.5)   // 0.5
 */
export function lit(value: string | number | boolean | null | Date, dtype?: DType): Expr {
  if (dtype !== undefined && !isDType(dtype)) throw new TypeError(`lit(): unknown type ${JSON.stringify(dtype)}; expected one of ${listTypes()}`);
  if (value instanceof Date || dtype === "date" || dtype === "timestamp") {
    if (!(value instanceof Date) && typeof value !== "string") {
      if (value === null) return wrap({ kind: "literal", value, dtype: dtype! });
      throw new TypeError(`lit(): ${JSON.stringify(value)} is not a valid ${dtype}`);
    }
    return temporalLiteral(value, dtype ?? "timestamp");
  }
  if (typeof value === "number" && !Number.isFinite(value)) throw new TypeError(`lit(): ${value} is not a finite number`);
  if (typeof value === "number" && Number.isInteger(value) && !Number.isSafeInteger(value)) {
    throw new TypeError(`lit(): ${value} is beyond the exact integer range of JavaScript numbers`);
  }
  if (value !== null && !["string", "number", "boolean"].includes(typeof value)) {
    throw new TypeError(`lit(): unsupported value of type ${typeof value}`);
  }
  const type = dtype ?? literalType(value);
  if (value !== null && !fitsType(value, type)) throw new TypeError(`lit(): ${JSON.stringify(value)} is not a valid ${type}`);
  return wrap({ kind: "literal", value, dtype: type });
}

/** The number of rows in the group. @example len()   // count(*) */
export function len(): Expr {
  return wrap({ kind: "agg", fn: "count", operand: null });
}

/**
 * A conditional, as Polars' `pl.when(...).then(...).otherwise(...)`; chain `.when().then()` for more branches.
 * A missing `otherwise` yields null.
 * @example when(col("balance").gt(0)).then(1).otherwise(0)   // CASE WHEN "balance" > 0 THEN 1 ELSE 0 END
 */
export function when(condition: IntoExpr): When {
  return new When([], toExpr(condition).node);
}

export class When {
  constructor(
    private readonly branches: readonly { when: ExprNode; then: ExprNode }[],
    private readonly condition: ExprNode,
  ) {}
  then(value: IntoExpr): Then {
    return new Then([...this.branches, freeze({ when: this.condition, then: toExpr(value).node })]);
  }
}

/** A conditional with all branches so far; usable as an expression (ELSE NULL) or continued. */
export class Then extends Expr {
  constructor(private readonly branches: readonly { when: ExprNode; then: ExprNode }[]) {
    super(caseNode(branches, freeze({ kind: "literal", value: null, dtype: "null" })));
  }
  when(condition: IntoExpr): When {
    return new When(this.branches, toExpr(condition).node);
  }
  otherwise(value: IntoExpr): Expr {
    return new Expr(caseNode(this.branches, toExpr(value).node));
  }
}

/** Operands: an Expr as it is, any other value as a literal (as Polars does for `col("a") == "x"`). */
export function toExpr(value: IntoExpr): Expr {
  return value instanceof Expr ? value : lit(value);
}

/** Selections: a string names a column (as in Polars' `select("a")`). */
export function toColumnExpr(value: Expr | string): Expr {
  if (typeof value === "string") return col(value);
  if (value instanceof Expr) return value;
  throw new TypeError(`expected a column name or an expression, got ${typeof value}`);
}

function caseNode(branches: readonly { when: ExprNode; then: ExprNode }[], otherwise: ExprNode): ExprNode {
  return freeze({ kind: "case", branches: freeze([...branches]), otherwise });
}

/** Dates and timestamps are stored as normalised ISO text: `2025-01-31` or `2025-01-31T06:00:00.000Z` (UTC). */
function temporalLiteral(value: string | Date, dtype: DType): Expr {
  const instant = value instanceof Date ? value : parseInstant(value);
  if (!instant || Number.isNaN(instant.getTime())) {
    throw new TypeError(`lit(): ${JSON.stringify(String(value))} is not an ISO date or timestamp with a zone`);
  }
  if (dtype === "date") {
    if (!isMidnight(instant)) throw new TypeError(`lit(): ${JSON.stringify(String(value))} is not a whole date`);
    return wrap({ kind: "literal", value: formatDate(instant), dtype });
  }
  if (dtype !== "timestamp") throw new TypeError(`lit(): a date or time cannot be typed ${dtype}`);
  return wrap({ kind: "literal", value: instant.toISOString(), dtype });
}

function fitsType(value: string | number | boolean, type: InferredType): boolean {
  switch (type) {
    case "integer":
      return Number.isInteger(value) && Math.abs(value as number) <= 2 ** 31 - 1;
    case "bigint":
      return Number.isSafeInteger(value);
    case "double":
      return typeof value === "number";
    case "varchar":
      return typeof value === "string";
    case "boolean":
      return typeof value === "boolean";
    default: // date and timestamp strings and Dates are checked by temporalLiteral
      return false;
  }
}

function literalType(value: string | number | boolean | null): InferredType {
  if (value === null) return "null";
  if (typeof value === "string") return "varchar";
  if (typeof value === "boolean") return "boolean";
  return Number.isInteger(value) ? (Math.abs(value) <= 2 ** 31 - 1 ? "integer" : "bigint") : "double";
}

const wrap = (node: ExprNode): Expr => new Expr(freeze(node));
const listTypes = (): string => DTYPES.join(", ");
