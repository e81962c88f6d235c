import { Command, Option } from "commander";
import { dagView, toDot, toMermaid } from "../authoring/render-graph.ts";
import { loadProject } from "../backfill/run-backfill.ts";
import type { Output } from "./reporter.ts";
import { configOption } from "./options.ts";

export function graphCommand(out: Output): Command {
  return new Command("graph")
    .description("Print the DAG from sources to feature sets, as Mermaid (for Markdown) or Graphviz DOT.")
    .option("-s, --set <name>", "only this feature set and what it reads")
    .addOption(configOption())
    .addOption(new Option("--format <format>", "output format").choices(["mermaid", "dot"]).default("mermaid"))
    .addHelpText(
      "after",
      `
Examples:
  $ feature-backfill graph                                   # paste into a Markdown file inside a \`\`\`mermaid block
  $ feature-backfill graph --set quarterly_revolving_balance_trend
  $ feature-backfill graph --format dot | dot -Tsvg > features.svg`,
    )
    .action(async (options: { set?: string; config: string; format: "mermaid" | "dot" }) => {
      const { graph } = await loadProject(options.config);
      const view = dagView(graph, options.set);
      out.stdout(options.format === "dot" ? toDot(view) : toMermaid(view));
    });
}
