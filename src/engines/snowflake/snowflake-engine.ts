import type * as Snowflake from "snowflake-sdk";
import type { Statement } from "../../compile/statements.ts";
import { snowflakeDialect } from "../../dialects/snowflake/snowflake-dialect.ts";
import { ConnectionError, RunError } from "../../errors.ts";
import type { TableRef } from "../../ir/definitions.ts";
import { inTransaction } from "../transaction.ts";
import type { Engine, StatementLabel, WarehouseColumn } from "../engine.ts";
import { catalogQuery, readColumnType } from "./snowflake-catalog.ts";
import type { SnowflakeConfig } from "./snowflake-config.ts";
import { resolveLogin, type SnowflakeLogin } from "./snowflake-credentials.ts";
import { alterSessionStatement, sessionParameters } from "./snowflake-session.ts";
import { VERSION } from "../../version.ts";


/** How long a cancelled statement may take to report its end before the run stops waiting for it. */
const CANCEL_GRACE_MS = 5_000;

/**
 * Snowflake through snowflake-sdk. Settings and secrets are checked before the driver is imported (it is slow to
 * load); a rejected login is a ConnectionError, nothing having been written.
 */
export async function openSnowflake(config: SnowflakeConfig | undefined, configFile: string): Promise<Engine> {
  const login = resolveLogin(config, configFile);
  const sdk = await loadDriver();
  const connection = sdk.createConnection({ ...login });
  const description = `snowflake (account ${login.account}${login.database ? `, database ${login.database}` : ""})`;
  try {
    // connect(callback), not connectAsync(): the latter resolves after some failed logins (it hands those to a callback).
    await new Promise<void>((resolve, reject) => connection.connect((error) => (error ? reject(error) : resolve())));
  } catch (error) {
    throw new ConnectionError(`cannot log in to Snowflake account ${login.account} as ${login.username} (${authKind(login)}): ${oneLine(error)}`, {
      cause: error,
    });
  }
  const engine = new SnowflakeEngine(connection, description);
  // Before any other statement: what the SQL means must not depend on the account's session defaults.
  await engine.run({ sql: alterSessionStatement(sessionParameters(config)), parameters: [] });
  return engine;
}

/**
 * Imports snowflake-sdk on first use and silences it: by default it writes snowflake.log into the working directory
 * and INFO lines to the console. The AWS SDK it bundles warns about Node 20 on import; that warning is not ours to show.
 */
async function loadDriver(): Promise<typeof Snowflake> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
  const module = (await import("snowflake-sdk")) as unknown as { default: typeof Snowflake };
  const sdk = module.default;
  const drop = () => undefined;
  sdk.configure({ logLevel: "OFF", additionalLogToConsole: false, customLogger: { error: drop, warn: drop, info: drop, debug: drop, trace: drop } });
  return sdk;
}

const authKind = (login: SnowflakeLogin): string =>
  ({ SNOWFLAKE_JWT: "key pair", OAUTH: "OAuth token", SNOWFLAKE: "password" })[login.authenticator];

interface Running {
  readonly statement: Snowflake.RowStatement;
  readonly giveUp: (error: Error) => void;
}

class SnowflakeEngine implements Engine {
  readonly dialect = snowflakeDialect;
  readonly concurrentWriters = true;
  private running: Running | undefined;

  constructor(
    private readonly connection: Snowflake.Connection,
    readonly description: string,
  ) {}

  async run(statement: Statement, label?: StatementLabel): Promise<{ rowsChanged: number; queryId?: string }> {
    const { statement: done } = await this.execute(statement.sql, statement.parameters, label);
    // -1 for statements that change no rows (DDL, BEGIN).
    return { rowsChanged: Math.max(0, done.getNumUpdatedRows() ?? 0), queryId: done.getQueryId() };
  }

