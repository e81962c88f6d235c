import { describe, it, expect, afterAll } from "vitest";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { col, featureSet, LazyFrame, len, source } from "../../src/dsl/index.ts";
import { buildGraph, selectSets, setDependencies, setSources } from "../../src/graph/feature-graph.ts";
import { typeGraph } from "../../src/passes/type-pass.ts";
import { loadFeatureGraph } from "../../src/graph/load-modules.ts";
import type { Definition, FeatureSetDef } from "../../src/ir/definitions.ts";
import type { RelNode } from "../../src/ir/rel.ts";
import { ConfigError, DefinitionError, UsageError } from "../../src/errors.ts";
import { definitionSite, rejected, thrown } from "./source-lines.ts";

const here = import.meta.url;
const fixture = (dir: string) => path.resolve("test/fixtures", dir);
const fixtureUrl = (file: string) => pathToFileURL(path.resolve("test/fixtures", file)).href;

const accounts = source({
  name: "g_accounts",
  keys: ["customer_id"],
  timestamp: "date",
  columns: { customer_id: "bigint", date: "date", balance: "double" },
  backfill: { table: "raw.accounts" },
});
const payments = source({
  name: "g_payments",
  keys: ["customer_id"],
  timestamp: "paid_at",
  columns: { customer_id: "bigint", paid_at: "timestamp", amount: "double" },
  backfill: { table: "raw.payments" },
});
const monthly = featureSet({
  name: "g_monthly",
  inputs: { accounts },
  keys: ["customer_id"],
  timestamp: "date",
  build: ({ accounts }) =>
    accounts.groupBy("customer_id", col("date").dt.truncate("1mo").alias("date")).agg(col("balance").mean().alias("avg_balance")),
});
const quarterly = featureSet({
  name: "g_quarterly",
  inputs: { monthly },
  keys: ["customer_id"],
  timestamp: "date",
  build: ({ monthly }) =>
    monthly.groupBy("customer_id", col("date").dt.truncate("1q").alias("date")).agg(col("avg_balance").mean().alias("avg_avg")),
});
const yearly = featureSet({
  name: "g_yearly",
  inputs: { quarterly },
  keys: ["customer_id"],
  timestamp: "date",
  build: ({ quarterly }) =>
    quarterly.groupBy("customer_id", col("date").dt.truncate("1y").alias("date")).agg(col("avg_avg").max().alias("max_q")),
});
const weekly = featureSet({
  name: "g_weekly",
  inputs: { accounts },
  keys: ["customer_id"],
  timestamp: "date",
  build: ({ accounts }) => accounts.groupBy("customer_id", col("date").dt.truncate("1w").alias("date")).agg(len().alias("days")),
});
const dailyPayments = featureSet({
  name: "g_daily_payments",
  inputs: { payments },
  keys: ["customer_id"],
  timestamp: "day",
  build: ({ payments }) =>
    payments.groupBy("customer_id", col("paid_at").dt.truncate("1d").alias("day")).agg(col("amount").sum().alias("paid")),
});

/** A feature set written by hand, so that its inputs and relation can be anything (cycles included). */
function handSet(name: string, inputs: () => Record<string, Definition>, rel: () => RelNode): FeatureSetDef {
  return {
    kind: "featureSet",
    name,
    keys: ["customer_id"],
    timestamp: "date",
    get inputs() {
      return inputs() as FeatureSetDef["inputs"];
    },
    buildRel: rel,
    definedAt: { file: `features/${name}.ts`, line: 7 },
  };
}

const names = (nodes: { def: { name: string } }[]) => nodes.map((n) => n.def.name);

