import { DURATION_HELP, parseDuration } from "../ir/duration.ts";
import { freeze, type OrderKey, outputName } from "../ir/expr.ts";
import type { JoinHow, JoinKey, RelNode } from "../ir/rel.ts";
import { type Expr, toColumnExpr, toExpr, type IntoExpr } from "./expr.ts";

const FRAME = Symbol.for("feature-backfill.LazyFrame");

/**
 * A lazy frame, shaped like Polars' `LazyFrame`: every method returns a new frame holding a bigger relation tree.
 * Columns are checked later, against the declared source schemas, with the feature set and file named.
 */
export class LazyFrame {
  /** The order `sort()` gave, for the operation right after it; every other operation returns an unordered frame. */
  readonly #order: readonly OrderKey[] | null;

  constructor(
    readonly node: RelNode,
    order: readonly OrderKey[] | null = null,
  ) {
    this.#order = order;
  }

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
    return new GroupBy(this.node, nodes(keys), this.#order);
  }

  /**
   * A first column numbering the rows from `offset` in the order of a `sort()` right before, as Polars'
   * `with_row_index` (a BIGINT here). A table has no row order, so it needs that sort (rows tied on every sort key
   * are numbered in an arbitrary order, as Polars' unstable sort would leave them).
   * @example events.sort("ts").withRowIndex("n")   // count(*) OVER (ORDER BY "ts" ROWS …) - 1 AS "n", …
   */
  withRowIndex(name = "index", offset = 0): LazyFrame {
    if (typeof name !== "string" || name === "") throw new TypeError("withRowIndex(): the name must be a non-empty string");
    if (!Number.isSafeInteger(offset) || offset < 0) throw new TypeError("withRowIndex(): offset must be a non-negative integer, as in Polars");
    if (!this.#order) throw new TypeError(`withRowIndex() numbers rows in an order, which a table's rows do not have: sort the frame right before, e.g. frame.sort("<column>").withRowIndex(${JSON.stringify(name)})`);
    return this.#with({ kind: "rowIndex", input: this.node, name, offset, orderBy: this.#order });
  }

  /**
   * Joins another frame on equal keys, as Polars' `join` (null keys never match). Columns as Polars names them: with
   * `coalesce` (the default for all but full joins) one column per key pair — the left key, or the right key in a
   * right join, or in a full join the left key where the left row exists, else the right one; without it both keys
   * stay. Right columns whose names the left already has get `suffix` ("_right").
   * @example applications.join(customers, { on: "customer_id", how: "left" })
   * @example a.join(b, { on: "id", how: "full" })   // … "id", …, "id_right" … FROM a FULL JOIN b ON a."id" = b."id"
   */
  join(other: LazyFrame, options: { on?: Keys; leftOn?: Keys; rightOn?: Keys; how?: JoinHow; suffix?: string; coalesce?: boolean } = {}): LazyFrame {
    const how = options.how ?? "inner";
    if (!["inner", "left", "right", "full", "cross", "semi", "anti"].includes(how)) throw new TypeError(`join(): how must be inner, left, right, full, cross, semi or anti`);
    if (options.coalesce !== undefined && typeof options.coalesce !== "boolean") throw new TypeError("join(): coalesce must be true or false");
    const on = how === "cross" ? [] : joinKeys("join", options.on, options.leftOn, options.rightOn);
    if (how !== "cross" && on.length === 0) throw new TypeError(`join(): a ${how} join needs keys: { on } or { leftOn, rightOn }`);
    // Absent, Polars' default for the join; set, it is part of the definition (and of its hash) only then.
    const coalesce = options.coalesce === undefined || ["cross", "semi", "anti"].includes(how) ? {} : { coalesce: options.coalesce };
    return this.#with({ kind: "join", left: this.node, right: frameNode("join", other), how, on: freeze(on), suffix: options.suffix ?? "_right", ...coalesce });
  }

  /**
   * The point-in-time join, as Polars' `join_asof`: each row gets the `other` row with the same `by` keys whose `on`
   * time is the latest at or before its own (backward; forward: the earliest at or after; nearest: the nearer of the
   * two, the later one where they are equally near, as Polars), within `tolerance`. `allowExactMatches: false`
   * (Polars' `allow_exact_matches`) leaves out right rows at the row's very time. Right rows should be unique per
   * (by, on): among ties one is taken arbitrarily.
   * @example applications.joinAsof(balances, { leftOn: "applied_at", rightOn: "date", by: "customer_id" })
   */
  joinAsof(
    other: LazyFrame,
    options: {
      on?: string;
      leftOn?: string;
      rightOn?: string;
      by?: Keys;
      byLeft?: Keys;
      byRight?: Keys;
      strategy?: "backward" | "forward" | "nearest";
      tolerance?: string;
      suffix?: string;
      allowExactMatches?: boolean;
    },
  ): LazyFrame {
    const [time] = joinKeys("joinAsof", options.on, options.leftOn, options.rightOn);
    if (!time) throw new TypeError("joinAsof(): needs { on } or { leftOn, rightOn }: the time columns to match");
    const strategy = options.strategy ?? "backward";
    if (!["backward", "forward", "nearest"].includes(strategy)) throw new TypeError(`joinAsof(): strategy must be "backward", "forward" or "nearest"`);
    if (options.allowExactMatches !== undefined && typeof options.allowExactMatches !== "boolean") throw new TypeError("joinAsof(): allowExactMatches must be true or false");
    let tolerance = null;
    if (options.tolerance !== undefined) {
      tolerance = parseDuration(options.tolerance);
      if (!tolerance || tolerance.n < 0) throw new TypeError(`joinAsof(): tolerance ${JSON.stringify(options.tolerance)} is not a duration (${DURATION_HELP})`);
    }
    const by = options.by === undefined && options.byLeft === undefined ? [] : joinKeys("joinAsof", options.by, options.byLeft, options.byRight);
    return this.#with({
      kind: "asofJoin",
      left: this.node,
      right: frameNode("joinAsof", other),
      leftOn: time.left,
      rightOn: time.right,
      by: freeze(by),
      strategy,
      tolerance,
      suffix: options.suffix ?? "_right",
      // Set only when not Polars' default, so that the definitions (and hashes) of existing joins stay as they were.
      ...(options.allowExactMatches === false && { allowExactMatches: false }),
    });
  }

  /**
   * Renames columns in place, as Polars' `rename`: `{ old: "new" }`, applied all at once (two columns may swap). A
   * name the frame lacks is a planning error. The feature set's declared keys and timestamp name the output columns.
   * @example frame.rename({ date: "day", amount: "spend" })   // SELECT "date" AS "day", "amount" AS "spend", …
   */
  rename(mapping: Readonly<Record<string, string>>): LazyFrame {
    if (typeof mapping !== "object" || mapping === null) throw new TypeError("rename(): pass an object of old → new names");
    const pairs = Object.entries(mapping);
    if (pairs.some(([, to]) => typeof to !== "string" || to === "")) throw new TypeError("rename(): new names must be non-empty strings");
    return this.#with({ kind: "rename", input: this.node, mapping: freeze(pairs.map((p) => freeze(p))) });
  }

  /**
   * Every column but these, as Polars' `drop`; a name the frame lacks is a planning error.
   * @example frame.drop("raw_payload")   // SELECT every other column
   */
  drop(...columns: (string | readonly string[])[]): LazyFrame {
    const names = columns.flat();
    if (names.some((c) => typeof c !== "string")) throw new TypeError("drop(): pass column names");
    return this.#with({ kind: "drop", input: this.node, columns: freeze(names) });
  }

  /**
   * Orders the rows for the operation that comes next, as Polars' `sort`: `unique(…, { keep: "first" | "last" })`,
   * `groupBy(…).head(n)` / `tail(n)` (top-k per group), `withRowIndex()`. A table has no row order, so the order goes
   * no further than that operation; nulls sort first unless `nullsLast`
   * (also descending), as Polars'. Rows tied on every key come in an arbitrary order (Polars' sort is not stable
   * either, unless `maintain_order`).
   * @example events.sort("ts").unique("customer_id", { keep: "last" })   // the latest row per customer
   */
  sort(by: Expr | string | readonly (Expr | string)[], options: { descending?: boolean | readonly boolean[]; nullsLast?: boolean } = {}): LazyFrame {
    const keys = (Array.isArray(by) ? by : [by]) as (Expr | string)[];
    if (keys.length === 0) throw new TypeError("sort(): pass at least one column");
    const descending = keys.map((_, i) => (Array.isArray(options.descending) ? options.descending[i] : options.descending) ?? false);
    if (Array.isArray(options.descending) && options.descending.length !== keys.length) throw new TypeError("sort(): descending needs one value per column");
    const order = keys.map((k, i) => freeze({ expr: toColumnExpr(k).node, descending: descending[i]!, nullsLast: options.nullsLast ?? false }));
    return new LazyFrame(this.node, freeze(order));
  }

  /**
   * One row per distinct `subset` (default: all columns), as Polars' `unique`. `keep`: "any" (the default) only
   * where the rows of a group are identical — without a subset, or one naming every column (SELECT DISTINCT); "first"
   * or "last" in the order of a `sort()` right before; "none" keeps only rows whose subset no other row has. A table
   * has no row order, so `maintainOrder` changes nothing.
   * @example events.sort("ts").unique("customer_id", { keep: "first" })   // … QUALIFY count(*) OVER (PARTITION BY … ORDER BY "ts" ROWS …) = 1
   */
  unique(subset?: string | readonly string[] | null, options: { keep?: "any" | "first" | "last" | "none"; maintainOrder?: boolean } = {}): LazyFrame {
    const keep = options.keep ?? "any";
    if (!["any", "first", "last", "none"].includes(keep)) throw new TypeError(`unique(): keep must be "any", "first", "last" or "none"`);
    const names = subset === undefined || subset === null ? null : typeof subset === "string" ? [subset] : [...subset];
    if (names?.length === 0) throw new TypeError("unique(): an empty subset; leave it out for all columns");
    const ordered = keep === "first" || keep === "last";
    if (ordered && !this.#order) {
      throw new TypeError(`unique(keep: "${keep}") needs an order, which a table's rows do not have: sort the frame right before, e.g. frame.sort("<column>").unique(subset, { keep: "${keep}" })`);
    }
    return this.#with({ kind: "unique", input: this.node, subset: names && freeze(names), keep, orderBy: ordered ? this.#order! : freeze([]) });
  }

  #with(node: RelNode): LazyFrame {
    return new LazyFrame(freeze(node));
  }
}

