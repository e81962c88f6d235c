import { createHash } from "node:crypto";
import type { DuckDBConnection, DuckDBInstance, DuckDBPreparedStatement } from "@duckdb/node-api";
import type { ClientBase, Pool } from "pg";
import type { Statement } from "../compile/statements.ts";
import { duckdbDialect } from "../dialects/duckdb/duckdb-dialect.ts";
import { postgresDialect } from "../dialects/postgres/postgres-dialect.ts";
import type { SqlDialect } from "../dialects/sql-dialect.ts";
import type { PostgresSettings } from "../engines/postgres/postgres-engine.ts";
import { sessionConfig, sessionSettings, verifySession } from "../engines/postgres/postgres-session.ts";
import { DEFAULT_TIMEOUTS } from "../engines/engine.ts";
import { BusyError, ConnectionError, messageOf } from "../errors.ts";

/**
 * The operational database online lookups read: a pool of connections that runs one SELECT with bound parameters
 * and returns its rows, dates and timestamps as text (`2025-01-01`, `2025-01-01 06:00:00.123456`) so no precision is
 * lost on the way to JSON. Unlike a backfill's Engine, feature rows do come back here: one per lookup.
 */
export interface OnlineStore {
  readonly dialect: SqlDialect;
  /** For messages and logs, without credentials: `postgres (pool of 8)`. */
  readonly description: string;
  query(statement: Statement): Promise<Record<string, unknown>[]>;
  /** Whether a trivial query succeeds (`/healthz`). */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** The online database to open: PostgreSQL or a DuckDB file (read-only), with a connection pool's size. */
export type OnlineStoreSettings =
  | { readonly engine: "postgres"; readonly postgres: PostgresSettings; readonly poolSize?: number; readonly timeouts?: OnlineTimeouts }
  | { readonly engine: "duckdb"; readonly duckdb: { readonly path: string; readonly threads?: number }; readonly poolSize?: number };

/**
 * The store failed (unreachable, refused a query). The message says what failed but never where the database is or
 * how it is reached: it may be shown to HTTP clients; the cause (for server logs) has the driver's own message.
 */
export class OnlineStoreError extends ConnectionError {}

/** The online store's waits (`timeouts` in features.config.json): connecting, and one lookup or `/healthz` check. */
export interface OnlineTimeouts {
  readonly connectMs: number;
  readonly lookupMs: number;
}

export async function openOnlineStore(settings: OnlineStoreSettings): Promise<OnlineStore> {
  return settings.engine === "postgres"
    ? openPostgresStore(settings.postgres, settings.poolSize ?? 8, settings.timeouts ?? { ...DEFAULT_TIMEOUTS, lookupMs: 5_000 })
    : openDuckDBStore(settings.duckdb, settings.poolSize ?? 4);
}

async function openPostgresStore(settings: PostgresSettings, size: number, timeouts: OnlineTimeouts): Promise<OnlineStore> {
  const session = { connectMs: timeouts.connectMs, statementMs: timeouts.lookupMs };
  const { default: pg } = await import("pg");
  // int8 as text (exact; made a number where safe later), date and timestamp as the server's text.
  const asText = (text: string) => text;
  const parsers: Record<number, (text: string) => unknown> = { 20: asText, 1082: asText, 1114: asText };
  const pool: Pool = new pg.Pool({
    ...settings,
    max: size,
    application_name: "feature-backfill-online",
    // The settings the SQL relies on, at connection start rather than by a query racing the first lookup, and a
    // lookup's timeout both in the server and here (a server that never answers must not hold a request or /healthz).
    ...sessionConfig(session),
    query_timeout: timeouts.lookupMs,
    onConnect: (client: ClientBase) => verifySession(client, "(online store)", sessionSettings(session)),
    types: { getTypeParser: (oid: number, format?: string) => parsers[oid] ?? pg.types.getTypeParser(oid, format as never) } as never,
  });
  // Idle clients the server drops emit 'error' on the pool; unhandled, that would kill the server. The next query
  // gets a fresh connection (or fails, and is reported).
  pool.on("error", () => undefined);
  const names = new Map<string, string>();
  // A named statement is parsed and planned once per connection, then only bound and executed; the server keeps it
  // for the connection's life. Texts are few (one per set and request shape), but past PREPARED_PER_CONNECTION the
  // rest are sent unnamed (planned each time, kept by nothing), so no client can make the server's memory grow.
  const nameOf = (text: string) => {
    let name = names.get(text);
    if (!name && names.size < PREPARED_PER_CONNECTION) names.set(text, (name = `fb_${createHash("sha1").update(text).digest("hex").slice(0, 20)}`));
    return name;
  };
  return {
    dialect: postgresDialect,
    description: `postgres (pool of ${size})`,
    async query(statement) {
      try {
        return (await pool.query({ name: nameOf(statement.sql), text: statement.sql, values: statement.parameters as unknown[] })).rows;
      } catch (error) {
        throw storeError("postgres", error, timeouts);
      }
    },
    async ping() {
      try {
        await pool.query("SELECT 1");
      } catch (error) {
        throw storeError("postgres", error, timeouts);
      }
    },
    close: () => pool.end(),
  };
}

async function openDuckDBStore(settings: { path: string; threads?: number }, size: number): Promise<OnlineStore> {
  const { DuckDBInstance, listValue, LIST, VARCHAR } = await import("@duckdb/node-api");
  let instance: DuckDBInstance;
  try {
    // Read-only: the online side never writes, and several servers may then share one file.
    instance = await DuckDBInstance.create(settings.path, {
      access_mode: settings.path === ":memory:" ? "AUTOMATIC" : "READ_ONLY",
      ...(settings.threads !== undefined && { threads: String(settings.threads) }),
    });
  } catch (error) {
    // A process writing the file (a backfill: DuckDB has one writer) keeps readers of other processes out meanwhile.
    const message = messageOf(error);
    if (/Conflicting lock/i.test(message)) {
      throw new BusyError(`the DuckDB database ${settings.path} is in use by another process (${/PID \d+/.exec(message)?.[0] ?? "its PID unknown"}); try again when it is done (a backfill holds the file while it writes)`);
    }
    throw storeError("duckdb", error);
  }
  // DuckDB runs queries of different connections of one instance in parallel; one connection runs one at a time.
  const idle: { connection: DuckDBConnection; prepared: Map<string, DuckDBPreparedStatement> }[] = [];
  for (let i = 0; i < size; i++) {
    const connection = await instance.connect();
    await connection.run("SET TimeZone = 'UTC'");
    idle.push({ connection, prepared: new Map() });
  }
  const all = [...idle];
  const waiting: ((c: (typeof idle)[number]) => void)[] = [];
  const acquire = () => new Promise<(typeof idle)[number]>((resolve) => (idle.length ? resolve(idle.pop()!) : waiting.push(resolve)));
  const release = (c: (typeof idle)[number]) => (waiting.length ? waiting.shift()!(c) : idle.push(c));
  const store: OnlineStore = {
    dialect: duckdbDialect,
    description: `duckdb (pool of ${size})`,
    async query(statement) {
      const c = await acquire();
      try {
        let prepared = c.prepared.get(statement.sql);
        if (prepared) c.prepared.delete(statement.sql); // re-inserted below: the map's order is least recently used first
        else prepared = await c.connection.prepare(statement.sql);
        c.prepared.set(statement.sql, prepared);
        for (const [text, old] of c.prepared) {
          if (c.prepared.size <= PREPARED_PER_CONNECTION) break;
          c.prepared.delete(text);
          old.destroySync();
        }
        // A request's rows come as arrays of text, one per column (online-query.ts): bound as VARCHAR lists.
        const lists = statement.parameters.map((v) => Array.isArray(v));
        prepared.bind(statement.parameters.map((v, i) => (lists[i] ? listValue(v as never) : v)) as never, lists.map((list) => (list ? LIST(VARCHAR) : undefined)) as never);
        const reader = await prepared.runAndReadAll();
        const columns = reader.columnNames();
        // Raw values: DATE and TIMESTAMP print as SQL text (microseconds kept), BIGINT comes as bigint.
        return reader.getRows().map((row) => Object.fromEntries(columns.map((name, i) => [name, plain(row[i])])));
      } catch (error) {
        throw storeError("duckdb", error);
      } finally {
        release(c);
      }
    },
    async ping() {
      await store.query({ sql: "SELECT 1", parameters: [] });
    },
    async close() {
      for (const c of all) c.connection.closeSync();
      instance.closeSync();
    },
  };
  return store;
}

/** Statements kept prepared per pooled connection: many more than the shapes a deployment serves. */
const PREPARED_PER_CONNECTION = 64;

const plain = (v: unknown): unknown => (v === null || typeof v !== "object" ? v : String(v));

function storeError(engine: string, error: unknown, timeouts?: OnlineTimeouts): OnlineStoreError {
  // Driver messages can name hosts, users and files: those stay in the cause, for the server's own logs. Which wait
  // ran out, and the setting that changes it, names neither.
  const message = messageOf(error);
  const waited = !timeouts
    ? ""
    : /when trying to connect|connection timeout|timeout expired/i.test(message)
      ? `: no connection within ${timeouts.connectMs / 1000} s (timeouts.connectSeconds in features.config.json)`
      : /Query read timeout|statement timeout/i.test(message)
        ? `: no answer within ${timeouts.lookupMs / 1000} s (timeouts.lookupSeconds in features.config.json)`
        : "";
  return new OnlineStoreError(`the online ${engine} database failed to answer the lookup${waited}`, { cause: error });
}
