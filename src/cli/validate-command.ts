import { Command, Option } from "commander";
import { type Problem, type ValidationReport, validateProject } from "../authoring/validate-project.ts";
import { loadConfig } from "../config/config.ts";
import { DefinitionError, RunError } from "../errors.ts";
import type { Output } from "./reporter.ts";
import { collect, configOption, type SelectionFlags, selectionOf, selectionOptions } from "./options.ts";
import { buildGraph } from "../graph/feature-graph.ts";
import { importDefinitions } from "../graph/load-modules.ts";
import { resolveSelection } from "../graph/selection.ts";

interface ValidateOptions extends SelectionFlags {
  config: string;
  againstWarehouse?: boolean;
  format: "text" | "json";
}

export function validateCommand(out: Output): Command {
  const command = new Command("validate")
    .description("Check the feature definitions without running anything, and list every problem found.")
    .option("-s, --set <name>", "check only this feature set and what it reads (repeat for several)", collect);
  selectionOptions().forEach((o) => command.addOption(o));
  return command
    .addOption(configOption())
    .option("--against-warehouse", "also check, read-only, that source tables exist with the declared columns and types")
    .addOption(new Option("--format <format>", "output format").choices(["text", "json"]).default("text"))
    .addHelpText(
      "after",
      `
Checks: feature modules import; names are unique; inputs are declared; no dependency cycles; every column exists and
types mix; each set compiles for the configured engine. --against-warehouse adds the warehouse's catalog: source
tables and columns, and existing offline tables (read-only: nothing is created or written).

Examples:
  $ feature-backfill validate
  $ feature-backfill validate --set avg_monthly_revolving_balance --against-warehouse
  $ feature-backfill validate --format json | jq '.problems[].message'

Exit codes: 0 clean; 4 a definition, module or source table problem; 5 only offline-table mismatches; 2 unknown set.`,
    )
    .action(async (options: ValidateOptions) => {
      const config = await loadConfig(options.config);
      // Selectors match the sets that load; problems are left to the report (a broken set is checked by --set NAME).
      const ignore = () => undefined;
      const tolerant = async () => buildGraph(await importDefinitions(config.featuresDir, { onProblem: ignore }), { onProblem: ignore });
      const sets = options.select || options.exclude || options.all ? resolveSelection(await tolerant(), selectionOf(options), "all") : options.set;
      const report = await validateProject(config, { sets, againstWarehouse: options.againstWarehouse });
      out.stdout(options.format === "json" ? `${JSON.stringify(toJson(report), null, 2)}\n` : renderText(report));
      failIfProblems(report.problems);
    });
}

function renderText(report: ValidationReport): string {
  const checked = `${report.sets.length} feature set(s) and ${report.sources.length} source(s) for ${report.engine}` +
    (report.againstWarehouse ? ", against the warehouse" : "");
  if (report.problems.length === 0) return `ok: ${checked}\n`;
  const lines = [`checked ${checked}: ${report.problems.length} problem(s)`, ""];
  for (const p of report.problems) lines.push(`  x ${p.message}`);
  const bad = report.sets.filter((s) => !s.ok).map((s) => s.name);
  const good = report.sets.filter((s) => s.ok).map((s) => s.name);
  lines.push("", `not valid: ${bad.join(", ") || "none"}`, `valid: ${good.join(", ") || "none"}`);
  return `${lines.join("\n")}\n`;
}

const toJson = (report: ValidationReport) => ({
  ...report,
  ok: report.problems.length === 0,
  problems: report.problems.map(({ error, ...rest }) => ({ ...rest, kind: error.name })),
});

/** Any definition or source-table problem exits 4; only offline-table mismatches (which a run reports as 5) exit 5. */
function failIfProblems(problems: readonly Problem[]): void {
  if (problems.length === 0) return;
  const summary = `${problems.length} problem(s) found (listed above)`;
  if (problems.every((p) => p.error instanceof RunError)) throw new RunError(summary);
  throw new DefinitionError(summary);
}

// No default value: commander would treat an empty default as given.