/**
 * The rows of every frame, one after another, as Polars' `pl.concat(frames, how="vertical")`: the frames must have
 * the same column names and types in the same order (a planning error names the first column that differs).
 * @example concat([cardSpend, cashSpend])   // SELECT … UNION ALL SELECT …
 */
export function concat(frames: readonly LazyFrame[], options: { how?: "vertical" } = {}): LazyFrame {
  if ((options.how ?? "vertical") !== "vertical") throw new TypeError(`concat(): only how: "vertical" is implemented (the same columns in every frame)`);
  if (!Array.isArray(frames) || frames.length === 0) throw new TypeError("concat(): pass a list of frames");
  const nodes = frames.map((f) => frameNode("concat", f));
  return new LazyFrame(nodes.length === 1 ? nodes[0]! : freeze({ kind: "concat", inputs: freeze(nodes) }));
}

/** The result of `LazyFrame.groupBy(...)`: `.agg(...)` turns it back into a frame, one row per group. */
export class GroupBy {
  constructor(
    private readonly input: RelNode,
    private readonly keys: ReturnType<typeof nodes>,
    private readonly order: readonly OrderKey[] | null = null,
  ) {}

  /**
   * The first `n` rows of each group in the order of a `sort()` before `groupBy` (top-k per group), as Polars'
   * `sort(…).group_by(keys).head(n)`: the keys first, then the other columns. Keys are column names here. Rows tied
   * on every sort key come in an arbitrary order, as in Polars' unstable sort.
   * @example spend.sort("amount", { descending: true }).groupBy("customer_id").head(3)   // … QUALIFY count(*) OVER (PARTITION BY "customer_id" ORDER BY "amount" DESC …) <= 3
   */
  head(n = 5): LazyFrame {
    return this.#take("head", n);
  }

