import { describe, expect, it } from "vitest";
import { compileBackfillQuery } from "../../src/compile/compile-backfill.ts";
import { compileNode } from "../../src/compile/kysely-builder.ts";
import { DIALECTS } from "../../src/dialects/index.ts";
import type { DialectName } from "../../src/dialects/sql-dialect.ts";
import { col, concat, featureSet, source } from "../../src/dsl/index.ts";
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
  [
    // keep "last" reverses the sort, nulls included: the first row in the reversed order, by its running count.
    "sort and unique keep last: QUALIFY a running count of 1 (a wrapping SELECT in PostgreSQL)",
    (t) => t.sort(["ts", "a"], { descending: [true, false] }).unique("grp", { keep: "last" }),
    "grp",
    "ts",
    {
      duckdb: `select "grp", "ts", "id", "a", "x" from "t_" QUALIFY count(*) OVER (PARTITION BY "grp" ORDER BY "ts" ASC NULLS LAST, "a" DESC NULLS LAST ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) = 1`,
      postgres: `select "grp", "ts", "id", "a", "x" from (select "grp", "ts", "id", "a", "x", count(*) OVER (PARTITION BY "grp" ORDER BY "ts" ASC NULLS LAST, "a" DESC NULLS LAST ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) = 1 as "__qualify" from "t_") as "qualified" where "__qualify"`,
      snowflake: `select "GRP", "TS", "ID", "A", "X" from "T_" QUALIFY COUNT(*) OVER (PARTITION BY "GRP" ORDER BY "TS" ASC NULLS LAST, "A" DESC NULLS LAST ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) = 1`,
    },
  ],
  [
    "unique keep none: rows whose subset occurs once",
    (t) => t.unique(["grp", "a"], { keep: "none" }),
    "id",
    "ts",
    {
      duckdb: `select "id", "ts", "grp", "a", "x" from "t_" QUALIFY count(*) OVER (PARTITION BY "grp", "a") = 1`,
      postgres: `select "id", "ts", "grp", "a", "x" from (select "id", "ts", "grp", "a", "x", count(*) OVER (PARTITION BY "grp", "a") = 1 as "__qualify" from "t_") as "qualified" where "__qualify"`,
      snowflake: `select "ID", "TS", "GRP", "A", "X" from "T_" QUALIFY COUNT(*) OVER (PARTITION BY "GRP", "A") = 1`,
    },
  ],
  [
    "unique without a subset: GROUP BY every column (DISTINCT)",
    (t) => t.drop("id").unique(),
    "grp",
    "ts",
    {
      duckdb: `select "grp", "ts", "a", "x" from "t_" group by "ts", "grp", "a", "x"`,
      postgres: `select "grp", "ts", "a", "x" from "t_" group by "ts", "grp", "a", "x"`,
      snowflake: `select "GRP", "TS", "A", "X" from "T_" group by "TS", "GRP", "A", "X"`,
    },
  ],
  [
    "concat: UNION ALL of parenthesised SELECTs, a filter on top in the SELECT around it",
    (t) => concat([t.filter(col("a").gt(0)), t.withColumns(col("x").mul(2).alias("x"))]).filter(col("grp").eq("a")),
    "id",
    "ts",
    {
      duckdb: `select "id", "ts", "grp", "a", "x" from ((select "id", "ts", "grp", "a", "x" from "t_" where "a" > 0) UNION ALL (select "id", "ts", "grp", "a", "x" * 2 as "x" from "t_")) AS "t1" where "grp" = 'a'`,
      postgres: `select "id", "ts", "grp", "a", "x" from ((select "id", "ts", "grp", "a", "x" from "t_" where "a" > 0) UNION ALL (select "id", "ts", "grp", "a", "x" * 2 as "x" from "t_")) AS "t1" where "grp" = 'a'`,
      snowflake: `select "ID", "TS", "GRP", "A", "X" from ((select "ID", "TS", "GRP", "A", "X" from "T_" where "A" > 0) UNION ALL (select "ID", "TS", "GRP", "A", "X" * 2 as "X" from "T_")) AS "T1" where "GRP" = 'a'`,
    },
  ],
  [
    // FULL [OUTER] JOIN: https://docs.snowflake.com/en/sql-reference/constructs/join
    "full join, coalesced keys: COALESCE of the two sides' keys",
    (t) => t.select("id", "ts", "x").join(t.filter(col("a").gt(0)).select("id", "ts", "a"), { on: ["id", "ts"], how: "full", coalesce: true }),
    "id",
    "ts",
    {
      duckdb: `select COALESCE("t1"."id", "t2"."id") as "id", COALESCE("t1"."ts", "t2"."ts") as "ts", "t1"."x" as "x", "t2"."a" as "a" from "t_" AS "t1" FULL JOIN (select "id", "ts", "a" from "t_" where "a" > 0) AS "t2" ON "t1"."id" = "t2"."id" AND "t1"."ts" = "t2"."ts"`,
      postgres: `select COALESCE("t1"."id", "t2"."id") as "id", COALESCE("t1"."ts", "t2"."ts") as "ts", "t1"."x" as "x", "t2"."a" as "a" from "t_" AS "t1" FULL JOIN (select "id", "ts", "a" from "t_" where "a" > 0) AS "t2" ON "t1"."id" = "t2"."id" AND "t1"."ts" = "t2"."ts"`,
      snowflake: `select COALESCE("T1"."ID", "T2"."ID") as "ID", COALESCE("T1"."TS", "T2"."TS") as "TS", "T1"."X" as "X", "T2"."A" as "A" from "T_" AS "T1" FULL JOIN (select "ID", "TS", "A" from "T_" where "A" > 0) AS "T2" ON "T1"."ID" = "T2"."ID" AND "T1"."TS" = "T2"."TS"`,
    },
  ],
  [
    "right join, coalesced (the default): the right key",
    (t) => t.select("grp", "x").join(t.select("grp", "ts", "a"), { on: "grp", how: "right" }),
    "grp",
    "ts",
    {
      duckdb: `select "t2"."grp" as "grp", "t2"."ts" as "ts", "t1"."x" as "x", "t2"."a" as "a" from "t_" AS "t1" RIGHT JOIN "t_" AS "t2" ON "t1"."grp" = "t2"."grp"`,
      postgres: `select "t2"."grp" as "grp", "t2"."ts" as "ts", "t1"."x" as "x", "t2"."a" as "a" from "t_" AS "t1" RIGHT JOIN "t_" AS "t2" ON "t1"."grp" = "t2"."grp"`,
      snowflake: `select "T2"."GRP" as "GRP", "T2"."TS" as "TS", "T1"."X" as "X", "T2"."A" as "A" from "T_" AS "T1" RIGHT JOIN "T_" AS "T2" ON "T1"."GRP" = "T2"."GRP"`,
    },
  ],
  [
    "as-of join without exact matches: > (DuckDB, Snowflake), < in the lateral subquery (PostgreSQL)",
    (t) => t.select("id", "ts", "grp").joinAsof(t.select("grp", col("ts").alias("u"), "x"), { leftOn: "ts", rightOn: "u", by: "grp", allowExactMatches: false }),
    "id",
    "ts",
    {
      duckdb: `select "t1"."id" as "id", "t1"."ts" as "ts", "t1"."grp" as "grp", "t2"."u" as "u", "t2"."x" as "x" from "t_" AS "t1" ASOF LEFT JOIN (select "grp", "ts" as "u", "x" from "t_") AS "t2" ON "t1"."grp" = "t2"."grp" AND "t1"."ts" > "t2"."u"`,
      postgres: `select "t1"."id" as "id", "t1"."ts" as "ts", "t1"."grp" as "grp", "t2"."u" as "u", "t2"."x" as "x" from "t_" AS "t1" LEFT JOIN LATERAL (SELECT * FROM (select "grp", "ts" as "u", "x" from "t_") AS "t2" WHERE "t2"."grp" = "t1"."grp" AND "t2"."u" < "t1"."ts" ORDER BY "t2"."u" DESC LIMIT 1) AS "t2" ON TRUE`,
      snowflake: `select "T1"."ID" as "ID", "T1"."TS" as "TS", "T1"."GRP" as "GRP", "T2"."U" as "U", "T2"."X" as "X" from "T_" AS "T1" ASOF JOIN (select "GRP", "TS" as "U", "X" from "T_") AS "T2" MATCH_CONDITION ("T1"."TS" > "T2"."U") ON "T1"."GRP" = "T2"."GRP"`,
    },
  ],
  [
    "nearest as-of join within a tolerance: a backward and a forward one, then the nearer (the later on a tie)",
    (t) => t.select("id", "ts").joinAsof(t.select(col("ts").alias("u"), "x"), { leftOn: "ts", rightOn: "u", strategy: "nearest", tolerance: "1d" }),
    "id",
    "ts",
    {
      duckdb: `select "id", "ts", CASE WHEN ("__forward_u" IS NOT NULL) AND (("__backward_u" IS NULL) OR ((epoch_us("__forward_u") - epoch_us("ts")) <= (epoch_us("ts") - epoch_us("__backward_u")))) THEN "__forward_u" ELSE "__backward_u" END as "u", CASE WHEN ("__forward_u" IS NOT NULL) AND (("__backward_u" IS NULL) OR ((epoch_us("__forward_u") - epoch_us("ts")) <= (epoch_us("ts") - epoch_us("__backward_u")))) THEN "__forward_x" ELSE "__backward_x" END as "x" from (select "t3"."id" as "id", "t3"."ts" as "ts", "t3"."__backward_u" as "__backward_u", "t3"."__backward_x" as "__backward_x", CASE WHEN "t4"."__forward_u" <= "t3"."ts" + INTERVAL '1 day' THEN "t4"."__forward_u" ELSE NULL END as "__forward_u", CASE WHEN "t4"."__forward_u" <= "t3"."ts" + INTERVAL '1 day' THEN "t4"."__forward_x" ELSE NULL END as "__forward_x" from (select "t1"."id" as "id", "t1"."ts" as "ts", CASE WHEN "t2"."__backward_u" >= "t1"."ts" + INTERVAL '-1 day' THEN "t2"."__backward_u" ELSE NULL END as "__backward_u", CASE WHEN "t2"."__backward_u" >= "t1"."ts" + INTERVAL '-1 day' THEN "t2"."__backward_x" ELSE NULL END as "__backward_x" from "t_" AS "t1" ASOF LEFT JOIN (select "ts" as "__backward_u", "x" as "__backward_x" from "t_") AS "t2" ON "t1"."ts" >= "t2"."__backward_u") AS "t3" ASOF LEFT JOIN (select "ts" as "__forward_u", "x" as "__forward_x" from "t_") AS "t4" ON "t3"."ts" <= "t4"."__forward_u") as "t5"`,
      postgres: `select "id", "ts", CASE WHEN ("__forward_u" IS NOT NULL) AND (("__backward_u" IS NULL) OR ((CAST(extract(epoch FROM "__forward_u") * 1000000 AS BIGINT) - CAST(extract(epoch FROM "ts") * 1000000 AS BIGINT)) <= (CAST(extract(epoch FROM "ts") * 1000000 AS BIGINT) - CAST(extract(epoch FROM "__backward_u") * 1000000 AS BIGINT)))) THEN "__forward_u" ELSE "__backward_u" END as "u", CASE WHEN ("__forward_u" IS NOT NULL) AND (("__backward_u" IS NULL) OR ((CAST(extract(epoch FROM "__forward_u") * 1000000 AS BIGINT) - CAST(extract(epoch FROM "ts") * 1000000 AS BIGINT)) <= (CAST(extract(epoch FROM "ts") * 1000000 AS BIGINT) - CAST(extract(epoch FROM "__backward_u") * 1000000 AS BIGINT)))) THEN "__forward_x" ELSE "__backward_x" END as "x" from (select "t3"."id" as "id", "t3"."ts" as "ts", "t3"."__backward_u" as "__backward_u", "t3"."__backward_x" as "__backward_x", CASE WHEN "t4"."__forward_u" <= "t3"."ts" + INTERVAL '1 day' THEN "t4"."__forward_u" ELSE NULL END as "__forward_u", CASE WHEN "t4"."__forward_u" <= "t3"."ts" + INTERVAL '1 day' THEN "t4"."__forward_x" ELSE NULL END as "__forward_x" from (select "t1"."id" as "id", "t1"."ts" as "ts", CASE WHEN "t2"."__backward_u" >= "t1"."ts" + INTERVAL '-1 day' THEN "t2"."__backward_u" ELSE NULL END as "__backward_u", CASE WHEN "t2"."__backward_u" >= "t1"."ts" + INTERVAL '-1 day' THEN "t2"."__backward_x" ELSE NULL END as "__backward_x" from "t_" AS "t1" LEFT JOIN LATERAL (SELECT * FROM (select "ts" as "__backward_u", "x" as "__backward_x" from "t_") AS "t2" WHERE "t2"."__backward_u" <= "t1"."ts" ORDER BY "t2"."__backward_u" DESC LIMIT 1) AS "t2" ON TRUE) AS "t3" LEFT JOIN LATERAL (SELECT * FROM (select "ts" as "__forward_u", "x" as "__forward_x" from "t_") AS "t4" WHERE "t4"."__forward_u" >= "t3"."ts" ORDER BY "t4"."__forward_u" ASC LIMIT 1) AS "t4" ON TRUE) as "t5"`,
      snowflake: `select "ID", "TS", CASE WHEN ("__FORWARD_U" IS NOT NULL) AND (("__BACKWARD_U" IS NULL) OR ((DATE_PART(EPOCH_MICROSECOND, "__FORWARD_U") - DATE_PART(EPOCH_MICROSECOND, "TS")) <= (DATE_PART(EPOCH_MICROSECOND, "TS") - DATE_PART(EPOCH_MICROSECOND, "__BACKWARD_U")))) THEN "__FORWARD_U" ELSE "__BACKWARD_U" END as "U", CASE WHEN ("__FORWARD_U" IS NOT NULL) AND (("__BACKWARD_U" IS NULL) OR ((DATE_PART(EPOCH_MICROSECOND, "__FORWARD_U") - DATE_PART(EPOCH_MICROSECOND, "TS")) <= (DATE_PART(EPOCH_MICROSECOND, "TS") - DATE_PART(EPOCH_MICROSECOND, "__BACKWARD_U")))) THEN "__FORWARD_X" ELSE "__BACKWARD_X" END as "X" from (select "T3"."ID" as "ID", "T3"."TS" as "TS", "T3"."__BACKWARD_U" as "__BACKWARD_U", "T3"."__BACKWARD_X" as "__BACKWARD_X", CASE WHEN "T4"."__FORWARD_U" <= DATEADD(DAY, 1, "T3"."TS") THEN "T4"."__FORWARD_U" ELSE NULL END as "__FORWARD_U", CASE WHEN "T4"."__FORWARD_U" <= DATEADD(DAY, 1, "T3"."TS") THEN "T4"."__FORWARD_X" ELSE NULL END as "__FORWARD_X" from (select "T1"."ID" as "ID", "T1"."TS" as "TS", CASE WHEN "T2"."__BACKWARD_U" >= DATEADD(DAY, -1, "T1"."TS") THEN "T2"."__BACKWARD_U" ELSE NULL END as "__BACKWARD_U", CASE WHEN "T2"."__BACKWARD_U" >= DATEADD(DAY, -1, "T1"."TS") THEN "T2"."__BACKWARD_X" ELSE NULL END as "__BACKWARD_X" from "T_" AS "T1" ASOF JOIN (select "TS" as "__BACKWARD_U", "X" as "__BACKWARD_X" from "T_") AS "T2" MATCH_CONDITION ("T1"."TS" >= "T2"."__BACKWARD_U")) AS "T3" ASOF JOIN (select "TS" as "__FORWARD_U", "X" as "__FORWARD_X" from "T_") AS "T4" MATCH_CONDITION ("T3"."TS" <= "T4"."__FORWARD_U")) as "T5"`,
    },
  ],
  [
    "top-k per group: a running count of at most k in the sort's order",
    (t) => t.sort("x", { descending: true }).groupBy("grp").head(3),
    "id",
    "ts",
    {
      duckdb: `select "id", "ts", "grp", "a", "x" from "t_" QUALIFY count(*) OVER (PARTITION BY "grp" ORDER BY "x" DESC NULLS FIRST ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) <= 3`,
      postgres: `select "id", "ts", "grp", "a", "x" from (select "id", "ts", "grp", "a", "x", count(*) OVER (PARTITION BY "grp" ORDER BY "x" DESC NULLS FIRST ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) <= 3 as "__qualify" from "t_") as "qualified" where "__qualify"`,
      snowflake: `select "ID", "TS", "GRP", "A", "X" from "T_" QUALIFY COUNT(*) OVER (PARTITION BY "GRP" ORDER BY "X" DESC NULLS FIRST ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) <= 3`,
    },
  ],
  [
    "withRowIndex: a running count over the whole frame in the sort's order, minus one",
    (t) => t.sort("ts").withRowIndex("n"),
    "n",
    "ts",
    {
      duckdb: `select count(*) OVER (ORDER BY "ts" ASC NULLS FIRST ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) - 1 as "n", "ts", "id", "grp", "a", "x" from "t_"`,
      postgres: `select count(*) OVER (ORDER BY "ts" ASC NULLS FIRST ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) - 1 as "n", "ts", "id", "grp", "a", "x" from "t_"`,
      snowflake: `select COUNT(*) OVER (ORDER BY "TS" ASC NULLS FIRST ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) - 1 as "N", "TS", "ID", "GRP", "A", "X" from "T_"`,
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


