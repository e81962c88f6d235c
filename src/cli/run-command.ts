import { Command, Option } from "commander";
import type { SetJob } from "../backfill/plan.ts";
import { planFromConfig, runBackfill } from "../backfill/run-backfill.ts";
import { formatWindow, resolveRunWindow } from "../backfill/window.ts";
import { formatTable, type Statement } from "../compile/statements.ts";
import { DIALECTS, type DialectName, type SqlDialect } from "../dialects/index.ts";
import { createReporter, type LogFormat, type Output } from "./reporter.ts";

interface RunOptions {
  set: string[];
  start?: string;
  end?: string;
  window?: string;
  lag?: number;
  config?: string;
  dryRun?: boolean;
  logFormat: LogFormat;
  engine?: DialectName;
}

export function runCommand(out: Output, signal: AbortSignal): Command {
  return new Command("run")
    .description("Backfill feature sets over the half-open UTC window [start, end): delete the window's rows and insert them anew, atomically.")
    .requiredOption("-s, --set <name>", "feature set to backfill (repeat for several)", collect)
    .option("--start <date>", "window start, inclusive: ISO date (2025-01-01), timestamp with zone (2025-01-01T06:00:00Z), or today/now with offsets (today-7d)")
    .option("--end <date>", "window end, exclusive: same formats as --start")
    .option("--window <period>", "instead of --start/--end: the last complete periods, e.g. 1d (yesterday, UTC), 1w, 1mo")
    .option("--lag <n>", "with --window: also re-process the n periods before it (late-arriving data)", (v) => Number(v))
    .option("-c, --config <path>", "config file", "features.config.json")
    .option("--dry-run", "print every statement the run would execute, and open no connection")
    .addOption(new Option("--engine <engine>", "warehouse to run in, instead of the config's engine").choices(Object.keys(DIALECTS)))
    .addOption(new Option("--log-format <format>", "progress output when not a terminal").choices(["text", "json"]).default("text"))
    .addHelpText(
      "after",
      `
Examples:
  $ feature-backfill run --set avg_monthly_revolving_balance --start 2025-01-01 --end 2025-10-14
  $ feature-backfill run --set monthly_card_spend --set quarterly_revolving_balance_trend --start 2024-01-01 --end 2025-01-01
  $ feature-backfill run --set avg_monthly_revolving_balance --start 2025-01-01 --end 2025-10-14 --dry-run
  $ feature-backfill run --set avg_monthly_revolving_balance --start 2025-01-01 --end 2025-10-14 --dry-run --engine snowflake
  $ feature-backfill run --set avg_monthly_revolving_balance --start 2025-03-01T00:00:00Z --end 2025-04-01T00:00:00Z --log-format json
  $ feature-backfill run --set rolling_card_spend --window 1d --lag 2        # yesterday and the 2 days before (UTC)
  $ feature-backfill run --set rolling_card_spend --start today-7d --end today

Each set is written in its own transaction; a failed set leaves its table as it was.`,
    )
    .action(async (options: RunOptions) => {
      const window = resolveRunWindow(options);
      const request = { config: options.config, sets: options.set, window, engine: options.engine };
      if (options.dryRun) {
        const { project, jobs } = await planFromConfig(request);
        out.stdout(renderDryRun(jobs, project.config.dialect));
        return;
      }
      await runBackfill(request, { onEvent: createReporter(out, options.logFormat), signal });
    });
}

/**
 * The whole run as SQL a person can read and paste, in the order a run sends it. The DDL is printed although a run
 * skips it for a table that exists already (it is idempotent either way).
 */
export function renderDryRun(jobs: readonly SetJob[], dialect: SqlDialect): string {
  const lines = [`-- feature-backfill dry run (${dialect.name}): ${jobs.length} feature set(s); nothing was executed`];
  const { begin, commit } = dialect.transaction;
  for (const job of jobs) {
    lines.push("", `-- ${job.set} -> ${formatTable(job.table)}, window ${formatWindow(job.window)}`);
    for (const read of job.reads) {
      lines.push(`--   reads ${read.source.name} (${formatTable(read.source.backfill)}) over ${formatWindow(read.range)}`);
    }
    const ddl = job.setup.map(statementText);
    const write = job.write.map(statementText);
    if (dialect.transactionalDdl) lines.push(`${begin};`, ...ddl, ...write, `${commit};`);
    else lines.push(...ddl, `${begin};`, ...write, `${commit};`);
  }
  return `${lines.join("\n")}\n`;
}

const statementText = (s: Statement): string =>
  `${s.sql};${s.parameters.length ? `\n-- parameters: ${JSON.stringify(s.parameters)}` : ""}`;

// No default value: commander would count an empty default as the required option being given.
const collect = (value: string, previous: string[] = []): string[] => [...previous, value];
