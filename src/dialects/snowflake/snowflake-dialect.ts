import { sql } from "kysely";
import { ansi, asofComparison, type Sql, type SqlDialect } from "../sql-dialect.ts";
import { regexFunctions } from "../regex-functions.ts";
import { UnsupportedError } from "../../errors.ts";
import type { AggFn } from "../../ir/expr.ts";
import { type DurationUnit, fixedMicros } from "../../ir/duration.ts";
import { type DType, type InferredType, isIntegral } from "../../ir/dtype.ts";
import { formatDate, isMidnight } from "../../ir/time.ts";
import { SnowflakeQueryCompiler, snowflakeName } from "./snowflake-query-compiler.ts";

// Snowflake's names for the IR's aggregates that are a plain call (https://docs.snowflake.com/en/sql-reference/functions-aggregation).
const AGGREGATES: Partial<Record<AggFn, string>> = {
  mean: "AVG",
  min: "MIN",
  max: "MAX",
  std: "STDDEV_SAMP", // sample standard deviation, as Polars' std(ddof=1)
  var: "VAR_SAMP",
  stdPop: "STDDEV_POP", // ddof = 0 (https://docs.snowflake.com/en/sql-reference/functions/stddev_pop)
  varPop: "VAR_POP",
  // Interpolates between the two middle values, as DuckDB's median (https://docs.snowflake.com/en/sql-reference/functions/median).
  median: "MEDIAN",
};

// Aggregates whose result the IR types as a double: Snowflake keeps a NUMBER input a NUMBER with a limited scale.
const DOUBLE_RESULT: ReadonlySet<AggFn> = new Set(["mean", "std", "var", "stdPop", "varPop", "median", "quantile"]);

// Date parts as DATE_TRUNC and DATEADD spell them (https://docs.snowflake.com/en/sql-reference/functions-date-time#supported-date-and-time-parts).
const DATE_PARTS: Record<DurationUnit, string> = {
  second: "SECOND", minute: "MINUTE", hour: "HOUR", day: "DAY", week: "WEEK", month: "MONTH", quarter: "QUARTER", year: "YEAR",
};

const NANOS_PER_DAY = 86_400_000_000_000;

// Fixed-point NUMBER(38,0) holds every IR integer (https://docs.snowflake.com/en/sql-reference/data-types-numeric):
// INTEGER and BIGINT are synonyms for it, so both IR types map to the one name the catalog reports back.
const INTEGRAL = "NUMBER(38,0)";

const TYPES: SqlDialect["types"] = {
  boolean: "BOOLEAN",
  integer: INTEGRAL,
  bigint: INTEGRAL,
  double: "FLOAT", // FLOAT, DOUBLE and REAL are all 64-bit doubles in Snowflake
  varchar: "VARCHAR",
  date: "DATE",
  // TIMESTAMP alone follows TIMESTAMP_TYPE_MAPPING, which an account may set to LTZ.
  timestamp: "TIMESTAMP_NTZ",
};

/**
 * Casts Snowflake lacks or that would follow session parameters; every other pair is ansi's CAST (which truncates a
 * FLOAT before CAST rounds it).
 */
const CASTS: Partial<Record<`${InferredType}->${DType}`, (x: Sql) => Sql>> = {
  // No BOOLEAN ↔ FLOAT conversion; BOOLEAN ↔ NUMBER exists, TRUE is 1 and FALSE 0, and a number is TRUE when non-zero
  // (https://docs.snowflake.com/en/sql-reference/data-type-conversion, …/data-types-logical#boolean-conversion).
  "boolean->double": (x) => sql`CAST(CAST(${x} AS ${sql.raw(INTEGRAL)}) AS FLOAT)`,
  "double->boolean": (x) => sql`(${x} <> 0)`,
  // A FLOAT's text drops ".0" from an integral value (DuckDB and Polars keep it) and spells inf/NaN its own way.
  "double->varchar": (x) => ansi.doubleText({ types: TYPES }, x, sql`REGEXP_REPLACE(CAST(${x} AS VARCHAR), '^(-?[0-9]+)$', ${sql.lit("\\1.0")})`),
  // TO_VARCHAR with a format: a plain CAST follows DATE_OUTPUT_FORMAT / TIMESTAMP_NTZ_OUTPUT_FORMAT
  // (https://docs.snowflake.com/en/sql-reference/functions/to_char, …/date-time-input-output#output-formats).
  "date->varchar": (x) => sql`TO_VARCHAR(${x}, 'YYYY-MM-DD')`,
  "timestamp->varchar": (x) => sql`TO_VARCHAR(${x}, 'YYYY-MM-DD HH24:MI:SS.FF6')`,
};

