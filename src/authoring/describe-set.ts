import { formatWindow, type TimeWindow } from "../backfill/window.ts";
import { formatTable } from "../compile/statements.ts";
import type { ResolvedConfig } from "../config/config.ts";
import { formatLocation } from "../errors.ts";
import { definitionHash } from "../graph/definition-hash.ts";
import { closureSources, type FeatureGraph, selectSets, setDependencies, setSources } from "../graph/feature-graph.ts";
import type { DType } from "../ir/dtype.ts";
import { evaluateRanges, inferSourceRanges } from "../passes/time-range-pass.ts";
import { sourceSchema, typeGraph } from "../passes/type-pass.ts";
import { planReuse } from "../passes/reuse-pass.ts";
import { reuseCheck, type WrittenSpan } from "../backfill/materialized.ts";
import { describeRange } from "./read-range-text.ts";
import { analyzeState, stateTables } from "../passes/state-pass.ts";
import type { FeatureSetNode } from "../graph/feature-graph.ts";
import type { TableRef } from "../ir/definitions.ts";

/** What `describe` shows of a feature set; also its `--format json` output. */
export interface SetDescription {
  readonly name: string;
  readonly description?: string;
  readonly definedAt?: string;
  readonly keys: readonly string[];
  readonly timestamp: string;
  readonly columns: readonly { readonly name: string; readonly type: DType; readonly role: "key" | "timestamp" | "feature" }[];
  /** What `build` reads directly. */
  readonly inputs: readonly { readonly name: string; readonly kind: "source" | "featureSet" }[];
  /** Every source the backfill statement reads (through every set on the way) and the event-time range it needs. */
  readonly reads: readonly {
    readonly source: string;
    readonly table: string;
    /** Per path that reaches the source; a backfill reads their union. */
    readonly ranges: readonly { readonly summary: string; readonly formula: string }[];
    /** For `--start/--end`: the range a run over that window reads. */
    readonly forWindow?: string;
    /**
     * Columns read through `CAST(… AS declared)` at the scan, with their declared type: the warehouse may store them
     * in another type (a DECIMAL declared double), and every engine must compute in the declared one.
     */
    readonly castAtScan: readonly { readonly name: string; readonly type: DType }[];
  }[];
  /**
   * For `--start/--end`: each upstream set a run over that window would recompute, and whether it reads the set's
   * offline table instead (what the ledger proves; no ledger: none is read).
   */
  readonly upstreams?: readonly { readonly set: string; readonly table: string; readonly range: string; readonly reused: boolean; readonly reason: string }[];
  readonly offlineTable: string;
  /**
   * State kept across runs (state-pass.ts): per continued node, the state table holding its carried rows and the
   * windows it serves; and why windows that read every earlier row are not continued.
   */
  readonly state: { readonly tables: readonly { readonly table: string; readonly windowsOver: string }[]; readonly notes: readonly string[] };
  readonly definitionHash: string;
}

/** Types the set (errors are the run's own) and describes it; `window` adds the concrete read ranges for it. */
export function describeSet(
  graph: FeatureGraph,
  config: Pick<ResolvedConfig, "tableFor" | "dialect">,
  name: string,
  window?: TimeWindow,
  written: ReadonlyMap<string, readonly WrittenSpan[]> = new Map(),
): SetDescription {
  const closure = selectSets(graph, [name]); // rejects an unknown name
  const node = closure.at(-1)!;
  const { def } = node;
  const typed = typeGraph(graph, [name]);
  const { schema } = typed.get(name)!;
  const symbolic = inferSourceRanges(graph, node, typed);
  const sources = closureSources(closure);
  return {
    name,
    ...(def.description && { description: def.description }),
    ...(def.definedAt && { definedAt: formatLocation(def.definedAt) }),
    keys: def.keys,
    timestamp: def.timestamp,
    columns: schema.map((c) => ({ ...c, role: def.keys.includes(c.name) ? "key" : c.name === def.timestamp ? "timestamp" : "feature" })),
    inputs: [
      ...setSources(node).map((n) => ({ name: n, kind: "source" as const })),
      ...setDependencies(node).map((n) => ({ name: n, kind: "featureSet" as const })),
    ],
    reads: sources.map((source) => {
      const ranges = symbolic.get(source)!;
      const unique = [...new Map(ranges.map((r) => [JSON.stringify(r), r])).values()];
      return {
        source,
        table: formatTable(graph.sources.get(source)!.backfill),
        ranges: unique.map(describeRange),
        ...(window && { forWindow: formatWindow(evaluateRanges(ranges, window)) }),
        castAtScan: sourceSchema(graph.sources.get(source)!).filter((c) => config.dialect.castAtScan.includes(c.type)),
      };
    }),
    ...(window && closure.length > 1 && { upstreams: upstreamChoices(graph, config, name, window, written) }),
    offlineTable: formatTable(config.tableFor(name)),
    state: stateOf(graph, node, typed, config.tableFor(name)),
    definitionHash: definitionHash(graph, name),
  };
}

