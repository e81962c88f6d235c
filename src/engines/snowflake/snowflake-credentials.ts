import { createPrivateKey } from "node:crypto";
import { readFileSync } from "node:fs";
import { ConfigError } from "../../errors.ts";
import type { SnowflakeConfig } from "./snowflake-config.ts";

/** What snowflake-sdk's createConnection needs; the secret fields never reach a message or a log line. */
export interface SnowflakeLogin {
  readonly account: string;
  readonly username: string;
  readonly role?: string;
  readonly warehouse?: string;
  readonly database?: string;
  readonly schema?: string;
  readonly accessUrl?: string;
  readonly authenticator: "SNOWFLAKE_JWT" | "OAUTH" | "SNOWFLAKE";
  /** Decrypted PKCS#8 PEM: the passphrase is used here once and not passed on. */
  readonly privateKey?: string;
  readonly token?: string;
  readonly password?: string;
}

/**
 * Checks the settings and reads the secret for the configured authenticator, from the environment or a file, before
 * the driver is loaded: every problem is a ConfigError naming the key, variable or file to fix, and none carries the
 * secret. Docs: https://docs.snowflake.com/en/developer-guide/node-js/nodejs-driver-authenticate
 */
export function resolveLogin(config: SnowflakeConfig | undefined, configFile: string, env: NodeJS.ProcessEnv = process.env): SnowflakeLogin {
  if (!config) {
    throw new ConfigError(`engine "snowflake" needs a "snowflake" section in ${configFile} (account, user, authenticator; see docs/engines/snowflake.md)`);
  }
  const required = (key: "account" | "user"): string => {
    const value = config[key];
    if (!value) throw new ConfigError(`snowflake.${key} is not set in ${configFile} (e.g. "${key}": "\${SNOWFLAKE_${key.toUpperCase()}}")`);
    return value;
  };
  const base = {
    account: required("account"),
    username: required("user"),
    role: config.role,
    warehouse: config.warehouse,
    database: config.database,
    schema: config.schema,
    accessUrl: config.accessUrl,
  };
  switch (config.authenticator) {
    case "keypair":
      return { ...base, authenticator: "SNOWFLAKE_JWT", privateKey: readPrivateKey(config, configFile, env) };
    case "oauth":
      return { ...base, authenticator: "OAUTH", token: readToken(config, env) };
    case "password": {
      const password = env[config.passwordEnv];
      if (!password) throw new ConfigError(`the password authenticator needs the password in the environment variable ${config.passwordEnv}, which is not set`);
      return { ...base, authenticator: "SNOWFLAKE", password };
    }
  }
}

function readPrivateKey(config: SnowflakeConfig, configFile: string, env: NodeJS.ProcessEnv): string {
  const file = config.privateKeyPath;
  if (!file) throw new ConfigError(`snowflake.privateKeyPath is not set in ${configFile}: the keypair authenticator needs the PEM private key file`);
  let pem: Buffer;
  try {
    pem = readFileSync(file);
  } catch (error) {
    throw new ConfigError(`cannot read the private key file ${file} (snowflake.privateKeyPath): ${(error as NodeJS.ErrnoException).code ?? "unreadable"}`);
  }
  const passphrase = env[config.privateKeyPassphraseEnv] || undefined;
  try {
    return createPrivateKey({ key: pem, format: "pem", passphrase }).export({ format: "pem", type: "pkcs8" }).toString();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ERR_MISSING_PASSPHRASE" || (!passphrase && pem.includes("ENCRYPTED"))) {
      throw new ConfigError(`the private key ${file} is encrypted: set ${config.privateKeyPassphraseEnv} to its passphrase`);
    }
    // OpenSSL's own message ("bad decrypt", "unsupported") says which; it never contains the key or the passphrase.
    const reason = passphrase ? `wrong passphrase in ${config.privateKeyPassphraseEnv}, or not a PEM private key` : "not a PEM private key";
    throw new ConfigError(`cannot load the private key ${file}: ${reason}`);
  }
}

function readToken(config: SnowflakeConfig, env: NodeJS.ProcessEnv): string {
  if (config.tokenPath) {
    let token: string;
    try {
      token = readFileSync(config.tokenPath, "utf8").trim();
    } catch (error) {
      throw new ConfigError(`cannot read the OAuth token file ${config.tokenPath} (snowflake.tokenPath): ${(error as NodeJS.ErrnoException).code ?? "unreadable"}`);
    }
    if (!token) throw new ConfigError(`the OAuth token file ${config.tokenPath} (snowflake.tokenPath) is empty`);
    return token;
  }
  const token = env[config.tokenEnv];
  if (!token) throw new ConfigError(`the oauth authenticator needs a token: set ${config.tokenEnv}, or snowflake.tokenPath to a file holding it`);
  return token;
}