const cast: SqlDialect["cast"] = (x, from, to) => CASTS[`${from}->${to}`]?.(x) ?? ansi.cast({ types: TYPES }, x, from, to);
const divide: SqlDialect["divide"] = (left, right, leftType, rightType, nonZero) => ansi.divide({ types: TYPES }, left, right, leftType, rightType, nonZero);

// POSIX extended regular expressions. REGEXP_LIKE must match the whole text, so "somewhere" is REGEXP_INSTR > 0;
// REGEXP_SUBSTR's 'e' extracts a group (https://docs.snowflake.com/en/sql-reference/functions-regexp).
const REGEX: SqlDialect["regex"] = {
  matches: (s, pattern) => sql`(REGEXP_INSTR(${s}, ${pattern}) > 0)`,
  group: (s, pattern, group) => sql`REGEXP_SUBSTR(${s}, ${pattern}, 1, 1, 'e', ${group})`,
  // Every occurrence by default (occurrence 0).
  replaceAll: (s, pattern, replacement) => sql`REGEXP_REPLACE(${s}, ${pattern}, ${replacement})`,
};

/**
 * Snowflake. Its SQL is written so that it means the same whatever the session's parameters (an account may change
 * TIMESTAMP_TYPE_MAPPING, the input formats or WEEK_START): timestamps are TIMESTAMP_NTZ by name, literals are
 * parsed with an explicit format, and weeks start on Monday by arithmetic rather than by DATE_TRUNC('WEEK').
 */
