import { describe, it, expect } from "vitest";
import { col, featureSet, len, lit, source, when } from "../../src/dsl/index.ts";
import { buildGraph } from "../../src/graph/feature-graph.ts";
import { typeGraph } from "../../src/passes/type-pass.ts";
import { DefinitionError } from "../../src/errors.ts";
import type { FeatureSetDef } from "../../src/ir/definitions.ts";
import { definitionSite, thrown } from "./source-lines.ts";

const here = import.meta.url;

const accounts = source({ // @accounts-source
  name: "accounts",
  keys: ["customer_id"],
  timestamp: "date",
  columns: {
    customer_id: "bigint",
    date: "date",
    ts: "timestamp",
    balance: "double",
    n: "integer",
    amount_cents: "bigint",
    account_type: "varchar",
    flag: "boolean",
  },
  backfill: { table: "raw.accounts" },
});

const schemaOf = (set: FeatureSetDef, ...more: FeatureSetDef[]) =>
  typeGraph(buildGraph([set, ...more])).get(set.name)!.schema.map((c) => [c.name, c.type]);

/** The error a set's typing throws, checked to name the set, the column and this file's line. */
function definitionError(
  set: FeatureSetDef,
  marker: string,
  column: string | undefined,
  detail: RegExp,
): DefinitionError {
  const error = thrown(() => typeGraph(buildGraph([set])));
  expect(error).toBeInstanceOf(DefinitionError);
  const e = error as DefinitionError;
  const site = definitionSite(here, marker);
  expect(e.exitCode).toBe(4);
  expect(e.where.set).toBe(set.name);
  expect(e.where.at).toEqual({ file: site.file, line: site.line });
  expect(e.where.column).toBe(column);
  expect(e.message).toContain(`feature set "${set.name}"`);
  expect(e.message).toContain(site.text);
  if (column !== undefined) expect(e.message).toContain(`"${column}"`);
  expect(e.detail).toMatch(detail);
  return e;
}

