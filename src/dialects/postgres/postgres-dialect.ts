import { PostgresQueryCompiler, sql } from "kysely";
import { ansi, type AggCall, periodOrigin, type Sql, type SqlDialect } from "../sql-dialect.ts";
import { regexFunctions } from "../regex-functions.ts";
import { type Period, periodMonths } from "../../ir/duration.ts";
import type { DType, InferredType } from "../../ir/dtype.ts";
import { isIntegral } from "../../ir/dtype.ts";
import { UnsupportedError } from "../../errors.ts";

// Docs: https://www.postgresql.org/docs/15/ — section numbers below refer to them. Each entry here was checked
// against PostgreSQL 15 (test/conformance runs every operation on it and on DuckDB and compares the rows).

const DOUBLE = sql.raw("DOUBLE PRECISION");

/**
 * Casts PostgreSQL lacks or spells differently from DuckDB (and Polars); every other pair is a plain CAST.
 * §10.2 / `\dC`: pg_cast has no boolean ↔ bigint/double casts (only boolean ↔ integer).
 */
const CASTS: Partial<Record<`${InferredType}->${DType}`, (x: Sql) => Sql>> = {
  "boolean->bigint": (x) => sql`CAST(CAST(${x} AS INTEGER) AS BIGINT)`, // why: no boolean → bigint cast
  "boolean->double": (x) => sql`CAST(CAST(${x} AS INTEGER) AS ${DOUBLE})`, // why: no boolean → double cast
  "bigint->boolean": (x) => sql`(${x} <> 0)`, // why: no bigint → boolean cast; nonzero is true, as in DuckDB
  "double->boolean": (x) => sql`(${x} <> 0)`, // why: no double → boolean cast
  // why: §8.1.3 float8out prints an integral double as "2" (DuckDB and Polars: "2.0"); add the ".0". Integral doubles
  // from 1e15 to 1e16 still differ (PostgreSQL switches to "1e+15" earlier); "Infinity" is spelled as Polars does.
  "double->varchar": (x) => ansi.doubleText({ types: TYPES }, x, sql`regexp_replace(CAST(${x} AS TEXT), '^(-?[0-9]+)$', ${sql.lit("\\1.0")})`),
  // why: a plain CAST follows DateStyle (§8.5.2: 'SQL, DMY' prints 31/01/2024); to_char's pattern does not (§9.8).
  // Timestamps always carry six fractional digits, as Polars' cast of a datetime[μs] to a string.
  "date->varchar": (x) => sql`to_char(${x}, 'YYYY-MM-DD')`,
  "timestamp->varchar": (x) => sql`to_char(${x}, 'YYYY-MM-DD HH24:MI:SS.US')`,
};

/** A double as an exact NUMERIC: via its shortest round-trip text, since CAST(double AS NUMERIC) keeps 15 digits. */
const exactNumeric = (x: Sql, type: InferredType): Sql =>
  type === "double" ? sql`CAST(CAST(${x} AS TEXT) AS NUMERIC)` : sql`CAST(${x} AS NUMERIC)`;

/**
 * Aggregates PostgreSQL cannot evaluate as a window (`.over()`), with PostgreSQL 15's own error for each: ordered-set
 * aggregates, DISTINCT and an ORDER BY among the arguments are not implemented for window functions (§4.2.8, §9.22).
 * Emulating them with a self-join would change the statement's cost far beyond what `.over()` suggests; a set that
 * uses one fails at compile time instead, naming it.
 */
const NO_WINDOW: Partial<Record<AggCall["fn"], string>> = {
  median: "median().over()", // OVER is not supported for ordered-set aggregate percentile_cont
  quantile: "quantile().over()", // the same
  nUnique: "nUnique().over()", // DISTINCT is not implemented for window functions
  first: "sortBy().first().over()", // aggregate ORDER BY is not implemented for window functions
  last: "sortBy().last().over()", // the same
  skew: "skew().over()", // a subquery over the group's values (ansi.skew), which a window cannot hold
  skewUnbiased: "skew().over()",
};

const TYPES: SqlDialect["types"] = {
  boolean: "BOOLEAN",
  integer: "INTEGER",
  bigint: "BIGINT",
  double: "DOUBLE PRECISION", // why: DOUBLE alone is not a type name (§8.1.3)
  varchar: "TEXT", // why: PostgreSQL's own unbounded string type (§8.3); VARCHAR without a length is the same
  date: "DATE",
  timestamp: "TIMESTAMP", // without time zone (§8.5): the IR's UTC wall-clock instants
};

