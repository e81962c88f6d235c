import path from "node:path";
import { VERSION } from "../version.ts";

/** A file `init` writes; `ifMissing` files are left alone when they exist (a project may have them already). */
export interface ScaffoldFile {
  readonly path: string;
  readonly content: string;
  readonly ifMissing?: boolean;
}

/**
 * A minimal working project: config, one source, one feature set and its unit test. It validates, its test passes,
 * and after seeding `raw.orders` it backfills — the shape every real project grows from.
 */
export function scaffoldFiles(dir: string): ScaffoldFile[] {
  const name = path.basename(path.resolve(dir)).toLowerCase().replace(/[^a-z0-9._-]+/g, "-").replace(/^[._-]+/, "") || "features";
  return [
    { path: "features.config.json", content: CONFIG },
    { path: "features/sources.ts", content: SOURCES },
    { path: "features/daily-order-totals.ts", content: FEATURE_SET },
    { path: "features/daily-order-totals.test.ts", content: FEATURE_TEST },
    { path: "package.json", content: packageJson(name), ifMissing: true },
    { path: ".gitignore", content: "node_modules/\n*.duckdb\n*.duckdb.wal\n", ifMissing: true },
  ];
}

const CONFIG = `${JSON.stringify(
  {
    $schema: "./node_modules/feature-backfill/features.config.schema.json",
    features: "features",
    engine: "duckdb",
    duckdb: { path: "\${FEATURE_BACKFILL_DUCKDB:-warehouse.duckdb}" },
    offlineStore: { schema: "features", table: "{set}" },
  },
  null,
  2,
)}\n`;

const SOURCES = `import { source } from "feature-backfill";

/** Orders as they are placed; the backfill window applies to \`ordered_at\`. */
export const orders = source({
  name: "orders",
  keys: ["customer_id"],
  timestamp: "ordered_at",
  columns: { order_id: "bigint", customer_id: "bigint", ordered_at: "timestamp", amount: "double", status: "varchar" },
  backfill: { table: "raw.orders" },
});
`;

const FEATURE_SET = `import { col, featureSet, len } from "feature-backfill";
import { orders } from "./sources.ts";

/**
 * Completed spend and order count per customer and UTC day. A row is labelled with the day's start but sums the
 * whole day: use \`dt.truncate("1d", { label: "right" })\` if it is looked up point in time.
 */
export const dailyOrderTotals = featureSet({
  name: "daily_order_totals",
  description: "Completed spend and order count per customer and day.",
  inputs: { orders },
  keys: ["customer_id"],
  timestamp: "day",
  build: ({ orders }) =>
    orders
      .filter(col("status").eq("completed"))
      .groupBy("customer_id", col("ordered_at").dt.truncate("1d").cast("date").alias("day"))
      .agg(col("amount").sum().alias("completed_spend"), len().alias("completed_orders")),
});
`;

const FEATURE_TEST = `import { evaluate } from "feature-backfill";
import { describe, expect, it } from "vitest";
import { dailyOrderTotals } from "./daily-order-totals.ts";

describe("daily_order_totals", () => {
  it("sums completed orders per customer and UTC day", async () => {
    const rows = await evaluate(dailyOrderTotals, {
      orders: [
        { order_id: 1, customer_id: 1, ordered_at: "2025-03-01T09:00:00Z", amount: 20, status: "completed" },
        { order_id: 2, customer_id: 1, ordered_at: "2025-03-01T23:30:00Z", amount: 5, status: "completed" },
        { order_id: 3, customer_id: 1, ordered_at: "2025-03-01T12:00:00Z", amount: 99, status: "cancelled" },
        { order_id: 4, customer_id: 1, ordered_at: "2025-03-02T00:30:00+01:00", amount: 7, status: "completed" }, // 23:30 UTC on the 1st
        { order_id: 5, customer_id: 2, ordered_at: "2025-03-02T08:00:00Z", amount: 3, status: "completed" },
      ],
    });
    expect(rows).toEqual([
      { customer_id: 1, day: "2025-03-01", completed_spend: 32, completed_orders: 3 },
      { customer_id: 2, day: "2025-03-02", completed_spend: 3, completed_orders: 1 },
    ]);
  });
});
`;

function packageJson(name: string): string {
  const pkg = {
    name,
    private: true,
    type: "module",
    scripts: { test: "vitest run", validate: "feature-backfill validate" },
    devDependencies: { "feature-backfill": `^${VERSION}`, vitest: "^4.1.12" },
  };
  return `${JSON.stringify(pkg, null, 2)}\n`;
}