describe("typeGraph infers output schemas", () => {
  it("keys first, then the timestamp, then features in their own order", () => {
    const set = featureSet({
      name: "monthly",
      inputs: { accounts },
      keys: ["customer_id"],
      timestamp: "month",
      build: ({ accounts }) =>
        accounts
          .groupBy("customer_id", col("date").dt.truncate("1mo").alias("month"))
          .agg(
            col("amount_cents").sum().alias("sum_cents"),
            col("n").sum().alias("sum_n"),
            col("balance").sum().alias("sum_balance"),
            col("balance").mean().alias("mean_balance"),
            col("n").mean().alias("mean_n"),
            col("balance").std().alias("std_balance"),
            col("amount_cents").sum().div(len()).alias("avg_cents"),
            col("account_type").count().alias("typed_rows"),
            len().alias("rows"),
            col("ts").max().alias("last_ts"),
            col("ts").dt.truncate("1d").min().alias("first_day_ts"),
            col("account_type").max().alias("max_type"),
            col("n").min().alias("min_n"),
          )
          // Reorder on purpose: the output schema puts keys and timestamp first anyway.
          .select("sum_cents", "month", "sum_n", "customer_id", "sum_balance", "mean_balance", "mean_n", "std_balance", "avg_cents", "typed_rows", "rows", "last_ts", "first_day_ts", "max_type", "min_n"),
    });
    expect(schemaOf(set)).toEqual([
      ["customer_id", "bigint"],
      ["month", "date"], // truncating a date keeps a date
      ["sum_cents", "bigint"],
      ["sum_n", "bigint"], // sum of integer widens to bigint
      ["sum_balance", "double"],
      ["mean_balance", "double"],
      ["mean_n", "double"],
      ["std_balance", "double"],
      ["avg_cents", "double"], // division is true division
      ["typed_rows", "bigint"],
      ["rows", "bigint"],
      ["last_ts", "timestamp"],
      ["first_day_ts", "timestamp"], // truncating a timestamp keeps a timestamp
      ["max_type", "varchar"],
      ["min_n", "integer"],
    ]);
  });

  it("row-wise expressions: promotion, CASE, fillNull, casts, comparisons", () => {
    const set = featureSet({
      name: "rowwise",
      inputs: { accounts },
      keys: "customer_id",
      timestamp: "ts",
      build: ({ accounts }) =>
        accounts.select(
          "customer_id",
          "ts",
          col("n").add(1).alias("n_plus_1"),
          col("n").add(col("amount_cents")).alias("int_plus_big"),
          col("n").mul(0.5).alias("int_times_double"),
          col("n").div(2).alias("int_div"),
          col("amount_cents").mod(7).alias("big_mod"),
          col("balance").neg().alias("neg_balance"),
          col("balance").gt(0).alias("positive"),
          col("date").lt(col("ts")).alias("date_before_ts"),
          col("date").ge(lit("2025-01-01", "date")).alias("since_2025"),
          when(col("balance").gt(0)).then(1).otherwise(2.5).alias("case_double"),
          when(col("flag")).then(lit("yes")).alias("case_no_else"),
          col("balance").fillNull(0).alias("balance_or_zero"),
          col("n").fillNull(lit(null)).alias("n_or_null"),
          col("balance").cast("bigint").alias("balance_big"),
          col("flag").isNull().alias("flag_missing"),
          col("date").dt.truncate("1q", { label: "right" }).alias("quarter_end"),
        ),
    });
    expect(schemaOf(set)).toEqual([
      ["customer_id", "bigint"],
      ["ts", "timestamp"],
      ["n_plus_1", "integer"],
      ["int_plus_big", "bigint"],
      ["int_times_double", "double"],
      ["int_div", "double"],
      ["big_mod", "bigint"],
      ["neg_balance", "double"],
      ["positive", "boolean"],
      ["date_before_ts", "boolean"],
      ["since_2025", "boolean"],
      ["case_double", "double"],
      ["case_no_else", "varchar"],
      ["balance_or_zero", "double"],
      ["n_or_null", "integer"],
      ["balance_big", "bigint"],
      ["flag_missing", "boolean"],
      ["quarter_end", "date"],
    ]);
  });

  it("withColumns replaces same-named columns in place and appends new ones", () => {
    const set = featureSet({
      name: "with_columns",
      inputs: { accounts },
      keys: ["customer_id"],
      timestamp: "date",
      build: ({ accounts }) =>
        accounts
          .withColumns(col("balance").cast("integer"), col("n").gt(0).alias("has_n"))
          .select("balance", "has_n", "date", "customer_id", "account_type"),
    });
    expect(schemaOf(set)).toEqual([
      ["customer_id", "bigint"],
      ["date", "date"],
      ["balance", "integer"],
      ["has_n", "boolean"],
      ["account_type", "varchar"],
    ]);
    const typed = typeGraph(buildGraph([set])).get("with_columns")!;
    // The withColumns node keeps every input column, in the input's order, with balance retyped.
    const wc = [...typed.relSchemas].find(([rel]) => rel.kind === "withColumns")![1];
    expect(wc.map((c) => `${c.name}:${c.type}`)).toEqual([
      "customer_id:bigint",
      "date:date",
      "ts:timestamp",
      "balance:integer",
      "n:integer",
      "amount_cents:bigint",
      "account_type:varchar",
      "flag:boolean",
      "has_n:boolean",
    ]);
  });

  it("a set on a set sees the upstream set's output schema", () => {
    const monthly = featureSet({
      name: "monthly_sum",
      inputs: { accounts },
      keys: ["customer_id"],
      timestamp: "date",
      build: ({ accounts }) =>
        accounts.groupBy("customer_id", col("date").dt.truncate("1mo").alias("date")).agg(col("n").sum().alias("total")),
    });
    const quarterly = featureSet({
      name: "quarterly_mean",
      inputs: { monthly },
      keys: ["customer_id"],
      timestamp: "date",
      build: ({ monthly }) =>
        monthly
          .groupBy("customer_id", col("date").dt.truncate("1q", { label: "right" }).alias("date"))
          .agg(col("total").mean().alias("mean_total"), col("total").max().alias("max_total")),
    });
    expect(schemaOf(quarterly)).toEqual([
      ["customer_id", "bigint"],
      ["date", "date"],
      ["mean_total", "double"],
      ["max_total", "bigint"], // max of the upstream sum (bigint) stays bigint
    ]);
  });

  it("types only the requested sets and their dependencies", () => {
    const good = featureSet({
      name: "good",
      inputs: { accounts },
      keys: ["customer_id"],
      timestamp: "date",
      build: ({ accounts }) => accounts.select("customer_id", "date", "balance"),
    });
    const broken = featureSet({
      name: "broken",
      inputs: { accounts },
      keys: ["customer_id"],
      timestamp: "date",
      build: ({ accounts }) => accounts.select("customer_id", "date", "no_such_column"),
    });
    const graph = buildGraph([good, broken]);
    expect([...typeGraph(graph, ["good"]).keys()]).toEqual(["good"]);
    expect(() => typeGraph(graph)).toThrow(DefinitionError);
  });
});

