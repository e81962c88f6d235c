import { Command, Option } from "commander";
import { describeSet, renderDescription } from "../authoring/describe-set.ts";
import { loadProject, readWritten } from "../backfill/run-backfill.ts";
import { setDependencies } from "../graph/feature-graph.ts";
import { parseWindow } from "../backfill/window.ts";
import { UsageError } from "../errors.ts";
import type { Output } from "./reporter.ts";
import { collect, configOption, type SelectionFlags, selectionOf, selectionOptions } from "./options.ts";
import { resolveSelection } from "../graph/selection.ts";

interface DescribeOptions extends SelectionFlags {
  config: string;
  format: "text" | "json";
  start?: string;
  end?: string;
}

export function describeCommand(out: Output): Command {
  const command = new Command("describe")
    .description("Show what a feature set is made of: columns and types, inputs, the range each source is read over, its table and definition hash.")
    .option("-s, --set <name>", "the feature set (repeat for several)", collect);
  selectionOptions().forEach((o) => command.addOption(o));
  return command
    .addOption(configOption())
    .option("--start <date>", "with --end: also show the concrete range each source is read over for this window")
    .option("--end <date>", "window end, exclusive")
    .addOption(new Option("--format <format>", "output format").choices(["text", "json"]).default("text"))
    .addHelpText(
      "after",
      `
The definition hash changes when the set's computation or anything it reads changes (a column, a type, a filter, an
upstream set, a source table) and for nothing else: not descriptions, comments, file moves or the offline table.

Examples:
  $ feature-backfill describe --set avg_monthly_revolving_balance
  $ feature-backfill describe --set quarterly_revolving_balance_trend --start 2025-01-01 --end 2025-07-01
  $ feature-backfill describe --set monthly_card_spend --format json | jq -r .definitionHash`,
    )
    .action(async (options: DescribeOptions) => {
      if ((options.start === undefined) !== (options.end === undefined)) throw new UsageError("--start and --end go together");
      const window = options.start !== undefined ? parseWindow(options.start, options.end!) : undefined;
      const project = await loadProject(options.config);
      const { config, graph } = project;
      const names = resolveSelection(graph, selectionOf(options), "error");
      // For a window: which upstream tables the ledger proves current, read without writing (none where unreadable).
      const written = window && names.some((n) => setDependencies(graph.sets.get(n)!).length) ? await readWritten(project, names, "read-only").catch(() => undefined) : undefined;
      const descriptions = names.map((name) => describeSet(graph, config, name, window, written));
      // One set: one JSON object, as before selectors; several: an array of them.
      if (options.format === "json") out.stdout(`${JSON.stringify(descriptions.length === 1 ? descriptions[0] : descriptions, null, 2)}\n`);
      else out.stdout(descriptions.map((d) => renderDescription(d, window)).join("\n"));
    });
}
