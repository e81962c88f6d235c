import { randomUUID } from "node:crypto";
import { formatTable, type Statement } from "../compile/statements.ts";
import type { Engine, StatementLabel } from "../engines/engine.ts";
import { FeatureBackfillError, InterruptedError, PartialFailureError, RunError, messageOf } from "../errors.ts";
import type { SqlDialect } from "../dialects/sql-dialect.ts";
import { chunkKey, completedChunks } from "./completed-chunks.ts";
import { LedgerStatements, registerTable } from "./ledger.ts";
import { DEFAULT_LEASE_TTL_MS, keepLeasesAlive, takeLeases } from "./leases.ts";
import { preflight } from "./preflight.ts";
import { checkLedgerTables, checkOwnership } from "./table-ownership.ts";
import { tableKey } from "./identifier-limits.ts";
import { formatWindow, type TimeWindow } from "./window.ts";
import type { SetJob } from "./plan.ts";

export type BackfillEvent =
  | ({ readonly event: "chunk_started"; readonly note?: string } & ChunkRef)
  | ({ readonly event: "chunk_skipped"; readonly reason: string } & ChunkRef)
  | ({
      readonly event: "chunk_finished";
      readonly rowsDeleted: number;
      readonly rowsWritten: number;
      readonly durationMs: number;
      readonly attempts: number;
      /** The warehouse's ids of the statements run (DDL, DELETE, INSERT), where it has them (Snowflake). */
      readonly queryIds?: readonly string[];
      /** Each table the statement read and the range it read (`readsText`). */
      readonly reads: readonly string[];
    } & ChunkRef)
  | ({ readonly event: "chunk_retrying"; readonly attempt: number; readonly delayMs: number; readonly error: string } & ChunkRef)
  | ({ readonly event: "chunk_failed"; readonly error: string; readonly attempts: number } & ChunkRef)
  | { readonly event: "note"; readonly message: string }
  | {
      readonly event: "run_finished";
      readonly runId: string;
      readonly succeeded: number;
      readonly skipped: number;
      readonly failed: number;
      readonly rowsWritten: number;
      readonly durationMs: number;
    };

/** Which set and chunk an event is about. */
export interface ChunkRef {
  readonly set: string;
  readonly table: string;
  readonly window: string;
  /** 1-based position among the run's chunks, and their count. */
  readonly chunk: number;
  readonly chunks: number;
}

export interface SetResult {
  readonly set: string;
  readonly window: TimeWindow;
  readonly status: "succeeded" | "skipped" | "failed";
  readonly rowsDeleted: number;
  readonly rowsWritten: number;
  readonly durationMs: number;
  readonly attempts: number;
}

export interface ExecuteOptions {
  readonly onEvent?: (e: BackfillEvent) => void;
  /** Aborted on SIGINT/SIGTERM: the running statement is cancelled and its chunk rolled back. */
  readonly signal?: AbortSignal;
  readonly runId?: string;
  /** Skip chunks the ledger records as completed with the same definition hash. */
  readonly resume?: boolean;
  /** Go on with the other chunks after a chunk fails (the run then ends with a partial failure). */
  readonly keepGoing?: boolean;
  /** Attempts beyond the first for errors the engine calls transient; backoff doubles from `retryDelayMs`. */
  readonly retries?: number;
  readonly retryDelayMs?: number;
  /** How long a lease outlives its run if the run dies; a live run renews it every third of that (`keepLeasesAlive`). */
  readonly leaseTtlMs?: number;
  /** How the window was given (recorded in the ledger), e.g. "--window 1d --lag 2 at 2025-03-31T02:30:00Z". */
  readonly windowSpec?: string;
  readonly now?: () => Date;
  /** Chunks written at once, each on its own connection (`openWorker`), where the engine allows it. */
  readonly parallel?: number;
  readonly openWorker?: () => Promise<Engine>;
  /** Existing tables (`schema.table`) the tool may take over although it did not create them (`--adopt-table`). */
  readonly adoptTables?: readonly string[];
}

const DEFAULTS = { retries: 2, retryDelayMs: 500, leaseTtlMs: DEFAULT_LEASE_TTL_MS };

