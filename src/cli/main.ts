import { Command } from "commander";
import { authoringCommands } from "./authoring-commands.ts";
import { datasetCommand } from "./dataset-command.ts";
import { doctorCommand } from "./doctor-command.ts";
import { type Ask, dropCommand } from "./drop-command.ts";
import { handleError } from "./handle-error.ts";
import { listCommand } from "./list-command.ts";
import { onlineCommand } from "./online-command.ts";
import { serveCommand } from "./serve-command.ts";
import { statusCommand } from "./status-command.ts";
import type { Output } from "./reporter.ts";
import { runCommand } from "./run-command.ts";
import { VERSION } from "../version.ts";

export interface CliContext extends Output {
  /** Aborted on SIGINT/SIGTERM: the running statement is cancelled and its transaction rolled back. */
  readonly signal: AbortSignal;
  /** Where stdin and stderr are a terminal: asks a question there (`drop`'s confirmation). */
  readonly ask?: Ask;
}

/** Runs the CLI and returns its exit code (docs/cli.md, "Exit codes"); never calls process.exit itself. */
export async function runCli(argv: readonly string[], ctx: CliContext): Promise<number> {
  const program = new Command("feature-backfill")
    .description("Compile feature sets into one SQL statement each and backfill them inside the warehouse.")
    .version(VERSION)
    .option("-v, --verbose", "on errors, print causes, the failing SQL and stack traces")
    .showHelpAfterError("(run with --help for usage)")
    .addHelpText(
      "after",
      `
Examples:
  $ feature-backfill list
  $ feature-backfill run --set avg_monthly_revolving_balance --start 2025-01-01 --end 2025-10-14
  $ feature-backfill run --set avg_monthly_revolving_balance --start 2025-01-01 --end 2025-10-14 --dry-run
  $ feature-backfill help run

Exit codes: 0 ok, 1 internal error, 2 usage, 3 config, 4 feature definitions, 5 run failed (rolled back),
6 cannot log in to the warehouse, 7 some chunks failed (--keep-going), 8 busy (another run holds the window),
10 dataset: leakage refused, 11 dataset: the ledger does not cover the spine, 130 interrupted (docs/cli.md, "Exit codes").`,
    )
    .exitOverride()
    .configureOutput({ writeOut: ctx.stdout, writeErr: ctx.stderr });
  for (const command of [runCommand(ctx, ctx.signal), listCommand(ctx), statusCommand(ctx), ...authoringCommands(ctx), onlineCommand(ctx), serveCommand(ctx, ctx.signal), doctorCommand(ctx, ctx.signal), datasetCommand(ctx, ctx.signal), dropCommand(ctx, ctx.signal)]) {
    program.addCommand(command.exitOverride().configureOutput({ writeOut: ctx.stdout, writeErr: ctx.stderr }));
  }
  try {
    await program.parseAsync([...argv], { from: "user" });
    return 0;
  } catch (error) {
    return handleError(error, { stderr: ctx.stderr, verbose: Boolean(program.opts().verbose) || argv.includes("--verbose") || argv.includes("-v") });
  }
}
