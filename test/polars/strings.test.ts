import { DuckDBInstance } from "@duckdb/node-api";
import { sql } from "kysely";
import { describe, expect, it } from "vitest";
import { builder, compileNode } from "../../src/compile/kysely-builder.ts";
import { parseTemporal } from "../../src/dialects/parse-temporal.ts";
import { DIALECTS } from "../../src/dialects/index.ts";
import { col } from "../../src/dsl/index.ts";
import { makeTestDatabase, postgresAvailable } from "../support/postgres.ts";
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

  it("a pattern outside the portable regular expressions, or a column, is refused, naming the way out (test/polars/regex.test.ts)", () => {
    expect(() => col("s").str.contains("a\\db")).toThrow(/str\.contains\(\): the escape "\\d".*; pass \{ literal: true \}/);
    expect(() => col("s").str.contains(col("t"))).toThrow(/str\.contains\(an expression\): Polars reads the pattern as a regular expression/);
    // Polars reads "$1" in the replacement as a group, also with a plain pattern.
    expect(() => col("s").str.replaceAll("a", "$1")).toThrow(/the replacement "\$1" must be text without "\$"/);
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

// str.to_date / str.to_datetime with a format and strict=False: Polars tries its fast parser of full-width fields,
// then chrono's parse_from_str (crates/polars-time/src/chunkedarray/string/{mod,strptime}.rs), which skips white space
// before numbers and takes 1 to `width` digits; null where neither parses.
describe("str.toDate / str.toDatetime", () => {
  it("full-width text (test_strptime.py::test_str_strptime), nulls, and what does not parse", async () => {
    const [date, datetime] = await polars(
      { d: strs("2020-01-01", "2020-02-02", null, "2020-02-30", "2021-02-29", "2024-02-29", "2020-13-01", "2020-00-10", "x", "2020-01-01 ", "2020-01-011", "") },
      col("d").str.toDate("%Y-%m-%d", { strict: false }),
      col("d").str.toDatetime("%Y-%m-%d", { strict: false }),
    );
    expect(date).toEqual(["2020-01-01", "2020-02-02", null, null, null, "2024-02-29", null, null, null, null, null, null]);
    expect(datetime).toEqual(["2020-01-01T00:00:00.000Z", "2020-02-02T00:00:00.000Z", null, null, null, "2024-02-29T00:00:00.000Z", null, null, null, null, null, null]);
  });

  it("times (test_str_strptime), a leap second rolling over (chrono), ranges", async () => {
    const [ts] = await polars(
      { s: strs("2020-01-01 00:00:00", "2020-02-02 03:20:10", "2020-12-31 23:59:60", "2020-01-01 24:00:00", "2020-01-01 10:60:00", "2020-01-01 10:00:61", "2020-01-01 10:00") },
      col("s").str.toDatetime("%Y-%m-%d %H:%M:%S", { strict: false }),
    );
    expect(ts).toEqual(["2020-01-01T00:00:00.000Z", "2020-02-02T03:20:10.000Z", "2021-01-01T00:00:00.000Z", null, null, null, null]);
  });

  it("chrono's leniency: short fields, white space before numbers and for a format space", async () => {
    const [date, ts] = await polars(
      { s: strs("2024-1-5", " 2024- 01-\t5", "24/1/5", "5/1/2024", "2024-01-05  7:08", "2024-01-057:08", "2024-01-12:30", "2024-1-05 7:8:9") },
      col("s").str.toDate("%Y-%m-%d", { strict: false }),
      col("s").str.toDatetime("%Y-%m-%d %H:%M", { strict: false }),
    );
    expect(date).toEqual(["2024-01-05", "2024-01-05", null, null, null, null, null, null]);
    // "2024-01-12:30": the day takes "12", then no hour follows (chrono never gives a digit back).
    expect(ts).toEqual([null, null, null, null, "2024-01-05T07:08:00.000Z", "2024-01-05T07:08:00.000Z", null, null]);
    const [dmy, compact] = await polars(
      { s: strs("05/01/2024", "5/1/2024", "31/04/2024", "20240105", "2024015", "202415", "2024 0105") },
      col("s").str.toDate("%d/%m/%Y", { strict: false }),
      col("s").str.toDate("%Y%m%d", { strict: false }),
    );
    expect(dmy).toEqual(["2024-01-05", "2024-01-05", null, null, null, null, null]);
    // Side by side, chrono takes each field whole and gives nothing back: "2024015" is 2024-01-5, "202415" nothing.
    expect(compact).toEqual([null, null, null, "2024-01-05", "2024-01-05", null, "2024-01-05"]);
  });

  it("a format without the day is read at full width only, the day 1 (test_strptime.py::test_date_parse_omit_day)", async () => {
    const [date, ts] = await polars(
      { s: strs("2022-01", "2022-1", " 2022-01", "2022-13") },
      col("s").str.toDate("%Y-%m", { strict: false }),
      col("s").str.toDatetime("%Y-%m", { strict: false }),
    );
    expect(date).toEqual(["2022-01-01", null, null, null]);
    expect(ts).toEqual(["2022-01-01T00:00:00.000Z", null, null, null]);
  });

  it("refuses strict parsing, other directives and formats Polars refuses", () => {
    expect(() => col("s").str.toDate("%Y-%m-%d")).toThrow(/strict=True fails on the first text.*\{ strict: false \}/);
    expect(() => col("s").str.toDate("%Y-%m-%d", { strict: false, exact: false })).toThrow(/exact: false/);
    expect(() => col("s").str.toDatetime("%Y-%m-%dT%H:%M:%S%.f", { strict: false })).toThrow(/the directive %\. .* is not supported/);
    expect(() => col("s").str.toDatetime("%Y-%m-%d %H:%M:%S%z", { strict: false })).toThrow(/the directive %z/);
    expect(() => col("s").str.toDate("%b %d %Y", { strict: false })).toThrow(/the directive %b/);
    expect(() => col("s").str.toDatetime("%Y-%m-%d %H", { strict: false })).toThrow(/one of %H and %M without the other/);
    expect(() => col("s").str.toDate("%m/%d", { strict: false })).toThrow(/has no %Y/);
    expect(() => col("s").str.toDate("%Y-%m-%d+", { strict: false })).toThrow(/the character "\+"/);
  });
});

// The cases above, on PostgreSQL too (and DuckDB again, by the same SQL): [format, text, date, timestamp].
describe("str.toDate / str.toDatetime: PostgreSQL parses as DuckDB", () => {
  const CASES: [string, string, string | null, string | null][] = [
    ["%Y-%m-%d", "2020-02-02", "2020-02-02", "2020-02-02 00:00:00"],
    ["%Y-%m-%d", "2020-02-30", null, null],
    ["%Y-%m-%d", "2024-02-29", "2024-02-29", "2024-02-29 00:00:00"],
    ["%Y-%m-%d", "2100-02-29", null, null],
    ["%Y-%m-%d", "2000-02-29", "2000-02-29", "2000-02-29 00:00:00"],
    ["%Y-%m-%d", "2020-01-01 ", null, null],
    ["%Y-%m-%d", " 2024- 01-\t5", "2024-01-05", "2024-01-05 00:00:00"],
    ["%Y-%m-%d", "2024-1-5", "2024-01-05", "2024-01-05 00:00:00"],
    ["%Y-%m-%d", "0000-01-01", null, null],
    ["%Y-%m-%d", "+2024-01-01", null, null], // Polars reads a signed year (a documented difference), as it reads year 0
    ["%Y-%m-%d", "2024-01-01\n", null, null],
    ["%Y-%m-%d %H:%M:%S", "2020-12-31 23:59:60", "2020-12-31", "2021-01-01 00:00:00"],
    ["%Y-%m-%d %H:%M:%S", "2020-01-01 24:00:00", null, null],
    ["%Y-%m-%d %H:%M", "2024-01-057:08", "2024-01-05", "2024-01-05 07:08:00"],
    ["%Y-%m-%d %H:%M", "2024-01-12:30", null, null],
    ["%d/%m/%Y", "5/1/2024", "2024-01-05", "2024-01-05 00:00:00"],
    ["%Y%m%d", "2024015", "2024-01-05", "2024-01-05 00:00:00"],
    ["%Y%m%d", "202415", null, null],
    ["%Y-%m", "2022-01", "2022-01-01", "2022-01-01 00:00:00"],
    ["%Y-%m", "2022-1", null, null],
    ["%Y-%m-%dT%H:%M:%S", "2022-01-01T10:60:00", null, null],
  ];
  const query = (dialect: "duckdb" | "postgres") => {
    const d = DIALECTS[dialect];
    const columns = CASES.flatMap(([format, text], i) =>
      (["date", "timestamp"] as const).map((to) => sql`CAST(${parseTemporal(d, sql.lit(text), format, to)} AS VARCHAR)`.as(`v${i}${to}`)),
    );
    return compileNode(builder.selectNoFrom(columns).toOperationNode(), d);
  };
  const expected = CASES.flatMap(([, , date, ts]) => [date, ts]);

  it("DuckDB", async () => {
    const instance = await DuckDBInstance.create(":memory:");
    const connection = await instance.connect();
    try {
      const { sql: text, parameters } = query("duckdb");
      const [row] = (await connection.runAndReadAll(text, parameters as never)).getRowObjectsJS();
      expect(Object.values(row!)).toEqual(expected);
    } finally {
      connection.closeSync();
      instance.closeSync();
    }
  });

  it.skipIf(!postgresAvailable)("PostgreSQL", async () => {
    const db = await makeTestDatabase();
    try {
      const { sql: text, parameters } = query("postgres");
      const [row] = await db.query(text, [...parameters]);
      expect(Object.values(row!)).toEqual(expected);
    } finally {
      await db.cleanup();
    }
  });
});

// str.split(by).list.get(i, null_on_oob=True): Rust's str::split (non-overlapping, left to right; "" is one empty
// part), negative indexes from the end (Polars' list.get); out of range null.
describe("str.split(by).list.get(index)", () => {
  it("parts, empty parts, negative indexes, out of range, nulls", async () => {
    const [first, second, last, fourth, minusThree] = await polars(
      { s: strs("a,b", "a", "", null, "a,b,,c,", ",,", "é,ü") },
      ...[0, 1, -1, 3, -3].map((i) => col("s").str.split(",").list.get(i, { nullOnOob: true })),
    );
    expect(first).toEqual(["a", "a", "", null, "a", "", "é"]);
    expect(second).toEqual(["b", null, null, null, "b", "", "ü"]);
    expect(last).toEqual(["b", "a", "", null, "", "", "ü"]);
    expect(fourth).toEqual([null, null, null, null, "c", null, null]);
    expect(minusThree).toEqual([null, null, null, null, "", "", null]);
  });

  it("a separator of several characters splits without overlapping", async () => {
    const [third, last] = await polars(
      { s: strs("a--b---c", "----") },
      col("s").str.split("--").list.get(2, { nullOnOob: true }),
      col("s").str.split("--").list.get(-1, { nullOnOob: true }),
    );
    expect(third).toEqual(["-c", ""]);
    expect(last).toEqual(["-c", ""]);
  });

  it("refuses what cannot be the same everywhere", () => {
    expect(() => col("s").str.split(",").list.get(1)).toThrow(/null_on_oob=False fails.*\{ nullOnOob: true \}/);
    expect(() => col("s").str.split("")).toThrow(/non-empty string/);
    expect(() => col("s").str.split(",", { inclusive: true })).toThrow(/inclusive/);
    expect(() => col("s").str.split(",").list.get(1.5, { nullOnOob: true })).toThrow(/integer/);
  });
});
