import type { SelectQueryNode } from "kysely";
import { compileBackfillQuery, type SourceRead } from "../compile/compile-backfill.ts";
import { tableId } from "../compile/statements.ts";
import type { SqlDialect } from "../dialects/sql-dialect.ts";
import { DefinitionError, LeakageError, UsageError } from "../errors.ts";
import type { FeatureSetDef, SourceDef, TableRef } from "../ir/definitions.ts";
import type { Duration } from "../ir/duration.ts";
import { formatDuration } from "../ir/duration.ts";
import { type ExprNode, freeze } from "../ir/expr.ts";
import { joinColumns } from "../ir/join-columns.ts";
import { originOf } from "../ir/origin.ts";
import type { RelNode } from "../ir/rel.ts";
import { formatLocation } from "../errors.ts";
import type { FeatureGraph } from "../graph/feature-graph.ts";
import { type KnownAt, knownAtGraph, shiftCovers } from "../passes/known-at-pass.ts";
import type { Schema } from "../passes/schema.ts";
import { typeGraph } from "../passes/type-pass.ts";
import { whyNotUnique } from "../passes/unique-rows.ts";

/** Where the spine's rows are: a warehouse table, or (DuckDB) a file the engine reads. */
export type SpineRef = { readonly kind: "table"; readonly table: TableRef } | { readonly kind: "file"; readonly path: string; readonly format: "parquet" | "csv" };

/** One feature set joined to the spine. */
export interface DatasetSet {
  readonly set: string;
  /** Rows older than this at the event time are no match (their columns read as null). */
  readonly ttl?: Duration;
  /** Joins as of `timestamp + shift`: a left-labelled period is known at its end (`--shift A=1mo`). */
  readonly shift?: Duration;
}

export interface DatasetPlanInput {
  readonly graph: FeatureGraph;
  readonly dialect: SqlDialect;
  readonly tableFor: (set: string) => TableRef;
  readonly spine: SpineRef;
  /** The spine's columns, as the warehouse describes them. */
  readonly spineColumns: Schema;
  readonly sets: readonly DatasetSet[];
  /** The spine's event-time column (default `event_time`). */
  readonly time?: string;
  /** Set key → spine column, where they are named differently (`--key customer_id=applicant_id`). */
  readonly keys?: Readonly<Record<string, string>>;
  /** Join sets whose rows are known only after their timestamp (documented leak). */
  readonly allowLeakage?: boolean;
}

export interface DatasetPlan {
  /** The one SELECT computing the training set: the spine's columns, then each set's features. */
  readonly select: SelectQueryNode;
  readonly columns: Schema;
  /** The feature columns each set contributes, under their names in the output. */
  readonly features: readonly { readonly set: string; readonly columns: readonly string[] }[];
  readonly time: string;
  /** Sets joined although their rows are known after their timestamp (with `allowLeakage`), and why. */
  readonly leaks: readonly string[];
}

const SPINE = "spine";
const EVENT_AT = "__event_at";
const knownAtColumn = (i: number) => `__known_at_${i + 1}`;

/**
 * Plans a point-in-time training set: for each spine row and each set, the set's offline row with the same keys and
 * the latest timestamp at or before the event time (within the TTL), as a chain of backward as-of joins over the
 * offline tables. The chain is an ordinary IR relation over two kinds of sources (the spine, and each offline table
 * read as a source), so it is typed, named and compiled exactly as a backfill is: one statement, the dialect's
 * as-of join. Refused before anything runs: a set whose rows can be known after their timestamp (leakage, unless
 * allowed), a set whose offline table can hold two rows per keys and timestamp (the join would pick one at random),
 * and spine columns that are missing or of the wrong type.
 */
