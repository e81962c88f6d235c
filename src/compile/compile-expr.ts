import { sql } from "kysely";
import type { InferredType } from "../ir/dtype.ts";
import { type BinaryOp, type ExprNode, visitExpr } from "../ir/expr.ts";
import type { Sql, SqlDialect } from "../dialects/sql-dialect.ts";

// Operators every supported engine spells the same way; anything that differs is a dialect hook.
const OPERATORS: Record<Exclude<BinaryOp, "div" | "mod">, string> = {
  add: "+", sub: "-", mul: "*",
  eq: "=", ne: "<>", lt: "<", le: "<=", gt: ">", ge: ">=",
  and: "AND", or: "OR",
};

/**
 * Renders an IR expression as a kysely fragment. Column names become quoted identifiers and values become literals
 * through the dialect — never text spliced into SQL. `typeOf` gives operand types where the rendering depends on them.
 */
export function compileExpr(expr: ExprNode, dialect: SqlDialect, typeOf: (e: ExprNode) => InferredType): Sql {
  const c = (e: ExprNode): Sql => compileExpr(e, dialect, typeOf);
  // Nested operators are parenthesised so no dialect's precedence rules can regroup them.
  const operand = (e: ExprNode): Sql => (["binary", "unary", "isNull"].includes(e.kind) ? sql`(${c(e)})` : c(e));
  return visitExpr<Sql>(expr, {
    column: (n) => sql.id(n.name),
    literal: (n) => dialect.literal(n),
    binary: (n) =>
      n.op === "div" || n.op === "mod"
        ? dialect[n.op === "div" ? "divide" : "modulo"](operand(n.left), operand(n.right), typeOf(n.left), typeOf(n.right))
        : sql`${operand(n.left)} ${sql.raw(OPERATORS[n.op])} ${operand(n.right)}`,
    // `-(…)` always: `-` followed by a negative literal would otherwise read `--1`, a comment.
    unary: (n) => (n.op === "not" ? sql`NOT ${operand(n.operand)}` : sql`-(${c(n.operand)})`),
    isNull: (n) => sql`${operand(n.operand)} ${sql.raw(n.negated ? "IS NOT NULL" : "IS NULL")}`,
    coalesce: (n) => sql`COALESCE(${sql.join(n.operands.map(c))})`,
    case: (n) =>
      sql`CASE ${sql.join(n.branches.map((b) => sql`WHEN ${c(b.when)} THEN ${c(b.then)}`), sql` `)} ELSE ${c(n.otherwise)} END`,
    cast: (n) => dialect.cast(c(n.operand), typeOf(n.operand), n.to),
    truncate: (n) => dialect.truncate(c(n.operand), n.unit, n.label, typeOf(n.operand) === "date" ? "date" : "timestamp"),
    agg: (n) => dialect.aggregate(n.fn, n.operand && c(n.operand), n.operand ? typeOf(n.operand) : "bigint"),
    alias: (n) => c(n.operand),
  });
}