const divide: SqlDialect["divide"] = (left, right, leftType, rightType, nonZero) => ansi.divide({ types: TYPES }, left, right, leftType, rightType, nonZero);

function cast(x: Sql, from: InferredType, to: DType): Sql {
  const special = CASTS[`${from}->${to}`];
  return special ? special(x) : ansi.cast({ types: TYPES }, x, from, to);
}

// why: `~` finds a match anywhere; regexp_match gives the first match's groups as an array, NULL for one that
// took no part (§9.7.3). Advanced regular expressions, of which the dialect uses only the portable subset.
const REGEX: SqlDialect["regex"] = {
  matches: (s, pattern) => sql`(${s} ~ ${pattern})`,
  group: (s, pattern, group) => sql`(regexp_match(${s}, ${pattern}))[${group}]`,
  replaceAll: (s, pattern, replacement) => sql`regexp_replace(${s}, ${pattern}, ${replacement}, 'g')`,
};

/**
 * PostgreSQL 15. kysely's PostgreSQL compiler quotes identifiers and escapes strings as PostgreSQL does
 * (standard_conforming_strings is on by default since 9.1: a backslash in a literal is a backslash).
 */
export const postgresDialect: SqlDialect = {
  name: "postgres",
  createQueryCompiler: () => new PostgresQueryCompiler(),
  formatterLanguage: "postgresql",
  transaction: { begin: "BEGIN", commit: "COMMIT", rollback: "ROLLBACK" },
  // §4.1.1: "The system uses no more than NAMEDATALEN-1 bytes of an identifier; longer names can be written in
  // commands, but they will be truncated" (63 bytes of UTF-8 by default). Quoted names are case-sensitive.
  identifiers: { maxLength: 63, unit: "bytes", key: (name) => truncateUtf8(name, 63) },
  // §9.26 obj_description; to_regclass resolves a quoted name as statements do (null where it does not exist).
  tableComment: (t) =>
    sql`SELECT obj_description(to_regclass(CASE WHEN CAST(${t.schema ?? null} AS TEXT) IS NULL THEN format('%I', CAST(${t.name} AS TEXT)) ELSE format('%I.%I', CAST(${t.schema ?? null} AS TEXT), CAST(${t.name} AS TEXT)) END), 'pg_class') AS comment`,
  transactionalDdl: true, // CREATE SCHEMA/TABLE roll back with the transaction (§3.4 is silent; it is true since forever)
  // Every name is quoted, and quoted names are case-sensitive (§4.1.1): `Amount` does not reach an unquoted amount.
  resolvesTo: (written, stored) => written === stored,
  supportsQualify: false, // no QUALIFY (§7.2): the compiler filters in a wrapping SELECT (eliminateQualify)
  types: TYPES,
  castAtScan: ansi.castAtScan, // NUMERIC and INTEGER columns declared double compute in NUMERIC and int4 otherwise
  literal: (node) => ansi.literal({ types: TYPES, instant: ansi.instant }, node),
  cast,
  instant: ansi.instant,
  truncate(x, period, label, type) {
    // why: date_trunc(text, date) resolves to the timestamptz overload (date → timestamptz is the preferred implicit
    // cast, §10.3), which makes the result depend on the session zone: truncate a TIMESTAMP instead.
    const ts = type === "date" ? sql`CAST(${x} AS TIMESTAMP)` : x;
    const start = period.n === 1 ? sql`date_trunc(${sql.lit(period.unit)}, ${ts})` : periodStart(ts, period);
    const labelled = label === "left" ? start : sql`${start} + ${ansi.interval(period)}`;
    return type === "date" ? sql`CAST(${labelled} AS DATE)` : labelled;
  },
  regex: REGEX,
  makeDate: (y, m, d) => sql`make_date(${y}, ${m}, ${d})`,
  // why: make_timestamp refuses a 60th second (§9.9): add the seconds to the minute.
  makeTimestamp: (y, m, d, h, mi, s) => sql`(make_timestamp(${y}, ${m}, ${d}, ${h}, ${mi}, 0) + make_interval(secs => ${s}))`,
  // why: DATE + INTERVAL is a TIMESTAMP (§9.9, Table 9.31): cast back. Months clamp to the month's end, as in DuckDB.
  offset: (x, duration, type) => (type === "date" ? sql`CAST(${x} + ${ansi.interval(duration)} AS DATE)` : sql`${x} + ${ansi.interval(duration)}`),
  // why: `/` of two integers truncates (§9.3), and `/` by zero raises (22012): ansi's rendering.
  divide,
  // why: `%` keeps the dividend's sign, there is no `%` for double precision (§9.3), and both raise by zero: ansi's
  // floored modulo, in doubles through floor().
  modulo: (left, right, leftType, rightType, nonZero) => ansi.modulo({ types: TYPES }, left, right, leftType, rightType, nonZero),
  // ansi's renderings run here as they are (extract's NUMERIC result is cast to INTEGER/BIGINT by them); only round
  // differs.
  functions: {
    ...regexFunctions(REGEX),
    ...ansi.functions({
      types: TYPES,
      cast,
      divide,
      truncatingDivide: (a, b) => sql`${a} / ${b}`, // why: `/` of integers truncates toward zero (§9.3)
    }),
    // why: there is no round(double precision, integer) (§9.3), and round(double precision) rounds half to even.
    // DuckDB (and Polars) compute round(x * 10^d) / 10^d in doubles, half away from zero; NUMERIC's round() is half
    // away from zero, and the product goes through its shortest text so that 1.005 * 100 = 100.49999999999999
    // rounds down there too, as it does in DuckDB.
    round: ([x, d], [t]) => {
      if (t !== "double") return x!;
      const scale = sql`power(CAST(10 AS ${DOUBLE}), ${d})`;
      return sql`(CAST(round(${exactNumeric(sql`${x} * ${scale}`, "double")}) AS ${DOUBLE}) / ${scale})`;
    },
  },
  aggregate(call): Sql {
    const { fn, input, inputType, quantile, over, nullWhenEmpty } = call;
    if (over && NO_WINDOW[fn]) throw new UnsupportedError(NO_WINDOW[fn]!, "postgres");
    const w = over ? sql` ${over}` : sql``;
    // why: avg, stddev_samp and var_samp of integers, and sum of a BIGINT, are NUMERIC (§9.21): cast to the IR's type.
    const asDouble = (call: Sql) => (isIntegral(inputType) ? sql`CAST(${call} AS ${DOUBLE})` : call);
    switch (fn) {
      case "count":
        return ansi.count(input, over);
      // why: no skewness aggregate (§9.21): ansi's, over the group's values in doubles.
      case "skew":
      case "skewUnbiased":
        return ansi.skew({ types: TYPES }, call);
      case "sum":
        return ansi.sum({ fn, input, inputType, over, nullWhenEmpty });
      case "mean":
        return asDouble(sql`avg(${input})${w}`);
      case "std":
        return asDouble(sql`stddev_samp(${input})${w}`);
      case "var":
        return asDouble(sql`var_samp(${input})${w}`);
      // why: no product aggregate (§9.21); exp(sum(ln(x))) would round integers and doubles alike.
      case "product":
        throw new UnsupportedError("cumProd()", "postgres");
      case "cov":
      case "covPop":
      case "corr":
        return ansi.pairAggregate({ types: TYPES }, call);
      case "stdPop":
        return asDouble(sql`stddev_pop(${input})${w}`);
      case "varPop":
        return asDouble(sql`var_pop(${input})${w}`);
      case "min":
      case "max":
        return sql`${sql.raw(fn)}(${input})${w}`;
      // why: no median() or quantile_cont(); percentile_cont interpolates linearly as they do (§9.21, Table 9.62).
      case "median":
        return sql`percentile_cont(0.5) WITHIN GROUP (ORDER BY ${input})`;
      case "quantile":
        return sql`percentile_cont(${sql.lit(quantile!)}) WITHIN GROUP (ORDER BY ${input})`;
      case "nUnique":
        return sql`count(DISTINCT ${input})`;
      case "any":
        return sql`COALESCE(bool_or(${input})${w}, FALSE)`;
      case "all":
        return sql`COALESCE(bool_and(${input})${w}, TRUE)`;
      case "first":
      case "last": {
        // why: no first(x ORDER BY …): the first element of an ordered array_agg, which keeps nulls as DuckDB's first()
        // does.
        return sql`(array_agg(${input} ORDER BY ${ansi.firstLastOrder(call)}))[1]`;
      }
    }
  },
  over: ansi.windowSpec,
  // why: no IGNORE NULLS (§9.22: "not implemented"). The frame's non-null values in order, as an array (FILTER works on
  // aggregate window functions, §4.2.8), indexed at the last (their count) or the first. Building an array per row costs
  // time in the frame's length: a fill without a limit is quadratic in the partition's size here.
  nonNullInFrame: (x, over, which) =>
    sql`(array_agg(${x}) FILTER (WHERE ${x} IS NOT NULL) ${over})[${which === "last" ? sql`count(${x}) ${over}` : sql`1`}]`,
  // RANGE with an interval offset over DATE and TIMESTAMP order keys is in PostgreSQL since 11 (§4.2.8).
  rangeFrame: ansi.rangeFrame,
  /**
   * why: no ASOF JOIN. Each left row takes the nearest right row with the same `by` keys through a LATERAL subquery
   * (§7.2.1.5): at or before it (backward) or at or after it (forward), equal times matching, null keys and null
   * times matching nothing — DuckDB's ASOF rules. Among right rows tied on (by, time) DuckDB takes one arbitrarily
   * (the DSL documents it); this takes the first in PostgreSQL's order. It runs as a nested loop over the right
   * relation per left row: fine for the sizes PostgreSQL serves here, slow on large histories without an index.
   */
  // Two runs must not both see "no lease" (https://www.postgresql.org/docs/15/explicit-locking.html#LOCKING-TABLES):
  // SHARE ROW EXCLUSIVE conflicts with itself, so lease transactions take turns; readers are not blocked.
  lockTable: (table) => sql`LOCK TABLE ${table} IN SHARE ROW EXCLUSIVE MODE`,
  // Two sessions creating one schema or table IF NOT EXISTS both find none, and one then fails on a catalog unique
  // index (pg_namespace_nspname_index, pg_type_typname_nsp_index) rather than waiting. A transaction-level advisory
  // lock per schema makes them take turns (§9.27.10); the two-key form (17986 = "FB") keeps clear of an
  // application's single-key locks, whose key space is separate.
  ddlLock: (schema) => sql`SELECT pg_advisory_xact_lock(17986, hashtext(${schema ?? ""}))`,
  asofJoin(j) {
    const [op, dir] = j.strategy === "backward" ? ["<", "DESC"] : [">", "ASC"];
    const conditions = [...j.by.map(([l, r]) => sql`${r} = ${l}`), sql`${j.rightOn} ${sql.raw(op + (j.allowExactMatches === false ? "" : "="))} ${j.leftOn}`];
    const nearest = sql`SELECT * FROM ${j.right} AS ${sql.id(j.rightAlias)} WHERE ${sql.join(conditions, sql` AND `)} ORDER BY ${j.rightOn} ${sql.raw(dir)} LIMIT 1`;
    return sql`${j.left} AS ${sql.id(j.leftAlias)} LEFT JOIN LATERAL (${nearest}) AS ${sql.id(j.rightAlias)} ON TRUE`;
  },
};

