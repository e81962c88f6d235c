import { sql } from "kysely";
import type { InferredType } from "../ir/dtype.ts";
import { type AggExpr, type AggFn, type BinaryOp, type ExprNode, isSubDaily, truncatePeriod, visitExpr, type WindowExpr } from "../ir/expr.ts";
import type { Sql, SqlDialect, WindowSpec } from "../dialects/sql-dialect.ts";
import { parseTemporal } from "../dialects/parse-temporal.ts";

// Operators every supported engine spells the same way; anything that differs is a dialect hook.
const OPERATORS: Record<Exclude<BinaryOp, "div" | "mod">, string> = {
  add: "+", sub: "-", mul: "*",
  eq: "=", ne: "<>", lt: "<", le: "<=", gt: ">", ge: ">=",
  and: "AND", or: "OR",
};

const CUMULATIVE_NULL_ON_NULL: ReadonlySet<AggFn> = new Set(["sum", "max", "min", "product"]);

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
    truncate: (n) => {
      const type = temporal(n.operand);
      // A date has no time of day: a period that divides a day leaves it as it is (Polars; the type pass refuses others).
      if (type === "date" && isSubDaily(n)) return c(n.operand);
      return dialect.truncate(c(n.operand), truncatePeriod(n), n.label, type);
    },
    offset: (n) => dialect.offset(c(n.operand), n.duration, temporal(n.operand)),
    parse: (n) => parseTemporal(dialect, c(n.operand), n.format, n.to),
    func: (n) => dialect.functions[n.fn](n.args.map(operand), n.args.map(typeOf), n.args.map(nonZeroLiteral)),
    agg: (n) => aggregate(n),
    // Only inside an aggregation: the aggregate skips the nulls this yields where the predicate fails.
    filtered: (n) => sql`CASE WHEN ${c(n.predicate)} THEN ${c(n.operand)} END`,
    // Only as the operand of first/last, which take its sort key apart.
    sorted: (n) => c(n.operand),
    window: (n) => {
      const spec: WindowSpec = {
        partitionBy: n.partitionBy.map(c),
        orderBy: n.orderBy.map((k) => ({ sql: c(k.expr), descending: k.descending, nullsLast: k.nullsLast })),
        frame:
          n.frame?.kind === "rows"
            ? sql`ROWS BETWEEN ${n.frame.preceding === null ? sql`UNBOUNDED` : sql.lit(n.frame.preceding)} PRECEDING AND CURRENT ROW`
            : n.frame?.kind === "range"
              ? dialect.rangeFrame(n.frame.preceding, temporal(n.orderBy[0]!.expr))
              : undefined,
      };
      const f = n.func;
      switch (f.op) {
        case "fill": {
          const reach = f.limit === null ? sql`UNBOUNDED` : sql.lit(f.limit);
          const frame =
            f.direction === "forward"
              ? sql`ROWS BETWEEN ${reach} PRECEDING AND CURRENT ROW`
              : sql`ROWS BETWEEN CURRENT ROW AND ${reach} FOLLOWING`;
          return dialect.nonNullInFrame(c(f.operand), dialect.over({ ...spec, frame }), f.direction === "forward" ? "last" : "first");
        }
        case "lag":
        case "lead":
          return f.fillValue
            ? sql`${sql.raw(f.op)}(${c(f.operand)}, ${sql.lit(f.offset)}, ${c(f.fillValue)}) ${dialect.over(spec)}`
            : sql`${sql.raw(f.op)}(${c(f.operand)}, ${sql.lit(f.offset)}) ${dialect.over(spec)}`;
        case "rank":
        case "denseRank":
        case "rowNumber":
        case "rankMax":
        case "rankAverage": {
          // Ranks order by their operand; a null value has no rank (as Polars), so it sorts last, behind every
          // ranked row. Ties of an ordinal rank come in the `over` order (Polars ranks the rows sorted by it); the
          // other methods give ties one rank, which extra keys would split.
          const byValue = { sql: c(f.operand), descending: f.descending, nullsLast: true };
          const ranked = { ...spec, orderBy: f.op === "rowNumber" ? [byValue, ...spec.orderBy] : [byValue] };
          const fn = { rank: "rank", denseRank: "dense_rank", rowNumber: "row_number", rankMax: "rank", rankAverage: "rank" }[f.op];
          const min = sql`${sql.raw(fn)}() ${dialect.over(ranked)}`;
          // Polars' "max" is the last rank of the ties, "average" the mean of the first and the last: from the row's ties.
          const ties = sql`count(*) ${dialect.over({ partitionBy: [...spec.partitionBy, c(f.operand)], orderBy: [] })} - 1`;
          const rank =
            f.op === "rankMax" ? sql`${min} + ${ties}` : f.op === "rankAverage" ? sql`${min} + ${dialect.divide(sql`(${ties})`, sql`2`, "bigint", "integer", true)}` : min;
          return sql`CASE WHEN ${operand(f.operand)} IS NULL THEN NULL ELSE ${rank} END`;
        }
      }
      // A rolling frame with no non-null value yields null (Polars); SQL's aggregates already do, except sum and count.
      const rolling = n.frame !== null && n.minPeriods > 0;
      const result = aggregate(f.agg, dialect.over(spec), rolling, n.frame !== null);
      const counted = f.agg.operand?.kind === "sorted" ? f.agg.operand.operand : f.agg.operand;
      const enough =
        !rolling || counted === null || (n.minPeriods === 1 && f.agg.fn !== "count")
          ? undefined
          : sql`count(${c(counted)}) ${dialect.over(spec)} >= ${sql.lit(n.minPeriods)}`;
      // Null on a row whose own value is null: a cumulative sum, max or min (Polars' cum_sum/cum_max/cum_min; its
      // cum_count counts on), and a time window whose `by` is null (Polars' rolling_*_by).
      const nullIf = [
        cumulative(n) && CUMULATIVE_NULL_ON_NULL.has(f.agg.fn) && counted ? operand(counted) : undefined,
        n.frame?.kind === "range" ? operand(n.orderBy[0]!.expr) : undefined,
      ].flatMap((e) => (e ? [sql`${e} IS NULL`] : []));
      if (nullIf.length === 0) return enough ? sql`CASE WHEN ${enough} THEN ${result} END` : result;
      const isNull = sql.join(nullIf, sql` OR `);
      return enough ? sql`CASE WHEN ${isNull} THEN NULL WHEN ${enough} THEN ${result} END` : sql`CASE WHEN ${isNull} THEN NULL ELSE ${result} END`;
    },
    alias: (n) => c(n.operand),
  });

  function aggregate(n: AggExpr, over?: Sql, nullWhenEmpty = false, framed = false): Sql {
    const sorted = n.operand?.kind === "sorted" ? n.operand : undefined;
    const input = sorted ? sorted.operand : n.operand;
    if (n.fn === "nUnique" && input) {
      // Polars' n_unique counts null as one more distinct value (of the rows a filter() keeps).
      const kept = input.kind === "filtered" ? input : undefined;
      const isNull = kept ? sql`${operand(kept.predicate)} AND ${operand(kept.operand)} IS NULL` : sql`${operand(input)} IS NULL`;
      const nullSeen = dialect.aggregate({ fn: "max", input: sql`CASE WHEN ${isNull} THEN 1 ELSE 0 END`, inputType: "integer", over });
      const distinct = dialect.aggregate({ fn: "nUnique", input: c(input), inputType: typeOf(input), over });
      return sql`(${distinct} + COALESCE(${nullSeen}, 0))`;
    }
    return dialect.aggregate({
      fn: n.fn,
      input: input && c(input),
      inputType: input ? typeOf(input) : "bigint",
      quantile: n.quantile,
      other: n.other && c(n.other),
      otherType: n.other && typeOf(n.other),
      sortKey: sorted && c(sorted.by),
      sortDescending: sorted?.descending,
      sortNullsLast: sorted?.nullsLast,
      over,
      nullWhenEmpty,
      framed,
    });
  }

  function cumulative(n: WindowExpr): boolean {
    return n.frame?.kind === "rows" && n.frame.preceding === null;
  }

  // A divisor that is a non-zero number literal needs no by-zero case (and Polars divides by it through its reciprocal).
  function nonZeroLiteral(e: ExprNode): boolean {
    return e.kind === "literal" && typeof e.value === "number" && e.value !== 0;
  }

  function temporal(e: ExprNode): "date" | "timestamp" {
    return typeOf(e) === "date" ? "date" : "timestamp";
  }
}
