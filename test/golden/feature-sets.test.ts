import path from "node:path";
import { describe, expect, it } from "vitest";
import { planBackfill } from "../../src/backfill/plan.ts";
import { parseWindow } from "../../src/backfill/window.ts";
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