/**
 * Runs planned jobs (one per set and chunk). First checks, in one catalog query, that every source table has its
 * declared columns with compatible types and that existing offline tables have their set's columns — so bad input
 * fails before anything is written. Then it takes a lease per set in the ledger (another run writing an overlapping
 * window of the set fails with BusyError), and runs each chunk in one transaction: the DDL for a missing table
 * (before the transaction where the warehouse cannot roll DDL back), DELETE of the chunk, INSERT … SELECT, and the
 * ledger's `succeeded` mark. Any error, or `signal`, rolls the chunk back; transient errors are retried.
 */
export async function executeBackfill(jobs: readonly SetJob[], engine: Engine, options: ExecuteOptions = {}): Promise<SetResult[]> {
  // Aborted by the caller's signal (SIGINT/SIGTERM), or when the run's lease is lost (`keepLeasesAlive`).
  const lost = new AbortController();
  const signal = options.signal ? AbortSignal.any([options.signal, lost.signal]) : lost.signal;
  const emit = options.onEvent ?? (() => undefined);
  const now = options.now ?? (() => new Date());
  const runId = options.runId ?? randomUUID();
  const { retries, retryDelayMs, leaseTtlMs } = { ...DEFAULTS, ...options };
  const started = performance.now();
  const engines = [engine];
  const onAbort = () => engines.forEach((e) => void e.interrupt());
  signal?.addEventListener("abort", onAbort);
  const ledger = new LedgerStatements(engine.dialect, jobs[0]?.table.schema, runId);
  const sets = [...new Set(jobs.map((j) => j.set))];
  let leased = false;
  let stopHeartbeat = async () => {};
  const staged = new Set<string>(); // stage tables created, dropped at the end
  // A new session (after a lost connection) has none of the old one's temporary stage tables: they are made again as
  // needed, and never dropped by name there (an unqualified name could then reach a permanent table).
  const reconnect = async (e: Engine) => {
    if (await e.reconnect()) staged.clear();
  };
  const runLabel: StatementLabel = { set: sets.join(","), window: formatWindow({ start: jobs[0]?.window.start, end: jobs.at(-1)?.window.end }) };
  try {
    if (signal?.aborted) throw new InterruptedError("interrupted before writing; nothing was written");
    const stateTables = [...new Map(jobs.flatMap((j) => (j.state?.tables ?? []).map((t) => [tableKey(t, engine.dialect), t] as const))).values()];
    const [existing, described] = await preflight(jobs, engine, runLabel, [ledger.ledger, ledger.leases, ledger.tables, ...stateTables]);
    const ledgerTables = described.slice(0, 3);
    // State tables this run creates (registered with their CREATE, by the set's first chunk that writes state).
    const newState = new Set(stateTables.filter((_, i) => !described[3 + i]).map((t) => tableKey(t, engine.dialect)));
    checkLedgerTables(engine, ledger, ledgerTables); // before the registry is read: a foreign table of its name is refused
    const existingState = new Set(stateTables.map((t) => tableKey(t, engine.dialect)).filter((k) => !newState.has(k)));
    const owned = await checkOwnership(jobs, engine, ledger, existing, { registryExists: ledgerTables[2] !== undefined, adoptTables: options.adoptTables, label: runLabel, existingState });
    const tableIds = owned.ids;
    await runDdl(engine, ledger.setup(ledgerTables), runLabel);
    await takeLeases(jobs, engine, ledger, now(), leaseTtlMs, runLabel);
    stopHeartbeat = keepLeasesAlive({ engine, openConnection: options.openWorker, ledger, ttlMs: leaseTtlMs, now, label: runLabel, onLost: (error) => lost.abort(error) });
    leased = true;
    await owned.adopt(now());
    const done = options.resume ? await completedChunks(engine, ledger, jobs, tableIds) : new Map<string, string>();
    for (const message of upstreamNotes(jobs)) emit({ event: "note", message });
    await openWorkers(engines, options, emit);

    const results: SetResult[] = [];
    // A set's first chunk creates its table; its other chunks wait for it (rather than queue on the DDL lock).
    const creating = new Map<string, Promise<unknown>>();
    // Whether each job left its rows in place (written, or skipped as written): a job reading an upstream's table waits.
    const settled = jobs.map(() => {
      let resolve!: (ok: boolean) => void;
      return { promise: new Promise<boolean>((r) => (resolve = r)), resolve };
    });
    const readsFirst = upstreamJobs(jobs);
    let failure: FeatureBackfillError | undefined;
    const runOne = async (i: number, worker: Engine): Promise<void> => {
      const job = jobs[i]!;
      const ref: ChunkRef = { set: job.set, table: formatTable(job.table), window: formatWindow(job.window), chunk: i + 1, chunks: jobs.length };
      const base = { set: job.set, window: job.window, rowsDeleted: 0, rowsWritten: 0, durationMs: 0, attempts: 0 };
      const chunkLabel: StatementLabel = { set: job.set, window: ref.window };
      const written = done.get(chunkKey(job.set, job.window));
      if (written === job.definitionHash) {
        emit({ event: "chunk_skipped", ...ref, reason: "completed by an earlier run with the same definition" });
        results[i] = { ...base, status: "skipped" };
        return;
      }
      // A chunk reading an upstream table runs after this run's chunks of it that it reads; where one failed, it fails.
      const upstream = await Promise.all((readsFirst.get(i) ?? []).map(async (j) => ({ other: jobs[j]!, ok: await settled[j]!.promise })));
      const unwritten = upstream.find((u) => !u.ok)?.other;
      // Claimed with no await in between: of chunks starting together, one creates the table.
      if (!existing[i] && !creating.has(job.set)) {
        const writing = writeChunk(i, worker, ref, chunkLabel, written, unwritten);
        creating.set(job.set, writing.catch(() => undefined)); // its failure is reported once, by its own worker
        return writing;
      }
      await creating.get(job.set);
      return writeChunk(i, worker, ref, chunkLabel, written, unwritten);
    };
    const writeChunk = async (i: number, worker: Engine, ref: ChunkRef, chunkLabel: StatementLabel, written: string | undefined, unwritten?: SetJob): Promise<void> => {
      const job = jobs[i]!;
      const base = { set: job.set, window: job.window, rowsDeleted: 0, rowsWritten: 0, durationMs: 0, attempts: 0 };
      const stage = !unwritten && job.stage && !staged.has(job.stage.table.name) ? job.stage : undefined;
      const notes = [
        written && "redone: the definition changed since an earlier run wrote it",
        stage && `first computing ${formatWindow(stage.window)} once, for all its chunks`,
      ].filter(Boolean);
      emit({ event: "chunk_started", ...ref, ...(notes.length ? { note: notes.join("; ") } : {}) });
      const target = { engine: worker.dialect.name, table: job.table, tableId: tableIds.get(job.set)! };
      const chunk = { set: job.set, window: job.window, definitionHash: job.definitionHash, runWindow: options.windowSpec ?? formatWindow(job.window), startedAt: now(), target };
      // A table this run creates is registered with its CREATE (the same transaction where DDL is transactional).
      const createsState = (job.state?.tables ?? []).filter((t) => newState.has(tableKey(t, worker.dialect)));
      const registers = [
        ...(existing[i] ? [] : registerTable(worker.dialect, { table: job.table, set: job.set, tableId: target.tableId, at: now() })),
        ...createsState.flatMap((t) => registerTable(worker.dialect, { table: t, set: job.set, tableId: randomUUID(), at: now() })),
      ];
      const creates = { ...job, setup: [...(existing[i] ? [] : job.setup), ...(job.state?.setup ?? []), ...registers] };
      // A failed (or interrupted) stage fails this chunk as its own statements would: recorded, then reported.
      const stageFailure = stage && (await createStage(job.set, stage, worker, chunkLabel, signal));
      if (stage && !stageFailure) staged.add(stage.table.name);
      const outcome: ChunkOutcome =
        (unwritten && upstreamFailed(job, unwritten)) ||
        stageFailure ||
        (await runChunk(creates, chunk, worker, ledger, { label: chunkLabel, signal, retries, retryDelayMs, now, onRetry: (n, delayMs, error) => emit({ event: "chunk_retrying", ...ref, attempt: n, delayMs, error }) }));
      if (outcome.status === "succeeded") {
        jobs.forEach((other, j) => other.set === job.set && (existing[j] = true));
        createsState.forEach((t) => newState.delete(tableKey(t, worker.dialect)));
        const { queryIds, ...counts } = outcome;
        emit({ event: "chunk_finished", ...ref, ...counts, ...(queryIds.length ? { queryIds } : {}), reads: readsText(job) });
        results[i] = { ...base, ...counts, status: "succeeded" };
        return;
      }
      const error = outcome.error;
      const status = error instanceof InterruptedError ? "interrupted" : "failed";
      await reconnect(worker) // a lost connection still gets the failure recorded, on a new one
        .then(() => worker.run(ledger.record(chunk, { status, rowsDeleted: 0, rowsWritten: 0, attempts: outcome.attempts, queryIds: [], error: error.message }, now()), chunkLabel))
        .catch(() => undefined); // the ledger is best effort once the warehouse has failed
      emit({ event: "chunk_failed", ...ref, error: error.message, attempts: outcome.attempts });
      results[i] = { ...base, status: "failed", attempts: outcome.attempts };
      if (!options.keepGoing || error instanceof InterruptedError) failure ??= error;
    };
    // Workers take chunks in order; a failure (without --keep-going) stops them taking more.
    let next = 0;
    await Promise.all(
      engines.map(async (worker) => {
        while (next < jobs.length && !failure) {
          if (signal?.aborted) throw new InterruptedError("interrupted before its next chunk; the chunks committed before stay written (see the ledger)");
          const i = next++;
          await runOne(i, worker).finally(() => settled[i]!.resolve(results[i] !== undefined && results[i]!.status !== "failed"));
        }
      }),
    );
    if (lost.signal.aborted) throw lost.signal.reason;
    if (failure) throw failure;
    const count = (status: SetResult["status"]) => results.filter((r) => r.status === status).length;
    const rowsWritten = results.reduce((sum, r) => sum + r.rowsWritten, 0);
    emit({ event: "run_finished", runId, succeeded: count("succeeded"), skipped: count("skipped"), failed: count("failed"), rowsWritten, durationMs: Math.round(performance.now() - started) });
    if (count("failed") > 0) {
      throw new PartialFailureError(`${count("failed")} of ${results.length} chunks failed and were rolled back; ${count("succeeded")} written, ${count("skipped")} skipped (run ${runId})`);
    }
    return results;
  } catch (error) {
    // A statement the signal cancelled outside a chunk (the catalog check, the lease) is an interruption too.
    if (lost.signal.aborted) throw lost.signal.reason;
    if (signal.aborted && !(error instanceof InterruptedError)) throw new InterruptedError("interrupted before writing; nothing was written", { cause: error });
    throw error;
  } finally {
    signal?.removeEventListener("abort", onAbort);
    await stopHeartbeat();
    // On a new connection if the run's was lost; an expired lease frees the window anyway.
    if (leased) await reconnect(engine).then(() => engine.run(ledger.releaseLeases(), runLabel)).catch(() => undefined);
    // Stages are temporary tables (gone with the session anyway): dropped so a long-lived connection does not keep them.
    for (const job of jobs) {
      if (job.stage && staged.delete(job.stage.table.name)) await engine.run(job.stage.drop, runLabel).catch(() => undefined);
    }
    await Promise.all(engines.slice(1).map((e) => e.close().catch(() => undefined)));
  }
}

