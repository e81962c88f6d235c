import { Command, Option } from "commander";
import { buildDataset, pairs } from "../dataset/run-dataset.ts";
import { DIALECTS, type DialectName } from "../dialects/index.ts";
import type { Output } from "./reporter.ts";
import { collect, configOption, type SelectionFlags, selectionOf, selectionOptions } from "./options.ts";

interface DatasetOptions extends SelectionFlags {
  spine: string;
  key?: string[];
  time?: string;
  ttl?: string[];
  shift?: string[];
  out?: string;
  output?: string;
  allowLeakage?: boolean;
  computeMissing?: boolean;
  dryRun?: boolean;
  config?: string;
  engine?: DialectName;
}

export function datasetCommand(out: Output): Command {
  const command = new Command("dataset")
    .description("Build a point-in-time training set: each spine row with each feature set's latest row known at its event time, in one statement.")
    .requiredOption("--spine <table|file>", "the labelled events: schema.table, or on DuckDB a .parquet or .csv file")
    .option("-s, --set <name>", "feature set to join (repeat for several)", collect);
  selectionOptions().forEach((o) => command.addOption(o));
  return command
    .option("--key <set_key=spine_column>", "a set key the spine names differently (repeat)", collect)
    .option("--time <column>", "the spine's event-time column", "event_time")
    .option("--ttl <set=duration>", "rows older than this at the event time are no match, e.g. rolling_card_spend=35d (repeat)", collect)
    .option("--shift <set=duration>", "join as of timestamp + duration: a left-labelled month is known at its end, e.g. avg_monthly_revolving_balance=1mo (repeat)", collect)
    .option("--out <schema.table>", "create or replace this table (in one transaction), registered as the tool's")
    .option("--output <file>", "on DuckDB: write a .parquet or .csv file from the engine")
    .option("--allow-leakage", "join sets whose rows are known only after their timestamp (they leak the future into training data)")
    .option("--compute-missing", "first backfill the windows the run ledger does not show filled (as run --missing), instead of refusing")
    .option("--dry-run", "print the statement (reads the spine's column names and types only)")
    .addOption(configOption())
    .addOption(new Option("--engine <engine>", "warehouse to run in, instead of the config's engine").choices(Object.keys(DIALECTS)))
    .addHelpText(
      "after",
      `
Examples:
  $ feature-backfill dataset --spine raw.credit_applications --time applied_at --set quarterly_revolving_balance_trend --set days_since_overdraft --out features.training_set
  $ feature-backfill dataset --spine labels.parquet --set avg_monthly_revolving_balance --shift avg_monthly_revolving_balance=1mo --output train.parquet
  $ feature-backfill dataset --spine labels.csv --key customer_id=applicant_id --ttl days_since_overdraft=35d --set days_since_overdraft --output train.csv --dry-run

A set whose rows are known only after their timestamp is refused (exit 10), and so is a set the run ledger does not
show backfilled with its current definition over the spine's time range (exit 11). See docs/datasets.md.`,
    )
    .action(async (options: DatasetOptions) => {
      const result = await buildDataset(
        {
          config: options.config,
          engine: options.engine,
          spine: options.spine,
          sets: [],
          selection: selectionOf(options),
          time: options.time,
          keys: pairs(options.key, "--key"),
          ttl: pairs(options.ttl, "--ttl"),
          shift: pairs(options.shift, "--shift"),
          out: options.out,
          output: options.output,
          allowLeakage: options.allowLeakage,
          computeMissing: options.computeMissing,
        },
        { dryRun: options.dryRun, progress: (line) => out.stderr(`${line}\n`) },
      );
      if (options.dryRun) {
        const bound = result.statement.parameters.map((v, i) => `-- $${i + 1} = ${JSON.stringify(v)}\n`).join("");
        out.stdout(`${result.statement.sql};\n${bound}`);
        return;
      }
      const s = result.summary!;
      const share = (x: number) => `${(x * 100).toFixed(1)}%`;
      out.stdout(`${s.rows} rows written to ${options.out ?? options.output}; ${s.rowsWithoutFeatures} without any feature\n`);
      for (const [column, nulls] of Object.entries(s.nullShare)) out.stdout(`  ${column}: ${share(nulls)} null\n`);
    });
}
