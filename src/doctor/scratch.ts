import { randomBytes } from "node:crypto";
import { sql } from "kysely";
import { compileNode } from "../compile/kysely-builder.ts";
import { createSchemaStatement, createTableStatement, type Statement, tableId } from "../compile/statements.ts";
import { edgeCases } from "../conformance/cases.ts";
import type { Sql, SqlDialect } from "../dialects/sql-dialect.ts";
import type { DType } from "../ir/dtype.ts";
import type { FeatureSetDef, SourceDef, TableRef } from "../ir/definitions.ts";
import type { Schema } from "../passes/schema.ts";

/**
 * The scratch schema `doctor` works in: named per run, created and dropped by it, so that nothing it writes can meet
 * a user's table. Plain lower-case letters and digits: every dialect quotes it the same way.
 */
export const scratchSchemaName = (): string => `feature_backfill_doctor_${randomBytes(4).toString("hex")}`;

/** The edge-case source, read from the scratch schema instead of raw.edge_cases. */
export const scratchSource = (schema: string): SourceDef => ({ ...edgeCases, backfill: { schema, name: edgeCases.name } });

/** A case's feature set reading the scratch copy of the edge cases (scans name sources, so only `inputs` change). */
export function retarget(set: FeatureSetDef, source: SourceDef): FeatureSetDef {
  const inputs = Object.fromEntries(Object.entries(set.inputs).map(([key, input]) => [key, input.name === source.name ? source : input]));
  return { ...set, inputs };
}

export const EDGE_SCHEMA: Schema = Object.entries(edgeCases.columns).map(([name, type]) => ({ name, type }));

/** Rows per INSERT: small statements, well under any warehouse's statement-size limit. */
const BATCH = 100;

/**
 * The statements that create the scratch schema and load the edge cases into it, on `dialect`. Values are literals
 * rendered by the dialect from the rows the generator produced; dates and timestamps come as ISO text (to the
 * microsecond, which a JS Date would lose) through the dialect's cast from text.
 */
export function loadStatements(schema: string, rows: readonly Record<string, unknown>[], dialect: SqlDialect): Statement[] {
  const table: TableRef = { schema, name: edgeCases.name };
  const inserts: Statement[] = [];
  for (let i = 0; i < rows.length; i += BATCH) {
    const values = rows.slice(i, i + BATCH).map((row) => sql`(${sql.join(EDGE_SCHEMA.map((c) => valueSql(row[c.name], c.type, dialect)))})`);
    const insert = sql`INSERT INTO ${tableId(table)} (${sql.join(EDGE_SCHEMA.map((c) => sql.id(c.name)))}) VALUES ${sql.join(values)}`;
    inserts.push(compiled(insert, dialect));
  }
  return [createSchemaStatement(schema, dialect), createTableStatement(table, EDGE_SCHEMA, dialect), ...inserts];
}

export const dropSchemaStatement = (schema: string, dialect: SqlDialect): Statement => compiled(sql`DROP SCHEMA IF EXISTS ${sql.id(schema)} CASCADE`, dialect);

function valueSql(value: unknown, type: DType, dialect: SqlDialect): Sql {
  if (value === null || value === undefined) return dialect.literal({ kind: "literal", value: null, dtype: type });
  if (type === "date" || type === "timestamp") return dialect.cast(dialect.literal({ kind: "literal", value: String(value), dtype: "varchar" }), "varchar", type);
  // A double as exponent notation: digits such as 0.000010199999999999999 are a DECIMAL literal, which DuckDB
  // converts to the nearest double only approximately (1.02e-05); 1.0199999999999999e-5 is read exactly everywhere.
  if (type === "double" && Number.isFinite(Number(value))) return sql`CAST(${sql.raw(Number(value).toExponential())} AS ${sql.raw(dialect.types.double)})`;
  if (type === "integer" || type === "bigint") return dialect.literal({ kind: "literal", value: Number(value), dtype: type });
  return dialect.literal({ kind: "literal", value: value as string | boolean, dtype: type });
}

export const compiled = (fragment: Sql, dialect: SqlDialect): Statement => {
  const { sql: text, parameters } = compileNode(fragment.toOperationNode() as never, dialect);
  return { sql: text, parameters };
};
