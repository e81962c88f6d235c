import { formatTable } from "../compile/statements.ts";
import type { SqlDialect } from "../dialects/sql-dialect.ts";
import { DefinitionError } from "../errors.ts";
import type { TableRef } from "../ir/definitions.ts";
import type { TableProblem } from "./preflight.ts";
import type { SetJob } from "./plan.ts";

/**
 * Names the tool creates, checked against the warehouse's identifier rules before anything runs: PostgreSQL would
 * silently truncate a long name (two sets sharing its first 63 bytes would then write one table, each run deleting
 * the other's rows), Snowflake refuses one mid-run. Checked: the offline schema, each set's table, its state tables
 * (the table's name and 15 characters more) and its columns.
 * The tool's own names (ledger, leases, registry, stage tables, the online store's prepared statements `fb_<hash>`)
 * are fixed and short.
 */
export function identifierProblems(jobs: readonly Pick<SetJob, "set" | "table" | "columns" | "state">[], dialect: SqlDialect): TableProblem[] {
  const { identifiers: rules } = dialect;
  const problems: TableProblem[] = [];
  const sets = uniqueBy(jobs, (j) => j.set);
  const size = (name: string) => (rules.unit === "bytes" ? Buffer.byteLength(name, "utf8") : [...name].length);
  const tooLong = (name: string) => rules.maxLength !== undefined && size(name) > rules.maxLength;
  const limit = `${dialect.name} keeps at most ${rules.maxLength} ${rules.unit} of an identifier`;

  // Tables that resolve to one name (after folding and truncation) would be one table: name both sets.
  const byKey = new Map<string, string>();
  for (const job of sets) {
    const key = tableKey(job.table, dialect);
    const other = byKey.get(key);
    if (other !== undefined) {
      problems.push({ set: job.set, error: new DefinitionError(
        `its offline table ${formatTable(job.table)} is the same ${dialect.name} table as feature set "${other}"'s` +
          ` (both resolve to ${formatTable(resolved(job.table, dialect))}): each run would delete the other's rows. Rename one set, or change offlineStore.table`,
        { set: job.set },
      ) });
    }
    byKey.set(key, job.set);
  }
  for (const job of sets) {
    const names: [what: string, name: string][] = [
      ...(job.table.schema !== undefined ? [["offline schema", job.table.schema] as [string, string]] : []),
      ["offline table name", job.table.name],
      ...(job.state?.tables ?? []).map((t): [string, string] => ["state table name", t.name]),
      ...job.columns.map((c): [string, string] => ["output column", c.name]),
    ];
    for (const [what, name] of names) {
      if (!tooLong(name)) continue;
      const truncated = rules.unit === "bytes" ? ` (it would be cut to ${JSON.stringify(rules.key(name))})` : "";
      problems.push({ set: job.set, error: new DefinitionError(
        `${what} ${JSON.stringify(name)} is ${size(name)} ${rules.unit}, but ${limit}${truncated}: shorten the set's name, its column, or offlineStore in features.config.json`,
        { set: job.set },
      ) });
    }
  }
  return problems;
}

/** The table the warehouse resolves a name to. */
const resolved = (table: TableRef, dialect: SqlDialect): TableRef => ({
  ...(table.schema !== undefined && { schema: dialect.identifiers.key(table.schema) }),
  name: dialect.identifiers.key(table.name),
});

/** A key equal for two names exactly when the warehouse resolves them to one table. */
export const tableKey = (table: TableRef, dialect: SqlDialect): string => {
  const { schema, name } = resolved(table, dialect);
  return JSON.stringify([schema ?? null, name]);
};

function uniqueBy<T>(items: readonly T[], key: (item: T) => string): T[] {
  return [...new Map(items.map((item) => [key(item), item] as const)).values()];
}
