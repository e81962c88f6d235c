import type { SnowflakeConfig } from "./snowflake-config.ts";

/**
 * The session parameters every statement relies on, set first thing after login so that an account's or user's own
 * settings cannot change what the SQL means (https://docs.snowflake.com/en/sql-reference/parameters):
 * - TIMEZONE 'UTC': CURRENT_TIMESTAMP and any conversion to or from TIMESTAMP_LTZ/TZ happen in UTC, as on the other
 *   engines; TIMESTAMP_TYPE_MAPPING: a bare TIMESTAMP is the IR's zone-less TIMESTAMP_NTZ.
 * - Input formats AUTO (ISO text, as the ledger binds it) and fixed ISO output formats: text the tool binds or reads
 *   back parses and prints the same in every account.
 * - QUOTED_IDENTIFIERS_IGNORE_CASE FALSE: quoted names keep their case, which the dialect's compiler and the preflight
 *   rely on (https://docs.snowflake.com/en/sql-reference/identifiers-syntax#controlling-case-using-the-quoted-identifiers-ignore-case-parameter).
 * - ABORT_DETACHED_QUERY TRUE: a killed client's running statement is aborted (5 minutes after the connection is
 *   lost) instead of running on; LOCK_TIMEOUT bounds how long a statement waits for the feature table's lock (by
 *   default Snowflake waits 12 hours); STATEMENT_TIMEOUT_IN_SECONDS bounds one statement (by default two days).
 */
export function sessionParameters(config: Pick<SnowflakeConfig, "lockTimeoutSeconds" | "statementTimeoutSeconds"> | undefined): Record<string, string | number | boolean> {
  return {
    TIMEZONE: "UTC",
    TIMESTAMP_TYPE_MAPPING: "TIMESTAMP_NTZ",
    TIMESTAMP_INPUT_FORMAT: "AUTO",
    DATE_INPUT_FORMAT: "AUTO",
    TIMESTAMP_OUTPUT_FORMAT: "YYYY-MM-DD HH24:MI:SS.FF6",
    TIMESTAMP_NTZ_OUTPUT_FORMAT: "YYYY-MM-DD HH24:MI:SS.FF6",
    DATE_OUTPUT_FORMAT: "YYYY-MM-DD",
    QUOTED_IDENTIFIERS_IGNORE_CASE: false,
    ABORT_DETACHED_QUERY: true,
    LOCK_TIMEOUT: config?.lockTimeoutSeconds ?? DEFAULT_LOCK_TIMEOUT_SECONDS,
    STATEMENT_TIMEOUT_IN_SECONDS: config?.statementTimeoutSeconds ?? DEFAULT_STATEMENT_TIMEOUT_SECONDS,
  };
}

/**
 * 15 minutes: longer than the worst wait after a killed run (its statement aborted 5 minutes after the connection
 * is lost, its detached transaction 5 idle minutes after it blocks another), so the next run waits it out rather than fail.
 */
const DEFAULT_LOCK_TIMEOUT_SECONDS = 900;
/** 6 hours: far beyond any chunk this tool plans, short of Snowflake's two days. */
const DEFAULT_STATEMENT_TIMEOUT_SECONDS = 21_600;

/** `ALTER SESSION SET …` for the parameters: values are the constants above or validated integers, never user text. */
export function alterSessionStatement(parameters: Record<string, string | number | boolean>): string {
  const value = (v: string | number | boolean) => (typeof v === "string" ? `'${v}'` : String(v).toUpperCase());
  return `ALTER SESSION SET ${Object.entries(parameters).map(([k, v]) => `${k} = ${value(v)}`).join(", ")}`;
}
