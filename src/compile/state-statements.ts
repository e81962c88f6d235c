import { type RootOperationNode, type SelectQueryNode, sql } from "kysely";
import type { SqlDialect } from "../dialects/sql-dialect.ts";
import type { TableRef } from "../ir/definitions.ts";
import { STATE_COLUMNS } from "../passes/state-pass.ts";
import type { Schema } from "../passes/schema.ts";
import { deleteStatement, insertStatement, render, type Statement, tableId } from "./statements.ts";

/**
 * The statements around a state table (state-pass.ts): a checkpoint is the carried rows as of an instant, under a
 * definition hash, plus one marker row saying it was written (an instant may carry no rows). Values are bound or
 * rendered by the dialect as every other statement's.
 */

const id = (name: string) => sql.id(name);
const of = (hash: string, at: Date, dialect: SqlDialect) =>
  sql`${id(STATE_COLUMNS.hash)} = ${hash} AND ${id(STATE_COLUMNS.asOf)} = ${dialect.instant(at, "timestamp")}`;

/**
 * Replaces the checkpoint as of `end` (rows computed by `select`, and its marker), in the chunk's transaction. Other
 * checkpoints are never touched: a run may be reading them (one made stale by a later rewrite of earlier rows is
 * passed over when planning: `usableCheckpoints`).
 */
export function checkpointWrite(table: TableRef, columns: Schema, hash: string, end: Date, select: SelectQueryNode, dialect: SqlDialect): Statement[] {
  const marker = [STATE_COLUMNS.hash, STATE_COLUMNS.asOf, STATE_COLUMNS.marker].map(id);
  return [
    deleteStatement(table, of(hash, end, dialect), dialect),
    insertStatement(table, columns, select, dialect),
    render(sql`INSERT INTO ${tableId(table)} (${sql.join(marker)}) VALUES (${hash}, ${dialect.instant(end, "timestamp")}, TRUE)`.toOperationNode() as RootOperationNode, dialect),
  ];
}

/** The instants a table holds a checkpoint of under `hash` (column `as_of`). */
export function checkpointsQuery(table: TableRef, hash: string, dialect: SqlDialect): Statement {
  const query = sql`SELECT DISTINCT ${id(STATE_COLUMNS.asOf)} AS ${id("as_of")} FROM ${tableId(table)} WHERE ${id(STATE_COLUMNS.hash)} = ${hash} AND ${id(STATE_COLUMNS.marker)}`;
  return render(query.toOperationNode() as RootOperationNode, dialect);
}

/** Whether the checkpoint as of `at` is there (column `n`, the count of its markers): checked before a chunk reads it. */
export function checkpointCheck(table: TableRef, hash: string, at: Date, dialect: SqlDialect): Statement {
  const query = sql`SELECT COUNT(*) AS ${id("n")} FROM ${tableId(table)} WHERE ${of(hash, at, dialect)} AND ${id(STATE_COLUMNS.marker)}`;
  return render(query.toOperationNode() as RootOperationNode, dialect);
}