/**
 * The start of the multi-unit period containing the TIMESTAMP `ts`. Fixed lengths: date_bin counts strides from its
 * origin, flooring before it too (§9.9.3; it takes no months). Months: the month's start moved back by the months
 * since January 1970 modulo the period (mod() keeps the dividend's sign, hence the second one).
 */
function periodStart(ts: Sql, period: Period): Sql {
  const months = periodMonths(period);
  if (months === undefined) return sql`date_bin(${ansi.interval(period)}, ${ts}, ${sql.raw(`TIMESTAMP '${periodOrigin(period)}'`)})`;
  const sinceEpoch = sql`(CAST(extract(year FROM ${ts}) AS INTEGER) - 1970) * 12 + CAST(extract(month FROM ${ts}) AS INTEGER) - 1`;
  const m = sql.lit(months);
  return sql`(date_trunc('month', ${ts}) - mod(mod(${sinceEpoch}, ${m}) + ${m}, ${m}) * INTERVAL '1 month')`;
}

/** The longest prefix of `name` within `bytes` bytes of UTF-8, cut at a character boundary (as PostgreSQL's pg_mbcliplen). */
function truncateUtf8(name: string, bytes: number): string {
  let kept = "";
  for (const ch of name) {
    if (Buffer.byteLength(kept + ch, "utf8") > bytes) break;
    kept += ch;
  }
  return kept;
}