/** Computes a set's stage; returns the failure (undefined once created), as a chunk's `runChunk` does. */
async function createStage(set: string, stage: NonNullable<SetJob["stage"]>, engine: Engine, label: StatementLabel, signal?: AbortSignal): Promise<ChunkOutcome | undefined> {
  try {
    await engine.run(stage.create, label);
    return undefined;
  } catch (error) {
    if (signal?.aborted) return { status: "failed", error: new InterruptedError(`interrupted while computing ${set} over ${formatWindow(stage.window)}; nothing was written`), attempts: 1 };
    const message = messageOf(error);
    return { status: "failed", error: new RunError(`feature set "${set}": computing ${formatWindow(stage.window)} failed: ${message}`, error instanceof RunError ? error.sql : undefined, { cause: error }), attempts: 1 };
  }
}

/** DDL in one transaction where the warehouse can roll it back (it then holds the dialect's DDL lock throughout). */
export async function runDdl(engine: Engine, statements: readonly Statement[], label?: StatementLabel): Promise<void> {
  if (statements.length === 0) return;
  const runAll = async () => {
    for (const statement of statements) await engine.run(statement, label);
  };
  await (engine.dialect.transactionalDdl ? engine.transaction(runAll, label) : runAll());
}

/** Per job, the earlier jobs of this run that write rows it reads from an upstream's table (it runs after them). */
function upstreamJobs(jobs: readonly SetJob[]): Map<number, number[]> {
  const bySet = new Map<string, number[]>();
  jobs.forEach((job, j) => bySet.set(job.set, [...(bySet.get(job.set) ?? []), j]));
  const overlaps = (r: { start?: Date; end?: Date }, w: TimeWindow) => (!r.start || r.start < w.end) && (!r.end || r.end > w.start);
  const result = new Map<number, number[]>();
  jobs.forEach((job, i) => {
    const first = job.reads.flatMap((r) => (r.upstream ? (bySet.get(r.upstream) ?? []).filter((j) => j < i && overlaps(r.range, jobs[j]!.window)) : []));
    // A chunk continuing from a checkpoint this run writes waits for the chunk that writes it.
    const from = job.state?.from?.getTime();
    if (from !== undefined) first.push(...(bySet.get(job.set) ?? []).filter((j) => j < i && jobs[j]!.window.end.getTime() === from));
    if (first.length) result.set(i, first);
  });
  return result;
}

