import { readFile } from "node:fs/promises";
import path from "node:path";
import { z } from "zod";
import { parseLeaseTtl } from "../backfill/leases.ts";
import type { TableRef } from "../ir/definitions.ts";
import { DIALECTS, type DialectName, type SqlDialect } from "../dialects/index.ts";
import { ConfigError } from "../errors.ts";
import { type SnowflakeConfig, snowflakeConfigSchema } from "../engines/snowflake/snowflake-config.ts";
import type { PostgresSettings } from "../engines/postgres/postgres-engine.ts";
import type { EngineTimeouts } from "../engines/engine.ts";
import type { OnlineStoreSettings } from "../online/online-store.ts";

export const DEFAULT_CONFIG_FILE = "features.config.json";

/** Where a PostgreSQL server is; the password comes only from PGPASSWORD in the environment. */
const postgresSchema = z
  .object({
    connectionString: z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'a URL such as "postgres://user@host:5432/database"')
      .refine((url) => !hasPassword(url), "must not contain a password (user:password@ or ?password=): set PGPASSWORD in the environment")
      .optional(),
    host: z.string().min(1).optional(),
    port: z.number().int().min(1).max(65535).optional(),
    database: z.string().min(1).optional(),
    user: z.string().min(1).optional(),
  })
  .strict()
  // pg lets a connection string silently win over the fields: accept one way of saying it.
  .refine((p) => p.connectionString === undefined || Object.keys(p).length === 1, "give connectionString or host/port/database/user, not both")
  .describe("The PostgreSQL server (engine: postgres). The password is read from PGPASSWORD.");

/**
 * Whether a PostgreSQL URL carries a secret: in the userinfo or as a `password`/`sslpassword` parameter (pg reads
 * both). A config file is read by many and copied into logs; the message never repeats the URL.
 */
function hasPassword(url: string): boolean {
  const secretParameter = /[?&](ssl)?password=/i;
  if (!URL.canParse(url)) return secretParameter.test(url) || /^[^/]*\/\/[^/@]*:[^/@]*@/.test(url);
  const parsed = new URL(url);
  return parsed.password !== "" || [...parsed.searchParams.keys()].some((key) => /^(ssl)?password$/i.test(key));
}

/** The one definition of `features.config.json`: validation, defaults and its JSON Schema (config-json-schema.ts). */
export const configSchema = z
  .object({
    $schema: z.string().optional(),
    features: z.string().min(1).default("features").describe("Directory of feature modules, relative to this file."),
    engine: z.enum(Object.keys(DIALECTS) as [DialectName, ...DialectName[]]).default("duckdb").describe("The warehouse backfills run in (--engine overrides it)."),
    duckdb: z
      .object({
        path: z.string().min(1).default("warehouse.duckdb").describe('Database file relative to this file, or ":memory:".'),
        threads: z.number().int().positive().optional().describe("DuckDB worker threads; DuckDB's default is one per core."),
        // No /i flag: JSON Schema patterns have none, and the generated schema must accept what this accepts.
        memoryLimit: z
          .string()
          .regex(/^\d+(\.\d+)?\s*[KkMmGgTt][Ii]?[Bb]$/, 'a size such as "4GB"')
          .optional()
          .describe('DuckDB memory limit, e.g. "4GB"; DuckDB\'s default is 80% of RAM.'),
      })
      .strict()
      .default({ path: "warehouse.duckdb" }),
    snowflake: snowflakeConfigSchema.optional(),
    postgres: postgresSchema.optional(),
    online: z
      .object({
        engine: z.enum(["duckdb", "postgres"]).describe("The operational database online lookups read (`online`, `serve`)."),
        duckdb: z.object({ path: z.string().min(1).describe("Database file relative to this file, opened read-only.") }).strict().optional(),
        postgres: postgresSchema.optional(),
        poolSize: z.number().int().positive().optional().describe("Connections to it (default: postgres 8, duckdb 4)."),
      })
      .strict()
      .refine((o) => o[o.engine] !== undefined, { message: "give the settings of the online engine (online.duckdb or online.postgres)" })
      .optional()
      .describe('Where `online` and `serve` read sources (docs/online.md).'),
    offlineStore: z
      .object({
        schema: z.string().min(1).default("features").describe("Schema holding the offline tables."),
        table: z
          .string()
          .includes("{set}", { message: 'must contain "{set}", which is replaced by the feature set name' })
          .default("{set}")
          .describe('Offline table name; "{set}" is replaced by the feature set name.'),
        leaseTtl: z
          .string()
          .regex(/^[1-9][0-9]*(s|m|h)$/, 'a duration such as "10m"')
          .optional()
          .describe('How long a run\'s lease on its window outlives the run should it die (default "10m"); a live run renews it every third of that. --lease-ttl overrides it.'),
      })
      .strict()
      .default({ schema: "features", table: "{set}" }),
    timeouts: z
      .object({
        connectSeconds: z.number().positive().default(10).describe("Connecting and logging in to any engine (default 10)."),
        statementSeconds: z.number().positive().optional().describe("One backfill statement, enforced by the warehouse (default: none)."),
        lookupSeconds: z.number().positive().default(5).describe("One online lookup or /healthz check against a PostgreSQL online store (`online`, `serve`; default 5); a DuckDB store is in process."),
      })
      .strict()
      .default({ connectSeconds: 10, lookupSeconds: 5 })
      .describe("How long each network wait may take before it fails with an error naming the setting (docs/configuration.md)."),
  })
  .strict()
  .refine((c) => c.engine !== "postgres" || c.postgres !== undefined, {
    message: 'required when engine is "postgres"',
    path: ["postgres"],
  });

