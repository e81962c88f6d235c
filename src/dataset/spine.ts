import { existsSync } from "node:fs";
import path from "node:path";
import { type RootOperationNode, sql } from "kysely";
import { builder } from "../compile/kysely-builder.ts";
import { formatTable, render, tableId } from "../compile/statements.ts";
import type { DialectName } from "../dialects/index.ts";
import type { Engine } from "../engines/engine.ts";
import { UsageError } from "../errors.ts";
import type { TableRef } from "../ir/definitions.ts";
import { isDType } from "../ir/dtype.ts";
import type { Schema } from "../passes/schema.ts";
import type { SpineRef } from "./plan-dataset.ts";

/** The spine and the output file as the command line names them, checked; the spine's columns and time range. */
const FILE = /\.(parquet|csv)$/i;

export function spineOf(text: string, engine: DialectName): SpineRef {
  const file = FILE.exec(text);
  if (!file) return { kind: "table", table: tableOf(text, "--spine") };
  if (engine !== "duckdb") throw new UsageError(`--spine ${text}: a file spine is read by DuckDB only; on ${engine} load it into a table and give --spine schema.table`);
  const resolved = path.resolve(text);
  if (!existsSync(resolved)) throw new UsageError(`--spine ${text}: no such file`);
  return { kind: "file", path: resolved, format: file[1]!.toLowerCase() as "parquet" | "csv" };
}

export function outputFile(text: string): { path: string; format: "parquet" | "csv" } {
  const file = FILE.exec(text);
  if (!file) throw new UsageError(`--output ${text}: give a .parquet or .csv file`);
  const resolved = path.resolve(text);
  if (!existsSync(path.dirname(resolved))) throw new UsageError(`--output ${text}: the directory ${path.dirname(resolved)} does not exist`);
  return { path: resolved, format: file[1]!.toLowerCase() as "parquet" | "csv" };
}

export function tableOf(text: string, flag: string): TableRef & { name: string } {
  const parts = text.split(".");
  if (parts.length > 2 || parts.some((p) => p === "")) throw new UsageError(`${flag} ${text}: expected table or schema.table`);
  return parts.length === 2 ? { schema: parts[0]!, name: parts[1]! } : { name: parts[0]! };
}

/** The spine's columns as the IR types them; a column of another type is refused by name. */
export async function describeSpine(engine: Engine, spine: SpineRef): Promise<Schema> {
  if (spine.kind === "table") {
    const [columns] = await engine.describeTables([spine.table]);
    if (!columns) throw new UsageError(`--spine ${formatTable(spine.table)}: no such table`);
    return columns.map((c) => {
      if (!isDType(c.dtype)) throw new UsageError(`--spine ${formatTable(spine.table)}: column "${c.name}" is ${c.type}, which training sets do not carry; cast it in a view`);
      return { name: c.name, type: c.dtype };
    });
  }
  const from = engine.dialect.readFile!(spine.format, spine.path);
  const rows = await engine.query(render(sql`DESCRIBE SELECT * FROM ${from}`.toOperationNode() as RootOperationNode, engine.dialect));
  const types: Record<string, Schema[number]["type"]> = { BOOLEAN: "boolean", INTEGER: "integer", SMALLINT: "integer", TINYINT: "integer", BIGINT: "bigint", DOUBLE: "double", FLOAT: "double", VARCHAR: "varchar", DATE: "date", TIMESTAMP: "timestamp" };
  return rows.map((r) => {
    const type = types[String(r.column_type)];
    if (!type) throw new UsageError(`--spine ${spine.path}: column "${String(r.column_name)}" is ${String(r.column_type)}, which training sets do not carry`);
    return { name: String(r.column_name), type };
  });
}

export async function spineRange(engine: Engine, spine: SpineRef, time: string): Promise<{ lo: Date; hi: Date } | undefined> {
  const from = spine.kind === "file" ? engine.dialect.readFile!(spine.format, spine.path) : tableId(spine.table);
  const t = sql`CAST(${sql.id(time)} AS ${sql.raw(engine.dialect.types.timestamp)})`;
  const query = builder.selectFrom(sql`${from} AS s` as never).select([sql`min(${t})`.as("lo"), sql`max(${t})`.as("hi")] as never);
  const [row] = await engine.query(render(query.toOperationNode() as RootOperationNode, engine.dialect));
  return row?.lo instanceof Date && row.hi instanceof Date ? { lo: row.lo, hi: row.hi } : undefined;
}

