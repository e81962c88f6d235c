import { createHash } from "node:crypto";
import type { FeatureSetNode, FeatureGraph } from "../graph/feature-graph.ts";
import type { SourceDef, TableRef } from "../ir/definitions.ts";
import type { DType } from "../ir/dtype.ts";
import { type ExprNode, freeze, type LiteralExpr, mapExprChildren, outputName, unalias, type WindowExpr, windowsIn } from "../ir/expr.ts";
import { mapRel, type RelNode, relInputs, type SelectRel, type WithColumnsRel, withInputs } from "../ir/rel.ts";
import { ceilTo } from "../ir/time.ts";
import type { Schema } from "./schema.ts";
import { type BoundStep, evaluateRanges, inferSourceRanges, type SymbolicRange, windowReach } from "./time-range-pass.ts";
import { type TypedSet, typeExpr } from "./type-pass.ts";

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
 * The node's input (carried rows, then the input from C on) is computed once per chunk, into a temporary table that
 * both the set's rows and its checkpoint read. The checkpoint is written with each chunk, in its transaction: the
 * carried rows as of the chunk's end E, kept from that input, plus a marker row saying the state as of E exists (an
 * instant with no carried rows is still a checkpoint). Rows are keyed by the set's definition hash, so a changed
 * definition never continues from another's state. A carried row must be final when carried (`completeAt`).
 *
 * Cumulative aggregates (`cumSum`, `cumCount`, `cumMax`, `cumMin`, `cumProd`) need the running value too: each is
 * carried as one more column of the last row of its partition (`_fb_cum_<i>`, the aggregate over every row up to it),
 * and the window becomes "that value combined with the same window over the rows from C on" — a sum of sums, the
 * larger of two maxima, a product of products — null on a row whose own value is null, as the window is.
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
  /** The cumulative windows among the node's, each carried as a running value of its type (`_fb_cum_<i>`). */
  readonly cumulative: readonly { readonly window: WindowExpr; readonly type: DType }[];
  /** The node's output columns (a withColumns node passes its input's on: the carried columns are dropped after it). */
  readonly outputs: readonly string[];
  /**
   * What the node's input rows timed before an instant read of the sources, as symbolic ends: a checkpoint at C holds
   * final rows only where every end evaluated at C is at most C (`completeAt`). A month labelled by its first day is
   * final only once the month is over: such a node continues from month starts only.
   */
  readonly inputEnds: readonly (readonly BoundStep[])[];
}

/** Whether the node's input rows before `at` are all final at `at` (none depends on a source row from `at` on). */
export function completeAt(node: ContinuedNode, at: Date): boolean {
  return node.inputEnds.every((steps) => {
    const end = evaluateRanges([{ start: null, end: steps, exact: false }], { start: at, end: at }).end;
    return end !== undefined && end.getTime() <= at.getTime();
  });
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
  let accepted: { rel: SelectRel | WithColumnsRel; time: string; windows: WindowExpr[]; needs: Carry[]; ends: BoundStep[][] }[] = [];
  for (const rel of ownNodes(target.rel)) {
    const windows = windowsIn(rel.columns);
    const input = rel.input;
    const columns = new Set((plain.get(input) ?? []).map((e) => e.column));
    const time = columns.size === 1 ? [...columns][0] : null;
    if (!time || windowReach(rel.columns, time).back !== "unbounded") continue; // nothing reads the whole history here
    const needs = windows.map((w) => carries(w, time));
    const continued = windows.filter((_, i) => needs[i]);
    const blocking = windows.find((w, i) => !needs[i] && windowReach([w], time).back === "unbounded");
    const type = schemas.get(input)?.find((c) => c.name === time)?.type;
    const taken = schemas.get(input)?.some((c) => c.name.startsWith("_fb_"));
    // A carried row must be final when it is carried: its input rows at t must depend on no source row after t (a
    // row looked up at any time, or read ahead of, may change later; a period labelled by its start, until it ends).
    const ends = !blocking && inputEnds(graph, target, input, time);
    if (blocking) notes.push(`${describeWindow(blocking)} reads every earlier row and is not continued from state (ranks, cumulative means, whole-partition windows and windows ordered by anything but "${time}" ascending are not): the set reads the whole history`);
    else if (type !== "date" && type !== "timestamp") notes.push(`windows ordered by "${time}" (${type}) are not continued: state is kept for date and timestamp orders`);
    else if (taken) notes.push(`windows over columns named "_fb_…" are not continued (the state table's own names)`);
    else if (!ends) notes.push(`windows over "${time}" are not continued: the rows they read can change after their time (a lookup at any time, or a read ahead)`);
    else accepted.push({ rel, time, windows: continued, needs: needs.filter((n): n is Carry => n !== undefined), ends });
  }
  // A continued node must be needed from some instant on: if something above needs its whole input anyway, it is not.
  for (;;) {
    const seen = observe(new Set(accepted.flatMap((a) => a.windows)));
    const bounded = accepted.filter((a) => (seen.get(a.rel.input) ?? []).every((e) => e.column === a.time && e.range.start !== null));
    if (bounded.length === accepted.length) {
      const nodes = accepted.map((a): ContinuedNode => {
        const columns = schemas.get(a.rel.input)!;
        const timeType = columns.find((c) => c.name === a.time)!.type as "date" | "timestamp";
        const cumulative = a.windows.filter(isCumulative).map((window) => ({ window, type: typeExpr(window, columns, { set: target.def.name, at: target.def.definedAt }, "row") as DType }));
        const outputs = schemas.get(a.rel)!.map((c) => c.name);
        const ranges = seen.get(a.rel.input)!.map((e) => e.range);
        return { rel: a.rel, time: a.time, timeType, columns, keep: keepPredicate(a.windows, a.needs, a.time), ranges, cumulative, outputs, inputEnds: a.ends };
      });
      return { nodes, notes };
    }
    for (const a of accepted.filter((x) => !bounded.includes(x))) notes.push(`windows over "${a.time}" are not continued: the set needs all of their input's history for another reason`);
    accepted = bounded;
  }
}

