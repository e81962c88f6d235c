import { createHash } from "node:crypto";
import type { FeatureSetNode, FeatureGraph } from "../graph/feature-graph.ts";
import type { SourceDef, TableRef } from "../ir/definitions.ts";
import { type ExprNode, exprChildren, freeze, type LiteralExpr, outputName, unalias, type WindowExpr } from "../ir/expr.ts";
import { mapRel, type RelNode, relInputs, type SelectRel, type WithColumnsRel, withInputs } from "../ir/rel.ts";
import { ceilTo } from "../ir/time.ts";
import type { Schema } from "./schema.ts";
import { evaluateRanges, inferSourceRanges, type SymbolicRange, windowReach } from "./time-range-pass.ts";
import type { TypedSet } from "./type-pass.ts";

/**
 * Carrying state across a read's start. A window ordered by time that looks back a number of rows (`shift`, `diff`,
 * row-count rolling windows, `fillNull({ strategy: "forward", limit })`) or to the latest non-null value (a forward
 * fill without limit) makes a set read its input's whole history, however short the window written. What such a
 * window needs of the rows before an instant C is small: the last n rows of each partition, and the latest row whose
 * operand is not null. This pass finds the nodes whose windows need nothing else ("continued" nodes), and rewrites a
 * set to read, at each, those *carried rows* as of C — kept by the tool in a state table — followed by the input
 * from C on, instead of the whole history:
 *
 *     node(input)   →   node(concat(carried rows as of C, filter(input, time >= C)))
 *
 * The windows then see, before every row from C on, exactly the rows they would see over the whole history (the
 * carried rows are real input rows, in the same order), so every output row from C on is the same. Rows before C
 * are output rows of nobody: the time-range pass proves that no output row in the window depends on an input row
 * before C other than through these windows (C is at most the start of the range the set needs of the node's input),
 * and the output is clipped to the window.
 *
 * The state is written with each chunk, in its transaction: the carried rows as of the chunk's end E, computed from
 * the carried rows as of C and the input in [C, E) (or from the whole history when there were none), plus a marker
 * row saying the state as of E exists (an instant with no carried rows is still a checkpoint). Rows are keyed by the
 * set's definition hash, so a changed definition never continues from another's state.
 *
 * Cumulative aggregates (`cumSum` …) need more than rows (the running value) and are not continued: a set with
 * one reads the whole history, as before, and `describe` says so.
 */

/** The tool's own columns of a state table, before the carried rows' columns. */
export const STATE_COLUMNS = { hash: "_fb_definition_hash", asOf: "_fb_as_of", marker: "_fb_marker" } as const;

/** A node (select or withColumns) whose windows are continued from carried rows. */
export interface ContinuedNode {
  /** The node as it is in the set's relation. */
  readonly rel: SelectRel | WithColumnsRel;
  /** Its input's time column: the windows' first order key. */
  readonly time: string;
  readonly timeType: "date" | "timestamp";
  /** The input's columns: a carried row is an input row. */
  readonly columns: Schema;
  /** Over the input's rows: the rows a later read needs (the last n rows per partition, the latest non-null ones). */
  readonly keep: ExprNode;
  /** What the set needs of the input for an output window, the continued windows reaching nothing. */
  readonly ranges: readonly SymbolicRange[];
}

export interface StateAnalysis {
  readonly nodes: readonly ContinuedNode[];
  /** Why windows that read the whole history are not continued (for `describe`). */
  readonly notes: readonly string[];
}

