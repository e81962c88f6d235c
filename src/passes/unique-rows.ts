import { type ExprNode, outputName, unalias } from "../ir/expr.ts";
import { type RelNode, visitRel } from "../ir/rel.ts";
import type { FeatureGraph } from "../graph/feature-graph.ts";

/**
 * Whether the IR proves a feature set holds at most one row per (keys, timestamp): what an as-of join needs to pick
 * one row and never an arbitrary one of several. Proved by a `groupBy` on those columns (or on fewer), carried
 * through filters, projections that pass the columns through, as-of joins (one output row per left row) and sets
 * read by reference. A source's declared keys promise no such thing, so event-level sets are not proved unique.
 * Returns undefined when proved, else why not.
 */
export function whyNotUnique(graph: FeatureGraph, set: string): string | undefined {
  const node = graph.sets.get(set)!;
  return notUnique(node.rel, [...node.def.keys, node.def.timestamp], graph);
}

function notUnique(rel: RelNode, columns: readonly string[], graph: FeatureGraph): string | undefined {
  const passed = (exprs: readonly ExprNode[], keepOthers: boolean): string[] | string => {
    const mapped: string[] = [];
    for (const c of columns) {
      const e = exprs.find((x) => outputName(x) === c);
      if (!e) {
        if (keepOthers) mapped.push(c);
        else return `"${c}" is not selected`;
        continue;
      }
      const inner = unalias(e);
      if (inner.kind !== "column") return `"${c}" is computed, so two rows can share it`;
      mapped.push(inner.name);
    }
    return mapped;
  };
  return visitRel<string | undefined>(rel, {
    scan: (n) => `source "${n.source}" may hold several rows per (${columns.join(", ")}): group by them to keep one`,
    ref: (n) => {
      const set = graph.sets.get(n.set)!;
      const own = [...set.def.keys, set.def.timestamp];
      return columns.every((c) => own.includes(c)) && own.every((c) => columns.includes(c))
        ? notUnique(set.rel, own, graph)
        : `feature set "${n.set}" is not read by its own keys and timestamp`;
    },
    filter: (n) => notUnique(n.input, columns, graph),
    select: (n) => {
      const m = passed(n.columns, false);
      return typeof m === "string" ? m : notUnique(n.input, m, graph);
    },
    withColumns: (n) => {
      const m = passed(n.columns, true);
      return typeof m === "string" ? m : notUnique(n.input, m, graph);
    },
    aggregate: (n) => {
      const keys = n.keys.map(outputName);
      return keys.every((k) => columns.includes(k)) ? undefined : `its groupBy has keys beyond (${columns.join(", ")})`;
    },
    // Semi and anti joins keep left rows as they are; the others can repeat them.
    join: (n) => (n.how === "semi" || n.how === "anti" ? notUnique(n.left, columns, graph) : `a ${n.how} join can repeat rows`),
    asofJoin: (n) => notUnique(n.left, columns, graph), // one output row per left row, nearest too
    // The columns asked for exist (the type pass saw to it): each is renamed from another, or passed through.
    rename: (n) => notUnique(n.input, columns.map((c) => n.mapping.find(([, to]) => to === c)?.[0] ?? c), graph),
    drop: (n) => notUnique(n.input, columns, graph),
    concat: () => `a concat can repeat (${columns.join(", ")})`,
    // One row per group with head(1); some of the input's rows otherwise.
    groupHead: (n) => (n.n === 1 && n.keys.every((c) => columns.includes(c)) ? undefined : notUnique(n.input, columns, graph)),
    // The index numbers every row apart; without it, the input's rows.
    rowIndex: (n) => (columns.includes(n.name) ? undefined : notUnique(n.input, columns, graph)),
    // One row per subset, or some of the input's rows.
    unique: (n) => (n.subset?.every((c) => columns.includes(c)) ? undefined : notUnique(n.input, columns, graph)),
  });
}
