import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { col, featureSet, source } from "../../src/dsl/index.ts";
import { buildGraph } from "../../src/graph/feature-graph.ts";
import { createOnlineClient, type OnlineClient } from "../../src/online/online-client.ts";
import { evaluate } from "../../src/testing/evaluate.ts";

// The same definitions online (one entity, request rows) and offline (evaluate) give the same values: mod with
// Polars' signs and pctChange over the entity's history.
const events = source({
  name: "events",
  keys: ["id"],
  timestamp: "ts",
  columns: { id: "bigint", ts: "timestamp", v: "double", n: "bigint" },
  backfill: { table: "events" },
});
const changes = featureSet({
  name: "changes",
  inputs: { events },
  keys: "id",
  timestamp: "ts",
  build: ({ events }) =>
    events.select(
      "id",
      "ts",
      col("v").pctChange().over("id", { orderBy: "ts" }).alias("pct"),
      col("n").mod(-3).alias("n_mod"),
      col("v").mod(col("n")).alias("v_mod"),
    ),
});
// skew is a subquery over the group's values: online, the entity filter reaches inside the group as offline.
const shape = featureSet({
  name: "shape",
  inputs: { events },
  keys: "id",
  timestamp: "day",
  build: ({ events }) =>
    events.groupBy("id", col("ts").dt.truncate("1mo", { label: "right" }).alias("day")).agg(col("v").skew().alias("skew"), col("n").skew({ bias: false }).alias("skew_n")),
});
const rows = [
  { id: 1, ts: "2025-01-01T00:00:00Z", v: 4, n: -7 },
  { id: 1, ts: "2025-01-02T00:00:00Z", v: 5, n: 7 },
  { id: 1, ts: "2025-01-03T00:00:00Z", v: -2.5, n: 2 },
];

describe("pctChange, mod and skew, online and offline", () => {
  let dir: string;
  let client: OnlineClient;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "online-expressions-"));
    const file = path.join(dir, "store.duckdb");
    (await DuckDBInstance.create(file)).closeSync();
    client = await createOnlineClient({ graph: buildGraph([changes, shape]), store: { engine: "duckdb", duckdb: { path: file } } });
  });
  afterAll(async () => {
    await client?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("the latest row as of a time online is the offline row", async () => {
    const offline = await evaluate(changes, { events: rows });
    expect(offline.map((r) => [r.pct, r.n_mod, r.v_mod])).toEqual([[null, -1, -3], [0.25, -2, 5], [-1.5, -1, 1.5]]);
    const online = await client.get(["changes"], { id: 1 }, { asOf: "2025-01-04T00:00:00Z", rows: { events: rows } });
    expect(online.changes).toMatchObject({ id: 1, pct: -1.5, n_mod: -1, v_mod: 1.5 });
  });

  it("skew of the entity's month, online as offline", async () => {
    const [offline] = await evaluate(shape, { events: rows });
    // [4, 5, -2.5]: m3 / m2^1.5 of the central moments; n: [-7, 7, 2] without bias.
    const d = [4, 5, -2.5].map((v) => v - 6.5 / 3);
    const m = (k: number) => d.reduce((a, x) => a + x ** k, 0) / 3;
    expect(offline!.skew).toBeCloseTo(m(3) / m(2) ** 1.5, 14);
    const online = await client.get(["shape"], { id: 1 }, { asOf: "2025-02-01T00:00:00Z", rows: { events: rows } });
    expect(online.shape).toMatchObject({ id: 1, skew: offline!.skew, skew_n: offline!.skew_n });
  });
});
