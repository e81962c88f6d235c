import type { DType } from "./dtype.ts";
import type { RelNode } from "./rel.ts";

/** Where a definition was written, for error messages: `features/credit.ts:24`. */
export interface SourceLocation { readonly file: string; readonly line?: number }

/** A table in the warehouse; no schema means the connection's default one. */
export interface TableRef {
  readonly schema?: string;
  readonly name: string;
}

/**
 * How a source is read when one entity is served online: a table in the online database (filtered on the entity's
 * key, bound as a parameter), or rows the request itself carries (e.g. an application not stored anywhere yet).
 */
export type OnlineIO = { readonly kind: "table"; readonly table: TableRef } | { readonly kind: "request" };

/** A raw warehouse table, read by scans. */
export interface SourceDef {
  readonly kind: "source";
  readonly name: string;
  readonly keys: readonly string[];
  readonly timestamp: string;
  readonly columns: Readonly<Record<string, DType>>;
  /** Where backfills read it. */
  readonly backfill: TableRef;
  /** Where online lookups read it (src/online); absent: the backfill table's name, in the online database. */
  readonly online?: OnlineIO;
  readonly definedAt?: SourceLocation;
}

/** A named feature set: its relation is built lazily, once, from its inputs. */
export interface FeatureSetDef {
  readonly kind: "featureSet";
  readonly name: string;
  readonly keys: readonly string[];
  readonly timestamp: string;
  readonly inputs: Readonly<Record<string, SourceDef | FeatureSetDef>>;
  /** Calls the user's build function; throws whatever it throws. */
  readonly buildRel: () => RelNode;
  readonly description?: string;
  /** Labels for selection (`tag:daily`); they change no row, so the definition hash leaves them out. */
  readonly tags?: readonly string[];
  readonly definedAt?: SourceLocation;
}

export type Definition = SourceDef | FeatureSetDef;

export const isDefinition = (value: unknown): value is Definition =>
  typeof value === "object" && value !== null && ["source", "featureSet"].includes((value as { kind?: unknown }).kind as string) &&
  typeof (value as { name?: unknown }).name === "string";
