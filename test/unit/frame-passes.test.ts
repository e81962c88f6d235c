import { describe, expect, it } from "vitest";
import { col, concat, featureSet, type LazyFrame, source } from "../../src/dsl/index.ts";
import { buildGraph } from "../../src/graph/feature-graph.ts";
import { pushEntityFilters } from "../../src/passes/entity-filter-pass.ts";
import { knownAtGraph } from "../../src/passes/known-at-pass.ts";
import { evaluateRanges, inferSourceRanges, readsExactly } from "../../src/passes/time-range-pass.ts";
import { typeGraph } from "../../src/passes/type-pass.ts";
import { whyNotUnique } from "../../src/passes/unique-rows.ts";

/**
 * What each pass makes of the frame operations (rename, drop, unique, concat, full and right joins, nearest as-of
 * joins, top-k): the read ranges they need (read wide, write narrow), when their rows are known, whether they are
 * unique per keys and time, and which entity equalities reach the sources online.
 */
const events = source({
  name: "events",
  keys: ["customer_id"],
  timestamp: "ts",
  columns: { customer_id: "bigint", ts: "timestamp", amount: "double", kind: "varchar" },
  backfill: { table: "raw.events" },
});
const other = source({
  name: "other",
  keys: ["customer_id"],
  timestamp: "ts",
  columns: { customer_id: "bigint", ts: "timestamp", amount: "double", kind: "varchar" },
  backfill: { table: "raw.other" },
});

function analyse(build: (e: LazyFrame, o: LazyFrame) => LazyFrame, keys: string[] = ["customer_id"], timestamp = "ts") {
  const set = featureSet({ name: "s", inputs: { e: events, o: other }, keys, timestamp, build: ({ e, o }) => build(e, o) });
  const graph = buildGraph([set]);
  const typed = typeGraph(graph, ["s"]);
  const target = graph.sets.get("s")!;
  const ranges = inferSourceRanges(graph, target, typed);
  const window = { start: new Date("2025-03-10T00:00:00Z"), end: new Date("2025-03-20T00:00:00Z") };
  const read = (name: string) => {
    const r = ranges.get(name);
    if (!r) return "not read";
    const c = evaluateRanges(r, window);
    return `${c.start?.toISOString().slice(0, 10) ?? "-∞"}..${c.end?.toISOString().slice(0, 10) ?? "∞"}`;
  };
  const known = knownAtGraph(graph, typed, ["s"]).get("s")!;
  return {
    read,
    exact: readsExactly(ranges),
    known: known.kind,
    unique: whyNotUnique(graph, "s"),
    entity: (...fields: string[]) => Object.fromEntries([...pushEntityFilters(graph, target, typed, fields)].map(([s, m]) => [s, Object.fromEntries(m)])),
  };
}

describe("rename and drop", () => {
  it("a renamed timestamp is followed to the source's: read exactly over the window, known at its time", () => {
    const a = analyse((e) => e.rename({ ts: "at", customer_id: "id" }).drop("kind"), ["id"], "at");
    expect(a.read("events")).toBe("2025-03-10..2025-03-20");
    expect(a.exact).toBe(true);
    expect(a.known).toBe("atTimestamp");
    expect(a.entity("id")).toEqual({ events: { customer_id: "id" } });
  });

  it("uniqueness is followed through a rename of the keys", () => {
    const a = analyse((e) => e.groupBy("customer_id", "ts").agg(col("amount").sum()).rename({ ts: "at", customer_id: "id" }), ["id"], "at");
    expect(a.unique).toBeUndefined();
  });

  it("a column renamed to the timestamp's name is not the source's timestamp: the whole history, and a leak", () => {
    const a = analyse((e) => e.rename({ ts: "old_ts" }).withColumns(col("old_ts").dt.offsetBy("-1d").alias("ts")));
    expect(a.known).toBe("future");
    expect(a.read("events")).toBe("-∞..∞");
  });
});