export function planDataset(input: DatasetPlanInput): DatasetPlan {
  const { graph, dialect, spineColumns } = input;
  const time = input.time ?? "event_time";
  if (input.sets.length === 0) throw new UsageError("dataset needs at least one feature set (--set)");
  const names = input.sets.map((s) => s.set);
  for (const name of names) if (!graph.sets.has(name)) throw new UsageError(`unknown feature set "${name}"`);
  if (new Set(names).size !== names.length) throw new UsageError("a feature set is given twice");
  const timeColumn = spineColumns.find((c) => c.name === time);
  if (!timeColumn) throw new UsageError(`the spine has no column "${time}" (give the event-time column with --time); it has ${spineColumns.map((c) => c.name).join(", ")}`);
  if (timeColumn.type !== "date" && timeColumn.type !== "timestamp") throw new UsageError(`the spine's event time "${time}" is ${timeColumn.type}, not a date or timestamp`);

  const typed = typeGraph(graph, names);
  const known = knownAtGraph(graph, typed, names);
  const leaks: string[] = [];
  for (const s of input.sets) {
    const problem = leakOf(s, known.get(s.set)!);
    if (problem && !input.allowLeakage) throw new LeakageError(`feature set "${s.set}": ${problem}`);
    if (problem) leaks.push(`${s.set}: ${problem}`);
    const notUnique = whyNotUnique(graph, s.set);
    if (notUnique) {
      const node = graph.sets.get(s.set)!;
      throw new DefinitionError(
        `its offline table can hold several rows per (${[...node.def.keys, node.def.timestamp].join(", ")}): ${notUnique}; a training set would take one of them at random`,
        { set: s.set, at: node.def.definedAt },
      );
    }
    const def = graph.sets.get(s.set)!.def;
    for (const key of def.keys) {
      const column = input.keys?.[key] ?? key;
      if (!spineColumns.some((c) => c.name === column)) {
        throw new UsageError(`feature set "${s.set}" is keyed by "${key}", which the spine lacks (map it with --key ${key}=<spine column>)`);
      }
    }
  }
  for (const key of Object.keys(input.keys ?? {})) {
    if (!input.sets.some((s) => graph.sets.get(s.set)!.def.keys.includes(key))) throw new UsageError(`--key ${key}=…: no feature set given is keyed by "${key}"`);
  }

  // The synthetic graph: the spine and each offline table as sources, and the training set as one set over them.
  const spineSource: SourceDef = freeze({
    kind: "source",
    name: SPINE,
    keys: [],
    timestamp: time,
    columns: Object.fromEntries(spineColumns.map((c) => [c.name, c.type])),
    backfill: input.spine.kind === "table" ? input.spine.table : { name: SPINE },
  });
  const offline = input.sets.map((s): SourceDef => {
    const { schema } = typed.get(s.set)!;
    const def = graph.sets.get(s.set)!.def;
    return freeze({ kind: "source", name: s.set, keys: def.keys, timestamp: def.timestamp, columns: Object.fromEntries(schema.map((c) => [c.name, c.type])), backfill: input.tableFor(s.set) });
  });

  const col = (name: string): ExprNode => freeze({ kind: "column", name });
  const alias = (operand: ExprNode, name: string): ExprNode => freeze({ kind: "alias", operand, name });
  const asTimestamp = (e: ExprNode): ExprNode => freeze({ kind: "cast", operand: e, to: "timestamp" });
  let rel: RelNode = freeze({ kind: "withColumns", input: freeze({ kind: "scan", source: SPINE }), columns: [alias(asTimestamp(col(time)), EVENT_AT)] });
  let names_ = [...spineColumns.map((c) => c.name), EVENT_AT];
  const features: { set: string; columns: string[] }[] = [];
  input.sets.forEach((s, i) => {
    const def = graph.sets.get(s.set)!.def;
    const featureNames = typed.get(s.set)!.schema.map((c) => c.name).filter((c) => !def.keys.includes(c) && c !== def.timestamp);
    let knownAt = asTimestamp(col(def.timestamp));
    if (s.shift) knownAt = freeze({ kind: "offset", operand: knownAt, duration: s.shift });
    const right: RelNode = freeze({
      kind: "select",
      input: freeze({ kind: "scan", source: s.set }),
      columns: [...def.keys.map(col), alias(knownAt, knownAtColumn(i)), ...featureNames.map(col)],
    });
    const join = freeze({
      kind: "asofJoin" as const,
      left: rel,
      right,
      leftOn: EVENT_AT,
      rightOn: knownAtColumn(i),
      by: def.keys.map((k) => ({ left: input.keys?.[k] ?? k, right: k })),
      strategy: "backward" as const,
      tolerance: s.ttl ?? null,
      // Polars' join suffix, naming the set: a feature named like a spine column or an earlier feature.
      suffix: `_${s.set}`,
    });
    const joined = joinColumns(join, names_, [...def.keys, knownAtColumn(i), ...featureNames]);
    features.push({ set: s.set, columns: joined.filter((c) => c.side === "right" && featureNames.includes(c.source)).map((c) => c.name) });
    names_ = joined.map((c) => c.name);
    rel = join;
  });
  const outputNames = [...spineColumns.map((c) => c.name), ...features.flatMap((f) => f.columns)];
  const folded = new Set<string>();
  for (const name of outputNames) {
    if (folded.has(name.toLowerCase())) throw new UsageError(`the training set would have two columns named "${name}" (ignoring case): rename the spine's column`);
    folded.add(name.toLowerCase());
  }
  rel = freeze({ kind: "select", input: rel, columns: outputNames.map(col) });

  const datasetDef: FeatureSetDef = freeze({ kind: "featureSet", name: "training_set", keys: [], timestamp: time, inputs: {}, buildRel: () => rel });
  const synthetic: FeatureGraph = {
    sources: new Map([spineSource, ...offline].map((s) => [s.name, s])),
    sets: new Map([["training_set", { def: datasetDef, rel }]]),
  };
  // The spine's columns in the spine's order (a set's schema puts its timestamp after its keys; the spine has none).
  const typedSet = typeGraph(synthetic, ["training_set"]).get("training_set")!;
  const datasetTyped = new Map([["training_set", { ...typedSet, schema: outputNames.map((n) => typedSet.schema.find((c) => c.name === n)!) }]]);
  const readSource = (source: SourceDef): SourceRead =>
    source.name === SPINE && input.spine.kind === "file"
      ? { from: dialect.readFile!(input.spine.format, input.spine.path) }
      : { from: tableId(source.backfill), table: source.backfill };
  if (input.spine.kind === "file" && !dialect.readFile) throw new UsageError(`a spine file is read by the engine itself, which ${dialect.name} cannot do: load it into a table and give --spine schema.table`);
  const select = compileBackfillQuery({
    graph: synthetic,
    typed: datasetTyped,
    closure: [{ def: datasetDef, rel }],
    dialect,
    reads: new Map(),
    readSource,
  });
  return { select, columns: datasetTyped.get("training_set")!.schema, features, time, leaks };
}

