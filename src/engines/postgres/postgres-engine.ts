import type { Client, ClientConfig } from "pg";
import type { Statement } from "../../compile/statements.ts";
import type { TableRef } from "../../ir/definitions.ts";
import { postgresDialect } from "../../dialects/postgres/postgres-dialect.ts";
import { messageOf, RunError } from "../../errors.ts";
import { DEFAULT_TIMEOUTS, type Engine, type EngineTimeouts, type WarehouseColumn } from "../engine.ts";
import { connectError, sessionConfig, sessionSettings, statementError, verifySession } from "./postgres-session.ts";
import { unlessAborted } from "../abortable.ts";
import { inTransaction } from "../transaction.ts";

/**
 * Where the server is. The password is never part of the settings: it comes from PGPASSWORD in the environment, so
 * no config file or command line holds it.
 */
export interface PostgresSettings {
  /** `postgres://user@host:port/database`, without a password; or the fields below (not both). */
  readonly connectionString?: string;
  readonly host?: string;
  readonly port?: number;
  readonly database?: string;
  readonly user?: string;
}

/**
 * Opens one connection whose session holds the settings the SQL relies on (postgres-session.ts). `pg` is imported
 * here, so a dry run or a DuckDB run never loads it. Failing to connect is a ConnectionError (exit 6).
 */
export async function openPostgres(
  settings: PostgresSettings,
  env: NodeJS.ProcessEnv = process.env,
  timeouts: EngineTimeouts = DEFAULT_TIMEOUTS,
  signal?: AbortSignal,
): Promise<Engine> {
  const { default: pg } = await import("pg");
  // Called only when the server asks for a password. (With no password at all, pg throws from a socket callback,
  // killing the process.)
  const password = async () => {
    if (env.PGPASSWORD === undefined) throw new Error("the server asks for a password: set PGPASSWORD in the environment");
    return env.PGPASSWORD;
  };
  const config: ClientConfig = {
    ...settings,
    ...sessionConfig(timeouts),
    application_name: "feature-backfill", // named in pg_stat_activity
    // pg reads TIMESTAMP (without zone) in the process's local zone; here every timestamp is UTC (the run ledger's).
    types: { getTypeParser: (oid: number, format?: string) => (oid === TIMESTAMP_OID ? parseUtcTimestamp : pg.types.getTypeParser(oid, format as never)) } as never,
  };
  const newClient = () => {
    const client = new pg.Client(config);
    // Set after construction: pg lets a connection string's (absent) password replace one given in the config.
    client.password = password as unknown as string;
    // A connection the server drops between statements emits 'error'; without a listener that is an uncaught
    // exception. The next statement then fails with its own error, which is what gets reported.
    client.on("error", () => undefined);
    return client;
  };
  const probe = newClient();
  const where = `${probe.user ?? "?"}@${probe.host}:${probe.port}/${probe.database ?? "?"}`;
  const connect = async (client = newClient()): Promise<Client> => {
    try {
      const connecting = client.connect().then(() => verifySession(client, where, sessionSettings(timeouts)));
      await unlessAborted(connecting, signal, `connecting to PostgreSQL ${where}`, () => destroy(client));
      return client;
    } catch (error) {
      destroy(client);
      throw connectError(where, error, timeouts);
    }
  };
  return new PostgresEngine(await connect(probe), newClient, () => connect(), where);
}

/** Drops the socket at once: `end()` would wait for a server that may never answer. */
const destroy = (client: Client) => (client as unknown as { connection: { stream: { destroy(): void } } }).connection.stream.destroy();

const TIMESTAMP_OID = 1114;
const parseUtcTimestamp = (text: string): Date => new Date(`${text.replace(" ", "T")}Z`);

// pg_type.typname as the IR reads it (§8: the built-in types). Domains, arrays, json, … are "other".
const TYPES: Record<string, WarehouseColumn["dtype"]> = {
  bool: "boolean",
  int2: "integer",
  int4: "integer",
  int8: "bigint",
  float4: "double",
  float8: "double",
  numeric: "decimal",
  text: "varchar",
  varchar: "varchar",
  date: "date",
  timestamp: "timestamp",
  timestamptz: "timestamptz",
};

