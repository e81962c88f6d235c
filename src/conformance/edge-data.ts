/**
 * raw.edge_cases: a small table generated inside DuckDB (deterministic: values come from hash()) with the values
 * engines tend to disagree on — nulls in every column, zero and negative integers, BIGINTs beyond the INTEGER range,
 * integral, negative and tiny doubles, empty and mixed-case strings and a quote, and timestamps on the edges of
 * periods (a microsecond before a month and a year, a leap day, ISO-week boundaries, local-time DST transitions that
 * must not matter in UTC, instants exactly on a rolling window's bounds). `ts` is unique (the conformance test
 * checks it), so windows ordered by it and as-of joins on it have no ties; `d`, `n` and `x` have ties on purpose.
 * `k` and `y` are never zero: the by-zero cases make their zeros from them.
 */
export function edgeCaseStatements(rows = 600): string[] {
  const edges = [
    "2024-01-31 23:59:59.999999", "2024-02-01 00:00:00", "2024-02-29 12:00:00", "2024-03-10 02:30:00",
    "2024-03-31 01:30:00", "2024-06-30 23:59:59.999999", "2024-11-03 01:30:00", "2024-12-29 23:59:59",
    "2024-12-30 00:00:00", "2024-12-31 23:59:59.999999", "2025-01-01 00:00:00", "2025-03-31 23:59:59.999999",
    // On the bounds of a 24-hour rolling window ending at 2024-03-01 12:00: exactly 24 hours before the end (out of
    // (t - 24h, t]) is the leap-day row above; one microsecond later is in.
    "2024-02-29 12:00:00.000001", "2024-03-01 12:00:00",
  ];
  return [
    "CREATE SCHEMA IF NOT EXISTS raw",
    `CREATE OR REPLACE TABLE raw.edge_cases AS
     WITH base AS (
       SELECT range AS id,
              CASE WHEN range < ${edges.length} THEN [${edges.map((e) => `TIMESTAMP '${e}'`).join(", ")}][range + 1]
                   ELSE TIMESTAMP '2024-01-01' + to_microseconds((hash(range, 'ts') % (600 * 86400000000))::BIGINT) END AS ts
       FROM range(0, ${rows})
     )
     SELECT id, ts,
            CAST(ts AS DATE) - CAST(id % 3 AS INTEGER) AS d,
            CASE WHEN id % 11 = 0 THEN NULL ELSE CAST(hash(id, 'n') % 41 AS INTEGER) - 20 END AS n,
            CAST((id % 7) + 1 AS INTEGER) * CASE WHEN id % 2 = 0 THEN 1 ELSE -1 END AS k,
            CASE WHEN id % 13 = 0 THEN NULL
                 ELSE CAST(hash(id, 'm') % 2000000 AS BIGINT) - 1000000 + 3000000000 * (id % 2) END AS m,
            CASE WHEN id % 7 = 0 THEN NULL
                 WHEN id % 5 = 0 THEN CAST(CAST(hash(id, 'n') % 41 AS INTEGER) - 20 AS DOUBLE)
                 WHEN id % 17 = 0 THEN 1e-7 * id
                 ELSE round(CAST(hash(id, 'x') % 200000 AS DOUBLE) / 100 - 1000, 2) END AS x,
            CASE WHEN id % 19 = 0 THEN NULL
                 ELSE CAST((hash(id, 'y') % 1000) + 1 AS DOUBLE) / 8 * CASE WHEN id % 2 = 0 THEN 1 ELSE -1 END END AS y,
            ['', 'Alpha', 'alpha', 'it''s', 'beta', NULL][1 + id % 6] AS s,
            CASE WHEN id % 9 = 0 THEN NULL ELSE hash(id, 'flag') % 2 = 0 END AS flag,
            ['a', 'b', 'c', 'd'][1 + id % 4] AS grp
     FROM base
     ORDER BY ts, id`,
  ];
}

/**
 * raw.declared_types, from raw.edge_cases, in SQL that DuckDB and PostgreSQL both run: numbers stored as DECIMAL and
 * INTEGER that the source declares double or bigint (`ix * ix` overflows an INTEGER; `dx / 3` is fixed-point in NUMERIC).
 */
export const DECLARED_TYPES_STATEMENT = `CREATE TABLE raw.declared_types AS
  SELECT id, ts, grp, CAST(x AS DECIMAL(12,2)) AS dx, CAST(n AS INTEGER) * 5000 AS ix, CAST(n AS INTEGER) * 5000 AS ib,
         CAST(m AS DECIMAL(18,0)) AS mx
  FROM raw.edge_cases`;