/** The ends of the source ranges that rows of `input` timed in a window read; undefined where one has no end. */
function inputEnds(graph: FeatureGraph, target: FeatureSetNode, input: RelNode, time: string): BoundStep[][] | undefined {
  const probe = { def: { ...target.def, name: `${target.def.name}__input`, keys: [], timestamp: time, buildRel: () => input }, rel: input };
  const probed: FeatureGraph = { sources: graph.sources, sets: new Map([...graph.sets, [probe.def.name, probe]]) };
  const ends = [...inferSourceRanges(probed, probe).values()].flat().map((r) => r.end);
  return ends.every((e): e is BoundStep[] => e !== null) ? ends : undefined;
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
    const shape = createHash("sha256").update(JSON.stringify([k, stateSchema(node)])).digest("hex").slice(0, 8);
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
    ...node.cumulative.map((c, i) => ({ name: cumColumn(i), type: c.type })),
  ];
}

/** The column carrying the running value of a node's i-th cumulative window. */
const cumColumn = (i: number) => `_fb_cum_${i + 1}`;
/** Whether a carried row came from the state table (true) or is read from the checkpoint on (false). */
const CARRIED = "_fb_carried";

export interface Continuation {
  /**
   * The graph the set's rows are computed in: each continued node reads its input from `inputs`' source (a table the
   * executor fills first), and the sets of `inputs` and `states` are there too.
   */
  readonly graph: FeatureGraph;
  /**
   * Per continued node, its input computed once for both the set's rows and its checkpoint: a set (the carried rows
   * as of `from`, then the input from `from` on; or the whole input) and the source the statements read it from.
   */
  readonly inputs: readonly { readonly set: FeatureSetNode; readonly source: SourceDef }[];
  /** Per continued node, a feature set computing its carried rows as of `end` (the state table's new rows). */
  readonly states: readonly FeatureSetNode[];
  /** The state tables read as sources (carried rows as of `from`); none without `from`. */
  readonly carried: readonly SourceDef[];
}

/**
 * The set rewritten to continue from the carried rows as of `from` (without it: from the whole history), the sets
 * computing each continued node's input once (into `inputTables`, read by the set's rows and by its checkpoint), and
 * the sets computing the carried rows as of `end`.
 */
