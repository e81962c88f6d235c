import { compileBackfillQuery } from "../compile/compile-backfill.ts";
import {
  createTableStatements,
  deleteStatement,
  insertStatement,
  createStageStatement,
  dropTableStatement,
  windowPredicate,
  type Statement,
  tableId,
} from "../compile/statements.ts";
import { builder } from "../compile/kysely-builder.ts";
import type { DType } from "../ir/dtype.ts";
import { OrderByItemNode, SelectQueryNode, sql } from "kysely";
import type { SqlDialect } from "../dialects/sql-dialect.ts";
import { closureSources, type FeatureGraph, type FeatureSetNode, selectSets } from "../graph/feature-graph.ts";
import type { SourceDef, TableRef } from "../ir/definitions.ts";
import type { Schema } from "../passes/schema.ts";
import { type ConcreteRange, evaluateRanges, FULL_HISTORY, inferSourceRanges, readsExactly, readsExactlyOver, type SymbolicRange } from "../passes/time-range-pass.ts";
import { typeGraph } from "../passes/type-pass.ts";
import { definitionHash } from "../graph/definition-hash.ts";
import { planReuse, type UpstreamChoice } from "../passes/reuse-pass.ts";
import { analyzeState, completeAt, type ContinuedNode, continueSet, neededFrom, stateSchema, stateTables } from "../passes/state-pass.ts";
import { checkpointCheck, checkpointWrite } from "../compile/state-statements.ts";
import { checkPlanSize, splitWindow } from "./chunks.ts";
import { reuseCheck, type WrittenSpan } from "./materialized.ts";
import type { TimeWindow } from "./window.ts";

/** Everything one feature set's backfill of one chunk does, decided before any connection is opened. */
export interface SetJob {
  readonly set: string;
  /** Of the set's definition and everything it reads: the ledger compares it to tell a stale chunk. */
  readonly definitionHash: string;
  readonly table: TableRef;
  readonly columns: Schema;
  readonly window: TimeWindow;
  /**
   * Each source the statement reads, with the event-time range it reads; `upstream` marks an upstream set's offline
   * table read in place of recomputing the set (a run waits for its own chunks of that set the range overlaps).
   */
  readonly reads: readonly { readonly source: SourceDef; readonly range: ConcreteRange; readonly upstream?: string; readonly state?: true }[];
  /** For each upstream set the statement would recompute: whether its table is read instead, and why. */
  readonly upstreams: readonly UpstreamChoice[];
  /**
   * Idempotent DDL for a missing table: in the first chunk's transaction where the warehouse can roll DDL back
   * (behind the dialect's DDL lock), before it where it cannot (`chunkPhases`).
   */
  readonly setup: readonly Statement[];
  /** Run in one transaction: DELETE of the window, then INSERT … SELECT (the last statement). */
  readonly write: readonly Statement[];
  /**
   * Where the chunks of a set with a lookback (a rolling window, a lag) share one computation: the whole window's
   * result, created once before the set's first chunk runs and dropped after the run; each chunk's INSERT then reads
   * its part of it. Without it, every chunk would re-read its lookback (60 monthly chunks of a 90-day window read the
   * input four times over). `reads` are then the stage's.
   */
  readonly stage?: { readonly table: TableRef; readonly window: TimeWindow; readonly create: Statement; readonly drop: Statement };
  /**
   * For a set whose windows are continued from carried rows (state-pass.ts): the checkpoint its statement continues
   * from (none: it reads the whole history), and the state tables and statements that write the checkpoint as of the
   * chunk's end, in the chunk's transaction after its rows. `reads` then include the state tables (`state`).
   */
  readonly state?: {
    readonly from?: Date;
    readonly tables: readonly TableRef[];
    /** Idempotent DDL creating the state tables (and schema) where missing. */
    readonly setup: readonly Statement[];
    /**
     * Before the chunk's transaction, on its connection: each continued node's input computed once into a temporary
     * table (the carried rows, then the input from `from` on), which the rows and the checkpoint both read;
     * `cleanup` drops them after the chunk.
     */
    readonly prepare: readonly Statement[];
    readonly cleanup: readonly Statement[];
    /** Each counts the markers of the checkpoint `from` in one table (column `n`): all must be there. */
    readonly check: readonly Statement[];
    readonly write: readonly Statement[];
  };
}

