import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { gunzipSync } from "node:zlib";

/**
 * A loopback stand-in for Snowflake's REST endpoints, as snowflake-sdk calls them when `accessUrl` points here. It
 * records every request and answers from a script; it never executes SQL. What a real Snowflake would compute
 * (row counts, the catalog) the test states; only the envelope follows the protocol the driver parses.
 */
export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: IncomingMessage["headers"];
  readonly body: any;
}

/** A warehouse error as Snowflake reports one: its error code, message and SQLSTATE. */
export interface SnowflakeFailure {
  readonly code: string;
  readonly message: string;
  readonly sqlState?: string;
}

export type Answer =
  | { readonly rowsChanged: number }
  | { readonly fail: SnowflakeFailure }
  /** Keep the HTTP request open, as a long statement does, until an abort request names it. */
  | { readonly hold: true }
  /** A result set: column types as the driver decodes them, values as Snowflake's JSON rowset carries them (text). */
  | { readonly rows: { readonly columns: readonly { readonly name: string; readonly type: ColumnType }[]; readonly values: readonly (readonly (string | null)[])[] } };

export type ColumnType = "fixed" | "real" | "text" | "boolean";

/** A catalog column: name, DATA_TYPE, NUMERIC_PRECISION, NUMERIC_SCALE (as INFORMATION_SCHEMA.COLUMNS has them). */
export type CatalogColumn = readonly [name: string, dataType: string, precision?: number, scale?: number];

export interface DoubleScript {
  /** A failed login answers every login request with this. */
  loginFailure?: SnowflakeFailure;
  /** Tables the catalog query finds, keyed "SCHEMA.TABLE" as Snowflake stores the names. */
  catalog?: Record<string, readonly CatalogColumn[]>;
  /** For tables whose names a test cannot know in advance (a scratch schema named per run): asked after `catalog`. */
  catalogFor?: (schemaTable: string) => readonly CatalogColumn[] | undefined;
  /** The first rule whose pattern matches a statement's text answers it; otherwise DML changes 0 rows. */
  answers?: { readonly match: RegExp; readonly answer: Answer }[];
  /** Asked after `answers`, for answers that depend on the statement (e.g. rows computed elsewhere). */
  respond?: (sqlText: string) => Answer | undefined;
}

export const CANCELLED: SnowflakeFailure = { code: "000604", message: "SQL execution canceled", sqlState: "57014" };

export class SnowflakeDouble {
  readonly requests: RecordedRequest[] = [];
  /** The query id of each statement answered, in order (successes and failures). */
  readonly queryIds: string[] = [];
  private server: Server | undefined;
  private readonly held = new Map<string, ServerResponse>();
  private waiters: { test: (r: RecordedRequest) => boolean; resolve: () => void }[] = [];

  constructor(public script: DoubleScript = {}) {}

