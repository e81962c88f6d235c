import { closureSources, type FeatureGraph, selectSets, setDependencies, setSources } from "../graph/feature-graph.ts";

export interface DagView {
  /** Sources first (by name), then feature sets, each after what it reads. */
  readonly nodes: readonly { readonly name: string; readonly kind: "source" | "featureSet" }[];
  /** `[from, to]`: `to` reads `from`. */
  readonly edges: readonly (readonly [string, string])[];
}

/** The DAG from sources to feature sets; with `sets`, only those sets and what they read. */
export function dagView(graph: FeatureGraph, set?: string | readonly string[]): DagView {
  const sets = selectSets(graph, set === undefined ? [...graph.sets.keys()].sort() : typeof set === "string" ? [set] : set);
  const sources = closureSources(sets).sort();
  return {
    nodes: [...sources.map((name) => ({ name, kind: "source" as const })), ...sets.map((s) => ({ name: s.def.name, kind: "featureSet" as const }))],
    edges: sets.flatMap((s) => [...setSources(s), ...setDependencies(s)].map((from) => [from, s.def.name] as const)),
  };
}

/**
 * A Mermaid flowchart (GitHub renders it in Markdown): sources as cylinders, sets as boxes. Nodes get generated ids
 * and quoted labels, since a name may hold any character; quotes and markup become Mermaid entities.
 */
export function toMermaid(view: DagView): string {
  const id = ids(view);
  const label = (name: string) =>
    `"${name.replaceAll("#", "#35;").replaceAll('"', "#quot;").replaceAll("<", "#lt;").replaceAll(">", "#gt;")}"`;
  const lines = ["flowchart LR"];
  for (const n of view.nodes) lines.push(`  ${id(n.name)}${n.kind === "source" ? `[(${label(n.name)})]` : `[${label(n.name)}]`}`);
  for (const [from, to] of view.edges) lines.push(`  ${id(from)} --> ${id(to)}`);
  return `${lines.join("\n")}\n`;
}

/** Graphviz DOT (`dot -Tsvg`): the same picture; labels escaped as DOT's quoted strings require. */
export function toDot(view: DagView): string {
  const id = ids(view);
  const label = (name: string) => `"${name.replaceAll("\\", "\\\\").replaceAll('"', '\\"').replaceAll("\n", "\\n")}"`;
  const lines = ["digraph features {", "  rankdir=LR;"];
  for (const n of view.nodes) lines.push(`  ${id(n.name)} [label=${label(n.name)}, shape=${n.kind === "source" ? "cylinder" : "box"}];`);
  for (const [from, to] of view.edges) lines.push(`  ${id(from)} -> ${id(to)};`);
  lines.push("}");
  return `${lines.join("\n")}\n`;
}

function ids(view: DagView): (name: string) => string {
  const byName = new Map(view.nodes.map((n, i) => [n.name, `n${i + 1}`]));
  return (name) => byName.get(name)!;
}
