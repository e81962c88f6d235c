import { formatTable } from "../compile/statements.ts";
import { UsageError } from "../errors.ts";
import { closureSources, type FeatureGraph, selectSets } from "../graph/feature-graph.ts";
import { loadFeatureGraph } from "../graph/load-modules.ts";
import { inRange } from "../backfill/window.ts";
import { floorTo, formatDate, formatTimestamp, parseInstant } from "../ir/time.ts";
import { sourceSchema, type TypedSet, typeGraph } from "../passes/type-pass.ts";
import { compileOnlineQuery, type OnlineQuery } from "./online-query.ts";
import { type OnlineStore, type OnlineStoreSettings, openOnlineStore } from "./online-store.ts";
import { bindText, type InputValue, type OnlineValue, toOnlineValue } from "./online-values.ts";

/** How `createOnlineClient()` finds its store and the feature definitions. */
export interface OnlineClientConfig {
  /** The store to read, or how to open one (the client then closes it). */
  readonly store: OnlineStore | OnlineStoreSettings;
  /** The feature graph, or the directory of feature modules to load it from. */
  readonly graph?: FeatureGraph;
  readonly features?: string;
}

export type Entity = Readonly<Record<string, InputValue>>;
export type RequestRow = Readonly<Record<string, InputValue>>;

/** Per lookup: the moment served, and rows that stand in for sources' online tables. */
export interface GetOptions {
  /** The moment served: ISO date or timestamp with a zone, or a Date. Default: now. */
  readonly asOf?: string | Date;
  /** Rows per source name, read instead of that source's online table for this request. */
  readonly rows?: Readonly<Record<string, readonly RequestRow[]>>;
}

/** Per requested set: its output row for the entity with the latest timestamp at or before asOf, or null. */
export type OnlineResult = Record<string, Record<string, OnlineValue> | null>;

/** Computes feature sets for one entity from the online store, with the backfill's definitions. */
export interface OnlineClient {
  get(sets: readonly string[], entity: Entity, options?: GetOptions): Promise<OnlineResult>;
  /** Per set, the statement `get` runs for this request (checked as `get` checks it) and how each source is read (`online --explain`). */
  explain(sets: readonly string[], entity: Entity, options?: Pick<GetOptions, "rows">): OnlineQuery[];
  readonly store: OnlineStore;
  close(): Promise<void>;
}

/**
 * Serves feature sets for one entity from the online store, through the same IR, passes, compiler and dialect as a
 * backfill (docs/online.md). Definitions are typed once here, so broken ones fail before any request.
 *
 * @example
 * const client = await createOnlineClient({ features: "features", store: { engine: "postgres", postgres: { connectionString } } });
 * await client.get(["rolling_card_spend"], { customer_id: 42 }, { asOf: "2025-06-01T12:00:00Z" });
 * // { rolling_card_spend: { customer_id: 42, date: "2025-05-30", spend_30d: 1234.5, … } }
 */
export async function createOnlineClient(config: OnlineClientConfig): Promise<OnlineClient> {
  const graph = config.graph ?? (await loadFeatureGraph(config.features ?? "features"));
  const typed = typeGraph(graph);
  // The sources each set reads (through its dependencies), found once rather than per request.
  const sourcesOf = new Map([...graph.sets.keys()].map((set) => [set, new Set(closureSources(selectSets(graph, [set])))]));
  const owned = !("query" in config.store);
  const store = "query" in config.store ? config.store : await openOnlineStore(config.store);
  const cache = new Map<string, OnlineQuery>();

  const plan = (set: string, fields: readonly string[], requestSources: ReadonlySet<string>): OnlineQuery => {
    const key = JSON.stringify([set, fields, [...requestSources]]);
    let query = cache.get(key);
    if (!query) {
      query = compileOnlineQuery({ graph, typed, set, fields, dialect: store.dialect, requestSources });
      // Bounded: request shapes are few (entity fields × request-fed sources), but which fields come from clients.
      if (cache.size > 1000) cache.clear();
      cache.set(key, query);
    }
    return query;
  };

  return {
    store,
    explain: (sets, entity, options = {}) => {
      const request = validate(graph, typed, sourcesOf, sets, entity, options);
      return request.sets.map(({ set, fields }) => plan(set, fields, request.requestSources(set)));
    },
    async get(sets, entity, options = {}) {
      const request = validate(graph, typed, sourcesOf, sets, entity, options);
      const results = await Promise.all(
        request.sets.map(async ({ set, fields }) => {
          const query = plan(set, fields, request.requestSources(set));
          const parameters = query.slots.map((slot) => {
            if (slot.kind === "entity") return request.entityText(set, slot.field);
            if (slot.kind === "asOf") return slot.as === "date" ? formatDate(floorTo(request.asOf, "day")) : formatTimestamp(request.asOf);
            return request.columnText(slot.source, slot.column);
          });
          const [row] = await store.query({ sql: query.sql, parameters });
          return [set, row ? Object.fromEntries(query.columns.map((c) => [c.name, toOnlineValue(row[c.name], c.type)])) : null] as const;
        }),
      );
      return Object.fromEntries(results);
    },
    close: async () => {
      if (owned) await store.close();
    },
  };
}