describe("typeGraph reports definition errors with the set, the column and the file", () => {
  it("an unknown column", () => {
    const set = featureSet({ // @unknown-column
      name: "uses_missing",
      inputs: { accounts },
      keys: ["customer_id"],
      timestamp: "date",
      build: ({ accounts }) => accounts.filter(col("balanse").gt(0)),
    });
    const e = definitionError(set, "unknown-column", "balanse", /unknown column "balanse"/);
    expect(e.detail).toContain("balance"); // lists what is available
  });

  it("mean() of a varchar column", () => {
    const set = featureSet({ // @mean-varchar
      name: "mean_of_text",
      inputs: { accounts },
      keys: ["customer_id"],
      timestamp: "date",
      build: ({ accounts }) => accounts.groupBy("customer_id", "date").agg(col("account_type").mean().alias("avg_type")),
    });
    // The output column is named as the error's column; the message also quotes the column read.
    definitionError(set, "mean-varchar", "avg_type", /cannot take mean\(\) of varchar column "account_type"/);
    expect(thrown(() => typeGraph(buildGraph([set]))).message).toContain(`column "avg_type": cannot take mean() of varchar column "account_type"`);
  });

  it("an output lacking its declared key", () => {
    const set = featureSet({ // @missing-key
      name: "lacks_key",
      inputs: { accounts },
      keys: ["account_id"],
      timestamp: "date",
      build: ({ accounts }) => accounts.select("customer_id", "date", "balance"),
    });
    definitionError(set, "missing-key", "account_id", /lacks its key column "account_id"/);
  });

  it("an output lacking its declared timestamp", () => {
    const set = featureSet({ // @missing-ts
      name: "lacks_timestamp",
      inputs: { accounts },
      keys: ["customer_id"],
      timestamp: "month",
      build: ({ accounts }) => accounts.groupBy("customer_id").agg(col("balance").mean().alias("avg")),
    });
    definitionError(set, "missing-ts", "month", /lacks its timestamp column "month"/);
  });

  it("a timestamp that is not a date or timestamp", () => {
    const set = featureSet({ // @non-temporal-ts
      name: "numeric_timestamp",
      inputs: { accounts },
      keys: ["customer_id"],
      timestamp: "balance",
      build: ({ accounts }) => accounts.select("customer_id", "balance"),
    });
    definitionError(set, "non-temporal-ts", "balance", /is double; it must be a date or timestamp/);
  });

  it("a bare column inside agg()", () => {
    const set = featureSet({ // @bare-in-agg
      name: "bare_column_in_agg",
      inputs: { accounts },
      keys: ["customer_id"],
      timestamp: "date",
      build: ({ accounts }) => accounts.groupBy("customer_id", "date").agg(col("balance").mean().alias("avg"), col("n")),
    });
    definitionError(set, "bare-in-agg", "n", /column "n" is used in agg\(\) outside an aggregation/);
  });

  it("duplicate output names", () => {
    const set = featureSet({ // @duplicate-output
      name: "duplicate_output",
      inputs: { accounts },
      keys: ["customer_id"],
      timestamp: "date",
      build: ({ accounts }) => accounts.select("customer_id", "date", "balance", col("n").alias("balance")),
    });
    definitionError(set, "duplicate-output", "balance", /produced twice/);
  });

  it("a group key and an aggregate with the same name", () => {
    const set = featureSet({ // @duplicate-agg
      name: "duplicate_agg",
      inputs: { accounts },
      keys: ["customer_id"],
      timestamp: "date",
      build: ({ accounts }) => accounts.groupBy("customer_id", "date").agg(col("date").max()),
    });
    definitionError(set, "duplicate-agg", "date", /produced twice/);
  });

  it("an always-null column", () => {
    const set = featureSet({ // @always-null
      name: "null_column",
      inputs: { accounts },
      keys: ["customer_id"],
      timestamp: "date",
      build: ({ accounts }) => accounts.select("customer_id", "date", lit(null).alias("nothing")),
    });
    definitionError(set, "always-null", "nothing", /always null/);
  });

  it("an untyped null becomes typed by a cast", () => {
    const set = featureSet({
      name: "cast_null",
      inputs: { accounts },
      keys: ["customer_id"],
      timestamp: "date",
      build: ({ accounts }) => accounts.select("customer_id", "date", lit(null).cast("double").alias("nothing")),
    });
    expect(schemaOf(set)).toEqual([
      ["customer_id", "bigint"],
      ["date", "date"],
      ["nothing", "double"],
    ]);
  });

  it("a non-boolean filter", () => {
    const set = featureSet({ // @non-boolean-filter
      name: "numeric_filter",
      inputs: { accounts },
      keys: ["customer_id"],
      timestamp: "date",
      build: ({ accounts }) => accounts.filter(col("balance")),
    });
    definitionError(set, "non-boolean-filter", undefined, /filter\(\) needs a boolean expression, got double/);
  });

  it("an error in an upstream set names the upstream set", () => {
    const upstream = featureSet({ // @upstream-broken
      name: "upstream_broken",
      inputs: { accounts },
      keys: ["customer_id"],
      timestamp: "date",
      build: ({ accounts }) => accounts.select("customer_id", "date", col("nope")),
    });
    const downstream = featureSet({
      name: "downstream_of_broken",
      inputs: { upstream },
      keys: ["customer_id"],
      timestamp: "date",
      build: ({ upstream }) => upstream.select("customer_id", "date"),
    });
    const error = thrown(() => typeGraph(buildGraph([downstream]), ["downstream_of_broken"]));
    expect(error).toBeInstanceOf(DefinitionError);
    expect((error as DefinitionError).where.set).toBe("upstream_broken");
    expect(error.message).toContain(definitionSite(here, "upstream-broken").text);
  });

  it("a timestamp listed among the keys, or a key listed twice, is rejected where the set is defined", () => {
    const define = (keys: string[]) => () =>
      featureSet({
        name: "bad_keys",
        inputs: { accounts },
        keys,
        timestamp: "date",
        build: ({ accounts }) => accounts.select("customer_id", "date", "balance"),
      });
    expect(define(["customer_id", "date"])).toThrow(/feature set "bad_keys" .*"date" is the timestamp; do not list it among the keys/);
    expect(define(["customer_id", "customer_id"])).toThrow(/key "customer_id" is listed twice/);
  });
});

