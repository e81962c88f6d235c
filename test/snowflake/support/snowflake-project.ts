import { generateKeyPairSync, type KeyObject } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { REPO } from "../../support/warehouse.ts";

/** Secrets the tests hand to the tool; none may appear in anything it prints. */
export const SECRETS = {
  password: "pw-Sn0w-s3cret!",
  token: "oauth-t0ken-s3cret",
  passphrase: "key-pass-s3cret",
};

export interface SnowflakeProject {
  readonly dir: string;
  readonly configPath: string;
  readonly publicKey: KeyObject;
  /** PEM files in `dir`: an unencrypted and an encrypted (SECRETS.passphrase) copy of one RSA key. */
  readonly keyFile: string;
  readonly encryptedKeyFile: string;
  /** Rewrites the config's snowflake section (merged over account, user, warehouse, role, database, accessUrl). */
  configure(snowflake: Record<string, unknown>): Promise<void>;
  cleanup(): Promise<void>;
}

/** A project directory whose config runs the example features in Snowflake at `accessUrl`. */
export async function makeSnowflakeProject(accessUrl: string): Promise<SnowflakeProject> {
  const dir = await mkdtemp(path.join(tmpdir(), "fb-snowflake-"));
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const keyFile = path.join(dir, "rsa_key.p8");
  const encryptedKeyFile = path.join(dir, "rsa_key_encrypted.p8");
  await writeFile(keyFile, privateKey.export({ type: "pkcs8", format: "pem" }));
  await writeFile(encryptedKeyFile, privateKey.export({ type: "pkcs8", format: "pem", cipher: "aes-256-cbc", passphrase: SECRETS.passphrase }));
  const configPath = path.join(dir, "features.config.json");
  const project: SnowflakeProject = {
    dir,
    configPath,
    publicKey,
    keyFile,
    encryptedKeyFile,
    configure: (snowflake) =>
      writeFile(
        configPath,
        JSON.stringify({
          features: path.join(REPO, "features"),
          engine: "snowflake",
          snowflake: { account: "myorg-acct", user: "backfill_bot", role: "TRANSFORMER", warehouse: "BACKFILL_WH", database: "ANALYTICS", accessUrl, ...snowflake },
        }),
      ),
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
  await project.configure({ privateKeyPath: "rsa_key.p8" });
  return project;
}

/** The catalog of the example set avg_monthly_revolving_balance's source, as an unquoted CREATE TABLE leaves it. */
export const ACCOUNTS_CATALOG = {
  "RAW.CUSTOMER_ACCOUNTS": [
    ["CUSTOMER_ID", "NUMBER", 38, 0],
    ["ACCOUNT_ID", "NUMBER", 38, 0],
    ["DATE", "DATE"],
    ["BALANCE", "FLOAT"],
    ["ACCOUNT_TYPE", "TEXT"],
  ],
} as const;
