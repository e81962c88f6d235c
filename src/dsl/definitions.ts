import { type DType, DTYPES, isDType, isTemporal } from "../ir/dtype.ts";
import type { FeatureSetDef, SourceDef, SourceLocation, TableRef } from "../ir/definitions.ts";
import type { RelNode } from "../ir/rel.ts";
import { DefinitionError, messageOf } from "../errors.ts";
import { captureCallSite } from "./call-site.ts";
import { LazyFrame } from "./frame.ts";

/** What `source()` takes: a raw warehouse table's name, keys, event-time column, declared columns and where it is read. */
export interface SourceOptions<C extends Record<string, DType>> {
  /** Unique among all sources and feature sets; also the CTE name in generated SQL. */
  name: string;
  /** Entity key column(s). */
  keys: string | readonly (keyof C & string)[];
  /** Event-time column: the backfill window `[start, end)` applies to it. */
  timestamp: keyof C & string;
  /** Every column the features may read, with its type. */
  columns: C;
  /** Where the backfill reads it: `"schema.table"` or `{ schema, table }`. */
  backfill: { table: string; schema?: string };
  /**
   * Where online lookups read it (docs/online.md): a table in the online database, or `"request"` for rows
   * each request supplies. Default: a table named as the backfill table, in the online database.
   */
  online?: { table: string; schema?: string } | "request";
}

/**
 * Declares a raw warehouse table.
 *
 * @example
 * export const accounts = source({
 *   name: "customer_accounts", keys: ["customer_id"], timestamp: "date",
 *   columns: { customer_id: "bigint", date: "date", balance: "double", account_type: "varchar" },
 *   backfill: { table: "raw.customer_accounts" },
 * });
 * // WITH "customer_accounts" AS (SELECT … FROM "raw"."customer_accounts" WHERE "date" >= DATE '…' AND "date" < DATE '…')
 */
export function source<const C extends Record<string, DType>>(options: SourceOptions<C>): SourceDef {
  const definedAt = callerLocation();
  if (typeof options?.name !== "string" || options.name === "") throw new DefinitionError("source(): `name` must be a non-empty string", { at: definedAt });
  const columns = options.columns ?? {};
  for (const [column, type] of Object.entries(columns)) {
    const twin = Object.keys(columns).find((other) => other !== column && other.toLowerCase() === column.toLowerCase());
    if (twin) throw new DefinitionError(`columns "${column}" and "${twin}" differ only in case`, { source: options.name, at: definedAt, column });
    if (!isDType(type)) {
      throw new DefinitionError(`column "${column}" has unknown type ${JSON.stringify(type)}; expected one of ${DTYPES.join(", ")}`, { source: options.name, at: definedAt, column });
    }
  }
  const keys = typeof options.keys === "string" ? [options.keys] : [...(options.keys ?? [])];
  checkKeys(keys, options.timestamp, { source: options.name, at: definedAt });
  for (const column of [...keys, options.timestamp]) {
    if (!(column in columns)) {
      throw new DefinitionError(`key or timestamp column "${column}" is not among its columns (${Object.keys(columns).join(", ")})`, { source: options.name, at: definedAt, column });
    }
  }
  if (!isTemporal(columns[options.timestamp] ?? "varchar")) {
    throw new DefinitionError(`timestamp column "${options.timestamp}" must be a date or timestamp, not ${columns[options.timestamp]}`, { source: options.name, at: definedAt, column: options.timestamp });
  }
  return Object.freeze({
    kind: "source",
    name: options.name,
    keys: Object.freeze(keys),
    timestamp: options.timestamp,
    columns: Object.freeze({ ...columns }),
    backfill: Object.freeze(parseTable(options.backfill, options.name, definedAt)),
    ...(options.online !== undefined && {
      online: Object.freeze(
        options.online === "request"
          ? { kind: "request" as const }
          : { kind: "table" as const, table: Object.freeze(parseTable(options.online, options.name, definedAt, "online")) },
      ),
    }),
    definedAt,
  });
}

/** What `featureSet()` takes: its name, inputs, keys, timestamp and the build function that returns its frame. */
export interface FeatureSetOptions<I extends Record<string, SourceDef | FeatureSetDef>> {
  /** Unique among all sources and feature sets; names the offline table (see `offlineStore.table` in the config). */
  name: string;
  /** The frames `build` receives, by the names it receives them under. */
  inputs: I;
  /** Entity key column(s) of the output. */
  keys: string | readonly string[];
  /** The output's event-time column: what the backfill window clips on. */
  timestamp: string;
  /** Returns the lazy frame whose columns are the keys, the timestamp and the features. */
  build: (frames: { [K in keyof I]: LazyFrame }) => LazyFrame;
  description?: string;
  /** Labels for selecting sets (`--select tag:daily`); not part of the definition hash. */
  tags?: readonly string[];
}