describe("buildGraph", () => {
  it("adds the inputs a set reaches without them being passed", () => {
    const graph = buildGraph([yearly, dailyPayments]);
    expect([...graph.sets.keys()].sort()).toEqual(["g_daily_payments", "g_monthly", "g_quarterly", "g_yearly"]);
    expect([...graph.sources.keys()].sort()).toEqual(["g_accounts", "g_payments"]);
    expect(graph.sets.get("g_monthly")!.rel).toBe(monthly.buildRel());
  });

  it("accepts the same definition passed twice (exported under two names)", () => {
    const graph = buildGraph([monthly, monthly, accounts, quarterly]);
    expect([...graph.sets.keys()].sort()).toEqual(["g_monthly", "g_quarterly"]);
  });

  it("direct dependencies and sources of a set", () => {
    const graph = buildGraph([yearly, weekly]);
    expect(setDependencies(graph.sets.get("g_yearly")!)).toEqual(["g_quarterly"]);
    expect(setDependencies(graph.sets.get("g_monthly")!)).toEqual([]);
    expect(setSources(graph.sets.get("g_monthly")!)).toEqual(["g_accounts"]);
    expect(setSources(graph.sets.get("g_yearly")!)).toEqual([]);
  });

  it("rejects two different definitions with the same name, naming both files", () => {
    const a: Definition = { ...accounts, definedAt: { file: "features/a.ts", line: 3 } };
    const b: Definition = { ...payments, name: "g_accounts", definedAt: { file: "features/b.ts", line: 12 } };
    const error = thrown(() => buildGraph([a, b]));
    expect(error).toBeInstanceOf(DefinitionError);
    expect(error.message).toContain('the name "g_accounts" is defined twice');
    expect(error.message).toContain("features/a.ts:3 and features/b.ts:12");
  });

  it("rejects a set and a source sharing a name, also when the clash is only reached through inputs", () => {
    const clash = source({ // @clash
      name: "g_monthly",
      keys: ["customer_id"],
      timestamp: "date",
      columns: { customer_id: "bigint", date: "date" },
      backfill: { table: "raw.clash" },
    });
    const error = thrown(() => buildGraph([clash, quarterly]));
    expect(error).toBeInstanceOf(DefinitionError);
    expect(error.message).toContain('"g_monthly" is defined twice');
    expect(error.message).toContain(definitionSite(here, "clash").text);
    expect(error.message).toContain(`${monthly.definedAt!.file}:${monthly.definedAt!.line}`);
  });

  it("rejects a set that reads a source it did not declare as an input", () => {
    const sneaky = featureSet({ // @sneaky
      name: "g_sneaky",
      inputs: { accounts },
      keys: ["customer_id"],
      timestamp: "paid_at",
      build: () => new LazyFrame({ kind: "scan", source: "g_payments" }),
    });
    // g_payments is in the graph (another set declares it), but not among g_sneaky's inputs.
    const error = thrown(() => buildGraph([dailyPayments, sneaky]));
    expect(error).toBeInstanceOf(DefinitionError);
    expect((error as DefinitionError).where.set).toBe("g_sneaky");
    expect(error.message).toContain(definitionSite(here, "sneaky").text);
    expect(error.message).toContain('reads "g_payments", which is not one of its inputs (g_accounts)');
  });

  it("rejects a set that reads a source as if it were a set", () => {
    const confused = handSet("g_confused", () => ({ accounts }), () => ({ kind: "ref", set: "g_accounts" }));
    const error = thrown(() => buildGraph([confused]));
    expect(error).toBeInstanceOf(DefinitionError);
    expect(error.message).toContain('reads "g_accounts"');
    expect(error.message).toContain("features/g_confused.ts:7");
  });

  it("reports a build() that throws or returns something else, naming the set", () => {
    const throws = featureSet({
      name: "g_throws",
      inputs: { accounts },
      keys: ["customer_id"],
      timestamp: "date",
      build: () => {
        throw new Error("kaboom");
      },
    });
    const error = thrown(() => buildGraph([throws]));
    expect(error).toBeInstanceOf(DefinitionError);
    expect(error.message).toContain('feature set "g_throws"');
    expect(error.message).toContain("build() threw: kaboom");
    expect((error.cause as Error).message).toBe("kaboom");

    const notAFrame = featureSet({
      name: "g_not_a_frame",
      inputs: { accounts },
      keys: ["customer_id"],
      timestamp: "date",
      build: () => ({}) as LazyFrame,
    });
    expect(() => buildGraph([notAFrame])).toThrow(/feature set "g_not_a_frame".*must return a LazyFrame/);
  });

  it("rejects a dependency cycle, naming the cycle and where it starts", () => {
    const a: FeatureSetDef = handSet("cycle_a", () => ({ b }), () => ({ kind: "ref", set: "cycle_b" }));
    const b: FeatureSetDef = handSet("cycle_b", () => ({ c }), () => ({ kind: "ref", set: "cycle_c" }));
    const c: FeatureSetDef = handSet("cycle_c", () => ({ a }), () => ({ kind: "ref", set: "cycle_a" }));
    const tail: FeatureSetDef = handSet("cycle_tail", () => ({ a }), () => ({ kind: "ref", set: "cycle_a" }));
    const error = thrown(() => buildGraph([tail]));
    expect(error).toBeInstanceOf(DefinitionError);
    expect(error.message).toContain("dependency cycle: cycle_a -> cycle_b -> cycle_c -> cycle_a");
    expect(error.message).not.toContain("cycle_tail");
    expect((error as DefinitionError).where.set).toBe("cycle_a");
    expect(error.message).toContain("features/cycle_a.ts:7");
  });

  it("rejects a set that reads itself", () => {
    const self: FeatureSetDef = handSet("self_loop", () => ({ self }), () => ({ kind: "ref", set: "self_loop" }));
    expect(() => buildGraph([self])).toThrow("dependency cycle: self_loop -> self_loop");
  });
});

