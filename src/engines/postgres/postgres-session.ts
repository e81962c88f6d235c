import type { ClientBase, ClientConfig } from "pg";
import { ConnectionError, InterruptedError, RunError, messageOf } from "../../errors.ts";
import type { EngineTimeouts } from "../engine.ts";

/**
 * The session settings the generated SQL relies on. They are sent in the connection's startup packet (`options`),
 * which outranks database and role defaults (`ALTER DATABASE/ROLE … SET`), so no statement ever runs without them;
 * then they are read back, and a session that does not have them is refused (a pooler may drop `options`).
 * https://www.postgresql.org/docs/15/config-setting.html#id-1.6.7.4.6 (settings given at connection start)
 */
const SESSION = {
  // why: the dialect renders 'it''s' and leaves backslashes alone; with this off a backslash escapes the next quote,
  // and a crafted literal ends the string early (runtime-config-compatible.html#GUC-STANDARD-CONFORMING-STRINGS).
  standard_conforming_strings: "on",
  // why: every timestamp is UTC (DESIGN.md §2): now(), timestamptz conversions and date_trunc must not follow the server.
  TimeZone: "UTC",
  // why: dates and timestamps come back as ISO text, the only format the readers parse; MDY only matters for input
  // the dialect never writes (its literals are ISO).
  DateStyle: "ISO, MDY",
  // why: interval output and input as the dialect writes them ('1 day'), not sql_standard or iso_8601.
  IntervalStyle: "postgres",
  // why: pg decodes every text as UTF-8; the server otherwise sends the database's encoding.
  client_encoding: "UTF8",
} as const;

/** SESSION and, where configured, the server-side statement timeout (in ms, as pg_settings reads it back). */
export function sessionSettings(timeouts: EngineTimeouts): Readonly<Record<string, string>> {
  return timeouts.statementMs ? { ...SESSION, statement_timeout: String(Math.ceil(timeouts.statementMs)) } : SESSION;
}

/**
 * pg settings for a connection that holds `sessionSettings`, with a connect timeout (TCP, TLS and the startup
 * exchange). Keepalives let a connection whose peer vanished fail instead of waiting for ever.
 */
export function sessionConfig(timeouts: EngineTimeouts): ClientConfig {
  return {
    // A value's spaces are escaped with a backslash in `options` (libpq's rule).
    options: Object.entries(sessionSettings(timeouts))
      .map(([name, value]) => `-c ${name}=${value.replaceAll(" ", "\\ ")}`)
      .join(" "),
    connectionTimeoutMillis: timeouts.connectMs,
    keepAlive: true,
    keepAliveInitialDelayMillis: 30_000,
  };
}

/**
 * Reads the settings back in one query; a session that does not hold them is refused before anything runs in it.
 * (pg_settings, not SHOW: a timeout reads back in ms there, not as "1h"; its names are spelled as SESSION's keys.)
 */
export async function verifySession(client: ClientBase, where: string, expected: Readonly<Record<string, string>> = SESSION): Promise<void> {
  const names = Object.keys(expected);
  const { rows } = await client.query("SELECT name, setting FROM pg_settings WHERE name = ANY($1)", [names]);
  const found = new Map((rows as { name: string; setting: string }[]).map((r) => [r.name, r.setting]));
  const wrong = names.filter((name) => found.get(name) !== expected[name]);
  if (wrong.length) {
    const listed = wrong.map((name) => `${name} = ${found.get(name)} (needs ${expected[name]})`);
    throw new ConnectionError(
      `PostgreSQL ${where} did not apply the session settings the SQL relies on: ${listed.join(", ")}; ` +
        "refusing to run. A connection pooler may drop the startup options: see docs/engines/postgres.md",
    );
  }
}

/**
 * A failed connect or login: always a ConnectionError (exit 6: nothing was written), naming where — user, host, port
 * and database, never a password — and, for a timeout, the setting that changes it.
 */
export function connectError(where: string, error: unknown, timeouts: EngineTimeouts): ConnectionError | InterruptedError {
  if (error instanceof ConnectionError || error instanceof InterruptedError) return error;
  const message = messageOf(error);
  const detail = /timeout/i.test(message) ? `no answer within ${timeouts.connectMs / 1000} s (timeouts.connectSeconds in features.config.json)` : message;
  return new ConnectionError(`cannot connect to PostgreSQL ${where}: ${detail}`, { cause: error });
}

/**
 * SQLSTATEs worth a retry: the statement may succeed if run again, on a new connection where the old one is gone.
 * https://www.postgresql.org/docs/15/errcodes-appendix.html
 */
const TRANSIENT_STATES = new Set([
  "40001", // serialization_failure
  "40P01", // deadlock_detected
  "55P03", // lock_not_available (lock_timeout)
  "57P01", // admin_shutdown (also pg_terminate_backend)
  "57P02", // crash_shutdown
  "57P03", // cannot_connect_now (starting up, in recovery)
]);
/** Socket errors (Node's `code`) and what pg says once its connection is gone. */
const TRANSIENT_SOCKET = new Set(["ECONNRESET", "EPIPE", "ETIMEDOUT", "ECONNREFUSED", "EHOSTUNREACH", "ENETUNREACH"]);
const CONNECTION_GONE = /Connection terminated|not queryable|Client was closed|server closed the connection/i;

/** Whether a failed statement is worth retrying (see TRANSIENT_STATES); class 08 is every connection exception. */
export function isTransient(error: unknown): boolean {
  const code = (error as { code?: unknown })?.code;
  if (typeof code === "string" && (TRANSIENT_STATES.has(code) || code.startsWith("08") || TRANSIENT_SOCKET.has(code))) return true;
  return CONNECTION_GONE.test(messageOf(error));
}

/** A failed statement as a RunError carrying its SQL, marked transient where a retry may succeed. */
export function statementError(error: unknown, sql: string): RunError {
  // 57014 is also a cancel (SIGINT/SIGTERM); only the timeout's message names the setting behind it.
  const timedOut = (error as { code?: unknown })?.code === "57014" && /statement timeout/.test(messageOf(error));
  const message = timedOut ? `${messageOf(error)} (timeouts.statementSeconds in features.config.json)` : messageOf(error);
  return new RunError(message, sql, { cause: error, transient: isTransient(error) });
}

