import type { Definition, FeatureSetDef, SourceDef } from "../ir/definitions.ts";
import { relLeaves, type RelNode } from "../ir/rel.ts";
import { DefinitionError, formatLocation, UsageError } from "../errors.ts";

/** A feature set with its relation built. */
export interface FeatureSetNode {
  readonly def: FeatureSetDef;
  readonly rel: RelNode;
}

/** Every source and feature set of a project, with names unique and dependencies acyclic. */
export interface FeatureGraph {
  readonly sources: ReadonlyMap<string, SourceDef>;
  readonly sets: ReadonlyMap<string, FeatureSetNode>;
}

/**
 * Builds the graph from the definitions the feature modules export, adding the inputs they reach without exporting.
 * Rejects duplicate names, unknown inputs and cycles, naming the set and the file. With `onProblem`, it reports each
 * problem there instead of throwing and leaves out what is broken — and every set that reads it — so that
 * `validate` lists every problem at once.
 */
export function buildGraph(definitions: Iterable<Definition>, options: { onProblem?: (problem: DefinitionError) => void } = {}): FeatureGraph {
  const report =
    options.onProblem ??
    ((problem: DefinitionError) => {
      throw problem;
    });
  const byName = new Map<string, Definition>();
  // Keyed without case: warehouses resolve names so, and "a" and "A" would share one offline table in DuckDB.
  const byFoldedName = new Map<string, Definition>();
  const add = (def: Definition): void => {
    const existing = byFoldedName.get(def.name.toLowerCase());
    if (existing === def) return;
    if (existing) {
      const places = [existing, def].map((d) => (d.definedAt ? formatLocation(d.definedAt) : "unknown module")).join(" and ");
      const names = existing.name === def.name ? `the name "${def.name}" is` : `the names "${existing.name}" and "${def.name}" are`;
      report(new DefinitionError(`${names} defined twice (${places}); names must be unique, ignoring case, across sources and feature sets`, { set: def.name }));
      return;
    }
    byName.set(def.name, def);
    byFoldedName.set(def.name.toLowerCase(), def);
    if (def.kind === "featureSet") Object.values(def.inputs).forEach(add);
  };
  for (const def of definitions) add(def);

  const sources = new Map<string, SourceDef>();
  const sets = new Map<string, FeatureSetNode>();
  for (const def of byName.values()) {
    if (def.kind === "source") sources.set(def.name, def);
  }
  const broken = new Set<string>();
  const attempt = (name: string, check: () => void): void => {
    try {
      check();
    } catch (error) {
      if (!(error instanceof DefinitionError)) throw error;
      broken.add(name);
      report(error);
    }
  };
  for (const def of byName.values()) {
    if (def.kind === "featureSet") attempt(def.name, () => sets.set(def.name, { def, rel: def.buildRel() }));
  }
  for (const { def, rel } of sets.values()) attempt(def.name, () => checkLeaves(def, rel, byName));
  for (const name of broken) sets.delete(name);
  checkAcyclic(sets, (cycle, error) => {
    cycle.forEach((name) => broken.add(name));
    report(error);
  });
  dropDependents(sets, broken, report);
  return { sources, sets };
}

/** Leaves out the broken sets and, transitively, every set that reads one (reported once each, naming it). */
function dropDependents(sets: Map<string, FeatureSetNode>, broken: ReadonlySet<string>, report: (p: DefinitionError) => void): void {
  const dropped = new Set(broken);
  for (let changed = true; changed; ) {
    changed = false;
    for (const [name, node] of sets) {
      if (dropped.has(name)) continue;
      const bad = setDependencies(node).find((dep) => dropped.has(dep));
      if (bad === undefined) continue;
      dropped.add(name);
      changed = true;
      report(new DefinitionError(`reads feature set "${bad}", which has errors`, { set: name, at: node.def.definedAt }));
    }
  }
  for (const name of dropped) sets.delete(name);
}

/** The sets named, with every set they depend on, dependencies first. */
export function selectSets(graph: FeatureGraph, names: readonly string[]): FeatureSetNode[] {
  const ordered: FeatureSetNode[] = [];
  const seen = new Set<string>();
  const visit = (name: string): void => {
    if (seen.has(name)) return;
    seen.add(name);
    const node = graph.sets.get(name)!;
    setDependencies(node).forEach(visit);
    ordered.push(node);
  };
  for (const name of names) {
    if (!graph.sets.has(name)) {
      const known = [...graph.sets.keys()].sort().join(", ") || "none";
      throw new UsageError(`unknown feature set ${JSON.stringify(name)}; known sets: ${known}`);
    }
    visit(name);
  }
  return ordered;
}

/** Names of the feature sets a set reads directly. */
export const setDependencies = (node: FeatureSetNode): string[] =>
  [...new Set(relLeaves(node.rel).flatMap((leaf) => (leaf.kind === "ref" ? [leaf.set] : [])))];

/** Names of the sources a set reads directly. */
export const setSources = (node: FeatureSetNode): string[] =>
  [...new Set(relLeaves(node.rel).flatMap((leaf) => (leaf.kind === "scan" ? [leaf.source] : [])))];

/** The sources a closure of sets (`selectSets`) reads, each once, in the order first read. */
export const closureSources = (closure: readonly FeatureSetNode[]): string[] => [...new Set(closure.flatMap(setSources))];

function checkLeaves(def: FeatureSetDef, rel: RelNode, byName: ReadonlyMap<string, Definition>): void {
  const declared = new Set(Object.values(def.inputs).map((d) => d.name));
  for (const leaf of relLeaves(rel)) {
    const name = leaf.kind === "scan" ? leaf.source : leaf.set;
    const target = byName.get(name);
    if (!declared.has(name) || !target || target.kind !== (leaf.kind === "scan" ? "source" : "featureSet")) {
      throw new DefinitionError(`reads "${name}", which is not one of its inputs (${[...declared].join(", ") || "none"})`, {
        set: def.name,
        at: def.definedAt,
      });
    }
  }
}

/** Reports each cycle once, with its members. */
function checkAcyclic(sets: ReadonlyMap<string, FeatureSetNode>, report: (cycle: string[], error: DefinitionError) => void): void {
  const state = new Map<string, "visiting" | "done">();
  const visit = (name: string, path: string[]): void => {
    if (state.get(name) === "done") return;
    if (state.get(name) === "visiting") {
      const cycle = [...path.slice(path.indexOf(name)), name];
      const node = sets.get(name)!;
      report(cycle.slice(1), new DefinitionError(`dependency cycle: ${cycle.join(" -> ")}`, { set: name, at: node.def.definedAt }));
      return;
    }
    if (!sets.has(name)) return; // left out already: its reader is reported as reading a broken set
    state.set(name, "visiting");
    for (const dep of setDependencies(sets.get(name)!)) visit(dep, [...path, name]);
    state.set(name, "done");
  };
  for (const name of sets.keys()) visit(name, []);
}
