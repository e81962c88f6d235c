import { existsSync } from "node:fs";
import { Command, Option } from "commander";
import { type DropPlan, dropStatements, executeDrop, planDrop, releaseDrop } from "../backfill/drop-sets.ts";
import { DEFAULT_LEASE_TTL_MS } from "../backfill/leases.ts";
import { loadProjectFor } from "../backfill/run-backfill.ts";
import { formatTable } from "../compile/statements.ts";
import { statementText } from "./run-command.ts";
import { DIALECTS, type DialectName } from "../dialects/index.ts";
import type { Engine } from "../engines/engine.ts";
import { openEngine } from "../engines/open-engine.ts";
import { InterruptedError, UsageError } from "../errors.ts";
import { selectSets } from "../graph/feature-graph.ts";
import type { Output } from "./reporter.ts";
import { collect, configOption } from "./options.ts";

/** Asks a question on the terminal and returns the answer; present only where there is a terminal to ask on. */
export type Ask = (question: string) => Promise<string>;

interface DropOptions {
  set?: string[];
  yes?: boolean;
  dryRun?: boolean;
  config: string;
  engine?: DialectName;
}

export function dropCommand(out: Output & { readonly ask?: Ask }, signal: AbortSignal): Command {
  return new Command("drop")
    .description("Drop feature sets' offline tables and the state tables registered with them, and their registry rows; the run ledger keeps its history.")
    .option("-s, --set <name>", "feature set whose tables to drop (repeat for several)", collect)
    .option("-y, --yes", "drop without asking (required where there is no terminal to ask on)")
    .option("--dry-run", "print what would be dropped and the statements, dropping nothing")
    .addOption(configOption())
    .addOption(new Option("--engine <engine>", "warehouse, instead of the config's engine").choices(Object.keys(DIALECTS)))
    .addHelpText(
      "after",
      `
Only tables this tool created are dropped: each must have its set's row in the table registry
(feature_backfill_tables) and carry that row's mark in its comment; otherwise nothing is dropped (exit 9).
While a run writes the set (a live lease), nothing is dropped (exit 8). Afterwards \`status\` shows the set as
not written, and \`run\` creates its table anew.

Examples:
  $ feature-backfill drop --set daily_card_spend --dry-run
  $ feature-backfill drop --set daily_card_spend                 # lists the tables with their rows, asks y/N
  $ feature-backfill drop --set daily_card_spend --yes           # in a script`,
    )
    .action(async (options: DropOptions) => {
      const sets = [...new Set(options.set ?? [])];
      if (sets.length === 0) throw new UsageError("say which feature sets: --set NAME (repeat for several)");
      if (!options.yes && !options.dryRun && !out.ask) {
        throw new UsageError("drop asks before dropping, and there is no terminal to ask on: give --yes to drop without asking (--dry-run shows what it would drop)");
      }
      const { config, graph } = await loadProjectFor(options);
      selectSets(graph, sets); // an unknown name is refused with the sets there are
      if (config.engine === "duckdb" && config.duckdb.path !== ":memory:" && !existsSync(config.duckdb.path)) {
        out.stdout(`nothing to drop: the warehouse file ${config.duckdb.path} does not exist\n`);
        return;
      }
      const now = new Date();
      const label = { set: sets.join(","), window: "drop" };
      const engine = await openEngine(config, { readOnly: options.dryRun, signal });
      const onAbort = () => void engine.interrupt();
      signal.addEventListener("abort", onAbort);
      try {
        const request = sets.map((set) => ({ set, table: config.tableFor(set) }));
        const lease = options.dryRun ? undefined : { ttlMs: config.leaseTtlMs ?? DEFAULT_LEASE_TTL_MS };
        const plan = await planDrop(engine, request, graph.sources.values(), { now, label, lease });
        if (plan.targets.length === 0) {
          await releaseDrop(engine, plan, label);
          out.stdout(`nothing to drop: no table of ${sets.join(", ")} exists or is registered in ${engine.description}\n`);
          return;
        }
        if (options.dryRun) return void out.stdout(renderDropDryRun(plan, engine));
        if (!options.yes && !(await confirm(out.ask!, out, plan, engine, signal))) {
          await releaseDrop(engine, plan, label);
          if (signal.aborted) throw new InterruptedError("interrupted while asking; nothing was dropped");
          out.stderr("nothing was dropped\n");
          return;
        }
        if (signal.aborted) throw new InterruptedError("interrupted; nothing was dropped");
        await executeDrop(engine, plan, label);
        out.stdout(`${describePlan(plan, "done").join("\n")}\n`);
        out.stdout(`the run ledger keeps the history of ${sets.join(", ")}; \`status\` shows ${sets.length > 1 ? "them" : "it"} as not written, and \`run\` creates the tables anew\n`);
      } catch (error) {
        if (signal.aborted && !(error instanceof InterruptedError)) {
          const partly = engine.dialect.transactionalDdl ? "its transaction was rolled back: nothing was dropped" : "some tables may be dropped: run drop again to finish";
          throw new InterruptedError(`drop interrupted; ${partly}`, { cause: error });
        }
        throw error;
      } finally {
        signal.removeEventListener("abort", onAbort);
        await engine.close();
      }
    });
}

/** Lists the plan on stderr and asks y/N; anything but y or yes (or Ctrl-C) is no. */
async function confirm(ask: Ask, out: Output, plan: DropPlan, engine: Engine, signal: AbortSignal): Promise<boolean> {
  const tables = plan.targets.filter((t) => t.rows !== undefined).length;
  out.stderr(`in ${engine.description}:\n${describePlan(plan, "planned").join("\n")}\n`);
  const answer = await ask(`Drop ${tables} table(s)? Their rows cannot be recovered by this tool. [y/N] `);
  return !signal.aborted && /^\s*y(es)?\s*$/i.test(answer);
}

/** A line per table: what will be (or was) done, with its rows. */
function describePlan(plan: DropPlan, when: "planned" | "done"): string[] {
  const rows = (n: number) => `${n.toLocaleString("en-US")} row${n === 1 ? "" : "s"}`;
  return plan.targets.map((t) =>
    t.rows === undefined
      ? `${when === "done" ? "removed" : "remove"} the stale registry row of ${formatTable(t.table)} (${t.role} of ${t.set}; the table no longer exists)`
      : `${when === "done" ? "dropped" : "drop"} ${formatTable(t.table)} (${t.role} of ${t.set}, ${rows(t.rows)})`,
  );
}

/** What a drop would run, as it would run it; the lease's statements are not printed (as a run's dry run). */
export function renderDropDryRun(plan: DropPlan, engine: Pick<Engine, "dialect" | "description">): string {
  const { dialect } = engine;
  const statements = dropStatements(plan, dialect).map(statementText);
  const body = dialect.transactionalDdl
    ? [`${dialect.transaction.begin};`, ...statements, `${dialect.transaction.commit};`]
    : ["-- DDL commits at once here: each table is dropped before its registry row is removed, the offline table last", ...statements];
  return `${[`-- feature-backfill drop dry run (${engine.description}); nothing was dropped`, ...describePlan(plan, "planned").map((l) => `-- ${l}`), ...body].join("\n")}\n`;
}

