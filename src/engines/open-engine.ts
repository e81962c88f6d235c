import type { ResolvedConfig } from "../config/config.ts";
import { ConfigError } from "../errors.ts";
import type { Engine } from "./engine.ts";

/** Opens the configured engine. Engines are imported on demand: a dry run never loads a driver. */
export async function openEngine(config: ResolvedConfig, options: { readOnly?: boolean; /** Aborts connecting and logging in (SIGINT/SIGTERM). */ signal?: AbortSignal } = {}): Promise<Engine> {
  switch (config.engine) {
    case "duckdb": {
      const { openDuckDB } = await import("./duckdb/duckdb-engine.ts");
      return openDuckDB({ ...config.duckdb, readOnly: options.readOnly });
    }
    case "snowflake": {
      // Not snowflake-sdk itself: the engine imports it only once the settings and credentials check out.
      const { openSnowflake } = await import("./snowflake/snowflake-engine.ts");
      return openSnowflake(config.snowflake, config.file, config.timeouts, options.signal);
    }
    case "postgres": {
      // The config schema requires the block when the file names this engine; `--engine postgres` may not.
      if (!config.postgres) throw new ConfigError(`engine "postgres" needs a "postgres" section in ${config.file} (connectionString; see docs/engines/postgres.md)`);
      const { openPostgres } = await import("./postgres/postgres-engine.ts");
      return openPostgres(config.postgres, process.env, config.timeouts, options.signal);
    }
  }
}
