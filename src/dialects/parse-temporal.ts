import { sql } from "kysely";
import { parseStrftime, type StrptimeField } from "../ir/strptime.ts";
import type { Sql, SqlDialect } from "./sql-dialect.ts";

/**
 * `str.toDate` / `str.toDatetime` with a strftime format, as Polars parses it with `strict=False`: the text must match
 * the format's pattern (src/ir/strptime.ts), then each field its range — chrono's, with the days of the month (Feb 29
 * only in leap years) — else null. No engine's own parser is used: DuckDB's strptime, PostgreSQL's lenient to_date and
 * Snowflake's TO_DATE each accept other strings than Polars. Nested CASEs: a part is converted only once the pattern
 * matched, and a date is made only from valid parts (DuckDB and PostgreSQL raise on invalid ones, Snowflake carries
 * them over into the next month).
 */
export function parseTemporal(dialect: Pick<SqlDialect, "regex" | "makeDate" | "makeTimestamp">, text: Sql, format: string, to: "date" | "timestamp"): Sql {
  const parsed = parseStrftime(format);
  if (typeof parsed === "string") throw new Error(`internal: a format outside the subset reached SQL: ${parsed}`);
  const { groups, maxSecond } = parsed;
  const pattern = sql.lit(parsed.pattern);
  // A field's digits are in whichever of its groups took part (engines give NULL or '' for the other).
  const part = (field: StrptimeField): Sql => {
    const indexes = groups[field];
    if (!indexes) return sql.lit(field === "m" || field === "d" ? 1 : 0); // Polars' defaults
    const texts = indexes.map((g) => sql`NULLIF(${dialect.regex.group(text, pattern, sql.lit(g))}, '')`);
    return sql`CAST(${texts.length === 1 ? texts[0]! : sql`COALESCE(${sql.join(texts)})`} AS INTEGER)`;
  };
  const [y, m, d, h, mi, s] = (["Y", "m", "d", "H", "M", "S"] as const).map(part) as [Sql, Sql, Sql, Sql, Sql, Sql];
  const leap = sql`((${y} % 4 = 0 AND ${y} % 100 <> 0) OR ${y} % 400 = 0)`;
  const daysInMonth = sql`CASE WHEN ${m} = 2 THEN CASE WHEN ${leap} THEN 29 ELSE 28 END WHEN ${m} IN (4, 6, 9, 11) THEN 30 ELSE 31 END`;
  // Year 0 parses in Polars but is outside every engine's dates (0001-01-01 on): null, a documented difference.
  const checks = [
    sql`${y} >= 1`,
    ...(groups.m ? [sql`${m} BETWEEN 1 AND 12`] : []),
    ...(groups.d ? [sql`${d} >= 1`] : []),
    ...(groups.H ? [sql`${h} <= 23`, sql`${mi} <= 59`] : []),
    ...(groups.S ? [sql`${s} <= ${sql.lit(maxSecond)}`] : []),
  ];
  const value = to === "date" ? dialect.makeDate(y, m, d) : dialect.makeTimestamp(y, m, d, h, mi, s);
  const valid = groups.d ? sql`CASE WHEN ${d} <= ${daysInMonth} THEN ${value} END` : value;
  return sql`CASE WHEN ${dialect.regex.matches(text, pattern)} THEN CASE WHEN ${sql.join(checks, sql` AND `)} THEN ${valid} END END`;
}