  get url(): string {
    return `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    return this;
  }

  async stop(): Promise<void> {
    for (const res of this.held.values()) res.destroy();
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }

  /** The statements received, in order, with their binds and statement parameters. */
  queries(): { sqlText: string; bindings?: Record<string, { type: string; value: unknown }>; parameters?: Record<string, string>; requestId: string }[] {
    return this.requests
      .filter((r) => r.path === "/queries/v1/query-request")
      .map((r) => ({ sqlText: r.body.sqlText, bindings: r.body.bindings, parameters: r.body.parameters, requestId: r.query.get("requestId")! }));
  }

  /** Resolves once a request satisfying `test` has arrived (or already had). */
  waitFor(test: (r: RecordedRequest) => boolean): Promise<void> {
    if (this.requests.some(test)) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ test, resolve }));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    let raw = Buffer.concat(chunks);
    if (req.headers["content-encoding"] === "gzip") raw = gunzipSync(raw);
    const url = new URL(req.url!, "http://double");
    const recorded: RecordedRequest = {
      method: req.method!,
      path: url.pathname,
      query: url.searchParams,
      headers: req.headers,
      body: raw.length ? JSON.parse(raw.toString("utf8")) : undefined,
    };
    this.requests.push(recorded);
    this.waiters = this.waiters.filter((w) => (w.test(recorded) ? (w.resolve(), false) : true));

    const send = (body: any): void => {
      if (url.pathname === "/queries/v1/query-request") this.queryIds.push(body.data.queryId);
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(body));
    };
    switch (url.pathname) {
      case "/session/v1/login-request":
        if (this.script.loginFailure) return send(failure(this.script.loginFailure));
        return send({
          success: true,
          data: { token: "double-session-token", masterToken: "double-master-token", validityInSeconds: 3600, masterValidityInSeconds: 14400, sessionId: 4242, parameters: [] },
        });
      case "/queries/v1/query-request":
        return this.answerQuery(recorded, url.searchParams.get("requestId")!, res, send);
      case "/queries/v1/abort-request": {
        const held = this.held.get(recorded.body?.requestId);
        if (held) {
          this.held.delete(recorded.body.requestId);
          held.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(failure(CANCELLED)));
        }
        return send({ success: true, data: null });
      }
      default: // /session?delete=true, /telemetry/send
        return send({ success: true, data: null });
    }
  }

  private answerQuery(request: RecordedRequest, requestId: string, res: ServerResponse, send: (body: unknown) => void): void {
    const sqlText: string = request.body.sqlText;
    const answer = this.script.answers?.find((a) => a.match.test(sqlText))?.answer ?? this.script.respond?.(sqlText);
    if (!answer && /information_schema\.columns/i.test(sqlText)) return send(result(...this.catalogRows(sqlText)));
    if (answer && "hold" in answer) return void this.held.set(requestId, res);
    if (answer && "fail" in answer) return send(failure(answer.fail));
    if (answer && "rows" in answer) return send(result(answer.rows.columns.map((c) => col(c.name, c.type)), answer.rows.values.map((r) => [...r]), 0x1000));
    const rows = answer?.rowsChanged ?? 0;
    const verb = sqlText.trimStart().split(/\s+/)[0]!.toUpperCase();
    // Statement type ids as the driver reads them (statement_type.js): 0x3100 insert, 0x3300 delete; DDL and
    // transaction control carry a status text and change no rows.
    // The run ledger's reads (leases, completed chunks): an empty ledger unless a test scripts an answer.
    if (verb === "SELECT") return send(result([], [], 0x1000));
    if (verb === "INSERT") return send(result([col("number of rows inserted", "fixed")], [[String(rows)]], 0x3100));
    if (verb === "DELETE") return send(result([col("number of rows deleted", "fixed")], [[String(rows)]], 0x3300));
    return send(result([col("status", "text")], [["Statement executed successfully."]], verb === "CREATE" ? 0x6100 : 0x5000));
  }

  /** The catalog's answer for the tables the query names in `FROM VALUES (i, 'SCHEMA' | NULL, 'TABLE'), …`. */
  private catalogRows(sqlText: string): Parameters<typeof result> {
    const text = `'((?:[^'\\\\]|''|\\\\.)*)'`; // a literal as the dialect escapes it: '' and backslash escapes
    const unescape = (v: string) => v.replaceAll("''", "'").replace(/\\(.)/g, "$1");
    const rows: (string | null)[][] = [];
    for (const [, index, , schema, table] of sqlText.matchAll(new RegExp(`\\((\\d+), (NULL|${text}), ${text}\\)`, "g"))) {
      const key = `${schema === undefined ? "PUBLIC" : unescape(schema)}.${unescape(table!)}`;
      for (const [name, type, precision, scale] of this.script.catalog?.[key] ?? this.script.catalogFor?.(key) ?? []) {
        rows.push([index!, name, type, precision === undefined ? null : String(precision), scale === undefined ? null : String(scale)]);
      }
    }
    const columns = [col("I", "fixed"), col("COLUMN_NAME", "text"), col("DATA_TYPE", "text"), col("NUMERIC_PRECISION", "fixed"), col("NUMERIC_SCALE", "fixed")];
    return [columns, rows, 0x1000];
  }
}

const col = (name: string, type: ColumnType) => ({ name, type, scale: 0, precision: type === "fixed" ? 38 : null, nullable: true, length: null, byteLength: null });

function result(rowtype: ReturnType<typeof col>[], rowset: (string | null)[][], statementTypeId: number) {
  return {
    success: true,
    data: { queryId: randomUUID(), statementTypeId, rowtype, rowset, total: rowset.length, returned: rowset.length, parameters: [], queryResultFormat: "json", version: 1 },
  };
}

function failure(f: SnowflakeFailure) {
  return { success: false, code: f.code, message: f.message, data: { queryId: randomUUID(), errorCode: f.code, sqlState: f.sqlState ?? "42000" } };
}