/** The failure of a chunk that reads an upstream's table whose chunk in this run failed: it is not run. */
const upstreamFailed = (job: SetJob, unwritten: SetJob): ChunkOutcome => ({
  status: "failed",
  attempts: 0,
  error: new RunError(
    `feature set "${job.set}" ${formatWindow(job.window)} was not written: it reads ${formatTable(unwritten.table)}, and this run's chunk ${formatWindow(unwritten.window)} of "${unwritten.set}" failed. Run again, or with --inline to recompute "${unwritten.set}" instead`,
  ),
});

/** What each table was read over, marking upstream tables read instead of recomputing their sets. */
const readsText = (job: Pick<SetJob, "reads" | "state">): string[] =>
  job.reads.map((r) =>
    r.state
      ? `${formatTable(r.source.backfill)} — carried rows as of ${job.state!.from!.toISOString()}`
      : `${formatTable(r.source.backfill)} ${formatWindow(r.range)}${r.upstream ? " — materialized, hash ok" : ""}`,
  );

/** Once per set: which upstream sets it reads from their tables and which it recomputes, and why. */
export function upstreamNotes(jobs: readonly SetJob[]): string[] {
  const bySet = new Map(jobs.map((j) => [j.set, j.upstreams] as const));
  return [...bySet].flatMap(([set, choices]) =>
    choices.map((c) => (c.reused ? `${set}: reads ${formatTable(c.table)} ${formatWindow(c.range)} — ${c.reason}` : `${set}: recomputes ${c.set} (${c.reason})`)),
  );
}

