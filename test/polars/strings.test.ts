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

// The docstrings of py-polars/src/polars/expr/string.py: str.slice, str.head, str.tail, str.pad_start, str.pad_end,
// str.zfill and str.strip_chars, with their frames and expected columns.
describe("slices from the end, head and tail, padding, stripping", () => {
  const fruits = strs("pear", null, "papaya", "dragonfruit");

  it("slice with a negative offset (str.slice docstring), and a window cut to the text", async () => {
    const [last3, middle, before] = await polars({ s: fruits }, col("s").str.slice(-3), col("s").str.slice(-5, 2), col("s").str.slice(-20, 18));
    expect(last3).toEqual(["ear", null, "aya", "uit"]);
    expect(middle).toEqual(["p", null, "ap", "fr"]); // "pear": [-1, 1) cut to [0, 1)
    expect(before).toEqual(["pe", null, "papa", "dragonfru"]); // [len - 20, len - 2) cut to [0, len - 2)
  });

  it("head and tail, negative n counting from the other end (str.head, str.tail docstrings)", async () => {
    const [h5, hm3, t5, tm3] = await polars({ s: fruits }, col("s").str.head(5), col("s").str.head(-3), col("s").str.tail(5), col("s").str.tail(-3));
    expect(h5).toEqual(["pear", null, "papay", "drago"]);
    expect(hm3).toEqual(["p", null, "pap", "dragonfr"]);
    expect(t5).toEqual(["pear", null, "apaya", "fruit"]);
    expect(tm3).toEqual(["r", null, "aya", "gonfruit"]);
  });

  it("padStart and padEnd keep longer text whole; zfill pads after a sign (str.pad_start, str.zfill docstrings)", async () => {
    const [start, end] = await polars({ a: strs("cow", "monkey", "hippopotamus", null) }, col("a").str.padStart(8, "*"), col("a").str.padEnd(8));
    expect(start).toEqual(["*****cow", "**monkey", "hippopotamus", null]);
    expect(end).toEqual(["cow     ", "monkey  ", "hippopotamus", null]);
    const [z] = await polars({ a: strs("-1", "123", "999999", null, "+5") }, col("a").str.zfill(4));
    expect(z).toEqual(["-001", "0123", "999999", null, "+005"]);
    expect(() => col("a").str.padStart(3, "ab")).toThrow(/the fill character must be one character, got "ab"/);
  });

  it("stripChars: Unicode whitespace by default, or the given characters (str.strip_chars docstring)", async () => {
    const [ws, chars] = await polars({ foo: strs(" hello ", "\tworld\n", "\u00a0x\u3000", null) }, col("foo").str.stripChars(), col("foo").str.stripChars(" hlo"));
    expect(ws).toEqual(["hello", "world", "x", null]);
    expect(chars).toEqual(["e", "\tworld\n", "\u00a0x\u3000", null]);
  });
});
