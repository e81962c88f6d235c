import type { SourceDef, TableRef } from "../ir/definitions.ts";
import { type RelNode, visitRel } from "../ir/rel.ts";
import { type FeatureGraph, type FeatureSetNode, selectSets } from "../graph/feature-graph.ts";
import { type ConcreteRange, evaluateRanges, inferSourceRanges } from "./time-range-pass.ts";
import { type TypedSet, typeGraph } from "./type-pass.ts";

/**
 * Reuse of materialized upstream sets. A set that reads another set recomputes it from the sources, inside its own
 * statement — unless the upstream's offline table is proven to hold every row the read needs, written with the
 * upstream's current definition: then the upstream is read from that table, like a source. The rewrite turns the
 * upstream into a source of the graph (its offline table, its typed columns) and every `ref` to it into a `scan`, so
 * the time-range pass, the compiler and the preflight handle it as any other source; nothing downstream knows.
 *
 * The output is the same either way: a windowed backfill writes exactly the rows a full computation gives for its
 * window (read wide, write narrow), so the rows the upstream's chunks wrote are the rows its CTE would compute.
 */

/** Whether a read of an upstream's table over `range` may replace recomputing it; the reason is printed either way. */
export type ReuseCheck = (set: string, range: ConcreteRange) => { readonly reuse: boolean; readonly reason: string };

/** What was decided for one upstream set the target's statement would otherwise recompute. */
export interface UpstreamChoice {
  readonly set: string;
  readonly table: TableRef;
  /** What the target needs of it, for the run's whole window (every chunk, or the stage). */
  readonly range: ConcreteRange;
  readonly reused: boolean;
  readonly reason: string;
}

export interface ReusePlan {
  /** The graph the target compiles against: reused upstreams are sources there, read from their offline tables. */
  readonly graph: FeatureGraph;
  readonly typed: ReadonlyMap<string, TypedSet>;
  readonly target: FeatureSetNode;
  /** One per upstream the statement reaches, nearest first; upstreams only reached through reused ones are left out. */
  readonly choices: readonly UpstreamChoice[];
}

/**
 * Decides, nearest upstream first, which upstreams of `target` to read from their tables. An upstream's needed range
 * depends on which sets between it and the target are recomputed, so each is decided once every set that reads it
 * is: it is then a source of the graph rewritten so far, and the time-range pass gives its range directly.
 */
export function planReuse(
  graph: FeatureGraph,
  targetName: string,
  window: { start: Date; end: Date },
  tableFor: (set: string) => TableRef,
  check: ReuseCheck,
): ReusePlan {
  const typedFull = typeGraph(graph, [targetName]);
  const upstreams = selectSets(graph, [targetName]).slice(0, -1).reverse(); // readers before what they read
  const reused = new Map<string, SourceDef>();
  const choices: UpstreamChoice[] = [];
  for (const node of upstreams) {
    const name = node.def.name;
    const candidate = asSource(node, typedFull.get(name)!.schema, tableFor(name));
    const trial = rewrite(graph, new Map([...reused, [name, candidate]]));
    const target = trial.sets.get(targetName)!;
    const ranges = inferSourceRanges(trial, target, typeGraph(trial, [targetName])).get(name);
    if (!ranges) continue; // only read through an upstream that is reused
    const range = evaluateRanges(ranges, window);
    const { reuse, reason } = check(name, range);
    choices.push({ set: name, table: candidate.backfill, range, reused: reuse, reason });
    if (reuse) reused.set(name, candidate);
  }
  const rewritten = reused.size ? rewrite(graph, reused) : graph;
  return { graph: rewritten, typed: reused.size ? typeGraph(rewritten, [targetName]) : typedFull, target: rewritten.sets.get(targetName)!, choices };
}

/** A set's offline table as a source: its keys, timestamp and typed columns, in the table's column order. */
function asSource(node: FeatureSetNode, schema: TypedSet["schema"], table: TableRef): SourceDef {
  const { name, keys, timestamp, definedAt } = node.def;
  return { kind: "source", name, keys, timestamp, columns: Object.fromEntries(schema.map((c) => [c.name, c.type])), backfill: table, ...(definedAt && { definedAt }) };
}

/** The graph with each reused set a source (the names stay unique: the set is gone) and every ref to it a scan. */
function rewrite(graph: FeatureGraph, reused: ReadonlyMap<string, SourceDef>): FeatureGraph {
  const sets = new Map<string, FeatureSetNode>();
  for (const [name, node] of graph.sets) if (!reused.has(name)) sets.set(name, { def: node.def, rel: scanReused(node.rel, reused) });
  return { sources: new Map([...graph.sources, ...reused]), sets };
}

function scanReused(rel: RelNode, reused: ReadonlyMap<string, SourceDef>): RelNode {
  const map = (r: RelNode) => scanReused(r, reused);
  return visitRel<RelNode>(rel, {
    scan: (n) => n,
    ref: (n) => (reused.has(n.set) ? { kind: "scan", source: n.set } : n),
    filter: (n) => ({ ...n, input: map(n.input) }),
    select: (n) => ({ ...n, input: map(n.input) }),
    withColumns: (n) => ({ ...n, input: map(n.input) }),
    aggregate: (n) => ({ ...n, input: map(n.input) }),
    join: (n) => ({ ...n, left: map(n.left), right: map(n.right) }),
    asofJoin: (n) => ({ ...n, left: map(n.left), right: map(n.right) }),
    rename: (n) => ({ ...n, input: map(n.input) }),
    drop: (n) => ({ ...n, input: map(n.input) }),
    unique: (n) => ({ ...n, input: map(n.input) }),
    concat: (n) => ({ ...n, inputs: n.inputs.map(map) }),
    groupHead: (n) => ({ ...n, input: map(n.input) }),
    rowIndex: (n) => ({ ...n, input: map(n.input) }),
  });
}