/** Which nodes of a set's own relation can be continued from carried rows, and why others cannot. */
export function analyzeState(graph: FeatureGraph, target: FeatureSetNode, typed: ReadonlyMap<string, TypedSet>): StateAnalysis {
  const schemas = new Map([...typed.values()].flatMap((t) => [...t.relSchemas]));
  const notes: string[] = [];
  const observe = (continued?: ReadonlySet<WindowExpr>) => {
    const seen = new Map<RelNode, { column: string | null; range: SymbolicRange }[]>();
    inferSourceRanges(graph, target, typed, { continued, observe: (rel, column, range) => seen.set(rel, [...(seen.get(rel) ?? []), { column, range }]) });
    return seen;
  };
  const plain = observe();
  let accepted: { rel: SelectRel | WithColumnsRel; time: string; windows: WindowExpr[]; needs: Carry[] }[] = [];
  for (const rel of ownNodes(target.rel)) {
    const windows = windowsOf(rel.columns);
    const input = rel.input;
    const columns = new Set((plain.get(input) ?? []).map((e) => e.column));
    const time = columns.size === 1 ? [...columns][0] : null;
    if (!time || windowReach(rel.columns, time).back !== "unbounded") continue; // nothing reads the whole history here
    const needs = windows.map((w) => carries(w, time));
    const continued = windows.filter((_, i) => needs[i]);
    const blocking = windows.find((w, i) => !needs[i] && windowReach([w], time).back === "unbounded");
    const type = schemas.get(input)?.find((c) => c.name === time)?.type;
    const taken = schemas.get(input)?.find((c) => Object.values(STATE_COLUMNS).includes(c.name as never));
    if (blocking) notes.push(`${describeWindow(blocking)} reads every earlier row and is not continued from state (cumulative aggregates, ranks and windows ordered by anything but "${time}" ascending are not): the set reads the whole history`);
    else if (type !== "date" && type !== "timestamp") notes.push(`windows ordered by "${time}" (${type}) are not continued: state is kept for date and timestamp orders`);
    else if (taken) notes.push(`windows over a column named "${taken.name}" are not continued (the state table's own column)`);
    else accepted.push({ rel, time, windows: continued, needs: needs.filter((n): n is Carry => n !== undefined) });
  }
  // A continued node must be needed from some instant on: if something above needs its whole input anyway, it is not.
  for (;;) {
    const seen = observe(new Set(accepted.flatMap((a) => a.windows)));
    const bounded = accepted.filter((a) => (seen.get(a.rel.input) ?? []).every((e) => e.column === a.time && e.range.start !== null));
    if (bounded.length === accepted.length) {
      const nodes = accepted.map((a) => {
        const columns = schemas.get(a.rel.input)!;
        const timeType = columns.find((c) => c.name === a.time)!.type as "date" | "timestamp";
        return { rel: a.rel, time: a.time, timeType, columns, keep: keepPredicate(a.windows, a.needs, a.time), ranges: seen.get(a.rel.input)!.map((e) => e.range) };
      });
      return { nodes, notes };
    }
    for (const a of accepted.filter((x) => !bounded.includes(x))) notes.push(`windows over "${a.time}" are not continued: the set needs all of their input's history for another reason`);
    accepted = bounded;
  }
}

/** The earliest instant of each continued node's input the set needs for `window`: a checkpoint must be at or before it. */
export function neededFrom(nodes: readonly ContinuedNode[], window: { start: Date; end: Date }): Date | undefined {
  const starts = nodes.map((n) => evaluateRanges(n.ranges, window).start);
  if (starts.some((s) => s === undefined)) return undefined;
  return new Date(Math.min(...starts.map((s) => s!.getTime())));
}

/** Where a set's continued nodes keep their carried rows: one table each, named by the columns it holds. */
export function stateTables(table: TableRef, nodes: readonly ContinuedNode[]): TableRef[] {
  return nodes.map((node, k) => {
    const shape = createHash("sha256").update(JSON.stringify([k, node.columns])).digest("hex").slice(0, 8);
    return { ...(table.schema !== undefined && { schema: table.schema }), name: `${table.name}__state_${shape}` };
  });
}

/** A state table's columns: the tool's own, then the carried rows'. */
export function stateSchema(node: ContinuedNode): Schema {
  return [
    { name: STATE_COLUMNS.hash, type: "varchar" },
    { name: STATE_COLUMNS.asOf, type: "timestamp" },
    { name: STATE_COLUMNS.marker, type: "boolean" },
    ...node.columns,
  ];
}

export interface Continuation {
  /** The graph the set's rows are computed in: its continued nodes read carried rows (when `from` is given). */
  readonly graph: FeatureGraph;
  /** Per continued node, a feature set computing its carried rows as of `end` (the state table's new rows). */
  readonly states: readonly FeatureSetNode[];
  /** The state tables read as sources (carried rows as of `from`); none without `from`. */
  readonly carried: readonly SourceDef[];
}

