import { readFileSync } from "node:fs";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { cli } from "../support/run-cli.ts";
import { REPO } from "../support/warehouse.ts";

const CONFIG = path.join(REPO, "features.config.json");

describe("feature-backfill describe", () => {
  it("shows columns, keys, inputs, read ranges, the offline table and the hash", async () => {
    const { code, stdout, stderr } = await cli("describe", "--set", "avg_monthly_revolving_balance", "--config", CONFIG);
    expect(stderr).toBe("");
    expect(code).toBe(0);
    expect(stdout).toMatch(
      new RegExp(
        [
          "^avg_monthly_revolving_balance",
          "  Mean daily revolving balance per customer and calendar month \\(labelled with the month's first day\\)\\.",
          "",
          "defined at       features/balances\\.ts:10",
          "keys             customer_id",
          "timestamp        date",
          "columns",
          "  customer_id                    bigint  key",
          "  date                           date    timestamp",
          "  avg_monthly_revolving_balance  double  feature",
          "inputs           customer_accounts \\(source\\)",
          "reads",
          "  customer_accounts \\(raw\\.customer_accounts\\): whole months starting in the window: \\[ceil_month\\(start\\), ceil_month\\(end\\)\\)",
          // Numeric columns are read through a cast to their declared type, whatever the warehouse stores.
          "    read through a cast to the declared type: customer_id bigint, account_id bigint, balance double",
          "offline table    features\\.avg_monthly_revolving_balance",
          "definition hash  [0-9a-f]{64}\n$",
        ].join("\n"),
      ),
    );
  });

  it("--format json, with --start/--end: a set on a set reads whole quarters, ending in the window", async () => {
    const { code, stdout } = await cli(
      "describe", "--set", "quarterly_revolving_balance_trend", "--config", CONFIG, "--format", "json", "--start", "2025-01-01", "--end", "2025-07-01",
    );
    expect(code).toBe(0);
    const d = JSON.parse(stdout);
    expect(d.inputs).toEqual([{ name: "avg_monthly_revolving_balance", kind: "featureSet" }]);
    // The window holds the rows dated 2025-01-01 and 2025-04-01, which summarise Q4 2024 and Q1 2025: exactly those
    // six months are read, and nothing of Q2, whose row (2025-07-01) lies outside.
    expect(d.reads).toEqual([
      {
        source: "customer_accounts",
        table: "raw.customer_accounts",
        ranges: [{ summary: "whole quarters ending in the window", formula: "[ceil_quarter(start) - 1 quarter, ceil_quarter(end) - 1 quarter)" }],
        forWindow: "[2024-10-01, 2025-04-01)",
        castAtScan: [
          { name: "customer_id", type: "bigint" },
          { name: "account_id", type: "bigint" },
          { name: "balance", type: "double" },
        ],
      },
    ]);
    expect(d.columns.slice(0, 3)).toEqual([
      { name: "customer_id", type: "bigint", role: "key" },
      { name: "date", type: "date", role: "timestamp" },
      { name: "avg_of_monthly_avg_balance", type: "double", role: "feature" },
    ]);
    expect(d.columns.find((c: { name: string }) => c.name === "balance_band")).toEqual({ name: "balance_band", type: "varchar", role: "feature" });
    expect(d.offlineTable).toBe("features.quarterly_revolving_balance_trend");
    expect(d.definitionHash).toMatch(/^[0-9a-f]{64}$/);
  });

  it("a timestamp truncated to a month and cast to a date reads whole months (the day rounding is absorbed)", async () => {
    const { stdout } = await cli("describe", "--set", "monthly_card_spend", "--config", CONFIG, "--start", "2025-01-15T06:00:00Z", "--end", "2025-03-01");
    expect(stdout).toContain(
      "  card_transactions (raw.card_transactions): whole months starting in the window: [ceil_month(start), ceil_month(end)) -> [2025-02-01, 2025-03-01)\n",
    );
  });

  it("errors: unknown set (2), a broken set (4, with its file and lines), --start without --end (2)", async () => {
    const unknown = await cli("describe", "--set", "nope", "--config", CONFIG);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown feature set "nope"; known sets: (\w+, )*avg_monthly_revolving_balance, /);

    const broken = await cli("describe", "--set", "uc_daily_paid", "--config", await fixtureConfig("unknown-column"));
    expect(broken.code).toBe(4);
    expect(broken.stdout).toBe("");
    const file = "test/fixtures/unknown-column/features.ts";
    expect(broken.stderr).toBe(
      `error: feature set "uc_daily_paid" (${file}:${marker(file, "daily-paid")}): unknown column "amuont"; ` +
        `available: id, paid_at, amount (expression at ${file}:${marker(file, "typo")})\n`,
    );

    const half = await cli("describe", "--set", "avg_monthly_revolving_balance", "--config", CONFIG, "--start", "2025-01-01");
    expect(half.code).toBe(2);
    expect(half.stderr).toBe("error: --start and --end go together\n");
  });

  it("--help shows examples", async () => {
    const { stdout } = await cli("describe", "--help");
    expect(stdout).toContain("$ feature-backfill describe --set avg_monthly_revolving_balance");
  });
});

