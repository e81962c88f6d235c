import { describe, expect, it } from "vitest";
import { col, featureSet, source } from "../../src/dsl/index.ts";
import { definitionHash } from "../../src/graph/definition-hash.ts";
import { buildGraph } from "../../src/graph/feature-graph.ts";
import type { DType } from "../../src/ir/dtype.ts";
import type { FeatureSetDef } from "../../src/ir/definitions.ts";

/** The same two-level project, with every part that may vary given as an option. */
function project(o: { amountType?: DType; table?: string; threshold?: number; description?: string; alias?: string; monthly?: "1mo" | "1w" } = {}) {
  const events = source({
    name: "h_events",
    keys: ["id"],
    timestamp: "at",
    columns: { id: "bigint", at: "date", amount: o.amountType ?? "double" },
    backfill: { table: o.table ?? "raw.events" },
  });
  const monthly = featureSet({
    name: "h_monthly",
    description: o.description ?? "monthly sums",
    inputs: { [o.alias ?? "events"]: events },
    keys: ["id"],
    timestamp: "at",
    build: (frames) =>
      frames[o.alias ?? "events"]!
        .filter(col("amount").gt(o.threshold ?? 0))
        .groupBy("id", col("at").dt.truncate(o.monthly ?? "1mo").alias("at"))
        .agg(col("amount").sum().alias("total")),
  });
  const quarterly = featureSet({
    name: "h_quarterly",
    inputs: { monthly },
    keys: ["id"],
    timestamp: "at",
    build: ({ monthly }) => monthly.groupBy("id", col("at").dt.truncate("1q").alias("at")).agg(col("total").max().alias("peak")),
  });
  const other = featureSet({
    name: "h_other",
    inputs: { events },
    keys: ["id"],
    timestamp: "at",
    build: ({ events }) => events.select("id", "at", col("amount").mul(o.threshold ?? 2).alias("x")),
  });
  const graph = buildGraph([quarterly, other]);
  return { monthly: definitionHash(graph, "h_monthly"), quarterly: definitionHash(graph, "h_quarterly"), other: definitionHash(graph, "h_other") };
}

describe("definitionHash", () => {
  const base = project();

  it("is a sha256 hex digest, different per set", () => {
    expect(base.monthly).toMatch(/^[0-9a-f]{64}$/);
    expect(new Set(Object.values(base)).size).toBe(3);
  });

  it("ignores what does not change the rows: descriptions and input aliases", () => {
    expect(project({ description: "reworded" })).toEqual(base);
    expect(project({ alias: "e" })).toEqual(base);
  });

  it("changes with the set's computation, and for every set that reads it", () => {
    const filtered = project({ threshold: 10 });
    expect(filtered.monthly).not.toBe(base.monthly);
    expect(filtered.quarterly).not.toBe(base.quarterly);
    const weekly = project({ monthly: "1w" });
    expect(weekly.monthly).not.toBe(base.monthly);
    expect(weekly.quarterly).not.toBe(base.quarterly);
    expect(weekly.other).toBe(base.other); // does not read h_monthly
  });

  it("changes with a source's column type or table, for every set reading it", () => {
    const typed = project({ amountType: "bigint" });
    const moved = project({ table: "raw.events_v2" });
    for (const changed of [typed, moved]) {
      expect(changed.monthly).not.toBe(base.monthly);
      expect(changed.quarterly).not.toBe(base.quarterly);
      expect(changed.other).not.toBe(base.other);
    }
  });

  it("does not depend on object key order or on the definition's file and line", () => {
    const def = (keysFirst: boolean, line: number): FeatureSetDef => {
      const events = source({ name: "h_events", keys: ["id"], timestamp: "at", columns: { id: "bigint", at: "date" }, backfill: { table: "raw.events" } });
      const rel = keysFirst
        ? { kind: "select" as const, columns: [{ kind: "column" as const, name: "id" }, { name: "at", kind: "column" as const }], input: { source: "h_events", kind: "scan" as const } }
        : { input: { kind: "scan" as const, source: "h_events" }, kind: "select" as const, columns: [{ name: "id", kind: "column" as const }, { kind: "column" as const, name: "at" }] };
      return { kind: "featureSet", name: "h_hand", keys: ["id"], timestamp: "at", inputs: { events }, buildRel: () => rel, definedAt: { file: `f${line}.ts`, line } };
    };
    expect(definitionHash(buildGraph([def(true, 3)]), "h_hand")).toBe(definitionHash(buildGraph([def(false, 40)]), "h_hand"));
  });
});
