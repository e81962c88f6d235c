import { hostname } from "node:os";
import { formatTable } from "../compile/statements.ts";
import type { Engine, StatementLabel } from "../engines/engine.ts";
import { BusyError, UsageError, messageOf } from "../errors.ts";
import type { LedgerStatements } from "./ledger.ts";
import type { SetJob } from "./plan.ts";
import { formatWindow, type TimeWindow } from "./window.ts";

/** How long a lease outlives a run that died without releasing it, unless configured (`leaseTtl`, `--lease-ttl`). */
export const DEFAULT_LEASE_TTL_MS = 10 * 60_000;

/**
 * Takes a lease per set over the run's window, in one transaction: expired leases (of killed runs) are dropped; a
 * live one overlapping the window means another run is writing it.
 */
export async function takeLeases(jobs: readonly Pick<SetJob, "set" | "window">[], engine: Engine, ledger: LedgerStatements, now: Date, ttlMs: number, label: StatementLabel): Promise<void> {
  const windows = new Map<string, TimeWindow>();
  for (const job of jobs) {
    const w = windows.get(job.set);
    windows.set(job.set, w ? { start: w.start < job.window.start ? w.start : job.window.start, end: w.end > job.window.end ? w.end : job.window.end } : job.window);
  }
  await engine.transaction(async () => {
    const lock = ledger.lockLeases();
    if (lock) await engine.run(lock, label);
    await engine.run(ledger.expireLeases(now), label);
    for (const [set, window] of windows) {
      let [held] = await engine.query(ledger.overlappingLeases(set, window), label);
      if (held && isDeadLocalProcess(String(held.holder))) {
        await engine.run(ledger.dropLeasesOf(String(held.run_id)), label); // its process is gone: the lease is stale
        held = undefined;
      }
      if (held) throw busy(set, held, ledger);
      await engine.run(ledger.takeLease(set, window, now, new Date(now.getTime() + ttlMs), `${hostname()}:${process.pid}`), label);
    }
  }, label);
}

/**
 * Read-only, before asking anything: refuses as `takeLeases` would where another run holds a live lease of one of
 * `sets` over `window` (`drop`, before its confirmation; `takeLeases` checks again when it takes them).
 */
export async function refuseLeased(sets: readonly string[], window: TimeWindow, engine: Engine, ledger: LedgerStatements, now: Date, label: StatementLabel): Promise<void> {
  for (const set of sets) {
    const held = (await engine.query(ledger.overlappingLeases(set, window), label)).find(
      (l) => (l.expires_at as Date).getTime() >= now.getTime() && !isDeadLocalProcess(String(l.holder)),
    );
    if (held) throw busy(set, held, ledger);
  }
}

/** The run id of `drop`'s lease on a set (over all time): named so that a run it keeps out says what holds it. */
export const dropRunId = (uuid: string): string => `drop-${uuid}`;

/** Who holds the lease, since when, and until when it stands if that run has died. */
function busy(set: string, held: Record<string, unknown>, ledger: LedgerStatements): BusyError {
  const { host, pid } = parseHolder(String(held.holder));
  const since = held.taken_at ? ` since ${(held.taken_at as Date).toISOString()}` : "";
  const doing = String(held.run_id).startsWith(dropRunId("")) ? "dropped" : `backfilled over ${formatWindow({ start: held.window_start as Date, end: held.window_end as Date })}`;
  return new BusyError(
    `feature set "${set}" is being ${doing} by run ${held.run_id}` +
      ` on host ${host} (pid ${pid})${since}; its lease expires at ${(held.expires_at as Date).toISOString()} unless that run, while alive, renews it.` +
      ` Wait for it; if it is dead, its lease lapses then (or delete its row from ${formatTable(ledger.leases)})`,
  );
}

/**
 * Renews the run's leases every third of their TTL, from a connection of its own, while statements run on the others
 * (a long INSERT outlives any TTL). Where the engine has a single writer (DuckDB) there is no heartbeat: the live run
 * holds the database file, so no other process can read its lease at all; the lease matters only once the run died.
 * Should a renewal find the run's leases gone (taken over after it could not renew for a whole TTL), `onLost` is called
 * once: another run may be writing the window now. Returns a function that stops the heartbeat.
 */
export function keepLeasesAlive(options: {
  engine: Engine;
  openConnection?: () => Promise<Engine>;
  ledger: LedgerStatements;
  ttlMs: number;
  now: () => Date;
  label: StatementLabel;
  onLost: (error: BusyError) => void;
}): () => Promise<void> {
  const { engine, openConnection, ledger, ttlMs, now, label } = options;
  if (!engine.concurrentWriters || !openConnection) return async () => undefined;
  let connection: Promise<Engine> | undefined; // opened at the first renewal: short runs never need it
  const interval = Math.max(1000, ttlMs / 3);
  let renewed = now().getTime();
  let renewing = false;
  const drop = () => {
    const dropped = connection;
    connection = undefined; // a fresh connection next time
    void dropped?.then((c) => c.close()).catch(() => undefined);
  };
  const renew = async () => {
    if (renewing || done) return; // a renewal still waiting: the next tick judges it by its age
    renewing = true;
    try {
      connection ??= openConnection();
      // Half an interval at most: a renewal that hangs must not hold the heartbeat (or the run's end) while the lease lapses.
      const renewal = (async () => (await connection!).run(ledger.renewLeases(new Date(now().getTime() + ttlMs)), label))();
      const { rowsChanged } = await withTimeout(renewal, interval / 2);
      if (rowsChanged === 0) return lost("its lease was taken over by another run after it lapsed");
      renewed = now().getTime();
    } catch (error) {
      drop();
      // Stop while the lease still stands (one interval before it lapses), not after another run may have taken it.
      if (now().getTime() - renewed >= ttlMs - interval) lost(`its lease could not be renewed for ${Math.round((now().getTime() - renewed) / 1000)} s (${messageOf(error)})`);
    } finally {
      renewing = false;
    }
  };
  let done = false;
  const lost = (why: string) => {
    if (done) return;
    done = true;
    clearInterval(timer);
    options.onLost(new BusyError(`run stopped: ${why}; another run may be writing its window, so its running chunk was rolled back`));
  };
  const timer = setInterval(() => void renew(), interval);
  timer.unref();
  return async () => {
    done = true;
    clearInterval(timer);
    drop(); // closing it ends a renewal in flight too; nothing waits for one
  };
}

/** `work`, or a rejection once `ms` have passed. */
function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${ms / 1000} s`)), ms)));
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/** Parses a lease TTL such as "90s", "10m" or "2h" (`leaseTtl`, `--lease-ttl`); at least one second. */
export function parseLeaseTtl(text: string, where: string): number {
  const match = /^([1-9]\d*)(s|m|h)$/.exec(text.trim());
  if (!match) throw new UsageError(`${where}: "${text}" is not a duration such as 90s, 10m or 2h`);
  return Number(match[1]) * { s: 1000, m: 60_000, h: 3_600_000 }[match[2] as "s" | "m" | "h"];
}

const parseHolder = (holder: string) => ({ host: holder.slice(0, holder.lastIndexOf(":")), pid: holder.slice(holder.lastIndexOf(":") + 1) });

/** Whether `holder` (host:pid) names a process on this host that no longer exists. Elsewhere only expiry tells. */
function isDeadLocalProcess(holder: string): boolean {
  const { host, pid: text } = parseHolder(holder);
  const pid = Number(text);
  if (host !== hostname() || !Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0); // signal 0 only checks that the process exists
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "ESRCH";
  }
}
