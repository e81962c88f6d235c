import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { col, featureSet, source } from "../../src/dsl/index.ts";
import { buildGraph } from "../../src/graph/feature-graph.ts";
import { createOnlineClient, type OnlineClient } from "../../src/online/online-client.ts";
import { evaluate } from "../../src/testing/evaluate.ts";

// Windows ordered by time sort rows whose time is null first (Polars' over(order_by=…)): online, as offline, a lag
// reaches such a row.
const events = source({
  name: "events",
  keys: ["id"],
  timestamp: "ts",
  columns: { id: "bigint", ts: "timestamp", v: "double" },
  backfill: { table: "events" },
});
const previous = featureSet({
  name: "previous_v",
  inputs: { events },
  keys: "id",
  timestamp: "ts",
  build: ({ events }) => events.select("id", "ts", col("v").shift(1).over("id", { orderBy: "ts" }).alias("prev")),
});
const rows = [
  { id: 1, ts: null, v: 5 },
  { id: 1, ts: "2025-01-01T00:00:00Z", v: 7 },
];

describe("rows whose time is null, online and offline", () => {
  let dir: string;
  let client: OnlineClient;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "online-nulls-"));
    const file = path.join(dir, "store.duckdb");
    (await DuckDBInstance.create(file)).closeSync();
    client = await createOnlineClient({ graph: buildGraph([previous]), store: { engine: "duckdb", duckdb: { path: file } } });
  });
  afterAll(async () => {
    await client?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("a lag reaches the null-time row in both", async () => {
    expect(await evaluate(previous, { events: rows })).toEqual([{ id: 1, ts: "2025-01-01T00:00:00.000Z", prev: 5 }]);
    const online = await client.get(["previous_v"], { id: 1 }, { asOf: "2025-01-02T00:00:00Z", rows: { events: rows } });
    expect(online.previous_v).toMatchObject({ id: 1, prev: 5 });
  });
});
