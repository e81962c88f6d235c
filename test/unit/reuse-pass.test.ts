import { describe, expect, it } from "vitest";
import { dailyCardSpend, rollingCardSpend } from "../../features/rolling.ts";
import { reuseCheck, type WrittenSpan } from "../../src/backfill/materialized.ts";
import { planBackfill } from "../../src/backfill/plan.ts";
import { parseWindow } from "../../src/backfill/window.ts";
import { duckdbDialect } from "../../src/dialects/duckdb/duckdb-dialect.ts";
import { col, featureSet } from "../../src/dsl/index.ts";
import { definitionHash } from "../../src/graph/definition-hash.ts";
import { buildGraph } from "../../src/graph/feature-graph.ts";
import { planReuse } from "../../src/passes/reuse-pass.ts";

/** A chain: card_transactions -> daily_card_spend -> rolling_card_spend -> rolling_flags (row for row). */
const rollingFlags = featureSet({
  name: "rolling_flags",
  inputs: { rolling: rollingCardSpend },
  keys: ["customer_id"],
  timestamp: "date",
  build: ({ rolling }) => rolling.select("customer_id", "date", col("spend_90d").gt(1000).alias("big_spender")),
});
const graph = buildGraph([dailyCardSpend, rollingCardSpend, rollingFlags]);
const tableFor = (set: string) => ({ schema: "features", name: set });
const day = parseWindow("2025-07-03", "2025-07-04");
const span = (set: string, start: string, end: string, at = 1, hash = definitionHash(graph, set)): WrittenSpan => ({ ...parseWindow(start, end), hash, at });
const choicesWith = (written: Map<string, WrittenSpan[]>) =>
  planReuse(graph, "rolling_flags", day, tableFor, reuseCheck(written, (set) => definitionHash(graph, set), new Map())).choices.map((c) => `${c.set}: ${c.reason}`);

describe("choosing upstream tables, nearest first", () => {
  it("a reused upstream hides what it reads: the set two steps up is not read at all", () => {
    expect(choicesWith(new Map([["rolling_card_spend", [span("rolling_card_spend", "2025-07-01", "2025-08-01")]], ["daily_card_spend", []]]))).toEqual([
      "rolling_card_spend: materialized, hash ok",
    ]);
  });

  it("where the nearest is recomputed, the next is chosen over the range the recomputation needs", () => {
    const written = new Map([["daily_card_spend", [span("daily_card_spend", "2025-01-01", "2025-08-01")]]]);
    expect(choicesWith(written)).toEqual(["rolling_card_spend: inlined: the ledger records no chunk written into its current table", "daily_card_spend: materialized, hash ok"]);
    const plan = planReuse(graph, "rolling_flags", day, tableFor, reuseCheck(written, (set) => definitionHash(graph, set), new Map()));
    expect(plan.choices[1]!.range).toEqual(parseWindow("2025-04-04", "2025-07-04")); // the 90-day lookback of the recomputed rolling set
    expect([...plan.graph.sources.keys()]).toEqual(["card_transactions", "daily_card_spend"]);
  });

  it("the latest writing of each instant counts: a later current chunk over a stale one restores the proof", () => {
    const old = span("daily_card_spend", "2025-05-01", "2025-06-01", 2, "old");
    const written = (later: number) => new Map([["daily_card_spend", [span("daily_card_spend", "2025-01-01", "2025-08-01"), old, span("daily_card_spend", "2025-05-01", "2025-05-02", later)]]]);
    expect(choicesWith(written(3))[1]).toBe("daily_card_spend: inlined: [2025-05-02, 2025-06-01) was written with another definition (backfill daily_card_spend to reuse its table)");
    expect(choicesWith(new Map([["daily_card_spend", [...written(3).get("daily_card_spend")!, span("daily_card_spend", "2025-05-01", "2025-06-01", 4)]]]))[1]).toBe(
      "daily_card_spend: materialized, hash ok",
    );
  });

  it("the planned statement reads the upstream table over that range, and the job says so", () => {
    const [job] = planBackfill({ graph, sets: ["rolling_card_spend"], window: day, dialect: duckdbDialect, tableFor, written: new Map([["daily_card_spend", [span("daily_card_spend", "2025-01-01", "2025-08-01")]]]) });
    expect(job!.reads.map((r) => [r.source.name, r.upstream, r.range])).toEqual([["daily_card_spend", "daily_card_spend", parseWindow("2025-04-04", "2025-07-04")]]);
    expect(job!.write.at(-1)!.sql).toContain(`FROM\n      "features"."daily_card_spend"\n    WHERE\n      "date" >= DATE '2025-04-04'\n      AND "date" < DATE '2025-07-04'`);
    expect(job!.definitionHash).toBe(definitionHash(graph, "rolling_card_spend")); // the rows, so the hash, are the same
  });
});
