import path from "node:path";
import { describe, expect, it } from "vitest";
import { planBackfill } from "../../src/backfill/plan.ts";
import { parseWindow } from "../../src/backfill/window.ts";
import { chunkKey } from "../../src/backfill/completed-chunks.ts";
import { renderDryRun } from "../../src/cli/run-command.ts";
import { DIALECTS } from "../../src/dialects/index.ts";
import type { DialectName } from "../../src/dialects/sql-dialect.ts";
import { loadFeatureGraph } from "../../src/graph/load-modules.ts";
import { REPO } from "../support/warehouse.ts";

/**
 * The complete statements of a backfill of each example set, per dialect, as snapshot files under
 * test/golden/<dialect>/. A changed file is a changed query: review it like code.
 */
const graph = await loadFeatureGraph(path.join(REPO, "features"));
const window = parseWindow("2025-01-15", "2025-10-14");

describe("golden SQL for each example feature set", () => {
  for (const dialect of Object.keys(DIALECTS) as DialectName[]) {
    for (const set of graph.sets.keys()) {
      it(`${set} (${dialect})`, async () => {
        const jobs = planBackfill({
          graph,
          sets: [set],
          window,
          dialect: DIALECTS[dialect],
          tableFor: (name) => ({ schema: "features", name }),
        });
        await expect(renderDryRun(jobs, DIALECTS[dialect])).toMatchFileSnapshot(path.join(import.meta.dirname, dialect, `${set}.sql`));
      });
    }
  }
});

/**
 * A daily run continuing from a checkpoint (state-pass.ts): the check of its marker, the carried rows read beside one
 * day of the source, and the checkpoint written as of the day's end — every statement a CronJob's run sends.
 */
describe("golden SQL of a run continuing from a checkpoint", () => {
  for (const dialect of Object.keys(DIALECTS) as DialectName[]) {
    // revolving_balance_change's months are labelled by their first day: it continues from month starts only.
    for (const [set, day, next] of [["days_since_overdraft", "2025-10-14", "2025-10-15"], ["revolving_balance_change", "2025-10-01", "2025-10-02"]] as const) {
      it(`${set} (${dialect})`, async () => {
        const jobs = planBackfill({
          graph,
          sets: [set],
          window: parseWindow(day, next),
          dialect: DIALECTS[dialect],
          tableFor: (name) => ({ schema: "features", name }),
          checkpoints: new Map([[set, [new Date(day)]]]),
        });
        expect(jobs[0]!.state!.from).toEqual(new Date(day));
        await expect(renderDryRun(jobs, DIALECTS[dialect])).toMatchFileSnapshot(path.join(import.meta.dirname, dialect, `${set}.continued.sql`));
      });
    }
  }
});

describe("the dry run of a chunked run with a stage", () => {
  const jobs = planBackfill({
    graph,
    sets: ["rolling_card_spend"],
    window: parseWindow("2025-01-01", "2025-04-01"),
    chunk: "1mo",
    dialect: DIALECTS.duckdb,
    tableFor: (name) => ({ schema: "features", name }),
  });
  const stage = jobs[0]!.stage!.table.name;
  // The order of the text's markers: [create, chunk 1, chunk 2, chunk 3, drop], as the run sends them.
  const order = (text: string) =>
    [`CREATE TEMPORARY TABLE "${stage}"`, "-- [1/3]", "-- [2/3]", "-- [3/3]", `DROP TABLE IF EXISTS "${stage}"`].map((marker) => text.indexOf(marker));

  it("creates the stage once before the first chunk and drops it at the end", () => {
    const text = renderDryRun(jobs, DIALECTS.duckdb);
    const at = order(text);
    expect(at.every((i) => i >= 0)).toBe(true);
    expect(at).toEqual([...at].sort((a, b) => a - b));
    expect(text.split(`CREATE TEMPORARY TABLE "${stage}"`)).toHaveLength(2);
    expect(text.match(/INSERT INTO\s+"features"\."rolling_card_spend"/g)).toHaveLength(3);
  });

  it("with --resume skipping the first chunk, creates the stage before the second", () => {
    const written = new Map([[chunkKey("rolling_card_spend", jobs[0]!.window), jobs[0]!.definitionHash]]);
    const text = renderDryRun(jobs, DIALECTS.duckdb, written);
    const [create, first, second] = order(text);
    expect(first).toBeLessThan(create!);
    expect(create).toBeLessThan(second!);
    expect(text.match(/INSERT INTO\s+"features"\."rolling_card_spend"/g)).toHaveLength(2);
  });
});

describe("a stage on Snowflake", () => {
  it("is `CREATE TEMPORARY TABLE … AS WITH … SELECT … ORDER BY`, the documented CTAS form, not a WITH inside a subquery", () => {
    const [job] = planBackfill({
      graph,
      sets: ["rolling_card_spend"],
      window: parseWindow("2025-01-01", "2025-04-01"),
      chunk: "1mo",
      dialect: DIALECTS.snowflake,
      tableFor: (name) => ({ schema: "features", name }),
    });
    const create = job!.stage!.create.sql;
    expect(create).toMatch(/^CREATE TEMPORARY TABLE "FEATURE_BACKFILL_STAGE_\d+" AS\s+WITH\s/);
    expect(create).not.toMatch(/\(\s*WITH\s/);
    expect(create).toMatch(/\sORDER BY\s+"DATE"$/);
  });
});