describe("selectSets", () => {
  const graph = buildGraph([yearly, weekly, dailyPayments]);

  it("returns the named sets with their dependencies, dependencies first", () => {
    expect(names(selectSets(graph, ["g_yearly"]))).toEqual(["g_monthly", "g_quarterly", "g_yearly"]);
    expect(names(selectSets(graph, ["g_quarterly"]))).toEqual(["g_monthly", "g_quarterly"]);
  });

  it("returns only the needed closure, each set once", () => {
    expect(names(selectSets(graph, ["g_weekly"]))).toEqual(["g_weekly"]);
    expect(names(selectSets(graph, ["g_quarterly", "g_monthly", "g_quarterly"]))).toEqual(["g_monthly", "g_quarterly"]);
    expect(names(selectSets(graph, ["g_daily_payments", "g_quarterly"]))).toEqual(["g_daily_payments", "g_monthly", "g_quarterly"]);
    expect(selectSets(graph, [])).toEqual([]);
  });

  it("rejects an unknown set with a UsageError listing the known sets", () => {
    const error = thrown(() => selectSets(graph, ["g_monthly", "g_montly"]));
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).exitCode).toBe(2);
    expect(error.message).toBe('unknown feature set "g_montly"; known sets: g_daily_payments, g_monthly, g_quarterly, g_weekly, g_yearly');
  });

  it("says none when there are no sets", () => {
    expect(() => selectSets(buildGraph([accounts]), ["x"])).toThrow('unknown feature set "x"; known sets: none');
  });
});

