import { sql } from "kysely";
import { compileExpr } from "./src/compile/compile-expr.ts";
import { builder, compileNode } from "./src/compile/kysely-builder.ts";
import { DIALECTS } from "./src/dialects/index.ts";
import * as dsl from "./src/dsl/expr.ts";
import { typeExpr } from "./src/passes/type-pass.ts";
const SCHEMA = [
  { name: "id", type: "bigint" }, { name: "n", type: "integer" }, { name: "x", type: "double" }, { name: "s", type: "varchar" },
  { name: "d", type: "date" }, { name: "ts", type: "timestamp" }, { name: "flag", type: "boolean" },
] as const;
const { col, lit, when } = dsl;
const exprs = eval(process.argv[2]!) as Record<string, dsl.Expr>;
for (const [name, e] of Object.entries(exprs)) {
  console.log(`  [\n    ${JSON.stringify(name)},\n    ${process.argv[3] ? "" : ""}EXPR,\n    {`);
  for (const d of ["duckdb", "postgres", "snowflake"] as const) {
    try {
      const f = compileExpr(e.node, DIALECTS[d], (x) => typeExpr(x, SCHEMA as any, { set: "g", at: undefined } as any, "typed"));
      console.log(`      ${d}: \`${compileNode(builder.selectNoFrom(sql`${f}`.as("v")).toOperationNode(), DIALECTS[d]).sql}\`,`);
    } catch (err) { console.log(`      ${d}: ERROR ${(err as Error).message}`); }
  }
  console.log(`    },\n  ],`);
}