/**
 * The statements that write a job's rows on one connection, in order, without the run's ledger, lease and state:
 * its computed inputs, the DDL, the DELETE and INSERT, and the inputs' cleanup (for `evaluate()` and tests).
 */
export function rowStatements(job: SetJob): Statement[] {
  return [...(job.state?.prepare ?? []), ...job.setup, ...job.write, ...(job.state?.cleanup ?? [])];
}

export interface PlanInput {
  readonly graph: FeatureGraph;
  readonly sets: readonly string[];
  readonly window: TimeWindow;
  /** Calendar chunks ("1d", "1mo", …): one job, and one transaction, per set and chunk. */
  readonly chunk?: string;
  /** Whether chunks may share a staged computation (a temporary table, so: one connection). Default true. */
  readonly stage?: boolean;
  readonly dialect: SqlDialect;
  readonly tableFor: (set: string) => TableRef;
  /**
   * What the ledger proves each set's offline table holds (`readWrittenSpans`): upstream sets proven complete and
   * current over what a set needs are read from their tables. Absent: every upstream is recomputed (`--inline`).
   */
  readonly written?: ReadonlyMap<string, readonly WrittenSpan[]>;
  /**
   * Per set, the checkpoints its state tables hold under its current definition (`readCheckpoints`): a chunk continues
   * from the latest at or before what it needs. Absent: the first chunk reads the whole history (`--full`), and each
   * later chunk continues from the one before it.
   */
  readonly checkpoints?: ReadonlyMap<string, readonly Date[]>;
}

// Stage tables are temporary (per session); numbered per process so plans of one run never share a name.
let stages = 0;

/**
 * Plans a backfill: types the graph (errors surface here, before the warehouse), infers each source's read range,
 * and compiles one statement per requested set. Sets are planned in dependency order: a statement recomputes its
 * upstream sets from the sources, or, given `written`, reads the upstream tables proven current (reuse-pass.ts) —
 * including chunks of them this run writes first, which the executor waits for.
 */
export function planBackfill(input: PlanInput): SetJob[] {
  return [...planJobs(input)];
}

/**
 * `planBackfill` one job at a time, so that a caller can yield to the event loop between jobs (and see a signal):
 * a plan of thousands of chunks takes seconds to render. Its size is checked first, by arithmetic.
 */
