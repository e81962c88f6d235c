import { createHash } from "node:crypto";
import type { FeatureGraph } from "./feature-graph.ts";
import { closureSources, selectSets } from "./feature-graph.ts";

// Bumped when the hashed shape changes on purpose, so that old and new hashes never compare equal by accident — and
// when the SQL an unchanged definition compiles to changes its rows (v2: numeric columns read in their declared types,
// Polars' results by zero, nulls ordered first, nUnique counting null, the text of values), so that --resume, status
// and dataset treat what an earlier version wrote as stale.
const FORMAT = "feature-backfill/definition/v2";

/**
 * A stable hash of what a feature set computes: its relation tree, keys and timestamp, and the same for every set it
 * reads, down to the sources' tables, columns (in order: they order the output) and types. What does not change the
 * rows is left out: descriptions, file and line, the aliases a build function receives its inputs under, the offline
 * table (configuration, not definition) and the dialect. So a definition changes its hash, and nothing else does —
 * the basis for telling whether a backfilled table is stale.
 */
export function definitionHash(graph: FeatureGraph, set: string): string {
  const closure = selectSets(graph, [set]);
  const sources = closureSources(closure).sort().map((name) => {
    const s = graph.sources.get(name)!;
    return { name, keys: s.keys, timestamp: s.timestamp, columns: Object.entries(s.columns), table: s.backfill };
  });
  const sets = closure
    .map(({ def, rel }) => ({ name: def.name, keys: def.keys, timestamp: def.timestamp, rel }))
    .sort((a, b) => (a.name < b.name ? -1 : 1));
  const payload = canonicalJson({ format: FORMAT, target: set, sets, sources });
  return createHash("sha256").update(payload).digest("hex");
}

/** JSON with object keys sorted (arrays keep their order: it means something), so equal data hashes equally. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value && typeof value === "object") {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined);
    entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}
