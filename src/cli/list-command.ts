import { Command, Option } from "commander";
import { loadProject } from "../backfill/run-backfill.ts";
import { formatTable } from "../compile/statements.ts";
import { setDependencies, setSources } from "../graph/feature-graph.ts";
import type { Output } from "./reporter.ts";
import { configOption } from "./options.ts";

export function listCommand(out: Output): Command {
  return new Command("list")
    .description("List the feature sets and sources the feature modules define.")
    .addOption(configOption())
    .addOption(new Option("--format <format>", "output format").choices(["text", "json"]).default("text"))
    .addHelpText("after", `
Examples:
  $ feature-backfill list
  $ feature-backfill list --format json | jq '.sets[].name'`)
    .action(async (options: { config: string; format: "text" | "json" }) => {
      const { config, graph } = await loadProject(options.config);
      const sets = [...graph.sets.values()].map((node) => ({
        name: node.def.name,
        keys: node.def.keys,
        timestamp: node.def.timestamp,
        inputs: [...setSources(node), ...setDependencies(node)],
        table: formatTable(config.tableFor(node.def.name)),
        description: node.def.description,
      }));
      const sources = [...graph.sources.values()].map((s) => ({
        name: s.name,
        keys: s.keys,
        timestamp: s.timestamp,
        table: formatTable(s.backfill),
      }));
      if (options.format === "json") {
        out.stdout(`${JSON.stringify({ sets, sources }, null, 2)}\n`);
        return;
      }
      const lines = ["Feature sets:"];
      for (const s of sets) {
        lines.push(`  ${s.name}  (keys: ${s.keys.join(", ")}; timestamp: ${s.timestamp}; inputs: ${s.inputs.join(", ")}) -> ${s.table}`);
        if (s.description) lines.push(`      ${s.description}`);
      }
      lines.push("", "Sources:");
      for (const s of sources) lines.push(`  ${s.name}  (keys: ${s.keys.join(", ")}; timestamp: ${s.timestamp}) <- ${s.table}`);
      out.stdout(`${lines.join("\n")}\n`);
    });
}
