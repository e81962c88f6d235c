import path from "node:path";
import { describe, expect, it } from "vitest";
import { planDataset } from "../../src/dataset/plan-dataset.ts";
import { writeStatement } from "../../src/dataset/dataset-output.ts";
import { DIALECTS } from "../../src/dialects/index.ts";
import type { DialectName } from "../../src/dialects/sql-dialect.ts";
import { loadFeatureGraph } from "../../src/graph/load-modules.ts";
import { REPO } from "../support/warehouse.ts";

/**
 * The statement of a training set over three example sets, per dialect (test/dataset/golden/<dialect>.sql): a TTL,
 * a shifted left-labelled month, a set on a set. A changed file is a changed query: review it like code.
 */
const graph = await loadFeatureGraph(path.join(REPO, "features"));

describe("golden SQL of a training set", () => {
  for (const dialect of Object.keys(DIALECTS) as DialectName[]) {
    it(dialect, async () => {
      const plan = planDataset({
        graph,
        dialect: DIALECTS[dialect],
        tableFor: (name) => ({ schema: "features", name }),
        spine: { kind: "table", table: { schema: "labels", name: "applications" } },
        spineColumns: [
          { name: "applicant_id", type: "bigint" },
          { name: "event_time", type: "timestamp" },
          { name: "defaulted", type: "boolean" },
        ],
        keys: { customer_id: "applicant_id" },
        sets: [
          { set: "days_since_overdraft", ttl: { n: 35, unit: "day" } },
          { set: "quarterly_revolving_balance_trend" },
          { set: "avg_monthly_revolving_balance", shift: { n: 1, unit: "month" } },
        ],
      });
      const statement = writeStatement(plan, DIALECTS[dialect], { schema: "features", name: "training_set" }, undefined);
      await expect(`${statement.sql};\n-- parameters: ${JSON.stringify(statement.parameters)}\n`).toMatchFileSnapshot(path.join(import.meta.dirname, "golden", `${dialect}.sql`));
    });
  }
});
