import type * as Snowflake from "snowflake-sdk";
import type { Statement } from "../../compile/statements.ts";
import { snowflakeDialect } from "../../dialects/snowflake/snowflake-dialect.ts";
import { ConnectionError, RunError, messageOf } from "../../errors.ts";
import type { TableRef } from "../../ir/definitions.ts";
import { inTransaction } from "../transaction.ts";
import { DEFAULT_TIMEOUTS, type Engine, type EngineTimeouts, type StatementLabel, type WarehouseColumn } from "../engine.ts";
import { unlessAborted } from "../abortable.ts";
import { catalogQuery, readColumnType } from "./snowflake-catalog.ts";
import type { SnowflakeConfig } from "./snowflake-config.ts";
import { resolveLogin, type SnowflakeLogin } from "./snowflake-credentials.ts";
import { alterSessionStatement, sessionParameters } from "./snowflake-session.ts";
import { VERSION } from "../../version.ts";


/** How long a cancelled statement may take to report its end before the run stops waiting for it. */
const CANCEL_GRACE_MS = 5_000;

/**
 * Snowflake through snowflake-sdk. Settings and secrets are checked before the driver is imported (it is slow to
 * load); a rejected login is a ConnectionError, nothing having been written. The login has `timeouts.connectMs`
 * (the driver's own retries, up to minutes against an unreachable account, are cut short) and ends at once on
 * `signal`.
 */
export async function openSnowflake(
  config: SnowflakeConfig | undefined,
  configFile: string,
  timeouts: EngineTimeouts = DEFAULT_TIMEOUTS,
  signal?: AbortSignal,
): Promise<Engine> {
  const login = resolveLogin(config, configFile);
  const sdk = await loadDriver();
  const description = `snowflake (account ${login.account}${login.database ? `, database ${login.database}` : ""})`;
  const logIn = async (): Promise<Snowflake.Connection> => {
    const connection = sdk.createConnection({ ...login });
    const failed = (detail: string, cause?: unknown) =>
      new ConnectionError(`cannot log in to Snowflake account ${login.account} as ${login.username} (${authKind(login)}): ${detail}`, { cause });
    let timer: NodeJS.Timeout | undefined;
    // connect(callback), not connectAsync(): the latter resolves after some failed logins (it hands those to a callback).
    const connecting = new Promise<void>((resolve, reject) => {
      connection.connect((error) => (error ? reject(failed(oneLine(error), error)) : resolve()));
      timer = setTimeout(
        () => reject(failed(`no answer within ${timeouts.connectMs / 1000} s (timeouts.connectSeconds in features.config.json)`)),
        timeouts.connectMs,
      );
    });
    const abandon = () => connection.destroy(() => undefined);
    try {
      await unlessAborted(connecting, signal, `logging in to Snowflake account ${login.account}`, abandon);
      // Before any other statement, on every login (a reconnect too): what the SQL means must not depend on the
      // account's session defaults.
      await unlessAborted(setSession(connection, alterSessionStatement(sessionParameters(config))), signal, "setting the Snowflake session", abandon);
      return connection;
    } catch (error) {
      abandon();
      throw error;
    } finally {
      clearTimeout(timer);
    }
  };
  return new SnowflakeEngine(await logIn(), logIn, description, timeouts);
}

/** Runs the session's ALTER SESSION on a new connection; a failure is a ConnectionError (nothing was written). */
function setSession(connection: Snowflake.Connection, sqlText: string): Promise<void> {
  return new Promise((resolve, reject) =>
    connection.execute({
      sqlText,
      complete: (error) => (error ? reject(new ConnectionError(`cannot set up the Snowflake session (${sqlText}): ${oneLine(error)}`, { cause: error })) : resolve()),
    }),
  );
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
  /** Set when a statement failed because the session or the network was lost: `reconnect` then logs in again. */
  private lost = false;

  constructor(
    private connection: Snowflake.Connection,
    private readonly logIn: () => Promise<Snowflake.Connection>,
    readonly description: string,
    private readonly timeouts: EngineTimeouts,
  ) {}

  async reconnect(): Promise<boolean> {
    if (!this.lost) return false;
    this.connection.destroy(() => undefined);
    this.connection = await this.logIn();
    this.lost = false;
    return true;
  }

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
      throw new RunError(`cannot read the catalog: ${messageOf(error)}`, query.sql, { cause: error });
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
        parameters: { QUERY_TAG: queryTag(label), ...(this.timeouts.statementMs && { STATEMENT_TIMEOUT_IN_SECONDS: Math.ceil(this.timeouts.statementMs / 1000) }) },
        complete: (error, done, rows) =>
          settle(() => {
            if (!error) return resolve({ statement: done as Snowflake.RowStatement, rows: rows ?? [] });
            const queryId = done?.getQueryId();
            const transient = isTransient(error);
            if (transient) this.lost = true;
            reject(new RunError(`${oneLine(error)}${queryId ? ` (Snowflake query id ${queryId})` : ""}`, sqlText, { cause: error, transient }));
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

/**
 * Failures worth a retry on a new session: the driver's network errors (could not reach Snowflake, the request
 * failed, a non-JSON answer from a proxy; the same for result files) and an expired or invalid session.
 * SQL errors are not retried: Snowflake's own are not transient by code.
 */
const TRANSIENT_CODES = new Set(["401001", "401002", "401003", "402001", "402002", "390104", "390112", "390114"]);
const isTransient = (error: unknown): boolean => TRANSIENT_CODES.has(String((error as { code?: unknown }).code));

/** Snowflake's messages span lines ("SQL compilation error:\n…"); the CLI reports one line. */
const oneLine = (error: unknown): string => messageOf(error).replace(/\s*\n\s*/g, " ").trim();