  /** The last `n` rows of each group in the order of a `sort()` before `groupBy`, as Polars' `group_by().tail(n)`. */
  tail(n = 5): LazyFrame {
    return this.#take("tail", n);
  }

  #take(take: "head" | "tail", n: number): LazyFrame {
    if (!Number.isSafeInteger(n) || n < 0) throw new TypeError(`groupBy(…).${take}(): n must be a non-negative integer`);
    if (!this.order) throw new TypeError(`groupBy(…).${take}(n) takes rows in an order, which a table's rows do not have: sort the frame before grouping, e.g. frame.sort("<column>").groupBy(…).${take}(${n})`);
    const keys = this.keys.map((k) => {
      if (k.kind !== "column") throw new TypeError(`groupBy(…).${take}() takes column names as keys: compute "${outputName(k)}" with withColumns() first`);
      return k.name;
    });
    if (keys.length === 0) throw new TypeError(`groupBy(…).${take}() needs at least one key`);
    return new LazyFrame(freeze({ kind: "groupHead", input: this.input, keys: freeze(keys), n, take, orderBy: this.order }));
  }

  /** One row per group: the keys, then one column per aggregate expression. */
  agg(...aggs: Expr[]): LazyFrame {
    return new LazyFrame(freeze({ kind: "aggregate", input: this.input, keys: this.keys, aggs: nodes(aggs) }));
  }
}

const nodes = (values: (Expr | string)[]) => freeze(values.map((v) => toColumnExpr(v).node));

type Keys = string | readonly string[];

function joinKeys(what: string, on?: Keys, leftOn?: Keys, rightOn?: Keys): JoinKey[] {
  const list = (k: Keys | undefined) => (k === undefined ? [] : typeof k === "string" ? [k] : [...k]);
  if (on !== undefined) {
    if (leftOn !== undefined || rightOn !== undefined) throw new TypeError(`${what}(): give either on or leftOn/rightOn`);
    return list(on).map((k) => freeze({ left: k, right: k }));
  }
  const [left, right] = [list(leftOn), list(rightOn)];
  if (left.length !== right.length) throw new TypeError(`${what}(): leftOn and rightOn need as many columns each`);
  return left.map((k, i) => freeze({ left: k, right: right[i]! }));
}

function frameNode(what: string, other: LazyFrame): RelNode {
  if (!(other instanceof LazyFrame)) throw new TypeError(`${what}(): ${what === "concat" ? "each item" : "the other side"} must be a frame (an input of the feature set)`);
  return other.node;
}