export function* planJobs({ graph: fullGraph, sets, window: runWindow, chunk, stage: mayStage = true, dialect, tableFor, written, checkpoints }: PlanInput): Generator<SetJob> {
  checkPlanSize(runWindow, chunk, new Set(sets).size);
  const chunks = splitWindow(runWindow, chunk);
  const needed = selectSets(fullGraph, sets); // rejects unknown names first
  const fullTyped = typeGraph(fullGraph, sets); // every requested set's errors, before any is planned
  const requested = new Set(sets);
  // This run's own chunks of a set count as written for the sets after it: the executor runs them first.
  const check = written && reuseCheck(written, (set) => definitionHash(fullGraph, set), new Map([...requested].map((set) => [set, chunks])));
  yield* lazily(needed.filter((node) => requested.has(node.def.name)), (fullTarget) => {
      const reuse = check ? planReuse(fullGraph, fullTarget.def.name, runWindow, tableFor, check) : { graph: fullGraph, typed: fullTyped, target: fullTarget, choices: [] };
      const { graph, typed, target } = reuse;
      const reusedSets = new Set(reuse.choices.filter((c) => c.reused).map((c) => c.set));
      const definition = definitionHash(fullGraph, target.def.name);
      const { schema } = typed.get(target.def.name)!;
      const table = tableFor(target.def.name);
      const tsType = schema.find((c) => c.name === target.def.timestamp)!.type;
      const setup = createTableStatements(table, schema, dialect);
      const continued = analyzeState(graph, target, typed).nodes;
      if (continued.length) {
        // Checkpoints inside the run's window are superseded by the run's own: its chunks rewrite the rows before them.
        const stored = (checkpoints?.get(target.def.name) ?? []).filter((c) => c <= runWindow.start);
        const tables = stateTables(table, continued);
        const stateSetup = continued.flatMap((node, k) => createTableStatements(tables[k]!, stateSchema(node), dialect));
        const state = { nodes: continued, tables, setup: stateSetup, hash: definition, stored };
        const produced: Date[] = []; // this run's earlier chunks' ends: the executor runs them first
        return lazily(chunks, function* (window): Generator<SetJob> {
          const continuation = planContinuation({ graph, target, dialect, window, state, produced, schema, table, tsType, setup, upstreams: reuse.choices, reused: reusedSets });
          produced.push(window.end);
          yield continuation;
        });
      }
      const closure = selectSets(graph, [target.def.name]);
      const sources = closureSources(closure).map((name) => graph.sources.get(name)!);
      const symbolic = inferSourceRanges(graph, target, typed);
      const readsOver = (window: TimeWindow) => new Map(sources.map((s) => [s.name, evaluateRanges(symbolic.get(s.name)!, window)]));
      const compile = (window: TimeWindow, reads: Map<string, ConcreteRange>) =>
        compileBackfillQuery({ graph, typed, closure, dialect, reads, ...(!readsExactlyOver(symbolic, window) && { clip: window }) });
      const staged = mayStage && chunks.length > 1 && !readsExactly(symbolic);
      const stageTable = { name: `feature_backfill_stage_${++stages}` };
      const stageReads = staged ? readsOver(runWindow) : undefined;
      const stage = stageReads && {
        table: stageTable,
        window: runWindow,
        // Stored in time order, so each chunk's read of it skips the rest (DuckDB's min/max pruning, zone maps).
        create: createStageStatement(stageTable, inTimeOrder(compile(runWindow, stageReads), target.def.timestamp), dialect),
        drop: dropTableStatement(stageTable, dialect),
      };
      return lazily(chunks, function* (window): Generator<SetJob> {
        const reads = stageReads ?? readsOver(window);
        const select = stage ? stagePart(stageTable, schema, target.def.timestamp, tsType, window, dialect) : compile(window, reads);
        yield {
          set: target.def.name,
          definitionHash: definition,
          table,
          columns: schema,
          window,
          reads: sources.map((source) => ({ source, range: reads.get(source.name)!, ...(reusedSets.has(source.name) && { upstream: source.name }) })),
          upstreams: reuse.choices,
          setup,
          write: [
            deleteStatement(table, windowPredicate(target.def.timestamp, tsType, window, dialect), dialect),
            insertStatement(table, schema, select, dialect),
          ],
          ...(stage && { stage }),
        };
      });
    });
}

/**
 * One chunk of a set whose windows continue from carried rows: from the latest checkpoint at or before what the chunk
 * needs of every continued node's input (stored, or written by an earlier chunk of this run), else from the whole
 * history; and the statements writing the checkpoint as of its end.
 */