  async query(statement: Statement, label?: StatementLabel): Promise<Record<string, unknown>[]> {
    const { rows } = await this.execute(statement.sql, statement.parameters, label, "object");
    // Snowflake folds the names of result columns to upper case; the Engine contract is lower case.
    return (rows as Record<string, unknown>[]).map((row) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k.toLowerCase(), v])));
  }

  /**
   * Snowflake does not roll a transaction back when a statement inside it fails
   * (https://docs.snowflake.com/en/sql-reference/transactions#failed-statements): ROLLBACK is always sent here.
   */
  transaction<T>(work: () => Promise<T>, label?: StatementLabel): Promise<T> {
    return inTransaction((text) => this.execute(text, [], label), this.dialect.transaction, work);
  }

  async describeTables(tables: readonly TableRef[], label?: StatementLabel): Promise<(WarehouseColumn[] | undefined)[]> {
    if (tables.length === 0) return [];
    const query = catalogQuery(tables);
    const { rows } = await this.execute(query.sql, query.binds, label).catch((error: unknown) => {
      throw new RunError(`cannot read the catalog: ${error instanceof Error ? error.message : String(error)}`, query.sql, { cause: error });
    });
    const result: (WarehouseColumn[] | undefined)[] = tables.map(() => undefined);
    for (const [i, name, dataType, precision, scale] of rows as [number, string, string, number | null, number | null][]) {
      (result[Number(i)] ??= []).push({ name, ...readColumnType(dataType, precision, scale) });
    }
    return result;
  }

  /** Sends the abort request for the running statement; Snowflake then fails it, and the caller rolls back. */
  async interrupt(): Promise<void> {
    const running = this.running;
    if (!running) return;
    // Should the warehouse never report the cancelled statement's end, the run stops waiting after a grace period.
    const timer = setTimeout(() => running.giveUp(new RunError("the cancelled statement did not end in time")), CANCEL_GRACE_MS);
    timer.unref();
    await new Promise<void>((resolve) => running.statement.cancel(() => resolve()));
  }

  /** Closes the session in Snowflake (which also ends any transaction still open in it). */
  async close(): Promise<void> {
    await new Promise<void>((resolve) => this.connection.destroy(() => resolve()));
  }

  /** Every statement goes through here: tagged, one at a time, and every failure a RunError carrying its query id. */
  private execute(sqlText: string, binds: readonly unknown[], label: StatementLabel | undefined, rowMode: "array" | "object" = "array") {
    return new Promise<{ statement: Snowflake.RowStatement; rows: unknown[] }>((resolve, reject) => {
      let settled = false;
      const settle = (finish: () => void) => {
        if (settled) return;
        settled = true;
        this.running = undefined;
        finish();
      };
      const statement = this.connection.execute({
        sqlText,
        binds: binds.length ? (binds as Snowflake.Binds) : undefined,
        rowMode,
        parameters: { QUERY_TAG: queryTag(label) },
        complete: (error, done, rows) =>
          settle(() => {
            if (!error) return resolve({ statement: done as Snowflake.RowStatement, rows: rows ?? [] });
            const queryId = done?.getQueryId();
            reject(new RunError(`${oneLine(error)}${queryId ? ` (Snowflake query id ${queryId})` : ""}`, sqlText, { cause: error }));
          }),
      }) as Snowflake.RowStatement;
      this.running = { statement, giveUp: (error) => settle(() => reject(error)) };
    });
  }
}

/**
 * Every statement's QUERY_TAG: JSON naming the tool, the feature set and the window, so QUERY_HISTORY can be
 * filtered by it (https://docs.snowflake.com/en/sql-reference/parameters#query-tag; at most 2000 characters).
 * The driver sends it as a statement parameter, as it does for its own `queryTag` connection option.
 */
export function queryTag(label: StatementLabel | undefined): string {
  const tag = (set: string | undefined) => JSON.stringify({ tool: "feature-backfill", version: VERSION, set, window: label?.window });
  const full = tag(label?.set);
  return full.length <= 2000 ? full : tag(`${label!.set.slice(0, 200)}…`); // a name of thousands of characters
}

/** Snowflake's messages span lines ("SQL compilation error:\n…"); the CLI reports one line. */
const oneLine = (error: unknown): string => (error instanceof Error ? error.message : String(error)).replace(/\s*\n\s*/g, " ").trim();
