import type { DType } from "../ir/dtype.ts";
import { type Duration, type DurationUnit, formatDuration, type Period, periodNests, shiftCoversPeriod } from "../ir/duration.ts";
import { type ExprNode, outputName, someExpr, truncatePeriod, type WindowExpr } from "../ir/expr.ts";
import { joinColumns } from "../ir/join-columns.ts";
import { lowerFrame } from "../ir/lower-frame.ts";
import { type RelNode, visitRel } from "../ir/rel.ts";
import type { FeatureGraph } from "../graph/feature-graph.ts";
import { columnNames, findColumn } from "./schema.ts";
import type { TypedSet } from "./type-pass.ts";
import { windowReach } from "./time-range-pass.ts";

/**
 * When a feature set's row is known, relative to its timestamp (DESIGN.md §2, "Point in time"):
 * - `atTimestamp`: every value is computed from source rows at or before the row's timestamp (event-level rows,
 *   right-labelled periods, rolling and cumulative windows over past rows): an as-of join at time t may use it;
 * - `periodEnd`: the timestamp labels a period by its first instant (a left `dt.truncate`), so the row is known only
 *   once the period is over — a join as of the label leaks up to one `unit` of the future, and a join shifted by a
 *   whole period (`--shift set=1mo`) does not;
 * - `future`: the row can depend on source rows arbitrarily later than its timestamp (a forward as-of join, `lead`,
 *   a window over the whole partition, a join on keys without time).
 * `expr` is the expression at fault (its origin names file:line), `set` the set that holds it (a set reading a
 * leaking set inherits the leak).
 */
export type KnownAt =
  | { readonly kind: "atTimestamp" }
  /** The period is `n` units (absent: one), as `dt.truncate` counts them. */
  | { readonly kind: "periodEnd"; readonly unit: DurationUnit; readonly n?: number; readonly set: string; readonly expr?: ExprNode; readonly reason: string }
  | { readonly kind: "future"; readonly set: string; readonly expr?: ExprNode; readonly reason: string };

const AT_TIMESTAMP: KnownAt = Object.freeze({ kind: "atTimestamp" });
const periodOf = (k: { unit: DurationUnit; n?: number }): Period => ({ n: k.n ?? 1, unit: k.unit });

/** Whether every `inner` period lies inside one `outer` period (days in anything; weeks only in weeks). */
const nests = (inner: { unit: DurationUnit; n?: number }, outer: { unit: DurationUnit; n?: number }): boolean =>
  periodNests(periodOf(inner), periodOf(outer));

/** The later of two: a row reading both is known when both are. */
function later(a: KnownAt, b: KnownAt): KnownAt {
  if (a.kind === "future") return a;
  if (b.kind === "future") return b;
  if (a.kind === "atTimestamp") return b;
  if (b.kind === "atTimestamp") return a;
  if (nests(a, b)) return b;
  if (nests(b, a)) return a;
  // A week and a month: known by neither period's end for sure.
  return { kind: "future", set: b.set, expr: b.expr, reason: `${b.reason}, combined with ${a.reason}` };
}

/** Whether moving a period's label by `shift` reaches (or passes) the period's end. */
export function shiftCovers(shift: Duration, unit: DurationUnit, n = 1): boolean {
  return shiftCoversPeriod(shift, { n, unit });
}

/**
 * The point-in-time analysis of every set in `sets` (and what they read), from the IR alone: when each set's row
 * is known relative to its timestamp column. `typed` gives column types (a timestamp cast to a date is a left
 * truncation to the day).
 */
export function knownAtGraph(graph: FeatureGraph, typed: ReadonlyMap<string, TypedSet>, sets: Iterable<string>): Map<string, KnownAt> {
  const result = new Map<string, KnownAt>();
  const ofSet = (name: string): KnownAt => {
    const known = result.get(name);
    if (known) return known;
    const node = graph.sets.get(name)!;
    const schemaOf = (rel: RelNode) => typed.get(name)!.relSchemas.get(rel) ?? [];
    const typeOf = (rel: RelNode, column: string): DType | undefined => findColumn(schemaOf(rel), column)?.type;
    const columns = (rel: RelNode) => columnNames(schemaOf(rel));
    const value = relKnownAt(node.rel, node.def.timestamp, { set: name, graph, ofSet, typeOf, columns });
    result.set(name, value);
    return value;
  };
  for (const name of sets) ofSet(name);
  return result;
}

