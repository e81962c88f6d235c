import { compileBackfillQuery } from "../compile/compile-backfill.ts";
import {
  createSchemaStatement,
  createTableStatement,
  deleteStatement,
  insertStatement,
  rangePredicate,
  type Statement,
} from "../compile/statements.ts";
import type { SqlDialect } from "../dialects/sql-dialect.ts";
import type { FeatureGraph } from "../graph/feature-graph.ts";
import { selectSets, setSources } from "../graph/feature-graph.ts";
import type { SourceDef, TableRef } from "../ir/definitions.ts";
import type { Schema } from "../passes/schema.ts";
import { type ConcreteRange, evaluateRanges, inferSourceRanges, readsExactly } from "../passes/time-range-pass.ts";
import { typeGraph } from "../passes/type-pass.ts";
import type { TimeWindow } from "./window.ts";

/** Everything one feature set's backfill does, decided before any connection is opened. */
export interface SetJob {
  readonly set: string;
  readonly table: TableRef;
  readonly columns: Schema;
  readonly window: TimeWindow;
  /** Each source the statement reads, with the event-time range it reads. */
  readonly reads: readonly { readonly source: SourceDef; readonly range: ConcreteRange }[];
  /** Idempotent DDL, run before the transaction (some warehouses commit DDL implicitly). */
  readonly setup: readonly Statement[];
  /** Run in one transaction: DELETE of the window, then INSERT … SELECT (the last statement). */
  readonly write: readonly Statement[];
}

export interface PlanInput {
  readonly graph: FeatureGraph;
  readonly sets: readonly string[];
  readonly window: TimeWindow;
  readonly dialect: SqlDialect;
  readonly tableFor: (set: string) => TableRef;
}

/**
 * Plans a backfill: types the graph (errors surface here, before the warehouse), infers each source's read range,
 * and compiles one statement per requested set. Sets are planned in dependency order; each statement recomputes its
 * inputs from the sources, so the order is only for readable output.
 */
export function planBackfill({ graph, sets, window, dialect, tableFor }: PlanInput): SetJob[] {
  const needed = selectSets(graph, sets); // rejects unknown names first
  const typed = typeGraph(graph, sets);
  const requested = new Set(sets);
  return needed
    .filter((node) => requested.has(node.def.name))
    .map((target) => {
      const closure = selectSets(graph, [target.def.name]);
      const sources = [...new Set(closure.flatMap(setSources))].map((name) => graph.sources.get(name)!);
      const symbolic = inferSourceRanges(graph, target, typed);
      const reads = new Map(sources.map((s) => [s.name, evaluateRanges(symbolic.get(s.name)!, window)]));
      const { schema } = typed.get(target.def.name)!;
      const table = tableFor(target.def.name);
      const tsType = schema.find((c) => c.name === target.def.timestamp)!.type;
      const select = compileBackfillQuery({ graph, typed, closure, dialect, reads, window, clip: !readsExactly(symbolic) });
      return {
        set: target.def.name,
        table,
        columns: schema,
        window,
        reads: sources.map((source) => ({ source, range: reads.get(source.name)! })),
        setup: [...(table.schema ? [createSchemaStatement(table.schema, dialect)] : []), createTableStatement(table, schema, dialect)],
        write: [
          deleteStatement(table, rangePredicate(target.def.timestamp, tsType, window, dialect), dialect),
          insertStatement(table, schema, select, dialect),
        ],
      };
    });
}
