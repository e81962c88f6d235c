import { mkdir, symlink, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cli } from "../support/run-cli.ts";
import { makeWarehouse, REPO, type TestWarehouse } from "../support/warehouse.ts";
import { col, featureSet, source } from "../../src/dsl/index.ts";
import { definitionHash } from "../../src/graph/definition-hash.ts";
import { buildGraph } from "../../src/graph/feature-graph.ts";
import { resolveSelection, type SelectionRequest } from "../../src/graph/selection.ts";
import type { FeatureSetDef } from "../../src/ir/definitions.ts";
import { UsageError } from "../../src/errors.ts";

const accounts = source({
  name: "s_accounts",
  keys: ["customer_id"],
  timestamp: "date",
  columns: { customer_id: "bigint", date: "date", balance: "double" },
  backfill: { table: "raw.accounts" },
});
const monthlyOf = (name: string, tags?: string[]) =>
  featureSet({
    name,
    inputs: { accounts },
    keys: ["customer_id"],
    timestamp: "date",
    ...(tags ? { tags } : {}),
    build: ({ accounts }) => accounts.groupBy("customer_id", col("date").dt.truncate("1mo").alias("date")).agg(col("balance").mean().alias("b")),
  });
const readerOf = (name: string, input: FeatureSetDef, tags?: string[]) =>
  featureSet({
    name,
    inputs: { input },
    keys: ["customer_id"],
    timestamp: "date",
    ...(tags ? { tags } : {}),
    build: ({ input }) => input.groupBy("customer_id", col("date").dt.truncate("1q").alias("date")).agg(col("b").max().alias("m")),
  });

// card_spend      (daily)          monthly_balance (daily, risk) -> quarterly_balance -> yearly_balance (risk)
// atm_spend       (weekly)                                        -> balance_trend (daily)
const cardSpend = monthlyOf("card_spend", ["daily"]);
const atmSpend = monthlyOf("atm_spend", ["weekly"]);
const monthly = monthlyOf("monthly_balance", ["daily", "risk"]);
const quarterly = readerOf("quarterly_balance", monthly);
const yearly = readerOf("yearly_balance", quarterly, ["risk"]);
const trend = readerOf("balance_trend", monthly, ["daily"]);
const graph = buildGraph([accounts, yearly, trend, cardSpend, atmSpend, quarterly]);

