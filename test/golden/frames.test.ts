import { describe, expect, it } from "vitest";
import { compileBackfillQuery } from "../../src/compile/compile-backfill.ts";
import { compileNode } from "../../src/compile/kysely-builder.ts";
import { DIALECTS } from "../../src/dialects/index.ts";
import type { DialectName } from "../../src/dialects/sql-dialect.ts";
import { featureSet, source } from "../../src/dsl/index.ts";
import type { LazyFrame } from "../../src/dsl/frame.ts";
import { buildGraph, selectSets } from "../../src/graph/feature-graph.ts";
import { typeGraph } from "../../src/passes/type-pass.ts";
import type { PerDialect } from "./per-dialect.ts";

/**
 * Golden SQL of the frame operations, per dialect: the set's CTE over a source `t` read whole, as the statement a
 * backfill runs holds it (the source CTE and the final SELECT are left out: they do not depend on the operation).
 */
const t = source({
  name: "t",
  keys: ["id"],
  timestamp: "ts",
  columns: { id: "bigint", ts: "timestamp", grp: "varchar", a: "bigint", x: "double" },
  backfill: { table: "t" },
});

function render(build: (t: LazyFrame) => LazyFrame, keys: string | string[], timestamp: string, dialect: DialectName): string {
  const set = featureSet({ name: "out", inputs: { t }, keys, timestamp, build: ({ t }) => build(t) });
  const graph = buildGraph([set]);
  const typed = typeGraph(graph);
  const query = compileBackfillQuery({ graph, typed, closure: selectSets(graph, ["out"]), dialect: DIALECTS[dialect], reads: new Map([["t", {}]]) });
  const text = compileNode(query, DIALECTS[dialect]).sql;
  const cte = /, "out" as \((.*)\) select /i.exec(text);
  if (!cte) throw new Error(`no CTE "out" in ${text}`);
  return cte[1]!;
}

const CASES: [string, (t: LazyFrame) => LazyFrame, string | string[], string, PerDialect][] = [
  [
    "rename (the timestamp too) and drop: one SELECT of plain columns",
    (t) => t.rename({ a: "b", ts: "at" }).drop("x"),
    "id",
    "at",
    {
      duckdb: `select "id", "ts" as "at", "grp", "a" as "b" from "t_"`,
      postgres: `select "id", "ts" as "at", "grp", "a" as "b" from "t_"`,
      snowflake: `select "ID", "TS" as "AT", "GRP", "A" as "B" from "T_"`,
    },
  ],
];

describe("golden SQL per frame operation and dialect", () => {
  for (const [name, build, keys, timestamp, expected] of CASES) {
    for (const [dialect, sqlText] of Object.entries(expected) as [DialectName, PerDialect[DialectName]][]) {
      it(`${name} (${dialect})`, () => {
        if (typeof sqlText !== "string") expect(() => render(build, keys, timestamp, dialect)).toThrow(sqlText.unsupported);
        else expect(render(build, keys, timestamp, dialect)).toBe(sqlText);
      });
    }
  }
});

export { render as renderFrame };
