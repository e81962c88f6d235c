import { freeze } from "../ir/expr.ts";
import type { RelNode } from "../ir/rel.ts";
import { type Expr, toColumnExpr, toExpr, type IntoExpr } from "./expr.ts";

const FRAME = Symbol.for("feature-backfill.LazyFrame");

/**
 * A lazy frame, shaped like Polars' `LazyFrame`: every method returns a new frame holding a bigger relation tree.
 * Columns are checked later, against the declared source schemas, with the feature set and file named.
 */
export class LazyFrame {
  constructor(readonly node: RelNode) {}

  // See Expr: recognised by a registered symbol, so frames from two copies of the package mix.
  readonly [FRAME] = true;
  static [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === "object" && value !== null && (value as { [FRAME]?: boolean })[FRAME] === true;
  }

  /** @example accounts.filter(col("account_type").eq("revolving"))   // WHERE "account_type" = 'revolving' */
  filter(predicate: IntoExpr): LazyFrame {
    return this.#with({ kind: "filter", input: this.node, predicate: toExpr(predicate).node });
  }

  /** Exactly these columns. @example frame.select("customer_id", col("balance").mul(2).alias("b2")) */
  select(...columns: (Expr | string)[]): LazyFrame {
    return this.#with({ kind: "select", input: this.node, columns: nodes(columns) });
  }

  /** All columns plus these; a same-named column is replaced in place. */
  withColumns(...columns: (Expr | string)[]): LazyFrame {
    return this.#with({ kind: "withColumns", input: this.node, columns: nodes(columns) });
  }

  /**
   * Groups rows by keys (names or expressions) for `.agg(...)`.
   * @example frame.groupBy("customer_id", col("date").dt.truncate("1mo").alias("date")).agg(col("balance").mean())
   */
  groupBy(...keys: (Expr | string)[]): GroupBy {
    return new GroupBy(this.node, nodes(keys));
  }

  #with(node: RelNode): LazyFrame {
    return new LazyFrame(freeze(node));
  }
}

export class GroupBy {
  constructor(
    private readonly input: RelNode,
    private readonly keys: ReturnType<typeof nodes>,
  ) {}

  /** One row per group: the keys, then one column per aggregate expression. */
  agg(...aggs: Expr[]): LazyFrame {
    return new LazyFrame(freeze({ kind: "aggregate", input: this.input, keys: this.keys, aggs: nodes(aggs) }));
  }
}

const nodes = (values: (Expr | string)[]) => freeze(values.map((v) => toColumnExpr(v).node));
