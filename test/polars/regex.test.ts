import { DuckDBInstance } from "@duckdb/node-api";
import fc from "fast-check";
import { sql } from "kysely";
import { describe, expect, it } from "vitest";
import { builder, compileNode } from "../../src/compile/kysely-builder.ts";
import { DIALECTS } from "../../src/dialects/index.ts";
import { col } from "../../src/dsl/index.ts";
import { parseRegex, type RegexPattern } from "../../src/ir/regex.ts";
import { makeTestDatabase, postgresAvailable } from "../support/postgres.ts";
import { polars, strs } from "./support.ts";

// Regular expressions in str.contains, str.replace_all and str.extract, limited to what DuckDB, PostgreSQL and
// Snowflake read as Polars (Rust's regex crate) does: src/ir/regex.ts. Cases from
// py-polars/tests/unit/operations/namespaces/string/test_string.py, with \w, \W and \S written as ASCII classes.
describe("regular expressions", () => {
  const TEXT = strs("some * * text", "(with) special\n * chars", "**etc...?$", null);

  it("str.contains (test_contains)", async () => {
    const out = await polars({ t: TEXT }, ...["\\* \\*", "^\\(", "e", "\\?\\$", "^[^ \n]+$", "c.a", "l\nc", "^.*c.*$"].map((p) => col("t").str.contains(p)));
    expect(out).toEqual([
      [true, false, false, null],
      [false, true, false, null],
      [true, true, true, null],
      [false, false, true, null],
      [false, false, true, null],
      [false, true, false, null],
      [false, false, false, null], // no "l" right before the newline
      [false, false, true, null], // "." is no newline: "(with) special\n * chars" has a "c" only after it, but "^.*c" cannot cross it
    ]);
  });

  it("str.replaceAll (test_replace_all)", async () => {
    const [stars, nonWord, alternatives] = await polars(
      { t: strs("* * text", "(with) special\n * chars **etc...?$", null) },
      col("t").str.replaceAll("\\*", "-"),
      col("t").str.replaceAll("[^A-Za-z0-9_]", ""),
      col("t").str.replaceAll("[()]w?", "#"),
    );
    expect(stars).toEqual(["- - text", "(with) special\n - chars --etc...?$", null]);
    expect(nonWord).toEqual(["text", "withspecialcharsetc", null]);
    expect(alternatives).toEqual(["* * text", "#ith# special\n * chars **etc...?$", null]);
  });

  it("str.extract: a group, the whole match, null without a match (test_extract_regex, test_extract)", async () => {
    const urls = strs("http://vote.com/ballon_dor?candidate=messi&ref=polars", "http://vote.com/ballon_dor?candidat=jorginho&ref=polars", "http://vote.com/ballon_dor?candidate=ronaldo&ref=polars");
    const [candidate] = await polars({ u: urls }, col("u").str.extract("candidate=([A-Za-z0-9_]+)", 1));
    expect(candidate).toEqual(["messi", null, "ronaldo"]);
    const [letters, whole, second] = await polars(
      { s: strs("aron123", "12butler", "charly*", "~david", null) },
      col("s").str.extract("^([a-zA-Z]+)", 1),
      col("s").str.extract("[a-z]+[0-9]*", 0),
      col("s").str.extract("([a-z])([a-z]*)", 2),
    );
    expect(letters).toEqual(["aron", null, "charly", null, null]);
    expect(whole).toEqual(["aron123", "butler", "charly", "david", null]);
    expect(second).toEqual(["ron", "utler", "harly", "avid", null]);
  });

  it("refuses what engines read differently, naming the construct", () => {
    const refused: [() => unknown, RegExp][] = [
      [() => col("t").str.contains("^\\S+$"), /the escape "\\S"/],
      [() => col("t").str.contains("\\d+"), /the escape "\\d" \(Unicode digits in Polars, ASCII ones in RE2: write \[0-9\]\)/],
      [() => col("t").str.contains("(not_valid_regex"), /an unclosed "\("/],
      [() => col("t").str.contains("(?i)abc"), /the group "\(\?"/],
      [() => col("t").str.contains("a+?"), /the lazy quantifier "\+\?"/],
      [() => col("t").str.contains("[[:alpha:]]"), /"\[" inside a class/],
      [() => col("t").str.contains("a{300}"), /beyond 255/],
      [() => col("t").str.contains("a*"), /matches the empty text/],
      [() => col("t").str.contains("a|"), /an empty alternative/],
      [() => col("t").str.replaceAll("a|ab", "x"), /"\|" \(Polars takes the first alternative that matches, PostgreSQL and Snowflake the longest\)/],
      [() => col("t").str.extract("(ab)+", 1), /a repeated group "\(ab\)\+"/],
      [() => col("t").str.extract("(a)", 2), /the pattern has 1 group/],
      [() => col("t").str.replaceAll("\\((with)\\) special", ":$1:"), /Polars reads "\$1" as a group/],
      [() => col("t").str.replaceAll("x.", col("u")), /must be text/],
    ];
    for (const [build, message] of refused) expect(build).toThrow(message);
    // Alternation is fine where only the existence of a match counts.
    expect(() => col("t").str.contains("^(uber|lyft)[ *]")).not.toThrow();
  });
});

