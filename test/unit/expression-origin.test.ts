import { describe, expect, it } from "vitest";
import { col, featureSet, source } from "../../src/dsl/index.ts";
import { DefinitionError } from "../../src/errors.ts";
import { buildGraph } from "../../src/graph/feature-graph.ts";
import { typeGraph } from "../../src/passes/type-pass.ts";
import { definitionSite, thrown } from "./source-lines.ts";

const here = import.meta.url;
const events = source({
  name: "origin_events",
  keys: ["id"],
  timestamp: "at",
  columns: { id: "bigint", at: "date", amount: "double", kind: "varchar" },
  backfill: { table: "raw.origin_events" },
});

// A shared expression built in one place and used by a set defined elsewhere: the error names both lines.
const badSum = col("amount").add(col("kind")); // @bad-sum

describe("errors name the line that built the offending expression", () => {
  it("a type mismatch names the set's definition and the expression's line", () => {
    const set = featureSet({ // @mismatch-set
      name: "origin_mismatch",
      inputs: { events },
      keys: ["id"],
      timestamp: "at",
      build: ({ events }) => events.select("id", "at", badSum.alias("total")),
    });
    const error = thrown(() => typeGraph(buildGraph([set])));
    expect(error).toBeInstanceOf(DefinitionError);
    expect(error.message).toBe(
      `feature set "origin_mismatch" (${definitionSite(here, "mismatch-set").text}): column "total": add() needs numeric operands, ` +
        `got double and varchar (expression at ${definitionSite(here, "bad-sum").text})`,
    );
    expect((error as DefinitionError).expressionAt).toEqual({ file: definitionSite(here, "bad-sum").file, line: definitionSite(here, "bad-sum").line });
  });

  it("an unknown column points at the col() call, not at the expression around it", () => {
    const set = featureSet({
      name: "origin_unknown",
      inputs: { events },
      keys: ["id"],
      timestamp: "at",
      build: ({ events }) =>
        events
          .filter(col("amount").gt(0))
          .select("id", "at", col("amount").mul(
            col("amont"), // @typo
          ).alias("sq")),
    });
    const error = thrown(() => typeGraph(buildGraph([set]))) as DefinitionError;
    expect(error.message).toContain(`unknown column "amont"`);
    expect(error.message).toContain(`(expression at ${definitionSite(here, "typo").text})`);
  });

  it("a filter that is not boolean points at the predicate", () => {
    const set = featureSet({
      name: "origin_filter",
      inputs: { events },
      keys: ["id"],
      timestamp: "at",
      build: ({ events }) => events.filter(col("amount").add(1)).select("id", "at"), // @filter
    });
    const error = thrown(() => typeGraph(buildGraph([set]))) as DefinitionError;
    expect(error.message).toContain("filter() needs a boolean expression, got double");
    // The definition starts at featureSet(; the predicate, further down, is named.
    expect(error.expressionAt?.line).toBe(definitionSite(here, "filter").line);
  });
});
