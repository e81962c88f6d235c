import { Command, Option } from "commander";
import { dagView, toDot, toMermaid } from "../authoring/render-graph.ts";
import { loadProject } from "../backfill/run-backfill.ts";
import type { Output } from "./reporter.ts";
import { collect, configOption, type SelectionFlags, selectionOf, selectionOptions } from "./options.ts";
import { resolveSelection } from "../graph/selection.ts";

export function graphCommand(out: Output): Command {
  const command = new Command("graph")
    .description("Print the DAG from sources to feature sets, as Mermaid (for Markdown) or Graphviz DOT.")
    .option("-s, --set <name>", "only this feature set and what it reads (repeat for several)", collect);
  selectionOptions().forEach((o) => command.addOption(o));
  return command
    .addOption(configOption())
    .addOption(new Option("--format <format>", "output format").choices(["mermaid", "dot"]).default("mermaid"))
    .addHelpText(
      "after",
      `
Examples:
  $ feature-backfill graph                                   # paste into a Markdown file inside a \`\`\`mermaid block
  $ feature-backfill graph --set quarterly_revolving_balance_trend
  $ feature-backfill graph --select avg_monthly_revolving_balance+   # the set, what it reads and what reads it
  $ feature-backfill graph --format dot | dot -Tsvg > features.svg`,
    )
    .action(async (options: SelectionFlags & { config: string; format: "mermaid" | "dot" }) => {
      const { graph } = await loadProject(options.config);
      const view = dagView(graph, resolveSelection(graph, selectionOf(options), "all"));
      out.stdout(options.format === "dot" ? toDot(view) : toMermaid(view));
    });
}
