import { UsageError } from "../errors.ts";
import { type FeatureGraph, selectSets, setDependencies } from "./feature-graph.ts";

/** Which feature sets a command works on, as its flags give them (`--set`, `--select`, `--exclude`, `--all`). */
export interface SelectionRequest {
  /** Exact names (`--set`), as before selectors existed. */
  readonly sets?: readonly string[];
  /** Selectors (`--select`, repeatable: their union). */
  readonly select?: readonly string[];
  /** Selectors whose sets are taken out of the selection (`--exclude`). */
  readonly exclude?: readonly string[];
  /** Every set (`--all`). */
  readonly all?: boolean;
}

/**
 * The feature sets a selection names, in dependency order (a set after every set it reads; otherwise by name).
 * Selectors follow dbt's: a name, a glob (`*_spend`, `card_?`), `tag:daily`; `+x` adds the sets x reads, directly or
 * not, and `x+` the sets that read x; a value with spaces is several selectors. A selector that matches nothing is an
 * error naming it (a typo must not select less, silently). Without any selection, `otherwise` decides: every set, or
 * a usage error (a command that writes must be told what to write).
 */
export function resolveSelection(graph: FeatureGraph, request: SelectionRequest, otherwise: "all" | "error"): string[] {
  const select = [...(request.sets ?? []), ...split(request.select)];
  const exclude = split(request.exclude);
  if (request.all && select.length > 0) throw new UsageError("give --all or --select/--set, not both");
  if (!request.all && select.length === 0) {
    if (otherwise === "error") throw new UsageError("say which feature sets: --set NAME, --select SELECTOR (e.g. tag:daily, '*_spend', +name) or --all");
    if (exclude.length === 0) return ordered(graph, graph.sets.keys());
  }
  const chosen = new Set<string>(request.all || select.length === 0 ? graph.sets.keys() : []);
  for (const name of (request.sets ?? [])) selectSets(graph, [name]); // unknown exact names keep their message
  for (const selector of select) matchSelector(graph, selector, "--select").forEach((name) => chosen.add(name));
  for (const selector of exclude) matchSelector(graph, selector, "--exclude").forEach((name) => chosen.delete(name));
  if (chosen.size === 0) throw new UsageError("the selection is empty: --exclude took out every set selected");
  return ordered(graph, chosen);
}

/** Every set one selector names. */
export function matchSelector(graph: FeatureGraph, selector: string, flag: string): Set<string> {
  const [, up, body, down] = /^(\+?)(.*?)(\+?)$/.exec(selector)!;
  if (!body) throw new UsageError(`${flag} ${JSON.stringify(selector)}: expected a set name, a glob or tag:NAME, optionally with + before or after`);
  const names = [...graph.sets.keys()];
  const matches = body.startsWith("tag:")
    ? names.filter((name) => graph.sets.get(name)!.def.tags?.includes(body.slice(4)))
    : names.filter((name) => globPattern(body).test(name));
  if (matches.length === 0) {
    const tags = [...new Set(names.flatMap((name) => graph.sets.get(name)!.def.tags ?? []))].sort();
    const known = body.startsWith("tag:") ? `known tags: ${tags.join(", ") || "none"}` : `known sets: ${names.sort().join(", ") || "none"}`;
    throw new UsageError(`${flag} ${JSON.stringify(selector)} matches no feature set; ${known}`);
  }
  const result = new Set(matches);
  if (up) closure(matches, (name) => setDependencies(graph.sets.get(name)!)).forEach((name) => result.add(name));
  if (down) closure(matches, downstreamOf(graph)).forEach((name) => result.add(name));
  return result;
}

/** The sets that read each set directly. */
export function downstreamOf(graph: FeatureGraph): (name: string) => string[] {
  const readers = new Map<string, string[]>();
  for (const node of graph.sets.values()) {
    for (const dep of setDependencies(node)) readers.set(dep, [...(readers.get(dep) ?? []), node.def.name]);
  }
  return (name) => readers.get(name) ?? [];
}

/** Everything reachable from `start` through `next` (the graph is acyclic: buildGraph refuses cycles). */
export function closure(start: Iterable<string>, next: (name: string) => readonly string[]): Set<string> {
  const seen = new Set<string>();
  const visit = (name: string): void => {
    if (seen.has(name)) return;
    seen.add(name);
    next(name).forEach(visit);
  };
  for (const name of start) visit(name);
  return seen;
}

const split = (values: readonly string[] = []): string[] => values.flatMap((v) => v.split(/\s+/)).filter(Boolean);

const ordered = (graph: FeatureGraph, names: Iterable<string>): string[] => {
  const wanted = new Set(names);
  return selectSets(graph, [...wanted].sort()).map((node) => node.def.name).filter((name) => wanted.has(name));
};

/** `*` any run of characters, `?` one; everything else literal. Names match case-sensitively, as `--set` does. */
const globPattern = (glob: string): RegExp =>
  new RegExp(`^${glob.split("").map((c) => (c === "*" ? ".*" : c === "?" ? "." : c.replace(/[.+^${}()|[\]\\]/g, "\\$&"))).join("")}$`);