class PostgresEngine implements Engine {
  readonly dialect = postgresDialect;
  readonly concurrentWriters = true;
  readonly description: string;

  /** Set once the connection is gone (the server ended it, or the socket failed): `reconnect` then opens another. */
  private lost = false;

  constructor(
    private client: Client,
    private readonly newClient: () => Client,
    private readonly connect: () => Promise<Client>,
    where: string,
  ) {
    this.description = `postgres (${where})`;
    this.watch(client);
  }

  async reconnect(): Promise<boolean> {
    if (!this.lost) return false;
    destroy(this.client); // not end(): a half-dead socket may never answer its goodbye
    this.client = await this.connect();
    this.lost = false;
    this.watch(this.client);
    return true;
  }

  private watch(client: Client): void {
    const gone = () => client === this.client && (this.lost = true);
    client.on("error", gone);
    client.on("end", gone);
  }

  async run(statement: Statement): Promise<{ rowsChanged: number }> {
    const result = await this.exec(statement.sql, statement.parameters);
    return { rowsChanged: result.rowCount ?? 0 }; // null for DDL
  }

  async query(statement: Statement): Promise<Record<string, unknown>[]> {
    return (await this.exec(statement.sql, statement.parameters)).rows;
  }

  /** After an error PostgreSQL refuses every statement but ROLLBACK ("current transaction is aborted"). */
  transaction<T>(work: () => Promise<T>): Promise<T> {
    return inTransaction((text) => this.exec(text), this.dialect.transaction, work);
  }

  /**
   * One catalog query: `to_regclass` resolves each name exactly as the statements will (quoted, so case-sensitive,
   * and an unqualified name through the search_path); pg_attribute lists its live columns in order.
   */
  async describeTables(tables: readonly TableRef[]): Promise<(WarehouseColumn[] | undefined)[]> {
    if (tables.length === 0) return [];
    const result = await this.exec(
      `SELECT w.i, a.attname AS name, format_type(a.atttypid, a.atttypmod) AS spelled, t.typname
       FROM unnest($1::int[], $2::text[], $3::text[]) AS w(i, s, t)
       JOIN pg_attribute AS a
         ON a.attrelid = to_regclass(CASE WHEN w.s IS NULL THEN format('%I', w.t) ELSE format('%I.%I', w.s, w.t) END)
        AND a.attnum > 0 AND NOT a.attisdropped
       JOIN pg_type AS t ON t.oid = a.atttypid
       ORDER BY w.i, a.attnum`,
      [tables.map((_, i) => i), tables.map((t) => t.schema ?? null), tables.map((t) => t.name)],
    ).catch((error: unknown) => {
      throw new RunError(`cannot read the catalog: ${messageOf(error)}`, undefined, { cause: error });
    });
    const described: (WarehouseColumn[] | undefined)[] = tables.map(() => undefined);
    for (const row of result.rows as { i: number; name: string; spelled: string; typname: string }[]) {
      (described[row.i] ??= []).push({ name: row.name, type: row.spelled, dtype: TYPES[row.typname] ?? "other" });
    }
    return described;
  }

  /**
   * Cancels the running statement inside the server: pg_cancel_backend from a second, short-lived connection (the
   * `pg` client has no protocol-level cancel). The statement fails with SQLSTATE 57014 and the connection stays
   * usable; inside a transaction, the transaction is aborted until ROLLBACK.
   */
  async interrupt(): Promise<void> {
    const pid = (this.client as unknown as { processID: number | null }).processID;
    if (pid === null) return;
    const canceller = this.newClient();
    canceller.on("error", () => undefined);
    try {
      await canceller.connect();
      await canceller.query("SELECT pg_cancel_backend($1)", [pid]);
    } finally {
      await canceller.end().catch(() => undefined);
    }
  }

  async close(): Promise<void> {
    await this.client.end();
  }

  /** Every statement goes through here, so every failure is a RunError carrying its SQL, transient where retryable. */
  private async exec(text: string, parameters: readonly unknown[] = []) {
    try {
      return await this.client.query(text, parameters as unknown[]);
    } catch (error) {
      throw statementError(error, text);
    }
  }
}
