import { readFile } from "node:fs/promises";
import { Command } from "commander";
import { loadProject } from "../backfill/run-backfill.ts";
import type { ResolvedConfig } from "../config/config.ts";
import { DIALECTS } from "../dialects/index.ts";
import { ConfigError, UsageError } from "../errors.ts";
import { createOnlineClient, describeReads, type RequestRow } from "../online/online-client.ts";
import type { OnlineStore, OnlineStoreSettings } from "../online/online-store.ts";
import type { Output } from "./reporter.ts";
import { collect, configOption } from "./options.ts";

interface OnlineOptions {
  set: string[];
  entity: string[];
  asOf?: string;
  rows?: string;
  config: string;
  explain?: boolean;
}

export function onlineCommand(out: Output): Command {
  return new Command("online")
    .description("Compute feature sets for one entity from the online store, as of a moment (default: now), and print them as JSON.")
    .requiredOption("-s, --set <name>", "feature set (repeat for several)", collect)
    .requiredOption("-e, --entity <key=value>", "an entity field: the set's keys, and others that let sources be filtered (repeat)", collect)
    .option("--as-of <time>", "ISO date or timestamp with a zone: the answer a lookup at that moment gets")
    .option("--rows <file>", 'JSON file of rows per source, read instead of its online table: {"credit_applications": [{…}]}')
    .option("--explain", "print how each source is read and the SQL, without connecting")
    .addOption(configOption())
    .addHelpText(
      "after",
      `
Examples:
  $ feature-backfill online --set rolling_card_spend --entity customer_id=42
  $ feature-backfill online --set rolling_card_spend --set monthly_card_spend --entity customer_id=42 --as-of 2025-06-01T12:00:00Z
  $ feature-backfill online --set application_utilisation --entity application_id=7 --entity customer_id=42 --explain`,
    )
    .action(async (options: OnlineOptions) => {
      const entity = Object.fromEntries(
        options.entity.map((pair) => {
          const at = pair.indexOf("=");
          if (at <= 0) throw new UsageError(`--entity ${JSON.stringify(pair)}: expected key=value, e.g. customer_id=42`);
          return [pair.slice(0, at), pair.slice(at + 1)];
        }),
      );
      const { config, graph } = await loadProject(options.config);
      const settings = onlineSettings(config);
      const rows = options.rows ? await readRows(options.rows) : undefined;
      if (options.explain) {
        // No connection: a store that only lends its dialect.
        const store: OnlineStore = { dialect: DIALECTS[settings.engine], description: "", query: notConnected, ping: notConnected, close: async () => undefined };
        const client = await createOnlineClient({ graph, store });
        for (const query of client.explain(options.set, entity, { ...(rows && { rows }) })) {
          const fields = Object.keys(entity).filter((f) => query.columns.some((c) => c.name === f));
          out.stdout(`-- ${query.set}, entity ${fields.join(", ")}:\n${describeReads(query).map((l) => `--   ${l}\n`).join("")}${query.sql};\n\n`);
        }
        return;
      }
      const client = await createOnlineClient({ graph, store: settings });
      try {
        const result = await client.get(options.set, entity, { ...(options.asOf !== undefined && { asOf: options.asOf }), ...(rows && { rows }) });
        out.stdout(`${JSON.stringify(result, null, 2)}\n`);
      } finally {
        await client.close();
      }
    });
}

export function onlineSettings(config: ResolvedConfig): OnlineStoreSettings {
  if (!config.online) throw new ConfigError(`${config.file} has no "online" block: say which database online lookups read (docs/online.md)`);
  return config.online;
}

async function readRows(file: string): Promise<Record<string, RequestRow[]>> {
  try {
    return JSON.parse(await readFile(file, "utf8"));
  } catch (error) {
    throw new UsageError(`--rows ${file}: ${(error as Error).message}`);
  }
}

const notConnected = async (): Promise<never> => {
  throw new Error("internal: --explain does not connect");
};
