import { hostname } from "node:os";
import type { Engine, StatementLabel } from "../engines/engine.ts";
import { BusyError } from "../errors.ts";
import type { LedgerStatements } from "./ledger.ts";
import type { SetJob } from "./plan.ts";
import { formatWindow, type TimeWindow } from "./window.ts";

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
      if (held) {
        throw new BusyError(
          `feature set "${set}" is being backfilled by run ${held.run_id} over ${formatWindow({ start: held.window_start as Date, end: held.window_end as Date })}` +
            ` (lease until ${(held.expires_at as Date).toISOString()}); wait for it, or delete its lease if that run is dead`,
        );
      }
      await engine.run(ledger.takeLease(set, window, new Date(now.getTime() + ttlMs), `${hostname()}:${process.pid}`), label);
    }
  }, label);
}

/** Whether `holder` (host:pid) names a process on this host that no longer exists. Elsewhere only expiry tells. */
function isDeadLocalProcess(holder: string): boolean {
  const [host, pid] = [holder.slice(0, holder.lastIndexOf(":")), Number(holder.slice(holder.lastIndexOf(":") + 1))];
  if (host !== hostname() || !Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0); // signal 0 only checks that the process exists
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "ESRCH";
  }
}