/** Why joining `s` as of its timestamp (plus its shift) would leak, or undefined when it would not. */
function leakOf(s: DatasetSet, known: KnownAt): string | undefined {
  if (known.kind === "atTimestamp") return undefined;
  if (known.kind === "periodEnd" && s.shift && shiftCovers(s.shift, known.unit, known.n)) return undefined;
  const at = known.expr && originOf(known.expr);
  const where = `${known.set === s.set ? "" : `it reads feature set "${known.set}", where `}${known.reason}${at ? ` (${formatLocation(at)})` : ""}`;
  if (known.kind === "periodEnd") {
    const unit = formatDuration({ n: known.n ?? 1, unit: known.unit });
    const period = known.n === undefined ? known.unit : `${unit} period`;
    const shifted = s.shift ? ` (--shift ${s.set}=${formatDuration(s.shift)} is shorter than the period)` : "";
    return (
      `its rows are known only at the end of the ${period} their timestamp starts: ${where}, so joining as of the timestamp leaks up to a ${period} of the future${shifted}. ` +
      `Label the period by its end (dt.truncate(…, { label: "right" })), or join as of the period's end with --shift ${s.set}=${unit} (or accept the leak with --allow-leakage)`
    );
  }
  return `its rows can depend on source rows later than their timestamp: ${where}. No shift makes that safe: change the definition (or accept the leak with --allow-leakage)`;
}
