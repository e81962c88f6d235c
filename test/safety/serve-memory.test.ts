import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Statement } from "../../src/compile/statements.ts";
import { createOnlineClient, type OnlineClient } from "../../src/online/online-client.ts";
import { type OnlineStore, type OnlineStoreSettings, openOnlineStore } from "../../src/online/online-store.ts";
import { makeTestDatabase, postgresAvailable, type TestDatabase } from "../support/postgres.ts";
import { REPO } from "../support/warehouse.ts";

const FEATURES = path.join(REPO, "test/fixtures/request-rows");
const SET = "request_daily";

/** Deterministic pseudo-random numbers (mulberry32). */
function random(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A store that counts the distinct statement texts it is asked to run. */
function counting(store: OnlineStore): OnlineStore & { texts: Set<string> } {
  const texts = new Set<string>();
  return { ...store, dialect: store.dialect, description: store.description, texts, query: (s: Statement) => (texts.add(s.sql), store.query(s)), ping: () => store.ping(), close: () => store.close() };
}

/** `count` lookups, each with a random number (0–40) of request rows of random values; checks each answer. */
async function soak(client: OnlineClient, count: number, seed: number): Promise<void> {
  const next = random(seed);
  const lookup = async () => {
    const rows = Array.from({ length: Math.floor(next() * 41) }, (_, i) => ({
      customer_id: 7,
      ts: `2025-06-01T${String(Math.floor(next() * 24)).padStart(2, "0")}:00:00Z`,
      amount: i,
      note: next() < 0.2 ? null : `n${Math.floor(next() * 1000)}`,
    }));
    const result = await client.get([SET], { customer_id: 7 }, { asOf: "2025-06-02T00:00:00Z", rows: { request_events: rows } });
    expect(result[SET]?.events ?? 0).toBe(rows.length);
  };
  // Eight lookups at a time, as a busy server has them.
  for (let i = 0; i < count; i += 8) await Promise.all(Array.from({ length: Math.min(8, count - i) }, lookup));
}

/**
 * Issue 10 item 11: every distinct number of request rows made a new statement text, prepared on every pooled
 * connection and never released (245 MB → 9.5 GB in ~1,700 requests). Request rows are now bound as one array per
 * column, so the text does not vary with them, and each connection keeps a bounded number of prepared statements.
 */
describe("online lookups with request rows of random shapes keep memory flat", () => {
  it("DuckDB store: 10,000 lookups run one statement text, and the process's memory stops growing", async () => {
    const store = counting(await openOnlineStore({ engine: "duckdb", duckdb: { path: ":memory:" }, poolSize: 4 } as OnlineStoreSettings));
    const client = await createOnlineClient({ features: FEATURES, store });
    try {
      await soak(client, 1_000, 1); // warm-up: the allocator and DuckDB's caches settle
      // Growth is measured over the second of two halves: the allocator may still settle in the first (up to ~90 MB
      // seen on a loaded machine), a leak keeps growing (the defect grew ~5 MB a lookup).
      await soak(client, 4_500, 2);
      const before = process.memoryUsage().rss;
      await soak(client, 4_500, 3);
      const grown = (process.memoryUsage().rss - before) / 2 ** 20;
      expect(store.texts.size).toBe(1);
      expect(grown, `RSS grew ${grown.toFixed(0)} MB over the last 4,500 lookups`).toBeLessThan(48);
    } finally {
      await client.close();
      await store.close();
    }
  }, 180_000);

  describe.skipIf(!postgresAvailable)("PostgreSQL store", () => {
    let db: TestDatabase;
    beforeAll(async () => (db = await makeTestDatabase()));
    afterAll(async () => db?.cleanup());

    it("1,000 lookups leave one prepared statement on the connection", async () => {
      // One pooled connection: pg_prepared_statements, read through the store, is that connection's.
      const store = counting(await openOnlineStore({ engine: "postgres", postgres: db.settings, poolSize: 1 }));
      const client = await createOnlineClient({ features: FEATURES, store });
      try {
        await soak(client, 1_000, 3);
        expect(store.texts.size).toBe(1);
        expect(await store.query({ sql: "SELECT count(*)::int AS n FROM pg_prepared_statements", parameters: [] })).toEqual([{ n: 2 }]); // and this one
      } finally {
        await client.close();
      }
    }, 120_000);
  });
});
