import { describe, expect, it } from "vitest";
import { coalesce, col, lit, when } from "../../src/dsl/index.ts";
import { DefinitionError } from "../../src/errors.ts";
import { floats, ints, polars, strs } from "./support.ts";

// Polars parses a bare string as a column name in when/then/otherwise (py-polars/src/polars/functions/whenthen.py:
// "String inputs e.g. when("string"), then("string") or otherwise("string") are parsed as column names"), in
// clip's and is_between's bounds and in coalesce ("Strings are parsed as column names"); comparisons, fill_null and
// the str functions read it as a literal (parse_into_expression(…, str_as_lit=True)).
describe("bare strings in value positions name columns, as in Polars", () => {
  it("then/otherwise: columns; lit() for text (test_whenthen.py style)", async () => {
    const [columns, text] = await polars(
      { a: ints(1, 2, 3), c: strs("x", "y", "z"), e: strs("p", "q", "r") },
      when(col("a").gt(1)).then("c").otherwise("e"),
      when(col("a").gt(1)).then(lit("c")).otherwise(lit("e")),
    );
    expect(columns).toEqual(["p", "y", "z"]);
    expect(text).toEqual(["e", "c", "c"]);
  });

  it("clip and isBetween bounds, and coalesce", async () => {
    const [clipped, between, coalesced] = await polars(
      { x: floats(0, 5, 10, null), lb: floats(1, 1, 1, 1), ub: floats(8, 4, 20, 1), s: strs(null, "s", null, null), t: strs("t", "t", null, "t") },
      col("x").clip("lb", "ub"),
      col("x").isBetween("lb", "ub"),
      coalesce("s", "t"),
    );
    expect(clipped).toEqual([1, 4, 10, null]);
    expect(between).toEqual([false, false, true, null]);
    expect(coalesced).toEqual(["t", "s", null, "t"]);
  });

  it("comparisons and fillNull keep reading strings as text", async () => {
    const [eq, filled] = await polars({ c: strs("c", "d", null) }, col("c").eq("c"), col("c").fillNull("c"));
    expect(eq).toEqual([true, false, null]);
    expect(filled).toEqual(["c", "d", "c"]);
  });

  it("a string that names no column is a planning error naming the position and the way to write text", async () => {
    const error = await polars({ a: ints(1) }, when(col("a").gt(0)).then("high").otherwise(lit("low"))).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DefinitionError);
    expect((error as Error).message).toMatch(/unknown column "high" \(a string in then\(\) names a column, as in Polars; for the text, write lit\("high"\)\)/);
  });
});
