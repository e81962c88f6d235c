import { hostname } from "node:os";
import { formatTable } from "../compile/statements.ts";
import type { Engine, StatementLabel } from "../engines/engine.ts";
import { BusyError, UsageError } from "../errors.ts";
import type { LedgerStatements } from "./ledger.ts";
import type { SetJob } from "./plan.ts";
import { formatWindow, type TimeWindow } from "./window.ts";

/** How long a lease outlives a run that died without releasing it, unless configured (`leaseTtl`, `--lease-ttl`). */
export const DEFAULT_LEASE_TTL_MS = 10 * 60_000;

/**
 * Takes a lease per set over the run's window, in one transaction: expired leases (of killed runs) are dropped; a
 * live one overlapping the window means another run is writing it.
 */
export async function takeLeases(jobs: readonly SetJob[], engine: Engine, ledger: LedgerStatements, now: Date, ttlMs: number, label: StatementLabel): Promise<void> {
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

/** Who holds the lease, since when, and until when it stands if that run has died. */
function busy(set: string, held: Record<string, unknown>, ledger: LedgerStatements): BusyError {
  const { host, pid } = parseHolder(String(held.holder));
  const since = held.taken_at ? ` since ${(held.taken_at as Date).toISOString()}` : "";
  return new BusyError(
    `feature set "${set}" is being backfilled over ${formatWindow({ start: held.window_start as Date, end: held.window_end as Date })} by run ${held.run_id}` +
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
  let renewed = now().getTime();
  let busy: Promise<unknown> = Promise.resolve();
  const renew = async () => {
    try {
      connection ??= openConnection();
      const { rowsChanged } = await (await connection).run(ledger.renewLeases(new Date(now().getTime() + ttlMs)), label);
      if (rowsChanged === 0) return lost("its lease was taken over by another run after it lapsed");
      renewed = now().getTime();
    } catch (error) {
      connection = undefined; // a fresh connection next time
      if (now().getTime() - renewed > ttlMs) lost(`its lease could not be renewed for ${ttlMs / 1000} s (${error instanceof Error ? error.message : String(error)})`);
    }
  };
  let done = false;
  const lost = (why: string) => {
    if (done) return;
    done = true;
    clearInterval(timer);
    options.onLost(new BusyError(`run stopped: ${why}; another run may be writing its window, so its running chunk was rolled back`));
  };
  const timer = setInterval(() => (busy = busy.then(renew)), Math.max(1000, ttlMs / 3));
  timer.unref();
  return async () => {
    done = true;
    clearInterval(timer);
    await busy;
    await (await connection?.catch(() => undefined))?.close().catch(() => undefined);
  };
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