function planContinuation(p: {
  graph: FeatureGraph;
  target: FeatureSetNode;
  dialect: SqlDialect;
  window: TimeWindow;
  state: { nodes: readonly ContinuedNode[]; tables: readonly TableRef[]; setup: readonly Statement[]; hash: string; stored: readonly Date[] };
  produced: readonly Date[];
  schema: Schema;
  table: TableRef;
  tsType: DType;
  setup: readonly Statement[];
  upstreams: readonly UpstreamChoice[];
  reused: ReadonlySet<string>;
}): SetJob {
  const { dialect, window, state, target } = p;
  // A checkpoint holds final rows only where every node's input before it is complete at it (`completeAt`).
  const needed = neededFrom(state.nodes, window);
  const complete = (c: Date) => state.nodes.every((n) => completeAt(n, c));
  const from = needed && [...state.stored, ...p.produced].filter((c) => c <= needed && complete(c)).sort((a, b) => b.getTime() - a.getTime())[0];
  const inputTables = state.nodes.map(() => ({ name: `feature_backfill_input_${++stages}` }));
  const continuation = continueSet(p.graph, target, state.nodes, { from, end: window.end, hash: state.hash, tables: state.tables, inputTables });
  const { graph } = continuation;
  const name = target.def.name;
  const computed = continuation.inputs.map((i) => i.set);
  const typed = typeGraph(graph, [name, ...computed.map((s) => s.def.name), ...continuation.states.map((s) => s.def.name)]);
  const carriedNames = new Set(continuation.carried.map((s) => s.name));
  const inputNames = new Set(continuation.inputs.map((i) => i.source.name));
  // The carried rows are read as of `from`, whatever the pass makes of a table it cannot follow the time of.
  const carriedRange = from && { start: from, end: new Date(from.getTime() + 1) };
  const readsOf = (set: FeatureSetNode, range?: SymbolicRange) => {
    const symbolic = inferSourceRanges(graph, set, typed, { range });
    const names = closureSources(selectSets(graph, [set.def.name]));
    return new Map(names.map((n) => [n, carriedNames.has(n) ? carriedRange! : evaluateRanges(symbolic.get(n)!, window)]));
  };
  const compile = (set: FeatureSetNode, reads: Map<string, ConcreteRange>, clip?: TimeWindow) =>
    compileBackfillQuery({ graph, typed, closure: selectSets(graph, [set.def.name]), dialect, reads, ...(clip && { clip }) });
  // The rows: clipped to the window (the carried rows lie before it).
  const rowsReads = readsOf(graph.sets.get(name)!);
  const select = compile(graph.sets.get(name)!, rowsReads, window);
  // Each continued node's input, computed once before the chunk's transaction: as far as the rows read it, and at
  // least to the chunk's end (the checkpoint there is computed from it).
  const inputReads = continuation.inputs.map(({ set, source }) => {
    const until = rowsReads.get(source.name)?.end;
    const end = until && (until > window.end ? until : window.end);
    return readsOf(set, { start: null, end: end ? [{ op: "at", at: end }] : null, exact: false });
  });
  const prepare = continuation.inputs.map(({ set }, k) => createStageStatement(inputTables[k]!, compile(set, inputReads[k]!), dialect));
  // The checkpoint's rows: its filters alone bound what it reads of the computed input.
  const write = continuation.states.flatMap((set, k) =>
    checkpointWrite(state.tables[k]!, typed.get(set.def.name)!.schema, state.hash, window.end, compile(set, readsOf(set, FULL_HISTORY)), dialect),
  );
  // What the chunk reads of tables (not of the inputs it computes): the union over its statements.
  const reads = new Map<string, ConcreteRange>();
  for (const [n, range] of [rowsReads, ...inputReads].flatMap((m) => [...m])) {
    if (inputNames.has(n)) continue;
    const seen = reads.get(n);
    reads.set(n, seen ? spanning(seen, range) : range);
  }
  const sourceOf = (n: string) => graph.sources.get(n)!;
  return {
    set: name,
    definitionHash: state.hash,
    table: p.table,
    columns: p.schema,
    window,
    reads: [...reads].map(([n, range]) => ({ source: sourceOf(n), range, ...(p.reused.has(n) && { upstream: n }), ...(carriedNames.has(n) && { state: true as const }) })),
    upstreams: p.upstreams,
    setup: p.setup,
    write: [
      deleteStatement(p.table, windowPredicate(target.def.timestamp, p.tsType, window, dialect), dialect),
      insertStatement(p.table, p.schema, select, dialect),
    ],
    state: {
      ...(from && { from }),
      tables: state.tables,
      setup: state.setup,
      prepare,
      cleanup: inputTables.map((t) => dropTableStatement(t, dialect)),
      check: from ? state.tables.map((t) => checkpointCheck(t, state.hash, from, dialect)) : [],
      write,
    },
  };
}

/** The smallest range covering both (an open side stays open). */
function spanning(a: ConcreteRange, b: ConcreteRange): ConcreteRange {
  const start = a.start && b.start && (a.start < b.start ? a.start : b.start);
  const end = a.end && b.end && (a.end > b.end ? a.end : b.end);
  return { ...(start && { start }), ...(end && { end }) };
}

/** flatMap over a generator's worth of items, one at a time. */
function* lazily<T, U>(items: Iterable<T>, each: (item: T) => Iterable<U>): Generator<U> {
  for (const item of items) yield* each(item);
}

function inTimeOrder(select: SelectQueryNode, timestamp: string): SelectQueryNode {
  // On the statement itself (`CREATE TEMPORARY TABLE … AS WITH … SELECT … ORDER BY`), not around it: Snowflake
  // documents CTAS with a WITH clause, not a WITH inside a FROM subquery.
  return SelectQueryNode.cloneWithOrderByItems(select, [OrderByItemNode.create(sql.id(timestamp).toOperationNode())]);
}

/** One chunk's rows of a stage. */
function stagePart(stage: TableRef, schema: Schema, timestamp: string, type: DType, window: TimeWindow, dialect: SqlDialect): SelectQueryNode {
  return builder
    .selectFrom(tableId(stage) as never)
    .select(schema.map((c) => sql.id(c.name)) as never)
    .where(windowPredicate(timestamp, type, window, dialect) as never)
    .toOperationNode();
}