export function continueSet(
  graph: FeatureGraph,
  target: FeatureSetNode,
  nodes: readonly ContinuedNode[],
  options: { readonly from?: Date; readonly end: Date; readonly hash: string; readonly tables: readonly TableRef[]; readonly inputTables: readonly TableRef[] },
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
  // With cumulative windows, rows are marked (CARRIED) and carry the running values (null on the rows read).
  const marked = (node: ContinuedNode) => node.cumulative.length > 0;
  const inputColumns = (node: ContinuedNode): Schema => [
    ...node.columns,
    ...(marked(node) ? [{ name: CARRIED, type: "boolean" as const }, ...node.cumulative.map((c, i) => ({ name: cumColumn(i), type: c.type }))] : []),
  ];
  const inputSources: SourceDef[] = nodes.map((node, k) => ({
    kind: "source",
    name: `${name}__input_${k + 1}`,
    keys: [],
    timestamp: node.time,
    columns: Object.fromEntries(inputColumns(node).map((c) => [c.name, c.type])),
    backfill: options.inputTables[k]!,
  }));
  const carriedRows = (k: number, at: Date): RelNode => {
    const node = nodes[k]!;
    const of = and(eq(column(STATE_COLUMNS.hash), literal(hash, "varchar")), eq(column(STATE_COLUMNS.asOf), instant(at, "timestamp")), not(column(STATE_COLUMNS.marker)));
    const marks = marked(node) ? [alias(literal(true, "boolean"), CARRIED), ...node.cumulative.map((_, i) => column(cumColumn(i)))] : [];
    return { kind: "select", input: { kind: "filter", input: { kind: "scan", source: carried[k]!.name }, predicate: of }, columns: [...node.columns.map((c) => column(c.name)), ...marks] };
  };
  const readRows = (k: number, input: RelNode): RelNode => {
    const node = nodes[k]!;
    const local: RelNode = from ? { kind: "filter", input, predicate: ge(column(node.time), instant(from, node.timeType)) } : input;
    if (!marked(node)) return local;
    const marks = [alias(literal(false, "boolean"), CARRIED), ...node.cumulative.map((c, i) => alias(freeze({ kind: "literal", value: null, dtype: c.type }), cumColumn(i)))];
    return { kind: "select", input: local, columns: [...node.columns.map((c) => column(c.name)), ...marks] };
  };
  // Without carried rows the cumulative windows run as written; with them, they combine the carried running value.
  const cumulativeWindows = (k: number) => new Map(nodes[k]!.cumulative.map((c, i) => [c.window as ExprNode, from ? continuedCumulative(c.window, i) : c.window]));
  const inputs: { set: FeatureSetNode; source: SourceDef }[] = [];
  const rel = mapRel(target.rel, (rel, original) => {
    const k = nodes.findIndex((n) => n.rel === original);
    if (k < 0) return rel;
    const node = nodes[k]!;
    const [input] = relInputs(rel) as [RelNode];
    const computed: RelNode = from ? { kind: "concat", inputs: [carriedRows(k, from), readRows(k, input)] } : readRows(k, input);
    const def = { kind: "featureSet", name: `${name}__computed_input_${k + 1}`, keys: [], timestamp: node.time, inputs: {}, buildRel: () => computed } as const;
    inputs[k] = { set: { def, rel: computed }, source: inputSources[k]! };
    const scan: RelNode = { kind: "scan", source: inputSources[k]!.name };
    if (!marked(node)) return withInputs(rel, [scan]);
    const windows = cumulativeWindows(k);
    const continued = { ...(rel as SelectRel | WithColumnsRel), input: scan, columns: (rel as SelectRel | WithColumnsRel).columns.map((c) => replacing(c, windows)) };
    // A withColumns node passes the marks on: only its own outputs go further.
    return rel.kind === "select" ? continued : { kind: "select", input: continued, columns: node.outputs.map(column) };
  });
  const states = nodes.map((node, k): FeatureSetNode => {
    const time = column(node.time);
    // Rows whose time is null sort first, so they count (carried, or in the whole history).
    let rows: RelNode = { kind: "filter", input: { kind: "scan", source: inputSources[k]!.name }, predicate: or(isNull(time), lt(time, instant(end, node.timeType))) };
    if (marked(node)) {
      // Each cumulative window's running value on every row: its value, carried forward over the rows where it is
      // null (their own value is; the running value is not), so that a partition's last row holds it.
      const windows = cumulativeWindows(k);
      const value = (i: number) => `_fb_value_${i + 1}`;
      rows = { kind: "withColumns", input: rows, columns: node.cumulative.map((c, i) => alias(windows.get(c.window)!, value(i))) };
      rows = {
        kind: "withColumns",
        input: rows,
        columns: node.cumulative.map((c, i) => alias(freeze({ ...c.window, func: { op: "fill", operand: column(value(i)), direction: "forward", limit: null }, frame: null, minPeriods: 0 } as const), cumColumn(i))),
      };
    }
    const stateRel: RelNode = {
      kind: "select",
      input: { kind: "filter", input: rows, predicate: node.keep },
      columns: [
        alias(literal(hash, "varchar"), STATE_COLUMNS.hash),
        alias(instant(end, "timestamp"), STATE_COLUMNS.asOf),
        alias(literal(false, "boolean"), STATE_COLUMNS.marker),
        ...node.columns.map((c) => column(c.name)),
        ...node.cumulative.map((_, i) => column(cumColumn(i))),
      ],
    };
    const def = { kind: "featureSet", name: `${name}__state_${k + 1}`, keys: [], timestamp: node.time, inputs: {}, buildRel: () => stateRel } as const;
    return { def, rel: stateRel };
  });
  const sets = new Map(graph.sets);
  sets.set(name, { def: target.def, rel });
  for (const set of [...inputs.map((i) => i.set), ...states]) sets.set(set.def.name, set);
  const sources = new Map([...graph.sources, ...inputSources.map((s) => [s.name, s] as const), ...(from ? carried.map((s) => [s.name, s] as const) : [])]);
  return { graph: { sources, sets }, inputs, states, carried: from ? carried : [] };
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
  // The running value as of C rides on the partition's last row.
  if (isCumulative(w)) return { rows: 1 };
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
    // A partition whose only known values have a null time (first in the order) carries those rows.
    conditions.push(and(known, or(eq(column(time), latest), and(isNull(latest), isNull(column(time))))));
  });
  for (const { w, n } of rows.values()) {
    const after = freeze({ kind: "window", func: { op: "lead", operand: literal(true, "boolean"), offset: n }, orderBy: w.orderBy, frame: null, minPeriods: 0, partitionBy: w.partitionBy, over: true } as const);
    conditions.unshift(isNull(after));
  }
  return conditions.length ? conditions.reduce((a, b) => or(a, b)) : literal(false, "boolean");
}