// Leftmost-first (Rust, and JavaScript's RegExp) against DuckDB and PostgreSQL, on random patterns of the subset that
// replaceAll and extract accept: the same matches, replaced and extracted.
describe("regular expressions: engines find the matches a leftmost-first engine finds", () => {
  const atom = fc.constantFrom("a", "b", "[ab]", ".", "[^a]", "\\.", "c");
  const quantifier = fc.constantFrom("", "", "*", "+", "?", "{1,2}", "{2}", "{0,1}");
  const pattern = fc
    .tuple(fc.array(fc.tuple(atom, quantifier), { minLength: 1, maxLength: 4 }), fc.nat(), fc.nat(), fc.boolean())
    .map(([parts, i, j, grouped]) => {
      const texts = parts.map(([a, q]) => a + q);
      if (grouped) {
        const [from, to] = [i % texts.length, Math.max(i % texts.length, j % texts.length)];
        texts[from] = `(${texts[from]}`;
        texts[to] = `${texts[to]})`;
      }
      return texts.join("");
    })
    .map((p) => parseRegex(p))
    .filter((p): p is RegexPattern => typeof p !== "string" && !p.matchesEmpty && !p.undetermined);
  const texts = fc.array(fc.stringMatching(/^[abc.\n]{0,7}$/), { minLength: 6, maxLength: 6 });
  const cases = fc.sample(fc.tuple(pattern, texts), { numRuns: 60, seed: 20261204 });

  const expected = cases.flatMap(([p, ts]) =>
    ts.map((t) => {
      const m = new RegExp(`(${p.pattern})`, "u").exec(t);
      return [t.replace(new RegExp(p.pattern, "gu"), "X"), m ? m[1]! : null, m && p.groups > 0 ? m[2]! : null];
    }),
  );
  const query = (dialect: "duckdb" | "postgres") => {
    const d = DIALECTS[dialect];
    const columns = cases.flatMap(([p, ts], i) =>
      ts.flatMap((t, k) => {
        const [s, pat, wrapped] = [sql.lit(t), sql.lit(p.pattern), sql.lit(`(${p.pattern})`)];
        return [
          d.functions.replaceAllRegex([s, pat, sql.lit("X")], []).as(`r${i}_${k}`),
          d.functions.extract([s, pat, wrapped, sql.lit(1)], []).as(`w${i}_${k}`),
          (p.groups > 0 ? d.functions.extract([s, pat, wrapped, sql.lit(2)], []) : sql`NULL`).as(`g${i}_${k}`),
        ];
      }),
    );
    return compileNode(builder.selectNoFrom(columns).toOperationNode(), d);
  };
  const rows = (row: Record<string, unknown>) => {
    const values = Object.values(row);
    return expected.map((_, i) => values.slice(3 * i, 3 * i + 3).map((v, j) => (j === 2 && v === "" ? null : v)));
  };
  const want = expected.map(([r, w, g]) => [r, w, g === "" ? null : g]);

  it("DuckDB", async () => {
    const instance = await DuckDBInstance.create(":memory:");
    const connection = await instance.connect();
    try {
      const { sql: text, parameters } = query("duckdb");
      const [row] = (await connection.runAndReadAll(text, parameters as never)).getRowObjectsJS();
      expect(rows(row!)).toEqual(want);
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
      expect(rows(row!)).toEqual(want);
    } finally {
      await db.cleanup();
    }
  });
});
