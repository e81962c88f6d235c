import { checkpointsQuery } from "../compile/state-statements.ts";
import type { Engine } from "../engines/engine.ts";
import type { SetJob } from "./plan.ts";

/**
 * Read-only: per set that keeps state (state-pass.ts), the instants its state tables all hold a checkpoint of under
 * the set's current definition. A set whose state tables do not all exist has none: its first chunk reads the whole
 * history and writes them.
 */
export async function readCheckpoints(engine: Engine, jobs: readonly Pick<SetJob, "set" | "definitionHash" | "state">[]): Promise<Map<string, Date[]>> {
  const result = new Map<string, Date[]>();
  const bySet = new Map(jobs.flatMap((j) => (j.state ? [[j.set, { hash: j.definitionHash, tables: j.state.tables }] as const] : [])));
  for (const [set, { hash, tables }] of bySet) {
    const described = await engine.describeTables(tables);
    if (described.some((columns) => !columns)) continue;
    let common: Set<number> | undefined;
    for (const table of tables) {
      const instants = new Set((await engine.query(checkpointsQuery(table, hash, engine.dialect))).map((r) => (r.as_of as Date).getTime()));
      common = common ? new Set([...common].filter((t) => instants.has(t))) : instants;
    }
    result.set(set, [...(common ?? [])].sort((a, b) => a - b).map((t) => new Date(t)));
  }
  return result;
}
