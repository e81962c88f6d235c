import { describe, expect, it } from "vitest";
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
