import { sql } from "kysely";
import type { InferredType } from "../ir/dtype.ts";
import { type AggExpr, type BinaryOp, type ExprNode, visitExpr } from "../ir/expr.ts";
import type { Sql, SqlDialect, WindowSpec } from "../dialects/sql-dialect.ts";

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
    column: (n) => (n.qualifier ? sql.id(n.qualifier, n.name) : sql.id(n.name)),
    literal: (n) => dialect.literal(n),
    binary: (n) =>
      n.op === "div" || n.op === "mod"
        ? dialect[n.op === "div" ? "divide" : "modulo"](operand(n.left), operand(n.right), typeOf(n.left), typeOf(n.right), nonZeroLiteral(n.right))
        : sql`${operand(n.left)} ${sql.raw(OPERATORS[n.op])} ${operand(n.right)}`,
    // `-(…)` always: `-` followed by a negative literal would otherwise read `--1`, a comment.
    unary: (n) => (n.op === "not" ? sql`NOT ${operand(n.operand)}` : sql`-(${c(n.operand)})`),
    isNull: (n) => sql`${operand(n.operand)} ${sql.raw(n.negated ? "IS NOT NULL" : "IS NULL")}`,
    coalesce: (n) => sql`COALESCE(${sql.join(n.operands.map(c))})`,
    case: (n) =>
      sql`CASE ${sql.join(n.branches.map((b) => sql`WHEN ${c(b.when)} THEN ${c(b.then)}`), sql` `)} ELSE ${c(n.otherwise)} END`,
    cast: (n) => dialect.cast(c(n.operand), typeOf(n.operand), n.to),
    truncate: (n) => dialect.truncate(c(n.operand), n.unit, n.label, typeOf(n.operand) === "date" ? "date" : "timestamp"),
    offset: (n) => dialect.offset(c(n.operand), n.duration, temporal(n.operand)),
    func: (n) => dialect.functions[n.fn](n.args.map(operand), n.args.map(typeOf)),
    agg: (n) => aggregate(n),
    // Only inside an aggregation: the aggregate skips the nulls this yields where the predicate fails.
    filtered: (n) => sql`CASE WHEN ${c(n.predicate)} THEN ${c(n.operand)} END`,
    // Only as the operand of first/last, which take its sort key apart.
    sorted: (n) => c(n.operand),
    window: (n) => {
      const spec: WindowSpec = {
        partitionBy: n.partitionBy.map(c),
        orderBy: n.orderBy.map((k) => ({ sql: c(k.expr), descending: k.descending })),
        frame:
          n.frame?.kind === "rows"
            ? sql`ROWS BETWEEN ${n.frame.preceding === null ? sql`UNBOUNDED` : sql.lit(n.frame.preceding)} PRECEDING AND CURRENT ROW`
            : n.frame?.kind === "range"
              ? dialect.rangeFrame(n.frame.preceding, temporal(n.orderBy[0]!.expr))
              : undefined,
      };
      const f = n.func;
      switch (f.op) {
        case "lag":
        case "lead":
          return sql`${sql.raw(f.op)}(${c(f.operand)}, ${sql.lit(f.offset)}) ${dialect.over(spec)}`;
        case "rank":
        case "denseRank":
        case "rowNumber": {
          // Ranks order by their operand; a null value has no rank (as Polars), though it still sorts last.
          const ranked = { ...spec, orderBy: [{ sql: c(f.operand), descending: f.descending }] };
          const fn = { rank: "rank", denseRank: "dense_rank", rowNumber: "row_number" }[f.op];
          return sql`CASE WHEN ${operand(f.operand)} IS NULL THEN NULL ELSE ${sql.raw(fn)}() ${dialect.over(ranked)} END`;
        }
      }
      // A rolling frame with no non-null value yields null (Polars); SQL's aggregates already do, except sum and count.
      const rolling = n.frame !== null && n.minPeriods > 0;
      const result = aggregate(f.agg, dialect.over(spec), rolling);
      if (!rolling || f.agg.operand === null || (n.minPeriods === 1 && f.agg.fn !== "count")) return result;
      const counted = f.agg.operand.kind === "sorted" ? f.agg.operand.operand : f.agg.operand;
      return sql`CASE WHEN count(${c(counted)}) ${dialect.over(spec)} >= ${sql.lit(n.minPeriods)} THEN ${result} END`;
    },
    alias: (n) => c(n.operand),
  });

  function aggregate(n: AggExpr, over?: Sql, nullWhenEmpty = false): Sql {
    const sorted = n.operand?.kind === "sorted" ? n.operand : undefined;
    const input = sorted ? sorted.operand : n.operand;
    return dialect.aggregate({
      fn: n.fn,
      input: input && c(input),
      inputType: input ? typeOf(input) : "bigint",
      quantile: n.quantile,
      sortKey: sorted && c(sorted.by),
      over,
      nullWhenEmpty,
    });
  }

  // A divisor that is a non-zero number literal needs no by-zero case.
  function nonZeroLiteral(e: ExprNode): boolean {
    return e.kind === "literal" && typeof e.value === "number" && e.value !== 0;
  }

  function temporal(e: ExprNode): "date" | "timestamp" {
    return typeOf(e) === "date" ? "date" : "timestamp";
  }
}