function checkSets(graph: FeatureGraph, sets: readonly unknown[]): asserts sets is string[] {
  if (!Array.isArray(sets) || sets.length === 0) throw new UsageError("name at least one feature set");
  for (const set of sets) {
    if (typeof set !== "string" || !graph.sets.has(set)) {
      throw new UsageError(`unknown feature set ${JSON.stringify(set)}; known sets: ${[...graph.sets.keys()].sort().join(", ")}`);
    }
  }
}

/** The request checked against the definitions, every value turned into the text it is bound as. */
function validate(
  graph: FeatureGraph,
  typed: ReadonlyMap<string, TypedSet>,
  sourcesOf: ReadonlyMap<string, ReadonlySet<string>>,
  sets: readonly string[],
  entity: Entity,
  options: GetOptions,
) {
  checkSets(graph, sets);
  if (typeof entity !== "object" || entity === null || Array.isArray(entity)) throw new UsageError("entity must be an object of key columns and values");
  const asOf = options.asOf === undefined ? new Date() : options.asOf instanceof Date ? options.asOf : parseInstant(String(options.asOf));
  if (!asOf || Number.isNaN(asOf.getTime())) {
    throw new UsageError(`asOf ${JSON.stringify(options.asOf)} is not an ISO date or a timestamp with a zone (e.g. 2025-06-01T12:00:00Z)`);
  }
  inRange(asOf, `asOf ${JSON.stringify(options.asOf)}`);

  const perSet = sets.map((set) => {
    const { def } = graph.sets.get(set)!;
    const schema = typed.get(set)!.schema;
    for (const key of def.keys) {
      if (!(key in entity)) throw new UsageError(`entity is missing "${key}", a key of feature set "${set}"`);
    }
    // Other fields filter too when the set has such a column (an application's customer_id lets the pass filter the
    // customer's accounts); fields of no requested set are an error below.
    const fields = Object.keys(entity).filter((f) => schema.some((c) => c.name === f));
    const text = new Map(
      fields.map((f) => {
        const type = schema.find((c) => c.name === f)!.type;
        const bound = bindText(entity[f]!, type);
        if (bound === undefined || bound === null) throw new UsageError(`entity.${f}: ${JSON.stringify(entity[f])} is not a valid ${type} (the type of "${f}" in feature set "${set}")`);
        return [f, bound] as const;
      }),
    );
    return { set, fields, text };
  });
  const unknown = Object.keys(entity).filter((f) => !perSet.some((s) => s.fields.includes(f)));
  if (unknown.length) throw new UsageError(`entity field ${unknown.map((f) => `"${f}"`).join(", ")} is not a column of ${sets.map((s) => `"${s}"`).join(", ")}`);

  const rows = options.rows ?? {};
  if (typeof rows !== "object" || rows === null || Array.isArray(rows)) throw new UsageError("rows must be an object of source names and arrays of rows");
  const allSources = new Set(sets.flatMap((set) => [...sourcesOf.get(set)!]));
  const rowText = new Map<string, Record<string, string | null>[]>();
  for (const [name, list] of Object.entries(rows)) {
    const source = graph.sources.get(name);
    if (!source || !allSources.has(name)) throw new UsageError(`rows.${name}: no source of that name is read by ${sets.join(", ")} (they read ${[...allSources].join(", ")})`);
    if (!Array.isArray(list)) throw new UsageError(`rows.${name} must be an array of rows`);
    const schema = sourceSchema(source);
    rowText.set(
      name,
      list.map((row, i) => {
        if (typeof row !== "object" || row === null || Array.isArray(row)) throw new UsageError(`rows.${name}[${i}] must be an object`);
        const extra = Object.keys(row).filter((k) => !(k in source.columns));
        if (extra.length) throw new UsageError(`rows.${name}[${i}]: no column ${extra.map((c) => `"${c}"`).join(", ")}; ${name} has ${Object.keys(source.columns).join(", ")}`);
        return Object.fromEntries(
          schema.map(({ name: column, type }) => {
            const bound = bindText(row[column] ?? null, type);
            if (bound === undefined) throw new UsageError(`rows.${name}[${i}].${column}: ${JSON.stringify(row[column])} is not a valid ${type}`);
            return [column, bound];
          }),
        );
      }),
    );
  }
  for (const name of allSources) {
    const source = graph.sources.get(name)!;
    if (source.online?.kind === "request" && !rowText.has(name)) throw new UsageError(`source "${name}" is read from the request online: give rows.${name} (an array, possibly empty)`);
  }

  return {
    asOf,
    sets: perSet.map(({ set, fields }) => ({ set, fields })),
    entityText: (set: string, field: string) => perSet.find((s) => s.set === set)!.text.get(field)!,
    requestSources: (set: string) => new Set([...rowText.keys()].filter((name) => sourcesOf.get(set)!.has(name))),
    columnText: (source: string, column: string) => rowText.get(source)!.map((row) => row[column]!),
  };
}

/** How each source of a set is read online, one line each: for `online --explain` and the README. */
export function describeReads(query: OnlineQuery): string[] {
  return query.reads.map(({ source, from, filters }) => {
    const where = from === "request" ? "rows from the request" : `table ${formatTable(from)}`;
    const on = filters.size
      ? `filtered on ${[...filters].map(([column, field]) => `${column} = entity.${field}`).join(" AND ")}`
      : "NOT filtered on the entity (no key equality reaches it): every entity's rows up to asOf are read";
    return `${source}: ${where}, ${on}`;
  });
}
