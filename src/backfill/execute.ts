import { randomUUID } from "node:crypto";
import { formatTable, type Statement } from "../compile/statements.ts";
import type { Engine, StatementLabel } from "../engines/engine.ts";
import { FeatureBackfillError, InterruptedError, PartialFailureError, RunError } from "../errors.ts";
import type { SqlDialect } from "../dialects/sql-dialect.ts";
import { chunkKey, completedChunks } from "./completed-chunks.ts";
import { LedgerStatements } from "./ledger.ts";
import { takeLeases } from "./leases.ts";
import { preflight } from "./preflight.ts";
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
  /** How long a lease outlives its run if the run is killed. */
  readonly leaseTtlMs?: number;
  /** How the window was given (recorded in the ledger), e.g. "--window 1d --lag 2 at 2025-03-31T02:30:00Z". */
  readonly windowSpec?: string;
  readonly now?: () => Date;
  /** Chunks written at once, each on its own connection (`openWorker`), where the engine allows it. */
  readonly parallel?: number;
  readonly openWorker?: () => Promise<Engine>;
}

const DEFAULTS = { retries: 2, retryDelayMs: 500, leaseTtlMs: 6 * 3600_000 };

/**
 * Runs planned jobs (one per set and chunk). First checks, in one catalog query, that every source table has its
 * declared columns with compatible types and that existing offline tables have their set's columns — so bad input
 * fails before anything is written. Then it takes a lease per set in the ledger (another run writing an overlapping
 * window of the set fails with BusyError), and runs each chunk in one transaction: the DDL for a missing table
 * (before the transaction where the warehouse cannot roll DDL back), DELETE of the chunk, INSERT … SELECT, and the
 * ledger's `succeeded` mark. Any error, or `signal`, rolls the chunk back; transient errors are retried.
 */