describe("unique", () => {
  it("keep first in time order reads all history before the window, none after; known at its time", () => {
    const a = analyse((e) => e.sort("ts").unique("customer_id", { keep: "first" }));
    expect(a.read("events")).toBe("-∞..2025-03-20");
    expect(a.exact).toBe(false);
    expect(a.known).toBe("atTimestamp");
    expect(a.unique).toBeUndefined(); // one row per customer, so per (customer, time)
    expect(a.entity("customer_id")).toEqual({ events: { customer_id: "customer_id" } });
  });

  it("keep last (a later row can replace it) and keep none read all history, and are known only later", () => {
    for (const build of [(e: LazyFrame) => e.sort("ts").unique("customer_id", { keep: "last" }), (e: LazyFrame) => e.unique("customer_id", { keep: "none" })]) {
      const a = analyse(build);
      expect(a.read("events")).toBe("-∞..∞");
      expect(a.known).toBe("future");
    }
  });

  it("a subset of the set's keys and time proves one row per (keys, time)", () => {
    expect(analyse((e) => e.sort("amount").unique(["customer_id", "ts"], { keep: "first" })).unique).toBeUndefined();
    // Without the subset naming them, only the input's uniqueness counts.
    expect(analyse((e) => e.unique()).unique).toMatch(/source "events"/);
  });

  it("keep any of whole rows is a GROUP BY on the time too: read exactly over the window", () => {
    const a = analyse((e) => e.select("customer_id", col("ts").dt.truncate("1d").alias("day"), "kind").unique(), ["customer_id", "kind"], "day");
    expect(a.read("events")).toBe("2025-03-10..2025-03-20");
    expect(a.exact).toBe(true);
  });
});

describe("concat", () => {
  it("reads each input over the window on its time column: exact, as each input is alone", () => {
    const a = analyse((e, o) => concat([e, o.filter(col("amount").gt(0))]));
    expect(a.read("events")).toBe("2025-03-10..2025-03-20");
    expect(a.read("other")).toBe("2025-03-10..2025-03-20");
    expect(a.exact).toBe(true);
    expect(a.known).toBe("atTimestamp");
    expect(a.unique).toMatch(/a concat can repeat/);
    expect(a.entity("customer_id")).toEqual({ events: { customer_id: "customer_id" }, other: { customer_id: "customer_id" } });
  });

  it("an input whose time the pass cannot follow reads its whole history; a leaking input makes the result leak", () => {
    const a = analyse((e, o) => concat([e, o.withColumns(col("ts").dt.offsetBy("-1d").alias("ts"))]));
    expect(a.read("events")).toBe("2025-03-10..2025-03-20");
    expect(a.read("other")).toBe("-∞..∞");
    expect(a.exact).toBe(false);
    expect(a.known).toBe("future");
  });

  it("an input with a lookback widens only its own read", () => {
    const a = analyse((e, o) => concat([e.withColumns(col("amount").rollingSum("7d", { by: "ts" }).over("customer_id")), o]));
    expect(a.read("events")).toBe("2025-03-03..2025-03-20");
    expect(a.read("other")).toBe("2025-03-10..2025-03-20");
  });
});

describe("full and right joins", () => {
  it("a coalesced time key: both sides drive, each read over the window, exactly; known at its time", () => {
    const a = analyse((e, o) => e.join(o, { on: ["customer_id", "ts"], how: "full", coalesce: true }));
    expect(a.read("events")).toBe("2025-03-10..2025-03-20");
    expect(a.read("other")).toBe("2025-03-10..2025-03-20");
    expect(a.exact).toBe(true);
    expect(a.known).toBe("atTimestamp");
    expect(a.unique).toMatch(/a full join can repeat rows/);
    expect(a.entity("customer_id")).toEqual({ events: { customer_id: "customer_id" }, other: { customer_id: "customer_id" } });
  });

  it("a full join's left time: the right's unmatched rows come out without one, so the output is clipped", () => {
    const a = analyse((e, o) => e.join(o, { on: ["customer_id", "ts"], how: "full" }));
    expect(a.read("events")).toBe("2025-03-10..2025-03-20");
    expect(a.read("other")).toBe("2025-03-10..2025-03-20");
    expect(a.exact).toBe(false);
    // Neither side's column is followed online: each is null on the other's unmatched rows.
    expect(a.entity("customer_id")).toEqual({ events: {}, other: {} });
  });

  it("a right join is driven by its right side's time (the right key, coalesced); its left is looked up by key", () => {
    const a = analyse((e, o) => e.select("customer_id", "kind").join(o, { on: "customer_id", how: "right" }));
    expect(a.read("other")).toBe("2025-03-10..2025-03-20");
    expect(a.read("events")).toBe("-∞..∞");
    expect(a.exact).toBe(true);
    expect(a.known).toBe("future"); // the left rows joined on the customer alone can be of any time
    expect(a.entity("customer_id")).toEqual({ events: { customer_id: "customer_id" }, other: { customer_id: "customer_id" } });
  });

  it("a right join on the time: known at it", () => {
    expect(analyse((e, o) => e.join(o, { on: ["customer_id", "ts"], how: "right" })).known).toBe("atTimestamp");
  });
});