interface Context {
  readonly set: string;
  readonly graph: FeatureGraph;
  readonly ofSet: (name: string) => KnownAt;
  readonly typeOf: (rel: RelNode, column: string) => DType | undefined;
  readonly columns: (rel: RelNode) => string[];
}

const future = (ctx: Context, reason: string, expr?: ExprNode): KnownAt => ({ kind: "future", set: ctx.set, reason, ...(expr && { expr }) });

/** When the rows of `rel` are known relative to their column `time`. */
function relKnownAt(rel: RelNode, time: string, ctx: Context): KnownAt {
  const rec = (r: RelNode, t: string) => relKnownAt(r, t, ctx);
  return visitRel<KnownAt>(rel, {
    scan: (n) => {
      const source = ctx.graph.sources.get(n.source)!;
      // A source's rows are known at their own timestamp: that is what declaring it means.
      return time === source.timestamp ? AT_TIMESTAMP : future(ctx, `"${time}" is not the timestamp of source "${n.source}" ("${source.timestamp}")`);
    },
    ref: (n) => {
      const set = ctx.graph.sets.get(n.set)!;
      if (time !== set.def.timestamp) return future(ctx, `"${time}" is not the timestamp of feature set "${n.set}" ("${set.def.timestamp}")`);
      return ctx.ofSet(n.set);
    },
    filter: (n) => later(rec(n.input, time), windowsKnownAt([n.predicate], time, ctx)),
    select: (n) => projected(n.input, n.columns, time, ctx),
    withColumns: (n) => {
      const defining = n.columns.find((c) => outputName(c) === time);
      const exprs = defining ? n.columns : [...n.columns, { kind: "column", name: time } as ExprNode];
      return projected(n.input, exprs, time, ctx);
    },
    aggregate: (n) => projected(n.input, [...n.keys, ...n.aggs], time, ctx),
    join: (n) => {
      // The time is a key (either side's, or both coalesced): the rows joined to a row at t are at t too.
      const out = joinColumns(n, ctx.columns(n.left), ctx.columns(n.right)).find((c) => c.name === time);
      const pair = out && n.on.find((k) => (out.side === "right" ? k.right : k.left) === out.source);
      if (!pair || n.how === "cross") {
        return future(ctx, `a ${n.how} join on ${n.on.map((k) => `"${k.left}"`).join(", ") || "nothing"} (not on the time "${time}") can bring in rows of any later time`);
      }
      return later(rec(n.left, pair.left), rec(n.right, pair.right));
    },
    asofJoin: (n) => {
      if (n.strategy !== "backward") return future(ctx, `joinAsof(strategy: "${n.strategy}") can take a row after "${n.leftOn}"`);
      if (time !== n.leftOn) return future(ctx, `joinAsof() matches on "${n.leftOn}", not on the time "${time}"`);
      // Backward: each right row is at or before the left row's time.
      return later(rec(n.left, time), rec(n.right, n.rightOn));
    },
    rename: (n) => rec(lowerFrame(n, ctx.columns), time),
    drop: (n) => rec(lowerFrame(n, ctx.columns), time),
    unique: (n) => rec(lowerFrame(n, ctx.columns), time),
    groupHead: (n) => rec(lowerFrame(n, ctx.columns), time),
    rowIndex: (n) => rec(lowerFrame(n, ctx.columns), time),
    concat: (n) => n.inputs.map((input) => rec(input, time)).reduce(later),
  });
}

/** A projection or aggregate: how its `time` output is derived, and whether its windows look only backward. */
function projected(input: RelNode, exprs: readonly ExprNode[], time: string, ctx: Context): KnownAt {
  const defining = exprs.find((e) => outputName(e) === time);
  if (!defining) return future(ctx, `"${time}" is computed by an expression whose relation to the rows' times is unknown`);
  const derived = derive(defining, input, ctx);
  if (derived.kind === "future") return derived.leak;
  const base = relKnownAt(input, derived.column, ctx);
  return later(derived.apply(base), windowsKnownAt(exprs, derived.column, ctx));
}