/**
 * More connections for `--parallel`, where the engine can write concurrently. DuckDB cannot (one writer per file,
 * and one statement at a time per connection), so there the chunks run one after another and a note says so.
 */
async function openWorkers(engines: Engine[], options: ExecuteOptions, emit: (e: BackfillEvent) => void): Promise<void> {
  const wanted = options.parallel ?? 1;
  if (wanted <= 1) return;
  if (!engines[0]!.concurrentWriters || !options.openWorker) {
    emit({ event: "note", message: `--parallel ${wanted}: ${engines[0]!.description} has a single writer, so chunks run one after another` });
    return;
  }
  for (let i = 1; i < wanted; i++) engines.push(await options.openWorker());
}

type ChunkOutcome =
  | { status: "succeeded"; rowsDeleted: number; rowsWritten: number; durationMs: number; attempts: number; queryIds: string[] }
  | { status: "failed"; error: FeatureBackfillError; attempts: number };

/** One chunk's transaction, retried on transient errors. Returns the failure instead of throwing it. */
async function runChunk(
  job: SetJob,
  chunk: Parameters<LedgerStatements["record"]>[0],
  engine: Engine,
  ledger: LedgerStatements,
  options: {
    label: StatementLabel;
    signal?: AbortSignal;
    retries: number;
    retryDelayMs: number;
    now: () => Date;
    onRetry: (attempt: number, delayMs: number, error: string) => void;
  },
): Promise<ChunkOutcome> {
  const { signal, label } = options;
  const { before, inTransaction } = chunkPhases(job, job.setup, engine.dialect);
  const stateWrites = job.state?.write.length ?? 0;
  for (let attempt = 1; ; attempt++) {
    const started = performance.now();
    const queryIds: string[] = [];
    let prepared = 0; // computed inputs created in this session, dropped by name after the attempt (only those)
    try {
      // A retry after a lost connection runs on a new one, whose new session has no stage table yet.
      if (attempt > 1 && (await engine.reconnect()) && job.stage) await engine.run(job.stage.create, label);
      // The continued nodes' inputs, computed once for the chunk's statements (temporary tables of this session).
      for (const statement of job.state?.prepare ?? []) {
        await engine.run(statement, label);
        prepared++;
      }
      const runAll = async (statements: readonly Statement[]) => {
        const counts: number[] = [];
        for (const statement of statements) {
          const { rowsChanged, queryId } = await engine.run(statement, label);
          counts.push(rowsChanged);
          if (queryId) queryIds.push(queryId);
          signal?.throwIfAborted();
        }
        return counts;
      };
      await runAll(before);
      const [rowsDeleted, rowsWritten] = await engine.transaction(async () => {
        await checkCheckpoint(job, engine, label);
        const counts = await runAll(inTransaction);
        const [deleted, written] = counts.slice(counts.length - stateWrites - 2, counts.length - stateWrites) as [number, number];
        // The mark commits with the rows: the ledger never claims a chunk whose rows are not there.
        const mark = { status: "succeeded" as const, rowsDeleted: deleted, rowsWritten: written, attempts: attempt, queryIds };
        await engine.run(ledger.record(chunk, mark, options.now()), label);
        return [deleted, written];
      }, label);
      await dropInputs(job, prepared, engine, label);
      return { status: "succeeded", rowsDeleted, rowsWritten, durationMs: Math.round(performance.now() - started), attempts: attempt, queryIds };
    } catch (error) {
      await dropInputs(job, prepared, engine, label);
      if (signal?.aborted) {
        return { status: "failed", error: new InterruptedError(`interrupted while writing ${job.set} ${formatWindow(job.window)}; its transaction was rolled back`), attempts: attempt };
      }
      const failure = error instanceof FeatureBackfillError ? error : new RunError(String(error), undefined, { cause: error });
      if (failure instanceof RunError && failure.transient && attempt <= options.retries) {
        const delayMs = options.retryDelayMs * 2 ** (attempt - 1);
        options.onRetry(attempt, delayMs, failure.message);
        await sleep(delayMs, signal);
        continue;
      }
      const wrapped =
        failure instanceof RunError
          ? new RunError(`feature set "${job.set}" ${formatWindow(job.window)} failed and was rolled back: ${failure.message}`, failure.sql, { cause: failure })
          : failure;
      return { status: "failed", error: wrapped, attempts: attempt };
    }
  }
}

