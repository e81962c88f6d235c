/**
 * Column types of the IR. Names follow SQL (as DuckDB, PostgreSQL and Snowflake spell them); each dialect maps
 * them to its own DDL type. `date` and `timestamp` carry no time zone: every timestamp is read as UTC.
 */
export const DTYPES = ["boolean", "integer", "bigint", "double", "varchar", "date", "timestamp"] as const;
/** A column type as feature definitions declare it; each engine maps it to its own (docs/writing-features.md). */
export type DType = (typeof DTYPES)[number];

/** The type of an untyped `null` literal before it meets a typed operand. */
export type InferredType = DType | "null";

export const isDType = (value: unknown): value is DType => DTYPES.includes(value as DType);
export const isNumeric = (t: InferredType): boolean => t === "integer" || t === "bigint" || t === "double" || t === "null";
export const isIntegral = (t: InferredType): boolean => t === "integer" || t === "bigint";
export const isTemporal = (t: InferredType): boolean => t === "date" || t === "timestamp" || t === "null";

/**
 * The type two operands are promoted to (in arithmetic, comparisons, CASE branches, COALESCE), or undefined when
 * they do not mix. Mirrors the implicit casts all supported engines agree on; anything else needs an explicit cast.
 */
export function commonType(a: InferredType, b: InferredType): InferredType | undefined {
  if (a === b) return a;
  if (a === "null") return b;
  if (b === "null") return a;
  const numericRank: Partial<Record<DType, number>> = { integer: 1, bigint: 2, double: 3 };
  const ra = numericRank[a];
  const rb = numericRank[b];
  if (ra !== undefined && rb !== undefined) return ra > rb ? a : b;
  if (isTemporal(a) && isTemporal(b)) return "timestamp";
  return undefined;
}