describe("as-of joins: nearest and without exact matches", () => {
  const right = (o: LazyFrame) => o.select("customer_id", col("ts").alias("u"), col("amount").alias("other_amount"));

  it("nearest within a tolerance reads the right side that far on both sides of the window; it can take a later row", () => {
    const a = analyse((e, o) => e.joinAsof(right(o), { leftOn: "ts", rightOn: "u", by: "customer_id", strategy: "nearest", tolerance: "2d" }));
    expect(a.read("events")).toBe("2025-03-10..2025-03-20");
    expect(a.read("other")).toBe("2025-03-08..2025-03-22");
    expect(a.known).toBe("future");
    expect(a.unique).toMatch(/source "events"/); // one row per left row: as unique as the left
    expect(a.entity("customer_id")).toEqual({ events: { customer_id: "customer_id" }, other: { customer_id: "customer_id" } });
  });

  it("nearest without a tolerance reads the whole right side", () => {
    expect(analyse((e, o) => e.joinAsof(right(o), { leftOn: "ts", rightOn: "u", strategy: "nearest" })).read("other")).toBe("-∞..∞");
  });

  it("backward without exact matches reads and is known as backward", () => {
    const a = analyse((e, o) => e.joinAsof(right(o), { leftOn: "ts", rightOn: "u", by: "customer_id", tolerance: "3d", allowExactMatches: false }));
    expect(a.read("other")).toBe("2025-03-07..2025-03-20");
    expect(a.known).toBe("atTimestamp");
  });
});

describe("top-k per group and row index", () => {
  it("the first rows in time per group read all history before the window; known at their time", () => {
    const a = analyse((e) => e.sort("ts").groupBy("customer_id").head(2));
    expect(a.read("events")).toBe("-∞..2025-03-20");
    expect(a.known).toBe("atTimestamp");
    expect(a.unique).toMatch(/source "events"/);
    expect(a.entity("customer_id")).toEqual({ events: { customer_id: "customer_id" } });
  });

  it("the highest amounts, or the last rows in time: a later row can displace one, so all history and a leak", () => {
    for (const build of [(e: LazyFrame) => e.sort("amount", { descending: true }).groupBy("customer_id").head(3), (e: LazyFrame) => e.sort("ts").groupBy("customer_id").tail(1)]) {
      const a = analyse(build);
      expect(a.read("events")).toBe("-∞..∞");
      expect(a.known).toBe("future");
    }
  });

  it("head(1) per the set's keys is one row per key; a row index among the keys is one row per index", () => {
    expect(analyse((e) => e.sort("ts").groupBy("customer_id").head(1)).unique).toBeUndefined();
    const a = analyse((e) => e.sort("ts").withRowIndex("n"), ["n"]);
    expect(a.unique).toBeUndefined();
    expect(a.read("events")).toBe("-∞..2025-03-20");
    expect(a.known).toBe("atTimestamp");
    // A row index numbers the whole frame: no entity equality reaches the source.
    expect(a.entity("n")).toEqual({ events: {} });
  });
});