/** A running aggregate whose value combines across C: sums, counts, maxima, minima, products (not means, first…). */
function isCumulative(w: WindowExpr): boolean {
  const f = w.func;
  return f.op === "agg" && w.frame?.kind === "rows" && w.frame.preceding === null && ["sum", "count", "max", "min", "product"].includes(f.agg.fn) && f.agg.operand !== null && f.agg.operand.kind !== "sorted";
}

/**
 * A cumulative window continued across C over rows where `CARRIED` marks the carried ones: on a carried row its stored
 * running value; on a row read from C on, that value (the latest carried one of its partition) combined with the same
 * window over those rows alone — null where the window is (its own value null: `local` is, as the window masks it).
 */
function continuedCumulative(w: WindowExpr, i: number): ExprNode {
  const f = w.func as Extract<WindowExpr["func"], { op: "agg" }>;
  const x = f.agg.operand!;
  const fromC = freeze({ ...w, func: { op: "agg", agg: { ...f.agg, operand: freeze({ kind: "case", branches: [{ when: column(CARRIED), then: NULL }], otherwise: x } as const) } } } as const);
  const carried = freeze({ ...w, func: { op: "fill", operand: column(cumColumn(i)), direction: "forward", limit: null }, frame: null, minPeriods: 0 } as const);
  const combined: ExprNode = (() => {
    const either = (both: ExprNode): ExprNode => freeze({ kind: "case", branches: [{ when: isNull(fromC), then: NULL }, { when: isNull(carried), then: fromC }], otherwise: both } as const);
    switch (f.agg.fn) {
      case "count":
        return binary("add")(fromC, freeze({ kind: "coalesce", operands: [carried, freeze({ kind: "literal", value: 0, dtype: "bigint" } as const)] } as const));
      case "sum":
        return either(binary("add")(carried, fromC));
      case "product":
        return either(binary("mul")(carried, fromC));
      default: {
        const better = binary(f.agg.fn === "max" ? "gt" : "lt")(fromC, carried);
        return either(freeze({ kind: "case", branches: [{ when: better, then: fromC }], otherwise: carried } as const));
      }
    }
  })();
  return freeze({ kind: "case", branches: [{ when: column(CARRIED), then: column(cumColumn(i)) }], otherwise: combined } as const);
}

/** `expr` with the given subexpressions (by identity) replaced. */
function replacing(expr: ExprNode, replacements: ReadonlyMap<ExprNode, ExprNode>): ExprNode {
  return replacements.get(expr) ?? mapExprChildren(expr, (child) => replacing(child, replacements));
}

/** The select and withColumns nodes of a set's own relation (not of the sets it reads), with window functions. */
function ownNodes(rel: RelNode): (SelectRel | WithColumnsRel)[] {
  const below = relInputs(rel).flatMap(ownNodes);
  return (rel.kind === "select" || rel.kind === "withColumns") && windowsIn(rel.columns).length ? [...below, rel] : below;
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
const binary = (op: "and" | "or" | "eq" | "ge" | "lt" | "gt" | "add" | "mul") => (left: ExprNode, right: ExprNode): ExprNode => freeze({ kind: "binary", op, left, right });
const [eq, ge, lt, or] = [binary("eq"), binary("ge"), binary("lt"), binary("or")];
const and = (...operands: ExprNode[]): ExprNode => operands.reduce((a, b) => binary("and")(a, b));
const not = (operand: ExprNode): ExprNode => freeze({ kind: "unary", op: "not", operand });
const isNull = (operand: ExprNode): ExprNode => freeze({ kind: "isNull", operand, negated: false });
const alias = (operand: ExprNode, name: string): ExprNode => freeze({ kind: "alias", operand, name });