describe("loadFeatureGraph", () => {
  const temporary: string[] = [];
  afterAll(() => temporary.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

  it("loads the example feature modules", async () => {
    const graph = await loadFeatureGraph(path.resolve("features"));
    expect([...graph.sets.keys()].sort()).toEqual([
      "application_utilisation",
      "avg_monthly_revolving_balance",
      "daily_card_spend",
      "days_since_overdraft",
      "monthly_card_spend",
      "quarterly_revolving_balance_trend",
      "revolving_balance_change",
      "rolling_card_spend",
      "weekly_overdraft_activity",
    ]);
    expect([...graph.sources.keys()].sort()).toEqual(["card_transactions", "credit_applications", "customer_accounts"]);
  });

  it("reports a module that throws on import as a DefinitionError naming the module", async () => {
    const error = await rejected(loadFeatureGraph(fixture("throwing-module")));
    expect(error).toBeInstanceOf(DefinitionError);
    expect((error as DefinitionError).exitCode).toBe(4);
    expect(error.message).toContain("feature module test/fixtures/throwing-module/broken.ts failed to load");
    expect(error.message).toContain("fixture module exploded on import");
    expect((error.cause as Error).message).toBe("fixture module exploded on import");
  });

  it("passes a DefinitionError thrown by a definition through, with its set and line", async () => {
    const error = await rejected(loadFeatureGraph(fixture("definition-error-module")));
    expect(error).toBeInstanceOf(DefinitionError);
    const site = definitionSite(fixtureUrl("definition-error-module/bad-set.ts"), "no-keys");
    expect((error as DefinitionError).where).toEqual({ set: "no_keys", at: { file: site.file, line: site.line } });
    expect(error.message).toBe(`feature set "no_keys" (${site.text}): \`keys\` must name at least one entity key column`);
  });

  it("reports the same name defined in two modules, naming both files and lines", async () => {
    const error = await rejected(loadFeatureGraph(fixture("duplicate-names")));
    expect(error).toBeInstanceOf(DefinitionError);
    const a = definitionSite(fixtureUrl("duplicate-names/a.ts"), "dup-a");
    const b = definitionSite(fixtureUrl("duplicate-names/b.ts"), "dup-b");
    expect(error.message).toContain(`"same_name" is defined twice (${a.text} and ${b.text})`);
  });

  it("imports modules in subdirectories but not test files, specs, declarations or other files", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "fb-load-"));
    temporary.push(dir);
    const def = (name: string) =>
      `export const def = { kind: "source", name: ${JSON.stringify(name)}, keys: ["id"], timestamp: "at", ` +
      `columns: { id: "bigint", at: "date" }, backfill: { table: "t" } };\n`;
    const boom = (what: string) => `throw new Error(${JSON.stringify(`${what} must not be imported`)});\nexport {};\n`;
    mkdirSync(path.join(dir, "nested"));
    writeFileSync(path.join(dir, "top.ts"), def("tmp_top"));
    writeFileSync(path.join(dir, "nested", "inner.mts"), def("tmp_inner"));
    writeFileSync(path.join(dir, "plain.js"), def("tmp_js"));
    writeFileSync(path.join(dir, "top.test.ts"), boom("a test file"));
    writeFileSync(path.join(dir, "nested", "inner.test.mts"), boom("a nested test file"));
    writeFileSync(path.join(dir, "top.spec.ts"), boom("a spec file"));
    writeFileSync(path.join(dir, "types.d.ts"), boom("a declaration file"));
    writeFileSync(path.join(dir, "README.md"), "# not a module\n");
    writeFileSync(path.join(dir, "data.json"), "{ not json");

    const graph = await loadFeatureGraph(dir);
    expect([...graph.sources.keys()].sort()).toEqual(["tmp_inner", "tmp_js", "tmp_top"]);
    expect(graph.sets.size).toBe(0);
  });

  it("reports a missing directory as a ConfigError", async () => {
    const error = await rejected(loadFeatureGraph(path.join(os.tmpdir(), "fb-no-such-dir-7f3a")));
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).exitCode).toBe(3);
    expect(error.message).toContain("fb-no-such-dir-7f3a");
    expect(error.message).toContain("ENOENT");
  });
});

describe("names are unique ignoring case, as warehouses compare them", () => {
  it("two definitions whose names differ only in case are rejected", () => {
    const upper = featureSet({ ...{ name: "G_MONTHLY", inputs: { accounts }, keys: ["customer_id"], timestamp: "date" }, build: ({ accounts }) => accounts });
    expect(() => buildGraph([monthly, upper])).toThrow(/the names "g_monthly" and "G_MONTHLY" are defined twice .* unique, ignoring case/);
  });

  it("output columns and source columns that differ only in case are rejected", () => {
    const clash = featureSet({
      name: "g_case_clash",
      inputs: { accounts },
      keys: ["customer_id"],
      timestamp: "date",
      build: ({ accounts }) => accounts.groupBy("customer_id", "date").agg(col("balance").sum().alias("Balance"), col("balance").max()),
    });
    expect(() => typeGraph(buildGraph([clash]))).toThrow(/column "balance" is produced twice \(as "Balance", ignoring case\)/);
    expect(() =>
      source({ name: "g_bad", keys: ["id"], timestamp: "ts", columns: { id: "bigint", ts: "date", Id: "bigint" }, backfill: { table: "t" } }),
    ).toThrow(/columns "id" and "Id" differ only in case/);
  });
});
