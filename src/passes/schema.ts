import type { DType } from "../ir/dtype.ts";

export interface Column { readonly name: string; readonly type: DType }
/** Ordered output columns of a relation. */
export type Schema = readonly Column[];

export const columnNames = (schema: Schema): string[] => schema.map((c) => c.name);
export const findColumn = (schema: Schema, name: string): Column | undefined => schema.find((c) => c.name === name);
