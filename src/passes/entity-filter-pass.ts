import { containsAgg, type ExprNode, outputName, unalias, windowsIn } from "../ir/expr.ts";
import { joinColumns } from "../ir/join-columns.ts";
import { isShorthand, lowerFrame } from "../ir/lower-frame.ts";
import { type RelNode, visitRel } from "../ir/rel.ts";
import type { FeatureGraph, FeatureSetNode } from "../graph/feature-graph.ts";
import { columnNames } from "./schema.ts";
import type { TypedSet } from "./type-pass.ts";

/**
 * Entity pushdown, for online lookups. A lookup keeps the target's output rows whose columns `f1 = v1, f2 = v2 …`
 * (the request's entity fields). This pass finds, for each source, the source columns on which the same equalities
 * may be applied to the scan without changing those output rows: a column reaches a source only through operators
 * that keep rows with different values of it apart —
 *
 * - row-wise filters, projections and renames (a column computed by anything but a plain reference stops it);
 * - windows partitioned by the column (any other window mixes entities: the column stops there);
 * - a group-by with the column among its keys (a global aggregate mixes everything);
 * - equi-joins, as-of joins' `by` keys and semi/anti joins, where it crosses to the other side through the key.
 *
 * What it cannot prove it leaves out: a source reached by no equality is read for every entity (correct, only
 * slower; `describeOnline` says so). The output is always filtered on every field as well, so the pushdown is an
 * optimisation whose only obligation is equivalence.
 */

/** Per source: source column → entity field it must equal. An empty map: read without an entity filter. */
export type EntityFilters = ReadonlyMap<string, ReadonlyMap<string, string>>;

export function pushEntityFilters(
  graph: FeatureGraph,
  target: FeatureSetNode,
  typed: ReadonlyMap<string, TypedSet>,
  fields: readonly string[],
): EntityFilters {
  const schemas = new Map([...typed.values()].flatMap((t) => [...t.relSchemas]));
  const names = (rel: RelNode) => columnNames(schemas.get(rel)!);
  // Every path that reaches a source scans the same CTE: only the equalities all of them allow may filter it.
  const found = new Map<string, Map<string, string>[]>();

  const need = (rel: RelNode, m: ReadonlyMap<string, string>): void => {
    visitRel<void>(rel, {
      scan: (n) => found.set(n.source, [...(found.get(n.source) ?? []), new Map(m)]),
      ref: (n) => need(graph.sets.get(n.set)!.rel, m),
      filter: (n) => need(n.input, partitioned(m, [n.predicate])),
      select: (n) => need(n.input, project(partitioned(m, n.columns), n.columns, false)),
      withColumns: (n) => need(n.input, project(partitioned(m, n.columns), n.columns, true)),
      aggregate: (n) => {
        const kept = partitioned(m, [...n.keys, ...n.aggs]);
        need(n.input, new Map([...kept].flatMap(([column, field]) => {
          const key = n.keys.find((k) => outputName(k) === column);
          const input = key && plainColumn(key);
          return input ? [[input, field] as const] : [];
        })));
      },
      join: (n) => {
        const left = new Map<string, string>();
        const right = new Map<string, string>();
        const outputs = joinColumns(n, names(n.left), names(n.right));
        for (const [column, field] of m) {
          const out = outputs.find((c) => c.name === column);
          if (!out) continue;
          if (out.side === "both") {
            // A coalesced key: the left key where the left row exists, else the right one.
            left.set(out.source, field);
            right.set(out.other, field);
          } else if (out.side === "left" && n.how !== "right" && n.how !== "full") {
            left.set(out.source, field);
            const key = n.on.find((k) => k.left === out.source);
            if (key && n.how !== "cross") right.set(key.right, field);
          } else if (out.side === "right" && (n.how === "inner" || n.how === "cross" || n.how === "right")) {
            // The column of an optional side (a left join's right, a right join's left, a full join's) is null on
            // unmatched rows: not followed (conservative).
            right.set(out.source, field);
            const key = n.on.find((k) => k.right === out.source);
            if (key && n.how !== "cross") left.set(key.left, field);
          }
        }
        need(n.left, left);
        need(n.right, right);
      },
      asofJoin: (n) => {
        if (isShorthand(n)) return need(lowerFrame(n, names), m);
        const left = new Map<string, string>();
        const right = new Map<string, string>();
        const outputs = joinColumns(n, names(n.left), names(n.right));
        for (const [column, field] of m) {
          const out = outputs.find((c) => c.name === column);
          if (out?.side !== "left") continue;
          left.set(out.source, field);
          const key = n.by.find((k) => k.left === out.source);
          if (key) right.set(key.right, field);
        }
        need(n.left, left);
        need(n.right, right);
      },
      rename: (n) => need(lowerFrame(n, names), m),
      drop: (n) => need(lowerFrame(n, names), m),
      unique: (n) => need(lowerFrame(n, names), m),
      groupHead: (n) => need(lowerFrame(n, names), m),
      rowIndex: (n) => need(lowerFrame(n, names), m),
      // Each input's rows are output rows under the same names.
      concat: (n) => n.inputs.forEach((input) => need(input, m)),
    });
  };
  need(target.rel, new Map(fields.map((f) => [f, f])));

  return new Map(
    [...found].map(([source, paths]) => {
      const [first, ...rest] = paths;
      const common = [...first!].filter(([column, field]) => rest.every((p) => p.get(column) === field));
      return [source, new Map(common)];
    }),
  );
}

/** The entries whose column every window among `exprs` partitions by (a plain reference to it). */
function partitioned(m: ReadonlyMap<string, string>, exprs: readonly ExprNode[]): Map<string, string> {
  const windows = windowsIn(exprs);
  return new Map([...m].filter(([column]) => windows.every((w) => w.partitionBy.some((p) => plainColumn(p) === column))));
}

/**
 * Maps output columns to the input columns they copy. An aggregate outside a window (a `select` that sums the whole
 * frame) mixes every row: nothing passes it.
 */
function project(m: ReadonlyMap<string, string>, columns: readonly ExprNode[], keepOthers: boolean): Map<string, string> {
  if (columns.some(containsAgg)) return new Map();
  return new Map(
    [...m].flatMap(([column, field]) => {
      const producer = columns.find((c) => outputName(c) === column);
      if (!producer) return keepOthers ? [[column, field] as const] : [];
      const input = plainColumn(producer);
      return input ? [[input, field] as const] : [];
    }),
  );
}

/** The column an expression merely copies (unqualified), if it is one. */
function plainColumn(e: ExprNode): string | undefined {
  const u = unalias(e);
  return u.kind === "column" && !u.qualifier ? u.name : undefined;
}
