import type { DialectName } from "../../src/dialects/sql-dialect.ts";

/** A dialect that cannot express the case: the compiler must fail naming the operation and the dialect. */
export interface Unsupported {
  readonly unsupported: RegExp;
}

/**
 * Expected SQL for every dialect. Typed as a full Record so that adding a dialect fails to compile until each golden
 * case states what the new dialect produces (or that it cannot), as kysely's own tests do.
 */
export type PerDialect = Readonly<Record<DialectName, string | Unsupported>>;
