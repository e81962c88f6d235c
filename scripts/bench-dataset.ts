/**
 * `npm run bench:dataset`: a training set built by `buildDataset` against a hand-written ASOF JOIN statement of the
 * same result, side by side, on one seeded DuckDB file (under .bench/, removed at the end unless BENCH_KEEP=1).
 *
 * 1. Seeds demo data (BENCH_CUSTOMERS, default 4000) and backfills five example sets over all of it: the two
 *    `dataset` accepts as they are, and three left-labelled ones joined with the `--shift` their period needs.
 * 2. Writes a spine of BENCH_SPINE events (default 1,000,000; random customers and instants) as a Parquet file.
 * 3. Alternating which goes first, BENCH_REPS (3) pairs of:
 *      tool        = buildDataset(): plan, ledger completeness check, COPY (…) TO parquet, summary query
 *      hand-written = one `COPY (SELECT … ASOF LEFT JOIN … ×5) TO parquet` written by hand, on its own connection
 *    and reports medians, the ratio, and spine rows per second.
 * 4. Checks both files hold the same rows (EXCEPT ALL both ways): a ratio over different results means nothing.
 * Prints figures and asserts nothing.
 */
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { DuckDBInstance } from "@duckdb/node-api";
import { runBackfill } from "../src/backfill/run-backfill.ts";
import { buildDataset } from "../src/dataset/run-dataset.ts";
import { demoDataStatements } from "./demo-data.ts";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const int = (name: string, fallback: number) => (process.env[name] ? Number(process.env[name]) : fallback);
const CUSTOMERS = int("BENCH_CUSTOMERS", 4000);
const SPINE_ROWS = int("BENCH_SPINE", 1_000_000);
const REPS = int("BENCH_REPS", 3);
const FROM = "2024-01-01";
const DAYS = 540;

const SETS = ["days_since_overdraft", "quarterly_revolving_balance_trend", "avg_monthly_revolving_balance", "weekly_overdraft_activity", "rolling_card_spend"];
const SHIFT = { avg_monthly_revolving_balance: "1mo", weekly_overdraft_activity: "1w", rolling_card_spend: "1d" };

const HAND = (spine: string, out: string) => `
COPY (
  SELECT s.*,
         d.* EXCLUDE (customer_id, date),
         q.* EXCLUDE (customer_id, date),
         m.* EXCLUDE (customer_id, date, known_at),
         w.* EXCLUDE (customer_id, week, known_at),
         r.* EXCLUDE (customer_id, date, known_at)
  FROM read_parquet('${spine}') AS s
  ASOF LEFT JOIN features.days_since_overdraft AS d ON s.customer_id = d.customer_id AND s.event_time >= d.date
  ASOF LEFT JOIN features.quarterly_revolving_balance_trend AS q ON s.customer_id = q.customer_id AND s.event_time >= q.date
  ASOF LEFT JOIN (SELECT *, date + INTERVAL 1 MONTH AS known_at FROM features.avg_monthly_revolving_balance) AS m
    ON s.customer_id = m.customer_id AND s.event_time >= m.known_at
  ASOF LEFT JOIN (SELECT *, week + INTERVAL 7 DAY AS known_at FROM features.weekly_overdraft_activity) AS w
    ON s.customer_id = w.customer_id AND s.event_time >= w.known_at
  ASOF LEFT JOIN (SELECT *, date + INTERVAL 1 DAY AS known_at FROM features.rolling_card_spend) AS r
    ON s.customer_id = r.customer_id AND s.event_time >= r.known_at
) TO '${out}' (FORMAT parquet)`;