export const snowflakeDialect: SqlDialect = {
  name: "snowflake",
  createQueryCompiler: () => new SnowflakeQueryCompiler(),
  formatterLanguage: "snowflake",
  transaction: { begin: "BEGIN TRANSACTION", commit: "COMMIT", rollback: "ROLLBACK" },
  // DDL commits the open transaction implicitly (https://docs.snowflake.com/en/sql-reference/transactions#ddl).
  transactionalDdl: false,
  // Quoted names are case-sensitive; the compiler upper-cases plain lower-case ones, as Snowflake folds them unquoted.
  resolvesTo: (written, stored) => snowflakeName(written) === stored,
  // "Identifiers … can be up to 255 characters" and unquoted ones are stored in upper case
  // (https://docs.snowflake.com/en/sql-reference/identifiers-syntax); the compiler resolves names as snowflakeName.
  identifiers: { maxLength: 255, unit: "characters", key: snowflakeName },
  // https://docs.snowflake.com/en/sql-reference/info-schema/tables: COMMENT, names bound as Snowflake stores them.
  tableComment: (t) =>
    sql`SELECT comment FROM information_schema.tables WHERE table_schema = COALESCE(${t.schema === undefined ? null : snowflakeName(t.schema)}, CURRENT_SCHEMA()) AND table_name = ${snowflakeName(t.name)}`,
  supportsQualify: true, // https://docs.snowflake.com/en/sql-reference/constructs/qualify
  types: TYPES,
  // A NUMBER(12,2) or NUMBER(38,0) declared double would divide and average in fixed point with a few decimals.
  castAtScan: ansi.castAtScan,
  literal: (node) => ansi.literal(snowflakeDialect, node),
  cast,
  instant(t, type) {
    // TO_DATE/TO_TIMESTAMP_NTZ with a format: a plain string or `DATE '…'` is parsed by the session's input format
    // (https://docs.snowflake.com/en/sql-reference/date-time-input-output), which an account may change.
    if (type === "timestamp") return sql`TO_TIMESTAMP_NTZ(${sql.lit(wallClock(t))}, 'YYYY-MM-DD HH24:MI:SS.FF3')`;
    if (!isMidnight(t)) throw new Error(`internal: a DATE literal for ${t.toISOString()}, which is not a midnight`);
    return sql`TO_DATE(${sql.lit(formatDate(t))}, 'YYYY-MM-DD')`;
  },
  truncate(x, period, label) {
    const { n, unit } = period;
    // DATE_TRUNC keeps its argument's type: a DATE stays a DATE (https://docs.snowflake.com/en/sql-reference/functions/date_trunc).
    // A week's start depends on WEEK_START there; DAYOFWEEKISO (Monday = 1) does not. TIME_SLICE counts slices from
    // 1970-01-01 00:00, before it too, keeping the type (https://docs.snowflake.com/en/sql-reference/functions/time_slice);
    // its weeks start at the week holding 1970-01-01 under WEEK_START, so weeks are sliced as days from Monday 1970-01-05.
    const start =
      unit === "week"
        ? n === 1
          ? sql`DATEADD(DAY, 1 - DAYOFWEEKISO(${x}), DATE_TRUNC('DAY', ${x}))`
          : sql`DATEADD(DAY, 4, TIME_SLICE(DATEADD(DAY, -4, ${x}), ${sql.lit(7 * n)}, 'DAY'))`
        : n === 1
          ? sql`DATE_TRUNC(${sql.lit(DATE_PARTS[unit])}, ${x})`
          : sql`TIME_SLICE(${x}, ${sql.lit(n)}, ${sql.lit(DATE_PARTS[unit])})`;
    return label === "left" ? start : sql`DATEADD(${sql.raw(DATE_PARTS[unit])}, ${sql.lit(n)}, ${start})`;
  },
  regex: REGEX,
  makeDate: (y, m, d) => sql`DATE_FROM_PARTS(${y}, ${m}, ${d})`,
  // Out-of-range parts carry over, so a 60th second is the next minute's first
  // (https://docs.snowflake.com/en/sql-reference/functions/timestamp_from_parts).
  makeTimestamp: (y, m, d, h, mi, s) => sql`TIMESTAMP_NTZ_FROM_PARTS(${y}, ${m}, ${d}, ${h}, ${mi}, ${s})`,
  // DATEADD keeps a DATE a DATE for days and larger parts (the type pass allows no smaller ones on a date), and clamps
  // to the month's end as DuckDB does: Jan 31 + 1 month = Feb 28 (https://docs.snowflake.com/en/sql-reference/functions/dateadd).
  offset: (x, d) => sql`DATEADD(${sql.raw(DATE_PARTS[d.unit])}, ${sql.lit(d.n)}, ${x})`,
  // `/` of two NUMBERs is a NUMBER with a few more decimal places, not a double
  // (https://docs.snowflake.com/en/sql-reference/operators-arithmetic#division): ansi's makes one side a FLOAT; and
  // `/` by zero raises there (DIV0 gives 0, DIV0NULL NULL, neither Polars' inf/NaN), so ansi's CASE on the divisor.
  divide,
  functions: {
    ...regexFunctions(REGEX),
    ...ansi.functions({
      types: TYPES,
      cast,
      divide,
      // Exact: a - MOD(a, b) is a multiple of b (MOD keeps the dividend's sign), so no scale `/` gives a NUMBER can
      // round the quotient (https://docs.snowflake.com/en/sql-reference/functions/mod).
      truncatingDivide: (a, b) => sql`(${a} - MOD(${a}, ${b})) / ${b}`,
    }),
    // Snowflake has no strpos; CONTAINS, STARTSWITH and ENDSWITH compare literal text and give NULL for a NULL input
    // (https://docs.snowflake.com/en/sql-reference/functions/contains, …/startswith, …/endswith).
    contains: ([s, t]) => sql`CONTAINS(${s}, ${t})`,
    startsWith: ([s, t]) => sql`STARTSWITH(${s}, ${t})`,
    endsWith: ([s, t]) => sql`ENDSWITH(${s}, ${t})`,
    // TRIM takes the characters second and has no BOTH … FROM form (https://docs.snowflake.com/en/sql-reference/functions/trim).
    stripChars: ([s, chars]) => sql`TRIM(${s}, ${chars})`,
    // EXTRACT has no `isodow` part; DAYOFWEEKISO is Monday = 1 … Sunday = 7 whatever WEEK_START says
    // (https://docs.snowflake.com/en/sql-reference/functions/year).
    weekday: ([t]) => sql`CAST(DAYOFWEEKISO(${t}) AS ${sql.raw(INTEGRAL)})`,
    // WEEKISO, YEAROFWEEKISO and DAYOFYEAR follow ISO 8601 whatever WEEK_START and WEEK_OF_YEAR_POLICY say
    // (https://docs.snowflake.com/en/sql-reference/functions/year); NANOSECOND is the fraction of the second alone
    // (https://docs.snowflake.com/en/sql-reference/functions/hour-minute-second).
    // DATEADD keeps a DATE a DATE and a TIMESTAMP's time of day (https://docs.snowflake.com/en/sql-reference/functions/dateadd).
    monthStart: ([t]) => sql`DATEADD(DAY, 1 - DAYOFMONTH(${t}), ${t})`,
    monthEnd: ([t]) => sql`DATEADD(DAY, -1, DATEADD(MONTH, 1, DATEADD(DAY, 1 - DAYOFMONTH(${t}), ${t})))`,
    // https://docs.snowflake.com/en/sql-reference/functions-date-time#supported-date-and-time-parts: EPOCH_MICROSECOND.
    epochMicros: ([t], [type]) => sql`DATE_PART(EPOCH_MICROSECOND, ${type === "date" ? sql`CAST(${t} AS TIMESTAMP_NTZ)` : t})`,
    isoWeek: ([t]) => sql`CAST(WEEKISO(${t}) AS ${sql.raw(INTEGRAL)})`,
    isoYear: ([t]) => sql`CAST(YEAROFWEEKISO(${t}) AS ${sql.raw(INTEGRAL)})`,
    ordinalDay: ([t]) => sql`CAST(DAYOFYEAR(${t}) AS ${sql.raw(INTEGRAL)})`,
    millisecond: ([t], [type]) => (type === "date" ? sql`CASE WHEN ${t} IS NULL THEN NULL ELSE 0 END` : sql`FLOOR(EXTRACT(NANOSECOND FROM ${t}) / 1000000)`),
    microsecond: ([t], [type]) => (type === "date" ? sql`CASE WHEN ${t} IS NULL THEN NULL ELSE 0 END` : sql`FLOOR(EXTRACT(NANOSECOND FROM ${t}) / 1000)`),
    daysBetween: ([a, b], [ta, tb]) => {
      // DATE - DATE is an integer number of days (https://docs.snowflake.com/en/sql-reference/operators-arithmetic).
      if (ta === "date" && tb === "date") return sql`CAST(${b} - ${a} AS ${sql.raw(INTEGRAL)})`;
      // Whole 24-hour periods, truncated toward zero as DuckDB's trunc(epoch(b - a) / 86400): timestamps cannot be
      // subtracted, and DATEDIFF(DAY, …) counts midnights crossed, so count nanoseconds (TIMESTAMP_NTZ's precision;
      // https://docs.snowflake.com/en/sql-reference/functions/datediff) and divide exactly: n - MOD(n, day), MOD taking
      // the dividend's sign, is a multiple of a day, so no scale of `/` can round it up to the next day.
      const ts = (x: Sql, t: InferredType) => (t === "date" ? cast(x, "date", "timestamp") : x);
      const n = sql`DATEDIFF(NANOSECOND, ${ts(a!, ta!)}, ${ts(b!, tb!)})`;
      return sql`CAST((${n} - MOD(${n}, ${sql.lit(NANOS_PER_DAY)})) / ${sql.lit(NANOS_PER_DAY)} AS ${sql.raw(INTEGRAL)})`;
    },
  },
  aggregate(call): Sql {
    const { fn, input, inputType, quantile, over, nullWhenEmpty } = call;
    // MEDIAN and PERCENTILE_CONT as window functions take no ORDER BY and no frame
    // (https://docs.snowflake.com/en/sql-reference/functions/median, …/percentile_cont): rolling ones are refused.
    if (call.framed && (fn === "median" || fn === "quantile")) throw new UnsupportedError(fn === "median" ? "rollingMedian()" : "rollingQuantile()", "snowflake");
    const w = over ? sql` ${over}` : sql``;
    // AVG, STDDEV_SAMP, VAR_SAMP, MEDIAN and PERCENTILE_CONT of a NUMBER are NUMBERs with a limited scale.
    const x = DOUBLE_RESULT.has(fn) && isIntegral(inputType) ? sql`CAST(${input} AS FLOAT)` : input;
    switch (fn) {
      case "count":
        return input === null ? sql`COUNT(*)${w}` : sql`COUNT(${input})${w}`;
      case "sum": {
        // SUM of NUMBER(38,0) stays NUMBER(38,0) (no overflow type to narrow, unlike DuckDB's HUGEINT).
        const call = sql`SUM(${input})${w}`;
        return nullWhenEmpty ? call : sql`COALESCE(${call}, 0)`;
      }
      case "quantile":
        // Linear interpolation, as DuckDB's quantile_cont (https://docs.snowflake.com/en/sql-reference/functions/percentile_cont).
        return sql`PERCENTILE_CONT(${sql.lit(quantile!)}) WITHIN GROUP (ORDER BY ${x})${w}`;
      case "nUnique":
        return sql`COUNT(DISTINCT ${input})${w}`;
      // COVAR_SAMP, COVAR_POP and CORR of NUMBERs are NUMBERs (https://docs.snowflake.com/en/sql-reference/functions/covar_samp,
      // …/covar_pop, …/corr): the doubles go in, as for AVG.
      // No product aggregate (https://docs.snowflake.com/en/sql-reference/functions-aggregation); EXP(SUM(LN(x))) would round.
      case "product":
        throw new UnsupportedError("cumProd()", "snowflake");
      // SKEW is the sample's skewness, by an algorithm not documented (https://docs.snowflake.com/en/sql-reference/functions/skew),
      // and ansi's subquery over the group's values is a correlated subquery Snowflake does not document: refused.
      case "skew":
      case "skewUnbiased":
        throw new UnsupportedError("skew()", "snowflake");
      case "cov":
      case "covPop":
      case "corr": {
        const asFloat = (e: Sql, t: InferredType) => (isIntegral(t) ? sql`CAST(${e} AS FLOAT)` : e);
        return ansi.pairAggregate({ types: TYPES }, { ...call, input: asFloat(input!, inputType), other: asFloat(call.other!, call.otherType!) });
      }
      // NULL over no non-null values, as DuckDB's bool_or/bool_and (https://docs.snowflake.com/en/sql-reference/functions/boolor_agg).
      case "any":
        return sql`COALESCE(BOOLOR_AGG(${input})${w}, FALSE)`;
      case "all":
        return sql`COALESCE(BOOLAND_AGG(${input})${w}, TRUE)`;
      case "first":
      case "last": {
        // The value at the first row of the sort — DuckDB's first(… ORDER BY …). MAX_BY/MIN_BY cannot: they pick among
        // tied keys at random and are no window functions (https://docs.snowflake.com/en/sql-reference/functions/max_by).
        // ARRAY_AGG … WITHIN GROUP orders and works as a window, but drops NULL elements
        // (https://docs.snowflake.com/en/sql-reference/functions/array_agg): each value goes in as a one-element array,
        // so a null value stays in place. The first element's value, back to the input's type. The array holds the
        // whole group: one beyond Snowflake's size limit for a VARIANT fails the statement.
        const agg = sql`ARRAY_AGG(ARRAY_CONSTRUCT(${input})) WITHIN GROUP (ORDER BY ${ansi.firstLastOrder(call)})${w}`;
        return inputType === "null" ? sql`NULL` : sql`CAST(GET(GET(${agg}, 0), 0) AS ${sql.raw(TYPES[inputType])})`;
      }
      default:
        return sql`${sql.raw(AGGREGATES[fn]!)}(${x})${w}`;
    }
  },
  // IGNORE NULLS goes after the call here (https://docs.snowflake.com/en/sql-reference/functions/last_value).
  nonNullInFrame: (x, over, which) => sql`${sql.raw(which === "last" ? "LAST_VALUE" : "FIRST_VALUE")}(${x}) IGNORE NULLS ${over}`,
  over: ansi.windowSpec, // ORDER BY … NULLS LAST is Snowflake's syntax too (https://docs.snowflake.com/en/sql-reference/functions-window-syntax)
  rangeFrame(preceding, orderType) {
    // (t - d, t] as an inclusive RANGE frame with an interval constant, which Snowflake takes for DATE and TIMESTAMP
    // order keys (https://docs.snowflake.com/en/sql-reference/functions-window-syntax; interval constants are whole
    // numbers of a part: https://docs.snowflake.com/en/sql-reference/data-types-datetime#interval-constants). Dates:
    // one day less than d. Timestamps: one nanosecond less, TIMESTAMP_NTZ's default precision (DuckDB's is the
    // microsecond; on microsecond data both frames hold the same rows).
    const micros = fixedMicros(preceding)!;
    if (orderType === "date") {
      // One form for every span, "1d" included ('0 days': the current row's peers, the same day): `BETWEEN CURRENT ROW
      // AND CURRENT ROW` is not in the documented frame grammar, an interval constant of an integer count is.
      const days = micros / 86_400e6 - 1;
      return sql`RANGE BETWEEN INTERVAL ${sql.lit(`${days} days`)} PRECEDING AND CURRENT ROW`;
    }
    const seconds = micros / 1e6 - 1; // durations are whole seconds at least
    const interval = seconds === 0 ? "999999999 nanoseconds" : `${seconds} seconds, 999999999 nanoseconds`;
    return sql`RANGE BETWEEN INTERVAL ${sql.lit(interval)} PRECEDING AND CURRENT ROW`;
  },
  // `%` keeps the dividend's sign (https://docs.snowflake.com/en/sql-reference/operators-arithmetic), and by zero it
  // raises, where Polars gives NULL (integers) or NaN (doubles): ansi's floored modulo.
  modulo: (left, right, leftType, rightType, nonZero) => ansi.modulo({ types: TYPES }, left, right, leftType, rightType, nonZero),
  // Snowflake's ASOF JOIN is a left outer join: a left row without a match gets NULLs on the right
  // (https://docs.snowflake.com/en/sql-reference/constructs/asof-join). The inequality goes in MATCH_CONDITION, left
  // table first; the `by` keys are equalities in ON, the only form ON takes there.
  asofJoin: (j) =>
    sql`${j.left} AS ${sql.id(j.leftAlias)} ASOF JOIN ${j.right} AS ${sql.id(j.rightAlias)} MATCH_CONDITION (${j.leftOn} ${sql.raw(
      asofComparison(j),
    )} ${j.rightOn})${j.by.length ? sql` ON ${sql.join(j.by.map(([l, r]) => sql`${l} = ${r}`), sql` AND `)}` : sql``}`,
};

/** `2025-01-31 06:30:00.000`: the UTC wall clock with the milliseconds always present, as the format above reads it. */
const wallClock = (t: Date): string => t.toISOString().slice(0, 23).replace("T", " ");
