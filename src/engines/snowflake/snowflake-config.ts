import { z } from "zod";

/**
 * The `snowflake` section of features.config.json. It names where secrets come from — an environment variable or a
 * file — and never holds one: a config file is committed, printed and copied around; a secret must not be.
 * Account and user are optional here so that `--dry-run --engine snowflake` works from any config; a run checks them.
 */
export const snowflakeConfigSchema = z
  .object({
    account: z.string().optional().describe('Account identifier, e.g. "myorg-myaccount".'),
    user: z.string().optional().describe("Login name."),
    role: z.string().min(1).optional(),
    warehouse: z.string().min(1).optional(),
    database: z.string().min(1).optional().describe("Database holding the sources and the offline store."),
    schema: z.string().min(1).optional().describe("Default schema, for tables named without one."),
    authenticator: z.enum(["keypair", "oauth", "password"]).default("keypair"),
    privateKeyPath: z.string().min(1).optional().describe("keypair: PEM private key file, relative to this file."),
    privateKeyPassphraseEnv: z
      .string()
      .min(1)
      .default("SNOWFLAKE_PRIVATE_KEY_PASSPHRASE")
      .describe("keypair: environment variable holding the passphrase of an encrypted key."),
    tokenPath: z.string().min(1).optional().describe("oauth: file holding the access token (e.g. a mounted secret)."),
    tokenEnv: z.string().min(1).default("SNOWFLAKE_OAUTH_TOKEN").describe("oauth: environment variable holding the token."),
    passwordEnv: z.string().min(1).default("SNOWFLAKE_PASSWORD").describe("password: environment variable holding it."),
    accessUrl: z
      .string()
      .regex(/^https?:\/\/[^/]+\/?$/, "a URL such as https://myorg-myaccount.privatelink.snowflakecomputing.com")
      .optional()
      .describe("Endpoint override (PrivateLink, or a local test double); default: the account's own URL."),
    lockTimeoutSeconds: z
      .number()
      .int()
      .min(0)
      .optional()
      .describe("Session LOCK_TIMEOUT: how long a statement waits for a table lock (default 900: outlasts a killed run's detached transaction)."),
    statementTimeoutSeconds: z
      .number()
      .int()
      .min(0)
      .optional()
      .describe("Session STATEMENT_TIMEOUT_IN_SECONDS: the longest one statement may run (default 21600); timeouts.statementSeconds, where set, overrides it per statement."),
  })
  .strict();

export type SnowflakeConfig = z.infer<typeof snowflakeConfigSchema>;
