import type { SqlDialect } from "../dialects/sql-dialect.ts";

/**
 * `work` between the dialect's BEGIN and COMMIT. On any error, ROLLBACK is sent explicitly — PostgreSQL and DuckDB
 * leave a failed transaction aborted until then, and Snowflake does not roll back by itself at all — and the original
 * error is rethrown: should ROLLBACK fail too, the first error is still the one to report.
 */
export async function inTransaction<T>(
  exec: (sql: string) => Promise<unknown>,
  control: SqlDialect["transaction"],
  work: () => Promise<T>,
): Promise<T> {
  await exec(control.begin);
  try {
    const result = await work();
    await exec(control.commit);
    return result;
  } catch (error) {
    await exec(control.rollback).catch(() => undefined);
    throw error;
  }
}
