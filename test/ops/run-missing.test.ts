import { mkdir, symlink, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectSameRows } from "../support/compare.ts";
import { cli } from "../support/run-cli.ts";
import { makeWarehouse, REPO, type TestWarehouse } from "../support/warehouse.ts";

const DATA = { customers: 8, from: "2024-01-01", days: 200, transactionsPerCustomer: 5 };
const WINDOW = ["--start", "2024-01-01", "--end", "2024-07-01", "--chunk", "1mo"];

/** A project in two versions: v2 averages checking instead of revolving balances in m_monthly (m_quarterly reads it). */
const features = (accountType: string) => `import { col, featureSet, source } from "feature-backfill";
export const accounts = source({
  name: "m_accounts", keys: ["customer_id"], timestamp: "date",
  columns: { customer_id: "bigint", date: "date", balance: "double", account_type: "varchar" },
  backfill: { table: "raw.customer_accounts" },
});
export const monthly = featureSet({
  name: "m_monthly", inputs: { accounts }, keys: ["customer_id"], timestamp: "date",
  build: ({ accounts }) => accounts.filter(col("account_type").eq("${accountType}"))
    .groupBy("customer_id", col("date").dt.truncate("1mo").alias("date")).agg(col("balance").mean().alias("avg_balance")),
});
export const quarterly = featureSet({
  name: "m_quarterly", inputs: { monthly }, keys: ["customer_id"], timestamp: "date",
  build: ({ monthly }) => monthly.groupBy("customer_id", col("date").dt.truncate("1mo").alias("date")).agg(col("avg_balance").max().alias("top")),
});
export const daily = featureSet({
  name: "m_daily", inputs: { accounts }, keys: ["customer_id"], timestamp: "date",
  build: ({ accounts }) => accounts.groupBy("customer_id", "date").agg(col("balance").sum().alias("total")),
});
`;

describe("run --missing", () => {
  let warehouse: TestWarehouse;
  const config = (version: string) => path.join(warehouse.dir, `${version}.config.json`);
  beforeAll(async () => {
    warehouse = await makeWarehouse({ data: DATA });
    await mkdir(path.join(warehouse.dir, "node_modules"));
    await symlink(REPO, path.join(warehouse.dir, "node_modules/feature-backfill"), "dir");
    await writeFile(path.join(warehouse.dir, "package.json"), JSON.stringify({ type: "module" }));
    for (const [version, accountType] of [["v1", "revolving"], ["v2", "checking"]] as const) {
      await mkdir(path.join(warehouse.dir, version));
      await writeFile(path.join(warehouse.dir, version, "features.ts"), features(accountType));
      const settings = { features: version, duckdb: { path: "warehouse.duckdb", threads: 2 }, offlineStore: { schema: "features", table: "{set}" } };
      await writeFile(config(version), JSON.stringify(settings));
    }
  });
  afterAll(() => warehouse?.cleanup());

  const run = async (...args: string[]) => {
    const result = await cli("run", ...args);
    expect(result.stderr).not.toMatch(/error:/);
    expect(result.code).toBe(0);
    return result;
  };
  const ledgerOf = (runId: string) =>
    warehouse.query(`SELECT feature_set, strftime(chunk_start, '%Y-%m-%d') AS s, strftime(chunk_end, '%Y-%m-%d') AS e FROM features.feature_backfill_ledger WHERE run_id = '${runId}' ORDER BY finished_at`);
  const lastRunId = async () =>
    String((await warehouse.query("SELECT run_id FROM features.feature_backfill_ledger ORDER BY finished_at DESC LIMIT 1"))[0]!.run_id);

  it("after a definition change, writes exactly the missing and stale windows, in dependency order; then all is filled", async () => {
    await run("--all", ...WINDOW, "--config", config("v1"));
    await run("--set", "m_monthly", "--start", "2024-02-01", "--end", "2024-04-01", "--chunk", "1mo", "--config", config("v2"));
    await warehouse.exec("DELETE FROM features.feature_backfill_ledger WHERE feature_set = 'm_daily' AND chunk_start = TIMESTAMP '2024-04-01'");

    // m_monthly: January and April–June were written by v1; m_quarterly: all of it (what it reads changed); m_daily: April.
    const dry = await run("--all", "--missing", ...WINDOW, "--dry-run", "--config", config("v2"));
    expect(dry.stderr).toBe(
      [
        "--missing over [2024-01-01, 2024-07-01):",
        "  m_daily: [2024-04-01, 2024-05-01)",
        "  m_monthly: [2024-01-01, 2024-02-01) [2024-04-01, 2024-07-01)",
        "  m_quarterly: [2024-01-01, 2024-07-01)",
        "",
      ].join("\n"),
    );
    expect(dry.stdout.match(/^-- \[\d+\/\d+\] .*$/gm)).toEqual([
      "-- [1/11] m_daily -> features.m_daily, window [2024-04-01, 2024-05-01)",
      "-- [2/11] m_monthly -> features.m_monthly, window [2024-01-01, 2024-02-01)",
      "-- [3/11] m_monthly -> features.m_monthly, window [2024-04-01, 2024-05-01)",
      "-- [4/11] m_monthly -> features.m_monthly, window [2024-05-01, 2024-06-01)",
      "-- [5/11] m_monthly -> features.m_monthly, window [2024-06-01, 2024-07-01)",
      ...["01", "02", "03", "04", "05", "06"].map((m, i) => `-- [${6 + i}/11] m_quarterly -> features.m_quarterly, window [2024-${m}-01, ${m === "06" ? "2024-07-01" : `2024-0${Number(m) + 1}-01`})`),
    ]);
    const ledgerRows = async () => Number((await warehouse.query("SELECT count(*)::INTEGER AS n FROM features.feature_backfill_ledger"))[0]!.n);
    const before = await ledgerRows();

    await run("--all", "--missing", ...WINDOW, "--config", config("v2"));
    const written = await ledgerOf(await lastRunId());
    expect(written.map((r) => `${r.feature_set} ${r.s}`)).toEqual(dry.stdout.match(/^-- \[\d+\/\d+\] (\S+) .*window \[(\S+),/gm)!.map((l) => l.replace(/^-- \[\d+\/\d+\] (\S+) .*window \[(\S+),.*$/, "$1 $2")));
    expect(await ledgerRows()).toBe(before + 11);

    // The table holds v2's rows everywhere: the stale months were rewritten, February and March left as v2 wrote them.
    const expected = await warehouse.query(
      "SELECT customer_id, CAST(date_trunc('month', date) AS DATE) AS date, avg(balance) AS avg_balance FROM raw.customer_accounts WHERE account_type = 'checking' AND date >= DATE '2024-01-01' AND date < DATE '2024-07-01' GROUP BY ALL",
    );
    expectSameRows(await warehouse.query("SELECT * FROM features.m_monthly"), expected, "m_monthly after --missing");
    const status = JSON.parse((await cli("status", "--all", "--start", "2024-01-01", "--end", "2024-07-01", "--format", "json", "--config", config("v2"))).stdout);
    expect(status.sets.map((s: { set: string; spans: unknown[] }) => [s.set, s.spans])).toEqual(
      ["m_daily", "m_monthly", "m_quarterly"].map((set) => [set, [{ start: "2024-01-01", end: "2024-07-01", state: "filled" }]]),
    );

    const again = await run("--all", "--missing", ...WINDOW, "--config", config("v2"));
    expect(again.stderr).toContain("  m_monthly: nothing to write\n");
    expect(await ledgerRows()).toBe(before + 11);
  });
});