/**
 * Errors found inside expressions. Each names the set, the file and the output column being computed.
 */
const expressionErrors: { set: FeatureSetDef; marker: string; column: string; detail: RegExp }[] = [
  {
    set: featureSet({ // @compare-mixed
      name: "compare_text_number",
      inputs: { accounts },
      keys: ["customer_id"],
      timestamp: "date",
      build: ({ accounts }) => accounts.filter(col("account_type").eq(1)),
    }),
    marker: "compare-mixed",
    column: "account_type",
    detail: /cannot compare varchar with integer in eq\(\)/,
  },
  {
    set: featureSet({ // @agg-outside
      name: "sum_in_select",
      inputs: { accounts },
      keys: ["customer_id"],
      timestamp: "date",
      build: ({ accounts }) => accounts.select("customer_id", "date", col("balance").sum().alias("total")),
    }),
    marker: "agg-outside",
    column: "total",
    detail: /sum\(\) is an aggregation: use it inside groupBy/,
  },
  {
    set: featureSet({ // @agg-in-filter
      name: "sum_in_filter",
      inputs: { accounts },
      keys: ["customer_id"],
      timestamp: "date",
      build: ({ accounts }) => accounts.filter(col("balance").sum().gt(0)),
    }),
    marker: "agg-in-filter",
    column: "balance",
    detail: /sum\(\) is an aggregation/,
  },
  {
    set: featureSet({ // @nested-agg
      name: "nested_agg",
      inputs: { accounts },
      keys: ["customer_id"],
      timestamp: "date",
      build: ({ accounts }) => accounts.groupBy("customer_id", "date").agg(col("balance").sum().max().alias("m")),
    }),
    marker: "nested-agg",
    column: "m",
    detail: /sum\(\) is nested inside another aggregation/,
  },
  {
    set: featureSet({ // @varchar-arith
      name: "text_plus_one",
      inputs: { accounts },
      keys: ["customer_id"],
      timestamp: "date",
      build: ({ accounts }) => accounts.select("customer_id", "date", col("account_type").add(1).alias("x")),
    }),
    marker: "varchar-arith",
    column: "x",
    detail: /add\(\) needs numeric operands, got varchar and integer/,
  },
  {
    set: featureSet({ // @truncate-number
      name: "truncate_number",
      inputs: { accounts },
      keys: ["customer_id"],
      timestamp: "date",
      build: ({ accounts }) => accounts.select("customer_id", "date", col("balance").dt.truncate("1mo").alias("x")),
    }),
    marker: "truncate-number",
    column: "x",
    detail: /dt\.truncate\(\) needs a date or timestamp, got double/,
  },
  {
    set: featureSet({ // @case-mixed
      name: "case_mixed",
      inputs: { accounts },
      keys: ["customer_id"],
      timestamp: "date",
      build: ({ accounts }) => accounts.select("customer_id", "date", when(col("flag")).then(lit("a")).otherwise(0).alias("x")),
    }),
    marker: "case-mixed",
    column: "x",
    detail: /when\/then\/otherwise mixes varchar and integer/,
  },
];

describe("typeGraph reports expression errors with the set and the file", () => {
  it.each(expressionErrors.map((c) => [c.set.name, c] as const))("%s", (_, c) => {
    definitionError(c.set, c.marker, c.column, c.detail);
  });

  it.each(expressionErrors.map((c) => [c.set.name, c] as const))("%s: the message names the column", (_, c) => {
    const error = thrown(() => typeGraph(buildGraph([c.set])));
    expect(error.message).toContain(`"${c.column}"`);
  });
});

describe("definitions capture where they were written", () => {
  it("source() and featureSet() record this file and the line of the call", () => {
    const site = definitionSite(here, "accounts-source");
    expect(accounts.definedAt).toEqual({ file: "test/unit/type-pass.test.ts", line: site.line });
  });
});
