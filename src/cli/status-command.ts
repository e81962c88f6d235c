import { Command, Option } from "commander";
import { loadProject } from "../backfill/run-backfill.ts";
import { parseWindow } from "../backfill/window.ts";
import { UsageError } from "../errors.ts";
import { resolveSelection } from "../graph/selection.ts";
import { projectStatus } from "../status/project-status.ts";
import { renderStatusMarkdown, renderStatusText, statusJson } from "../status/render-status.ts";
import type { Output } from "./reporter.ts";
import { collect, configOption, type SelectionFlags, selectionOf, selectionOptions } from "./options.ts";

interface StatusOptions extends SelectionFlags {
  config: string;
  start?: string;
  end?: string;
  format: "text" | "json" | "markdown";
  width?: number;
}

export function statusCommand(out: Output): Command {
  const command = new Command("status")
    .description("Show, from the run ledger, which windows of each feature set are filled, missing, stale, failed or being written.")
    .option("-s, --set <name>", "feature set (repeat for several; default: every set)", collect);
  selectionOptions().forEach((o) => command.addOption(o));
  return command
    .addOption(configOption())
    .option("--start <date>", "from (inclusive; default: the first chunk the ledger records for the sets)")
    .option("--end <date>", "to (exclusive; default: the end of the last chunk the ledger records)")
    .addOption(new Option("--format <format>", "output format").choices(["text", "json", "markdown"]).default("text"))
    .option("--width <n>", "columns of the picture (default: the terminal's, or 100)", (v) => Number(v))
    .addHelpText(
      "after",
      `
Stale windows were written with another definition hash than today's: the set, a set it reads, or the declared
columns of a source changed since. \`run --missing\` writes the missing, failed and stale windows.

Examples:
  $ feature-backfill status
  $ feature-backfill status --select tag:daily --start 2025-01-01 --end today
  $ feature-backfill status --format markdown >> "$GITHUB_STEP_SUMMARY"`,
    )
    .action(async (options: StatusOptions) => {
      if ((options.start === undefined) !== (options.end === undefined)) throw new UsageError("--start and --end go together");
      if (options.width !== undefined && !(Number.isSafeInteger(options.width) && options.width >= 20)) throw new UsageError("--width must be a whole number >= 20");
      const now = new Date();
      const range = options.start !== undefined ? parseWindow(options.start, options.end!, now) : undefined;
      const { config, graph } = await loadProject(options.config);
      const sets = resolveSelection(graph, selectionOf(options), "all");
      const status = await projectStatus(config, graph, sets, range, now);
      if (!status.range) {
        if (options.format === "json") out.stdout(`${JSON.stringify({ range: null, sets: [] }, null, 2)}\n`);
        else out.stdout(`the run ledger records no chunk of ${sets.join(", ")}; give --start and --end to see the windows to fill\n`);
        return;
      }
      const width = options.width ?? (out.isTTY && process.stdout.columns ? process.stdout.columns : 100);
      if (options.format === "json") out.stdout(`${JSON.stringify(statusJson(status.statuses, status.range), null, 2)}\n`);
      else if (options.format === "markdown") out.stdout(renderStatusMarkdown(status.statuses, status.range, width - 40));
      else out.stdout(renderStatusText(status.statuses, status.range, { width, colour: out.isTTY && process.stdout.isTTY === true && !process.env.NO_COLOR }));
    });
}