export type Config = z.infer<typeof configSchema>;

/** The validated config with paths made absolute and the dialect looked up. */
export interface ResolvedConfig {
  readonly file: string;
  readonly featuresDir: string;
  readonly engine: DialectName;
  readonly dialect: SqlDialect;
  readonly duckdb: { readonly path: string; readonly threads?: number; readonly memoryLimit?: string };
  /** Connection settings (no secrets: they are read from the environment or files when connecting). */
  readonly snowflake?: SnowflakeConfig;
  readonly postgres?: PostgresSettings;
  /** The online store's settings, paths made absolute. */
  readonly online?: OnlineStoreSettings;
  readonly tableFor: (set: string) => TableRef;
  /** The backfill engines' waits (`timeouts`); the online store's are in `online`. */
  readonly timeouts: EngineTimeouts;
  /** `offlineStore.leaseTtl` in milliseconds, where given. */
  readonly leaseTtlMs?: number;
}

/**
 * Reads and validates the config. `${VAR}` and `${VAR:-default}` in any string are replaced from the environment
 * first; an unset variable without a default is an error naming the key.
 */
export async function loadConfig(file: string = DEFAULT_CONFIG_FILE, env: NodeJS.ProcessEnv = process.env): Promise<ResolvedConfig> {
  const absolute = path.resolve(file);
  let text: string;
  try {
    text = await readFile(absolute, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ConfigError(
      code === "ENOENT" ? `config file ${file} not found (pass --config PATH, or run from the project directory)` : `cannot read config file ${file}: ${code}`,
    );
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`${file} is not valid JSON: ${(error as Error).message}`);
  }
  const parsed = configSchema.safeParse(interpolate(raw, env, file, []));
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.length ? i.path.join(".") : "(top level)"}: ${i.message}`);
    throw new ConfigError(`${file} is invalid: ${problems.join("; ")}`);
  }
  return resolve(parsed.data, absolute);
}

function resolve(config: Config, file: string): ResolvedConfig {
  const dir = path.dirname(file);
  const onlineTimeouts = { connectMs: config.timeouts.connectSeconds * 1000, lookupMs: config.timeouts.lookupSeconds * 1000 };
  const { schema, table } = config.offlineStore;
  return {
    file,
    featuresDir: path.resolve(dir, config.features),
    engine: config.engine,
    dialect: DIALECTS[config.engine],
    duckdb: { ...config.duckdb, path: config.duckdb.path === ":memory:" ? ":memory:" : path.resolve(dir, config.duckdb.path) },
    snowflake: config.snowflake && {
      ...config.snowflake,
      privateKeyPath: config.snowflake.privateKeyPath && path.resolve(dir, config.snowflake.privateKeyPath),
      tokenPath: config.snowflake.tokenPath && path.resolve(dir, config.snowflake.tokenPath),
    },
    ...(config.postgres && { postgres: config.postgres }),
    ...(config.online && {
      online:
        config.online.engine === "duckdb"
          ? { engine: "duckdb" as const, duckdb: { path: path.resolve(dir, config.online.duckdb!.path) }, poolSize: config.online.poolSize }
          : { engine: "postgres" as const, postgres: config.online.postgres!, poolSize: config.online.poolSize, timeouts: onlineTimeouts },
    }),
    tableFor: (set) => ({ schema, name: table.replaceAll("{set}", set) }),
    timeouts: { connectMs: onlineTimeouts.connectMs, statementMs: config.timeouts.statementSeconds && config.timeouts.statementSeconds * 1000 },
    ...(config.offlineStore.leaseTtl && { leaseTtlMs: parseLeaseTtl(config.offlineStore.leaseTtl, `${file}: offlineStore.leaseTtl`) }),
  };
}

/** The config with another engine (`--engine`): a dry run for Snowflake needs no Snowflake settings. */
export const withEngine = (config: ResolvedConfig, engine: DialectName): ResolvedConfig => ({ ...config, engine, dialect: DIALECTS[engine] });

const VARIABLE = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

function interpolate(value: unknown, env: NodeJS.ProcessEnv, file: string, at: string[]): unknown {
  if (typeof value === "string") {
    return value.replace(VARIABLE, (_, name: string, fallback: string | undefined) => {
      const value = env[name];
      // As in the shell, `:-` also replaces a variable that is set but empty.
      const found = value === undefined || (value === "" && fallback !== undefined) ? fallback : value;
      if (found === undefined) throw new ConfigError(`${file}: ${at.join(".")} uses \${${name}}, which is not set in the environment`);
      return found;
    });
  }
  if (Array.isArray(value)) return value.map((v, i) => interpolate(v, env, file, [...at, String(i)]));
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, interpolate(v, env, file, [...at, k])]));
  }
  return value;
}