describe("feature-backfill graph", () => {
  it("prints the example project as Mermaid: every source a cylinder, every set a box, an edge per input", async () => {
    const { code, stdout } = await cli("graph", "--config", CONFIG);
    expect(code).toBe(0);
    // Checked against `list`, which reports each set's inputs on its own path (and grows with the examples).
    const listed = JSON.parse((await cli("list", "--config", CONFIG, "--format", "json")).stdout) as {
      sets: { name: string; inputs: string[] }[];
      sources: { name: string }[];
    };
    const lines = stdout.trimEnd().split("\n");
    expect(lines[0]).toBe("flowchart LR");
    const nodes = new Map(lines.flatMap((l) => [...l.matchAll(/^ {2}(n\d+)\[\(?"([^"]+)"\)?\]$/g)].map((m) => [m[1]!, m[2]!] as const)));
    const shape = (name: string) => lines.find((l) => l.endsWith(`"${name}")]`) || l.endsWith(`"${name}"]`))!;
    for (const s of listed.sources) expect(shape(s.name)).toMatch(/\[\("/);
    for (const s of listed.sets) expect(shape(s.name)).toMatch(/\["/);
    expect(nodes.size).toBe(listed.sets.length + listed.sources.length);
    const edges = lines.flatMap((l) => {
      const m = /^ {2}(n\d+) --> (n\d+)$/.exec(l);
      return m ? [`${nodes.get(m[1]!)} -> ${nodes.get(m[2]!)}`] : [];
    });
    expect(edges.sort()).toEqual(listed.sets.flatMap((s) => s.inputs.map((input) => `${input} -> ${s.name}`)).sort());
  });

  it("is exact for a part of it: sources first, then sets in dependency order", async () => {
    const { stdout } = await cli("graph", "--config", CONFIG, "--set", "quarterly_revolving_balance_trend");
    expect(stdout).toBe(
      [
        "flowchart LR",
        '  n1[("customer_accounts")]',
        '  n2["avg_monthly_revolving_balance"]',
        '  n3["quarterly_revolving_balance_trend"]',
        "  n1 --> n2",
        "  n2 --> n3",
        "",
      ].join("\n"),
    );
  });

  it("--help shows examples; graph and init are listed in the top-level help", async () => {
    expect((await cli("graph", "--help")).stdout).toContain("$ feature-backfill graph --format dot | dot -Tsvg > features.svg");
    expect((await cli("init", "--help")).stdout).toContain("$ feature-backfill init my-features && cd my-features && npm install");
    const top = await cli("--help");
    for (const command of ["validate", "describe", "graph", "init"]) expect(top.stdout).toMatch(new RegExp(`\\n  ${command} `));
  });

  it("--set keeps the set and what it reads; --format dot", async () => {
    const { code, stdout } = await cli("graph", "--config", CONFIG, "--set", "quarterly_revolving_balance_trend", "--format", "dot");
    expect(code).toBe(0);
    expect(stdout).toBe(
      [
        "digraph features {",
        "  rankdir=LR;",
        '  n1 [label="customer_accounts", shape=cylinder];',
        '  n2 [label="avg_monthly_revolving_balance", shape=box];',
        '  n3 [label="quarterly_revolving_balance_trend", shape=box];',
        "  n1 -> n2;",
        "  n2 -> n3;",
        "}",
        "",
      ].join("\n"),
    );
  });
});

describe("feature-backfill graph, unusual projects", () => {
  it("escapes quotes in Mermaid labels and DOT strings (names may hold any character)", async () => {
    const config = await fixtureConfig("odd-names");
    const mermaid = await cli("graph", "--config", config);
    expect(mermaid.stdout).toBe(
      ["flowchart LR", '  n1[("odd source")]', '  n2["odd #quot;set#quot;; DROP TABLE features.canary; --"]', "  n1 --> n2", ""].join("\n"),
    );
    const dot = await cli("graph", "--config", config, "--format", "dot");
    expect(dot.stdout).toContain('  n2 [label="odd \\"set\\"; DROP TABLE features.canary; --", shape=box];\n');
  });

  it("draws a project whose types are wrong: the DAG needs none (validate reports them)", async () => {
    const { code, stdout, stderr } = await cli("graph", "--config", await fixtureConfig("unknown-column"));
    expect({ code, stderr }).toEqual({ code: 0, stderr: "" });
    expect(stdout).toContain("  n1 --> n2\n");
  });
});

async function fixtureConfig(fixture: string): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), "fb-describe-"));
  const file = path.join(dir, "features.config.json");
  await writeFile(file, JSON.stringify({ features: path.join(REPO, "test/fixtures", fixture) }));
  return file;
}

function marker(file: string, name: string): number {
  return readFileSync(path.join(REPO, file), "utf8").split("\n").findIndex((l) => l.trimEnd().endsWith(`// @${name}`)) + 1;
}