/**
 * The set rewritten to continue from the carried rows as of `from` (without it: computed from the whole history, as
 * written), and the sets computing the carried rows as of `end`.
 */
export function continueSet(
  graph: FeatureGraph,
  target: FeatureSetNode,
  nodes: readonly ContinuedNode[],
  options: { readonly from?: Date; readonly end: Date; readonly hash: string; readonly tables: readonly TableRef[] },
): Continuation {
  const { from, end, hash, tables } = options;
  const name = target.def.name;
  const carried: SourceDef[] = nodes.map((node, k) => ({
    kind: "source",
    name: `${name}__carried_${k + 1}`,
    keys: [],
    timestamp: STATE_COLUMNS.asOf,
    columns: Object.fromEntries(stateSchema(node).map((c) => [c.name, c.type])),
    backfill: tables[k]!,
  }));
  const carriedRows = (k: number, at: Date): RelNode => {
    const node = nodes[k]!;
    const of = and(eq(column(STATE_COLUMNS.hash), literal(hash, "varchar")), eq(column(STATE_COLUMNS.asOf), instant(at, "timestamp")), not(column(STATE_COLUMNS.marker)));
    return { kind: "select", input: { kind: "filter", input: { kind: "scan", source: carried[k]!.name }, predicate: of }, columns: node.columns.map((c) => column(c.name)) };
  };
  const inputs: RelNode[] = [];
  const rel = mapRel(target.rel, (rel, original) => {
    const k = nodes.findIndex((n) => n.rel === original);
    if (k < 0) return rel;
    const [input] = relInputs(rel) as [RelNode];
    inputs[k] = input;
    if (!from) return rel;
    const node = nodes[k]!;
    const local: RelNode = { kind: "filter", input, predicate: ge(column(node.time), instant(from, node.timeType)) };
    return withInputs(rel, [{ kind: "concat", inputs: [carriedRows(k, from), local] }]);
  });
  const states = nodes.map((node, k): FeatureSetNode => {
    const time = column(node.time);
    const before = lt(time, instant(end, node.timeType));
    // Without carried rows, the whole history before `end`: rows whose time is null sort first, so they count.
    const local: RelNode = { kind: "filter", input: inputs[k]!, predicate: from ? and(ge(time, instant(from, node.timeType)), before) : or(isNull(time), before) };
    const rows: RelNode = from ? { kind: "concat", inputs: [carriedRows(k, from), local] } : local;
    const stateRel: RelNode = {
      kind: "select",
      input: { kind: "filter", input: rows, predicate: node.keep },
      columns: [
        alias(literal(hash, "varchar"), STATE_COLUMNS.hash),
        alias(instant(end, "timestamp"), STATE_COLUMNS.asOf),
        alias(literal(false, "boolean"), STATE_COLUMNS.marker),
        ...node.columns.map((c) => column(c.name)),
      ],
    };
    const def = { kind: "featureSet", name: `${name}__state_${k + 1}`, keys: [], timestamp: node.time, inputs: {}, buildRel: () => stateRel } as const;
    return { def, rel: stateRel };
  });
  const sets = new Map(graph.sets);
  sets.set(name, { def: target.def, rel });
  for (const state of states) sets.set(state.def.name, state);
  return { graph: { sources: from ? new Map([...graph.sources, ...carried.map((s) => [s.name, s] as const)]) : graph.sources, sets }, states, carried: from ? carried : [] };
}

/** What a continued window needs of the rows before a checkpoint: the last `rows` of its partition, or the latest non-null operand. */
type Carry = { readonly rows: number } | { readonly latest: ExprNode };

/** What `w` needs carried, if it is a window this pass continues along `time`. */
function carries(w: WindowExpr, time: string): Carry | undefined {
  const key = w.orderBy[0];
  const e = key && unalias(key.expr);
  if (!key || e?.kind !== "column" || e.name !== time || e.qualifier || key.descending || key.nullsLast) return undefined;
  const f = w.func;
  if (f.op === "lag") return { rows: f.offset };
  if (f.op === "fill" && f.direction === "forward") return f.limit === null ? { latest: f.operand } : { rows: f.limit };
  if (f.op === "agg" && w.frame?.kind === "rows" && w.frame.preceding !== null) return { rows: w.frame.preceding };
  return undefined;
}