export async function executeBackfill(jobs: readonly SetJob[], engine: Engine, options: ExecuteOptions = {}): Promise<SetResult[]> {
  const { signal } = options;
  const emit = options.onEvent ?? (() => undefined);
  const now = options.now ?? (() => new Date());
  const runId = options.runId ?? randomUUID();
  const { retries, retryDelayMs, leaseTtlMs } = { ...DEFAULTS, ...options };
  const started = performance.now();
  const checkSignal = () => {
    if (signal?.aborted) throw new InterruptedError("interrupted before writing; nothing was written");
  };
  const engines = [engine];
  const onAbort = () => engines.forEach((e) => void e.interrupt());
  signal?.addEventListener("abort", onAbort);
  const ledger = new LedgerStatements(engine.dialect, jobs[0]?.table.schema, runId);
  const sets = [...new Set(jobs.map((j) => j.set))];
  let leased = false;
  const staged = new Set<string>(); // stage tables created, dropped at the end
  const runLabel: StatementLabel = { set: sets.join(","), window: formatWindow({ start: jobs[0]?.window.start, end: jobs.at(-1)?.window.end }) };
  try {
    checkSignal();
    const [existing, ledgerReady] = await preflight(jobs, engine, runLabel, [ledger.ledger, ledger.leases]);
    if (!ledgerReady) for (const statement of ledger.setup()) await engine.run(statement, runLabel);
    await takeLeases(jobs, engine, ledger, now(), leaseTtlMs, runLabel);
    leased = true;
    const done = options.resume ? await completedChunks(engine, ledger, sets) : new Map<string, string>();
    await openWorkers(engines, options, emit);
    let renewedAt = now().getTime();

    const results: SetResult[] = [];
    const creating = new Map<string, Promise<unknown>>(); // a set's first chunk creates its table; the others wait
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
      await creating.get(job.set);
      if (job.stage && !staged.has(job.stage.table.name)) {
        staged.add(job.stage.table.name);
        await worker.run(job.stage.create, chunkLabel);
      }
      emit({ event: "chunk_started", ...ref, ...(written ? { note: "redone: the definition changed since an earlier run wrote it" } : {}) });
      const chunk = { set: job.set, window: job.window, definitionHash: job.definitionHash, runWindow: options.windowSpec ?? formatWindow(job.window), startedAt: now() };
      const attempt = runChunk(job, chunk, existing[i]!, worker, ledger, { label: chunkLabel, signal, retries, retryDelayMs, now, onRetry: (n, delayMs, error) => emit({ event: "chunk_retrying", ...ref, attempt: n, delayMs, error }) });
      if (!existing[i]) creating.set(job.set, attempt);
      const outcome = await attempt;
      if (outcome.status === "succeeded") {
        jobs.forEach((other, j) => other.set === job.set && (existing[j] = true));
        const { queryIds, ...counts } = outcome;
        emit({ event: "chunk_finished", ...ref, ...counts, ...(queryIds.length ? { queryIds } : {}) });
        results[i] = { ...base, ...counts, status: "succeeded" };
        // Renewed once a quarter of its life has passed (a statement a chunk is cheap; one per chunk adds up).
        if (now().getTime() - renewedAt > leaseTtlMs / 4 && i < jobs.length - 1) {
          renewedAt = now().getTime();
          await worker.run(ledger.renewLeases(new Date(renewedAt + leaseTtlMs)), chunkLabel);
        }
        return;
      }
      const error = outcome.error;
      const status = error instanceof InterruptedError ? "interrupted" : "failed";
      await worker
        .reconnect() // a lost connection still gets the failure recorded, on a new one
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
          checkSignal();
          await runOne(next++, worker);
        }
      }),
    );
    if (failure) throw failure;
    const count = (status: SetResult["status"]) => results.filter((r) => r.status === status).length;
    const rowsWritten = results.reduce((sum, r) => sum + r.rowsWritten, 0);
    emit({ event: "run_finished", runId, succeeded: count("succeeded"), skipped: count("skipped"), failed: count("failed"), rowsWritten, durationMs: Math.round(performance.now() - started) });
    if (count("failed") > 0) {
      throw new PartialFailureError(`${count("failed")} of ${results.length} chunks failed and were rolled back; ${count("succeeded")} written, ${count("skipped")} skipped (run ${runId})`);
    }
    return results;
  } finally {
    signal?.removeEventListener("abort", onAbort);
    // On a new connection if the run's was lost; an expired lease frees the window anyway.
    if (leased) await engine.reconnect().then(() => engine.run(ledger.releaseLeases(), runLabel)).catch(() => undefined);
    // Stages are temporary tables (gone with the session anyway): dropped so a long-lived connection does not keep them.
    for (const job of jobs) {
      if (job.stage && staged.delete(job.stage.table.name)) await engine.run(job.stage.drop, runLabel).catch(() => undefined);
    }
    await Promise.all(engines.slice(1).map((e) => e.close().catch(() => undefined)));
  }
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
  tableExists: boolean,
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
  const { before, inTransaction } = chunkPhases(job, tableExists ? [] : job.setup, engine.dialect);
  for (let attempt = 1; ; attempt++) {
    const started = performance.now();
    const queryIds: string[] = [];
    try {
      // A retry after a lost connection runs on a new one, whose new session has no stage table yet.
      if (attempt > 1 && (await engine.reconnect()) && job.stage) await engine.run(job.stage.create, label);
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
        const counts = await runAll(inTransaction);
        const [deleted, written] = counts.slice(-2) as [number, number];
        // The mark commits with the rows: the ledger never claims a chunk whose rows are not there.
        const mark = { status: "succeeded" as const, rowsDeleted: deleted, rowsWritten: written, attempts: attempt, queryIds };
        await engine.run(ledger.record(chunk, mark, options.now()), label);
        return [deleted, written];
      }, label);
      return { status: "succeeded", rowsDeleted, rowsWritten, durationMs: Math.round(performance.now() - started), attempts: attempt, queryIds };
    } catch (error) {
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

/** A chunk's statements before and in its transaction: DDL goes inside only where the warehouse can roll it back. */
export function chunkPhases(job: SetJob, ddl: readonly Statement[], dialect: SqlDialect): { before: readonly Statement[]; inTransaction: readonly Statement[] } {
  return dialect.transactionalDdl ? { before: [], inTransaction: [...ddl, ...job.write] } : { before: ddl, inTransaction: job.write };
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener("abort", () => (clearTimeout(timer), resolve()), { once: true });
  });