/**
 * A chunk's statements before and in its transaction: DDL goes inside only where the warehouse can roll it back. The
 * checkpoint of its state (if it keeps one) is written after its rows, in the same transaction.
 */
export function chunkPhases(job: SetJob, ddl: readonly Statement[], dialect: SqlDialect): { before: readonly Statement[]; inTransaction: readonly Statement[] } {
  const writes = [...job.write, ...(job.state?.write ?? [])];
  return dialect.transactionalDdl ? { before: [], inTransaction: [...ddl, ...writes] } : { before: ddl, inTransaction: writes };
}

/**
 * Drops the first `created` of a chunk's computed inputs, in the session that created them (temporary: gone with it
 * anyway). Never one it did not create: an unqualified name could then reach a permanent table. Best effort.
 */
async function dropInputs(job: SetJob, created: number, engine: Engine, label: StatementLabel): Promise<void> {
  for (const statement of (job.state?.cleanup ?? []).slice(0, created)) await engine.run(statement, label).catch(() => undefined);
}

/**
 * The checkpoint a chunk continues from must be there (planning saw it, or an earlier chunk of the run wrote it); were
 * it gone (dropped meanwhile, or never written by the version that wrote the chunk before), the carried rows would be
 * missing and the rows wrong, so the chunk fails instead.
 */
async function checkCheckpoint(job: SetJob, engine: Engine, label: StatementLabel): Promise<void> {
  for (const [k, statement] of (job.state?.check ?? []).entries()) {
    const [row] = await engine.query(statement, label);
    if (Number(row?.n ?? 0) > 0) continue;
    throw new RunError(
      `feature set "${job.set}" ${formatWindow(job.window)}: the state it continues from (${formatTable(job.state!.tables[k]!)} as of ${job.state!.from!.toISOString()}) is missing; ` +
        "run again with --full to read the whole history and rebuild it",
    );
  }
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener("abort", () => (clearTimeout(timer), resolve()), { once: true });
  });