describe("resolveSelection", () => {
  const cases: [string, SelectionRequest, string[]][] = [
    ["a name", { select: ["card_spend"] }, ["card_spend"]],
    ["--set, as before", { sets: ["quarterly_balance"] }, ["quarterly_balance"]],
    ["a glob", { select: ["*_spend"] }, ["atm_spend", "card_spend"]],
    ["a one-character glob", { select: ["???_spend"] }, ["atm_spend"]],
    ["a tag, in dependency order (then by name)", { select: ["tag:daily"] }, ["monthly_balance", "balance_trend", "card_spend"]],
    ["upstream", { select: ["+yearly_balance"] }, ["monthly_balance", "quarterly_balance", "yearly_balance"]],
    ["downstream", { select: ["monthly_balance+"] }, ["monthly_balance", "balance_trend", "quarterly_balance", "yearly_balance"]],
    ["both ways", { select: ["+quarterly_balance+"] }, ["monthly_balance", "quarterly_balance", "yearly_balance"]],
    ["upstream of a tag", { select: ["+tag:risk"] }, ["monthly_balance", "quarterly_balance", "yearly_balance"]],
    ["a union of repeats", { select: ["tag:weekly", "yearly_balance"] }, ["atm_spend", "yearly_balance"]],
    ["a union in one value", { select: ["tag:weekly yearly_balance"] }, ["atm_spend", "yearly_balance"]],
    ["--set and --select together", { sets: ["card_spend"], select: ["tag:weekly"] }, ["atm_spend", "card_spend"]],
    ["an exclusion", { select: ["monthly_balance+"], exclude: ["tag:risk"] }, ["balance_trend", "quarterly_balance"]],
    ["an exclusion of what follows", { select: ["tag:daily"], exclude: ["monthly_balance+"] }, ["card_spend"]],
    ["--all", { all: true }, ["atm_spend", "monthly_balance", "balance_trend", "card_spend", "quarterly_balance", "yearly_balance"]],
    ["--all with an exclusion", { all: true, exclude: ["*balance*"] }, ["atm_spend", "card_spend"]],
    ["an exclusion alone excludes from all", { exclude: ["*_spend", "+yearly_balance"] }, ["balance_trend"]],
  ];
  it.each(cases)("%s", (_, request, expected) => {
    expect(resolveSelection(graph, request, "all")).toEqual(expected);
  });

  it("selects every set by default only where the command allows it", () => {
    expect(resolveSelection(graph, {}, "all")).toHaveLength(6);
    expect(() => resolveSelection(graph, {}, "error")).toThrow(/say which feature sets: --set NAME, --select SELECTOR .* or --all/);
  });

  const errors: [string, SelectionRequest, RegExp][] = [
    ["an unknown name", { select: ["card_spnd"] }, /--select "card_spnd" matches no feature set; known sets: atm_spend, balance_trend, card_spend,/],
    ["an unknown tag", { select: ["tag:hourly"] }, /--select "tag:hourly" matches no feature set; known tags: daily, risk, weekly$/],
    ["an exclusion matching nothing", { all: true, exclude: ["nope*"] }, /--exclude "nope\*" matches no feature set/],
    ["an unknown --set", { sets: ["nope"] }, /unknown feature set "nope"; known sets: /],
    ["an empty selector", { select: ["+"] }, /--select "\+": expected a set name, a glob or tag:NAME/],
    ["everything excluded", { select: ["card_spend"], exclude: ["*"] }, /the selection is empty/],
    ["--all with --select", { all: true, select: ["card_spend"] }, /give --all or --select\/--set, not both/],
  ];
  it.each(errors)("refuses %s, naming it", (_, request, message) => {
    const error = (() => {
      try {
        resolveSelection(graph, request, "all");
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toMatch(message);
  });

  it("treats glob characters other than * and ? literally", () => {
    const dotted = buildGraph([accounts, monthlyOf("a.b"), monthlyOf("axb")]);
    expect(resolveSelection(dotted, { select: ["a.b"] }, "all")).toEqual(["a.b"]);
  });
});

describe("tags", () => {
  it("do not enter the definition hash", () => {
    const tagged = buildGraph([accounts, monthlyOf("h_set", ["daily", "risk"])]);
    const untagged = buildGraph([accounts, monthlyOf("h_set")]);
    expect(definitionHash(tagged, "h_set")).toBe(definitionHash(untagged, "h_set"));
  });

  it("must be words", () => {
    expect(() => monthlyOf("t_bad", ["two words"])).toThrow(/`tags` must be words/);
  });
});

describe("run over several sets", () => {
  let warehouse: TestWarehouse;
  beforeAll(async () => {
    warehouse = await makeWarehouse({ data: { customers: 5, from: "2025-05-01", days: 60, transactionsPerCustomer: 2 } });
    await mkdir(path.join(warehouse.dir, "node_modules"));
    await symlink(REPO, path.join(warehouse.dir, "node_modules/feature-backfill"), "dir");
    await writeFile(path.join(warehouse.dir, "package.json"), JSON.stringify({ type: "module" }));
    await mkdir(path.join(warehouse.dir, "features"));
    // a_fails fails inside the warehouse for June (it casts the account type to a number); b_reads reads it.
    await writeFile(
      path.join(warehouse.dir, "features/features.ts"),
      `import { col, featureSet, lit, source, when } from "feature-backfill";
export const accounts = source({ name: "r_accounts", keys: ["customer_id"], timestamp: "date",
  columns: { customer_id: "bigint", date: "date", balance: "double", account_type: "varchar" }, backfill: { table: "raw.customer_accounts" } });
export const aFails = featureSet({ name: "a_fails", tags: ["daily"], inputs: { accounts }, keys: ["customer_id"], timestamp: "date",
  build: ({ accounts }) => accounts.withColumns(when(col("date").ge(lit("2025-06-01", "date"))).then(col("account_type").cast("bigint")).otherwise(1).alias("bad"))
    .groupBy("customer_id", "date").agg(col("bad").sum().alias("bad_sum")) });
export const bReads = featureSet({ name: "b_reads", tags: ["daily"], inputs: { aFails }, keys: ["customer_id"], timestamp: "date",
  build: ({ aFails }) => aFails.select("customer_id", "date", col("bad_sum").mul(2).alias("twice")) });
export const cOther = featureSet({ name: "c_other", tags: ["daily"], inputs: { accounts }, keys: ["customer_id"], timestamp: "date",
  build: ({ accounts }) => accounts.groupBy("customer_id", "date").agg(col("balance").sum().alias("total")) });
`,
    );
    await writeFile(warehouse.configPath, JSON.stringify({ features: "features", duckdb: { path: "warehouse.duckdb", threads: 2 }, offlineStore: { schema: "features", table: "{set}" } }));
  });
  afterAll(() => warehouse?.cleanup());
  const window = ["--start", "2025-05-01", "--end", "2025-07-01", "--chunk", "1mo", "--retries", "0", "--config"];
  const written = async () =>
    (await warehouse.query("SELECT feature_set || ' ' || strftime(chunk_start, '%m') || ' ' || status AS c FROM features.feature_backfill_ledger ORDER BY finished_at")).map((r) => r.c);

  it("runs in dependency order; a failure stops the run, and the summary names the sets not run", async () => {
    const { code, stderr } = await cli("run", "--select", "tag:daily", ...window, warehouse.configPath);
    expect(code).toBe(5);
    expect(stderr).toContain("sets with failed chunks: a_fails\nnot run: b_reads, c_other (a run stops at its first failure; --keep-going writes the others)\n");
    expect(await written()).toEqual(["a_fails 05 succeeded", "a_fails 06 failed"]);
  });

  it("with --keep-going, writes the others (each reads the sources itself) and names the failed set", async () => {
    await warehouse.exec("DELETE FROM features.feature_backfill_ledger");
    const { code, stderr } = await cli("run", "--select", "tag:daily", "--keep-going", ...window, warehouse.configPath);
    expect(code).toBe(7);
    expect(stderr).toContain("sets with failed chunks: a_fails, b_reads\n");
    expect(await written()).toEqual(["a_fails 05 succeeded", "a_fails 06 failed", "b_reads 05 succeeded", "b_reads 06 failed", "c_other 05 succeeded", "c_other 06 succeeded"]);
  });
});

describe("validate, describe and graph take the selection", () => {
  let warehouse: TestWarehouse;
  beforeAll(async () => {
    warehouse = await makeWarehouse({ data: null });
  });
  afterAll(() => warehouse?.cleanup());

  it("graph: a set with what it reads and what reads it", async () => {
    const { code, stdout } = await cli("graph", "--select", "avg_monthly_revolving_balance+", "--config", warehouse.configPath);
    expect(code).toBe(0);
    expect(stdout.match(/\["([a-z_]+)"\]/g)).toEqual(['["avg_monthly_revolving_balance"]', '["quarterly_revolving_balance_trend"]', '["revolving_balance_change"]']);
  });

  it("describe: every set of a tag, as a JSON array; one set stays one object", async () => {
    const many = await cli("describe", "--select", "tag:monthly", "--exclude", "*trend", "--format", "json", "--config", warehouse.configPath);
    expect(many.code).toBe(0);
    expect(JSON.parse(many.stdout).map((d: { name: string }) => d.name)).toEqual(["avg_monthly_revolving_balance", "monthly_card_spend"]);
    const one = await cli("describe", "--set", "monthly_card_spend", "--format", "json", "--config", warehouse.configPath);
    expect(JSON.parse(one.stdout).name).toBe("monthly_card_spend");
  });

  it("validate: the selected sets only", async () => {
    const { code, stdout } = await cli("validate", "--select", "tag:spend", "--format", "json", "--config", warehouse.configPath);
    expect(code).toBe(0);
    expect(JSON.parse(stdout).sets.map((s: { name: string }) => s.name)).toEqual(["daily_card_spend", "monthly_card_spend", "rolling_card_spend"]);
  });
});