async function main() {
  await mkdir(path.join(ROOT, ".bench"), { recursive: true });
  const dir = await mkdtemp(path.join(ROOT, ".bench", "dataset-"));
  const db = path.join(dir, "warehouse.duckdb");
  const config = path.join(dir, "features.config.json");
  const spine = path.join(dir, "spine.parquet");
  try {
    await writeFile(config, JSON.stringify({ features: path.join(ROOT, "features"), duckdb: { path: "warehouse.duckdb", threads: 2 }, offlineStore: { schema: "features", table: "{set}" } }));
    await withDb(db, async (c) => {
      for (const s of demoDataStatements({ customers: CUSTOMERS, from: FROM, days: DAYS, transactionsPerCustomer: 60 })) await c.run(s);
    });
    // From two months before the data: a spine event joins a shifted month as of a month earlier.
    const window = { start: new Date(Date.UTC(2023, 10, 1)), end: new Date(Date.UTC(2024, 0, 1 + DAYS + 120)) };
    let t = performance.now();
    await runBackfill({ config, sets: SETS, window });
    console.log(`seeded ${CUSTOMERS} customers over ${DAYS} days and backfilled ${SETS.length} sets in ${((performance.now() - t) / 1000).toFixed(1)} s`);
    await withDb(db, (c) =>
      c.run(`COPY (SELECT 1 + CAST(floor(random() * ${CUSTOMERS}) AS BIGINT) AS customer_id,
                          TIMESTAMP '${FROM} 00:00:00' + to_microseconds(CAST(floor(random() * ${DAYS} * 86400e6) AS BIGINT)) AS event_time,
                          random() < 0.05 AS defaulted
                   FROM range(${SPINE_ROWS})) TO '${spine}' (FORMAT parquet)`),
    );

    const tool = async (i: number) => {
      t = performance.now();
      await buildDataset({ config, spine, sets: SETS, shift: SHIFT, output: path.join(dir, `tool-${i}.parquet`) });
      return performance.now() - t;
    };
    const hand = async (i: number) =>
      withDb(db, async (c) => {
        t = performance.now();
        await c.run(HAND(spine, path.join(dir, `hand-${i}.parquet`)));
        return performance.now() - t;
      });
    // The tool's statement alone (what --dry-run prints), on a connection like the hand-written one's.
    const planned = await buildDataset({ config, spine, sets: SETS, shift: SHIFT, output: path.join(dir, "statement.parquet") }, { dryRun: true });
    const statement = async () =>
      withDb(db, async (c) => {
        t = performance.now();
        await c.run(planned.statement.sql, planned.statement.parameters as never);
        return performance.now() - t;
      });
    await tool(-1);
    await hand(-1); // warm-up
    const [tools, hands, statements]: [number[], number[], number[]] = [[], [], []];
    for (let i = 0; i < REPS; i++) {
      const order = i % 2 === 0 ? ["tool", "hand", "statement"] : ["statement", "hand", "tool"];
      for (const which of order) {
        if (which === "tool") tools.push(await tool(i));
        else if (which === "hand") hands.push(await hand(i));
        else statements.push(await statement());
      }
    }
    const same = await withDb(db, async (c) => {
      const count = async (a: string, b: string) =>
        Number((await c.runAndReadAll(`SELECT count(*) FROM (SELECT * FROM read_parquet('${a}') EXCEPT ALL SELECT * FROM read_parquet('${b}'))`)).getRows()[0]![0]);
      const [x, y] = [path.join(dir, "tool-0.parquet"), path.join(dir, "hand-0.parquet")];
      return (await count(x, y)) + (await count(y, x));
    });
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const [mt, mh] = [median(tools), median(hands)];
    console.log(`spine ${SPINE_ROWS.toLocaleString("en")} events × ${SETS.length} sets, Parquet in and out, DuckDB threads=2, ${REPS} pairs`);
    console.log(`  tool (buildDataset, end to end)  ${(mt / 1000).toFixed(2)} s  ${Math.round(SPINE_ROWS / (mt / 1000)).toLocaleString("en")} rows/s`);
    const ms = median(statements);
    console.log(`  its statement alone (--dry-run)  ${(ms / 1000).toFixed(2)} s  ${Math.round(SPINE_ROWS / (ms / 1000)).toLocaleString("en")} rows/s`);
    console.log(`  hand-written ASOF JOIN           ${(mh / 1000).toFixed(2)} s  ${Math.round(SPINE_ROWS / (mh / 1000)).toLocaleString("en")} rows/s`);
    console.log(`  ratio tool / hand-written        ${(mt / mh).toFixed(2)}× end to end, ${(ms / mh).toFixed(2)}× the statement alone`);
    console.log(`  rows differing between the two files: ${same}`);
  } finally {
    if (process.env.BENCH_KEEP !== "1") await rm(dir, { recursive: true, force: true });
  }
}

async function withDb<T>(file: string, work: (c: Awaited<ReturnType<DuckDBInstance["connect"]>>) => Promise<T>): Promise<T> {
  const instance = await DuckDBInstance.create(file, { threads: "2" });
  const c = await instance.connect();
  try {
    await c.run("SET TimeZone = 'UTC'");
    return await work(c);
  } finally {
    c.closeSync();
    instance.closeSync();
  }
}

await main();
