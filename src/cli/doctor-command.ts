import { Command, Option } from "commander";
import { loadConfig, withEngine } from "../config/config.ts";
import { DIALECTS, type DialectName } from "../dialects/index.ts";
import { formatResult, formatSummary, summarise } from "../doctor/doctor-report.ts";
import { openEngine } from "../engines/open-engine.ts";
import { RunError } from "../errors.ts";
import { configOption } from "./options.ts";
import type { Output } from "./reporter.ts";

interface DoctorOptions {
  config?: string;
  engine?: DialectName;
  format: "text" | "json";
  dryRun?: boolean;
}

export function doctorCommand(out: Output, signal: AbortSignal): Command {
  return new Command("doctor")
    .description(
      "Prove on the configured warehouse that every SQL construct the tool emits gives the same rows as embedded DuckDB, in a scratch schema it creates and drops.",
    )
    .addOption(configOption())
    .addOption(new Option("--engine <engine>", "warehouse to check, instead of the config's engine").choices(Object.keys(DIALECTS)))
    .addOption(new Option("--format <format>", "output format").choices(["text", "json"]).default("text"))
    .option("--dry-run", "print every statement doctor would send, and open no connection")
    .addHelpText(
      "after",
      `
Exit codes: 0 every construct agrees (or is refused by the dialect when planning), 5 one differs or the warehouse
refused one, 6 cannot log in, 130 interrupted (the scratch schema is dropped in every case).

Examples:
  $ feature-backfill doctor --engine snowflake
  $ feature-backfill doctor --engine postgres --format json | jq '.results[] | select(.status != "ok")'
  $ feature-backfill doctor --engine snowflake --dry-run`,
    )
    .action(async (options: DoctorOptions) => {
      // Loaded here, not at start-up: the conformance cases it builds are needed by no other command.
      const { doctorPassed, doctorStatements, runDoctor } = await import("../doctor/doctor.ts");
      const loaded = await loadConfig(options.config);
      const config = options.engine ? withEngine(loaded, options.engine) : loaded;
      if (options.dryRun) {
        const parts = await doctorStatements(config.dialect);
        const lines = [`-- feature-backfill doctor dry run (${config.engine}): the statements doctor sends, besides the run ledger's`];
        for (const { label, statements } of parts) lines.push("", `-- ${label}`, ...statements.map((s) => `${s.sql};`));
        out.stdout(`${lines.join("\n")}\n`);
        return;
      }
      const engine = await openEngine(config);
      let report;
      try {
        if (options.format === "text") out.stdout(`doctor: ${engine.description}, against embedded DuckDB\n`);
        report = await runDoctor(engine, { signal, onResult: options.format === "text" ? (r) => out.stdout(`${formatResult(r)}\n`) : undefined });
      } finally {
        await engine.close();
      }
      if (options.format === "json") out.stdout(`${JSON.stringify({ ...report, summary: summarise(report) }, null, 2)}\n`);
      else out.stdout(`${formatSummary(report)}\n`);
      if (!doctorPassed(report)) {
        const s = summarise(report);
        throw new RunError(`doctor: ${s.differs} construct(s) differ from embedded DuckDB and ${s.refused} were refused by ${report.engine}`);
      }
    });
}
