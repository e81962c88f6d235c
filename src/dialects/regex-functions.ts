import { sql } from "kysely";
import type { SqlDialect } from "./sql-dialect.ts";

/**
 * `str.contains`, `str.replaceAll` and `str.extract` with a regular expression, from a dialect's regex primitives. The
 * patterns arrive rewritten into the subset every engine reads alike (src/ir/regex.ts), as literals.
 */
export function regexFunctions(regex: SqlDialect["regex"]): Pick<SqlDialect["functions"], "containsRegex" | "replaceAllRegex" | "extract"> {
  return {
    containsRegex: ([s, pattern]) => regex.matches(s!, pattern!),
    replaceAllRegex: ([s, pattern, replacement]) => regex.replaceAll(s!, pattern!, replacement!),
    // `wrapped` is the pattern inside one more group, so group 0 (the whole match) is group 1 of it everywhere
    // (PostgreSQL's regexp_match gives no whole match when there are groups). No match is null, as in Polars,
    // where DuckDB's regexp_extract gives ''.
    extract: ([s, pattern, wrapped, group]) => sql`CASE WHEN ${regex.matches(s!, pattern!)} THEN ${regex.group(s!, wrapped!, group!)} END`,
  };
}