/**
 * Declares a feature set. Its build function runs once, when the graph is loaded, and only builds IR.
 *
 * @example
 * export const avgMonthlyRevolvingBalance = featureSet({
 *   name: "avg_monthly_revolving_balance", inputs: { accounts }, keys: ["customer_id"], timestamp: "date",
 *   build: ({ accounts }) => accounts
 *     .filter(col("account_type").eq("revolving"))
 *     .groupBy("customer_id", col("date").dt.truncate("1mo").alias("date"))
 *     .agg(col("balance").mean().alias("avg_monthly_revolving_balance")),
 * });
 * // SELECT "customer_id", CAST(date_trunc('month', "date") AS DATE) AS "date", avg("balance") AS … GROUP BY …
 */
export function featureSet<const I extends Record<string, SourceDef | FeatureSetDef>>(options: FeatureSetOptions<I>): FeatureSetDef {
  const definedAt = callerLocation();
  if (typeof options?.name !== "string" || options.name === "") throw new DefinitionError("featureSet(): `name` must be a non-empty string", { at: definedAt });
  const where = { set: options.name, at: definedAt };
  if (typeof options.build !== "function") throw new DefinitionError("`build` must be a function returning a LazyFrame", where);
  if (typeof options.timestamp !== "string") throw new DefinitionError("`timestamp` must name the output's event-time column", where);
  const keys = typeof options.keys === "string" ? [options.keys] : [...(options.keys ?? [])];
  if (keys.length === 0) throw new DefinitionError("`keys` must name at least one entity key column", where);
  checkKeys(keys, options.timestamp, where);
  const tags = [...(options.tags ?? [])];
  if (!tags.every((t) => typeof t === "string" && /^[A-Za-z0-9_.-]+$/.test(t))) {
    throw new DefinitionError("`tags` must be words of letters, digits, _, . and - (they are selected as tag:NAME)", where);
  }
  const inputs = { ...(options.inputs ?? {}) };
  for (const [alias, input] of Object.entries(inputs)) {
    if (input === undefined || input === null) {
      // Usually an import cycle between feature modules, or a typo in an import.
      throw new DefinitionError(`input "${alias}" is ${input}: is it imported from a module that imports this one?`, where);
    }
  }

  let built: RelNode | undefined;
  const buildRel = (): RelNode => {
    if (built) return built;
    const frames = Object.fromEntries(
      Object.entries(inputs).map(([alias, def]) => [
        alias,
        new LazyFrame(Object.freeze(def.kind === "source" ? { kind: "scan", source: def.name } : { kind: "ref", set: def.name })),
      ]),
    ) as { [K in keyof I]: LazyFrame };
    let result: unknown;
    try {
      result = options.build(frames);
    } catch (error) {
      throw new DefinitionError(`build() threw: ${messageOf(error)}`, where, { cause: error });
    }
    if (!(result instanceof LazyFrame)) throw new DefinitionError("build() must return a LazyFrame (the result of filter/select/groupBy…)", where);
    built = result.node;
    return built;
  };

  return Object.freeze({
    kind: "featureSet",
    name: options.name,
    keys: Object.freeze(keys),
    timestamp: options.timestamp,
    inputs: Object.freeze(inputs),
    buildRel,
    description: options.description,
    tags: Object.freeze(tags),
    definedAt,
  });
}

function parseTable(backfill: { table: string; schema?: string } | undefined, name: string, at?: SourceLocation, key = "backfill"): TableRef {
  if (typeof backfill?.table !== "string" || backfill.table === "") {
    throw new DefinitionError(`${key}.table must name a ${key === "online" ? "table (or be \"request\")" : "warehouse table"}`, { source: name, at });
  }
  if (backfill.schema !== undefined) return { schema: backfill.schema, name: backfill.table };
  // "schema.table" is a convenience; a name that itself contains a dot needs the { schema, table } form.
  const parts = backfill.table.split(".");
  if (parts.length === 1) return { name: backfill.table };
  if (parts.length === 2 && parts[0] && parts[1]) return { schema: parts[0], name: parts[1] };
  throw new DefinitionError(`${key}.table ${JSON.stringify(backfill.table)} must be "table" or "schema.table"`, { source: name, at });
}

/** Keys are distinct and exclude the timestamp: it is always part of a row's identity already. */
function checkKeys(keys: readonly string[], timestamp: string, where: { set?: string; source?: string; at?: SourceLocation }): void {
  keys.forEach((key, i) => {
    if (key === timestamp) throw new DefinitionError(`"${key}" is the timestamp; do not list it among the keys`, { ...where, column: key });
    if (keys.indexOf(key) !== i) throw new DefinitionError(`key "${key}" is listed twice`, { ...where, column: key });
  });
}

/** The user's `source(...)`/`featureSet(...)` call. */
const callerLocation = (): SourceLocation | undefined => captureCallSite()();
