import { describe, expect, it } from "vitest";
import { col } from "../../src/dsl/index.ts";
import { polars, strs } from "./support.ts";

// Polars' str.contains(pattern, literal=False) and str.replace_all(pattern, value, literal=False) read the pattern
// as a regular expression (py-polars/src/polars/expr/string.py). Text without metacharacters means the same as a
// literal; anything else needs literal: true here, so a ported pattern never matches differently without a word.
describe("str.contains / str.replaceAll patterns", () => {
  it("plain text and literal: true match as text (test_string.py::test_contains literal cases)", async () => {
    const [plain, dotted, replaced] = await polars(
      { s: strs("a.b", "axb", null, "ab") },
      col("s").str.contains("b"),
      col("s").str.contains("a.b", { literal: true }),
      col("s").str.replaceAll(".", "-", { literal: true }),
    );
    expect(plain).toEqual([true, true, null, true]);
    expect(dotted).toEqual([true, false, null, false]);
    expect(replaced).toEqual(["a-b", "axb", null, "ab"]);
  });

  it("a pattern that would be a regular expression in Polars is refused, naming the way out", () => {
    expect(() => col("s").str.contains("a.b")).toThrow(/str\.contains\("a\.b"\): Polars reads the pattern as a regular expression, which is not implemented; pass \{ literal: true \}/);
    expect(() => col("s").str.contains(col("t"))).toThrow(/str\.contains\(an expression\)/);
    expect(() => col("s").str.replaceAll("^x", "")).toThrow(/str\.replaceAll\("\^x"\)/);
  });
});