type Derivation =
  | { readonly kind: "column"; readonly column: string; readonly apply: (k: KnownAt) => KnownAt }
  | { readonly kind: "future"; readonly leak: KnownAt };

/** How an output time column derives from one input column: each step moves the label earlier or later. */
function derive(e: ExprNode, input: RelNode, ctx: Context): Derivation {
  const step = (operand: ExprNode, f: (k: KnownAt) => KnownAt): Derivation => {
    const inner = derive(operand, input, ctx);
    return inner.kind === "future" ? inner : { ...inner, apply: (k) => f(inner.apply(k)) };
  };
  switch (e.kind) {
    case "alias":
      return derive(e.operand, input, ctx);
    case "column":
      return { kind: "column", column: e.name, apply: (k) => k };
    case "truncate":
      if (e.label === "right") {
        // The label is the first instant after the period: known once every row in it is, if each was known by
        // the end of a period nested in this one.
        return step(e.operand, (k) => (k.kind === "periodEnd" && nests(k, e) ? AT_TIMESTAMP : k));
      }
      const every = e.n === undefined ? e.unit : formatDuration(truncatePeriod(e));
      return step(e.operand, (k) => later(k, { kind: "periodEnd", unit: e.unit, ...(e.n === undefined ? {} : { n: e.n }), set: ctx.set, expr: e, reason: `dt.truncate("${every}") labels each period with its first instant` }));
    case "cast": {
      const from = e.operand.kind === "column" ? ctx.typeOf(input, e.operand.name) : undefined;
      if (e.to === "date" && from !== "date") {
        // A timestamp cast to a date keeps the day's first instant: a left truncation to the day.
        return step(e.operand, (k) => later(k, { kind: "periodEnd", unit: "day", set: ctx.set, expr: e, reason: `cast("date") labels each day with its first instant` }));
      }
      return step(e.operand, (k) => k);
    }
    case "offset": {
      const d = e.duration;
      if (d.n < 0) return { kind: "future", leak: future(ctx, `dt.offsetBy() moves the timestamp earlier than the rows it labels`, e) };
      return step(e.operand, (k) => (k.kind === "periodEnd" ? (shiftCovers(d, k.unit, k.n) ? AT_TIMESTAMP : future(ctx, `dt.offsetBy() moves a period's label by less than the period`, e)) : k));
    }
    default:
      return { kind: "future", leak: future(ctx, `the timestamp is computed by ${e.kind}, whose relation to the rows' times is unknown`, e) };
  }
}

/** Windows that read only rows at or before the current one in time: lags, ranks, rolling and cumulative frames. */
function windowsKnownAt(exprs: readonly ExprNode[], time: string, ctx: Context): KnownAt {
  let result = AT_TIMESTAMP;
  for (const e of exprs) {
    someExpr(e, (n) => {
      if (n.kind === "window") result = later(result, windowKnownAt(n, time, ctx));
      return false;
    });
  }
  return result;
}

function windowKnownAt(w: WindowExpr, time: string, ctx: Context): KnownAt {
  if (w.func.op === "lead") return future(ctx, `shift(-${w.func.offset}) reads a later row`, w);
  if (w.func.op === "agg" && w.frame === null) return future(ctx, `an aggregation over the whole partition (.over() without a rolling or cumulative frame) reads later rows`, w);
  if (w.func.op === "fill" && w.func.direction === "backward") return future(ctx, `fillNull({ strategy: "backward" }) reads a later row`, w);
  // The time-range pass's reach of a window (ranks order by their operand, not the over() order): anything that can
  // reach ahead of the row reads later rows.
  if (windowReach([w], time).ahead !== null) return future(ctx, `a window not ordered by the time "${time}" (ascending, nulls first) can read later rows`, w);
  return AT_TIMESTAMP;
}
