import {
  CommonTableExpressionNameNode,
  CommonTableExpressionNode,
  type CompiledQuery,
  createQueryId,
  DummyDriver,
  Kysely,
  type OperationNode,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type RootOperationNode,
  type SelectQueryNode,
  WithNode,
} from "kysely";
import type { SqlDialect } from "../dialects/sql-dialect.ts";

/**
 * A kysely instance used only to build operation trees: it never connects (DummyDriver). Rendering goes through the
 * dialect's own query compiler (`compileNode`), so the adapter and compiler given here are never used.
 */
export const builder: Kysely<any> = new Kysely<any>({
  dialect: {
    createAdapter: () => new PostgresAdapter(),
    createDriver: () => new DummyDriver(),
    createIntrospector: (db) => new PostgresIntrospector(db),
    createQueryCompiler: () => new PostgresQueryCompiler(),
  },
});

/**
 * Attaches CTEs to a SELECT. Built from nodes rather than `db.with(name, …)`, whose name argument kysely parses
 * (`"name(col)"`): a CTE name here is always one identifier, quoted by the dialect.
 */
export function withCtes(select: SelectQueryNode, ctes: readonly { name: string; query: OperationNode }[]): SelectQueryNode {
  const nodes = ctes.map((c) => CommonTableExpressionNode.create(CommonTableExpressionNameNode.create(c.name), c.query));
  if (nodes.length === 0) return select;
  const withNode = nodes.slice(1).reduce((w, n) => WithNode.cloneWithExpression(w, n), WithNode.create(nodes[0]!));
  return Object.freeze({ ...select, with: withNode });
}

export function compileNode(node: RootOperationNode, dialect: SqlDialect): CompiledQuery {
  return dialect.createQueryCompiler().compileQuery(node, createQueryId());
}
