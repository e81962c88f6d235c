import { describe, expect, it } from "vitest";
import { keepLeasesAlive } from "../../src/backfill/leases.ts";
import { LedgerStatements } from "../../src/backfill/ledger.ts";
import { postgresDialect } from "../../src/dialects/postgres/postgres-dialect.ts";
import type { Engine } from "../../src/engines/engine.ts";
import type { BusyError } from "../../src/errors.ts";

/** An engine whose renewals answer as `answer` says: with a row count, or never. */
function engineAnswering(answer: () => Promise<number>): Engine & { closed: number } {
  const engine = {
    dialect: postgresDialect,
    description: "test",
    concurrentWriters: true,
    closed: 0,
    run: async () => ({ rowsChanged: await answer() }),
    close: async () => void engine.closed++,
  };
  return engine as unknown as Engine & { closed: number };
}

const TTL = 3000; // renewals every second, each given half a second

describe("the lease heartbeat", () => {
  it("renewals that hang: the run is stopped while its lease still stands, and stopping does not wait for them", async () => {
    const hung = engineAnswering(() => new Promise(() => undefined));
    const started = Date.now();
    const lost = await new Promise<{ error: BusyError; after: number; stop: () => Promise<void> }>((resolve) => {
      const stop = keepLeasesAlive({
        engine: hung,
        openConnection: async () => hung,
        ledger: new LedgerStatements(postgresDialect, "features", "run-1"),
        ttlMs: TTL,
        now: () => new Date(),
        label: { set: "s", window: "w" },
        onLost: (error) => resolve({ error, after: Date.now() - started, stop }),
      });
    });
    expect(lost.error.message).toMatch(/^run stopped: its lease could not be renewed for \d+ s \(no answer within 0\.5 s\)/);
    expect(lost.after).toBeGreaterThanOrEqual(TTL - 1000); // not before a whole interval short of the TTL …
    expect(lost.after).toBeLessThan(TTL); // … and before the lease lapses
    const stopping = Date.now();
    await lost.stop();
    expect(Date.now() - stopping).toBeLessThan(200);
    expect(hung.closed).toBeGreaterThan(0); // the connections of failed renewals are closed, not leaked
  });

  it("renewals that find the lease gone stop the run at once", async () => {
    const taken = engineAnswering(async () => 0);
    const error = await new Promise<BusyError>((resolve) => {
      keepLeasesAlive({
        engine: taken,
        openConnection: async () => taken,
        ledger: new LedgerStatements(postgresDialect, "features", "run-1"),
        ttlMs: TTL,
        now: () => new Date(),
        label: { set: "s", window: "w" },
        onLost: resolve,
      });
    });
    expect(error.message).toMatch(/^run stopped: its lease was taken over by another run after it lapsed/);
  });
});