function stateOf(graph: FeatureGraph, node: FeatureSetNode, typed: ReturnType<typeof typeGraph>, table: TableRef): SetDescription["state"] {
  const { nodes, notes } = analyzeState(graph, node, typed);
  const tables = stateTables(table, nodes);
  return { tables: nodes.map((n, k) => ({ table: formatTable(tables[k]!), windowsOver: n.time })), notes };
}

/** As a run over `window` would choose them (`planJobs`), for a run of this set alone. */
function upstreamChoices(graph: FeatureGraph, config: Pick<ResolvedConfig, "tableFor">, name: string, window: TimeWindow, written: ReadonlyMap<string, readonly WrittenSpan[]>) {
  const check = reuseCheck(written, (set) => definitionHash(graph, set), new Map());
  return planReuse(graph, name, window, config.tableFor, check).choices.map((c) => ({ ...c, table: formatTable(c.table), range: formatWindow(c.range) }));
}

/** The description as a person reads it. */
export function renderDescription(d: SetDescription, window?: TimeWindow): string {
  const width = Math.max(...d.columns.map((c) => c.name.length));
  const typeWidth = Math.max(...d.columns.map((c) => c.type.length));
  const lines = [d.name];
  if (d.description) lines.push(`  ${d.description}`);
  lines.push("");
  if (d.definedAt) lines.push(`defined at       ${d.definedAt}`);
  lines.push(`keys             ${d.keys.join(", ")}`, `timestamp        ${d.timestamp}`, "columns");
  for (const c of d.columns) lines.push(`  ${c.name.padEnd(width)}  ${c.type.padEnd(typeWidth)}  ${c.role}`);
  lines.push(`inputs           ${d.inputs.map((i) => `${i.name} (${i.kind === "source" ? "source" : "feature set"})`).join(", ")}`);
  lines.push(window ? `reads, for ${formatWindow(window)}` : "reads");
  for (const r of d.reads) {
    const ranges = r.ranges.map((x) => (x.summary === x.formula ? x.formula : `${x.summary}: ${x.formula}`)).join("; and ");
    lines.push(`  ${r.source} (${r.table}): ${ranges}${r.forWindow ? ` -> ${r.forWindow}` : ""}`);
    if (r.castAtScan.length) lines.push(`    read through a cast to the declared type: ${r.castAtScan.map((c) => `${c.name} ${c.type}`).join(", ")}`);
  }
  if (d.upstreams) {
    lines.push(`upstream sets, for ${formatWindow(window!)}`);
    for (const u of d.upstreams) lines.push(u.reused ? `  ${u.set}: reads ${u.table} ${u.range} — ${u.reason}` : `  ${u.set}: recomputed (${u.reason})`);
  }
  lines.push(`offline table    ${d.offlineTable}`);
  for (const t of d.state.tables) lines.push(`state table      ${t.table} (rows carried across runs for the windows ordered by "${t.windowsOver}"; a run continues from its latest checkpoint)`);
  for (const note of d.state.notes) lines.push(`not continued    ${note}`);
  lines.push(`definition hash  ${d.definitionHash}`);
  return `${lines.join("\n")}\n`;
}