/**
 * A row is carried where some window needs it: among the last n rows of its partition (no row n places after it),
 * or its partition's latest row whose operand is not null (ties on the time all kept: they are real rows, before the
 * rest in order).
 */
function keepPredicate(windows: readonly WindowExpr[], needs: readonly Carry[], time: string): ExprNode {
  // Per partition and order, the most rows any window needs: the last n rows include the last m < n.
  const rows = new Map<string, { w: WindowExpr; n: number }>();
  const conditions: ExprNode[] = [];
  windows.forEach((w, i) => {
    const need = needs[i]!;
    const over = { frame: null, minPeriods: 0, partitionBy: w.partitionBy, over: true };
    if ("rows" in need) {
      const key = JSON.stringify([w.partitionBy, w.orderBy]);
      if (need.rows > (rows.get(key)?.n ?? 0)) rows.set(key, { w, n: need.rows });
      return;
    }
    const known = freeze({ kind: "isNull", operand: need.latest, negated: true } as const);
    const latest = freeze({
      kind: "window",
      func: { op: "agg", agg: { kind: "agg", fn: "max", operand: freeze({ kind: "case", branches: [{ when: known, then: column(time) }], otherwise: NULL } as const) } },
      orderBy: [],
      ...over,
    } as const);
    conditions.push(and(known, eq(column(time), latest)));
  });
  for (const { w, n } of rows.values()) {
    const after = freeze({ kind: "window", func: { op: "lead", operand: literal(true, "boolean"), offset: n }, orderBy: w.orderBy, frame: null, minPeriods: 0, partitionBy: w.partitionBy, over: true } as const);
    conditions.unshift(isNull(after));
  }
  return conditions.length ? conditions.reduce((a, b) => or(a, b)) : literal(false, "boolean");
}

/** The select and withColumns nodes of a set's own relation (not of the sets it reads), with window functions. */
function ownNodes(rel: RelNode): (SelectRel | WithColumnsRel)[] {
  const below = relInputs(rel).flatMap(ownNodes);
  return (rel.kind === "select" || rel.kind === "withColumns") && windowsOf(rel.columns).length ? [...below, rel] : below;
}

function windowsOf(exprs: readonly ExprNode[]): WindowExpr[] {
  const found: WindowExpr[] = [];
  const collect = (e: ExprNode): void => {
    if (e.kind === "window") found.push(e);
    exprChildren(e).forEach(collect);
  };
  exprs.forEach(collect);
  return found;
}

function describeWindow(w: WindowExpr): string {
  const f = w.func;
  const what = f.op === "agg" ? `${f.agg.fn}${w.frame?.kind === "rows" && w.frame.preceding === null ? " (cumulative)" : ""}` : f.op;
  const operand = f.op === "agg" ? f.agg.operand : f.operand;
  return `the ${what} window${operand ? ` of ${outputName(operand)}` : ""}`;
}

const NULL: LiteralExpr = freeze({ kind: "literal", value: null, dtype: "null" });
const column = (name: string): ExprNode => freeze({ kind: "column", name });
const literal = (value: string | boolean, dtype: "varchar" | "boolean"): ExprNode => freeze({ kind: "literal", value, dtype });
/** An instant as a literal of the column's type: a date column compares with the first midnight at or after it. */
const instant = (t: Date, type: "date" | "timestamp"): ExprNode =>
  freeze({ kind: "literal", value: type === "date" ? ceilTo(t, "day").toISOString().slice(0, 10) : t.toISOString(), dtype: type });
const binary = (op: "and" | "or" | "eq" | "ge" | "lt") => (left: ExprNode, right: ExprNode): ExprNode => freeze({ kind: "binary", op, left, right });
const [eq, ge, lt, or] = [binary("eq"), binary("ge"), binary("lt"), binary("or")];
const and = (...operands: ExprNode[]): ExprNode => operands.reduce((a, b) => binary("and")(a, b));
const not = (operand: ExprNode): ExprNode => freeze({ kind: "unary", op: "not", operand });
const isNull = (operand: ExprNode): ExprNode => freeze({ kind: "isNull", operand, negated: false });
const alias = (operand: ExprNode, name: string): ExprNode => freeze({ kind: "alias", operand, name });
