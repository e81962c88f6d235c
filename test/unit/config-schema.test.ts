import { readFileSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Ajv2020 } from "ajv/dist/2020.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { configJsonSchemaText } from "../../src/config/config-json-schema.ts";
import { loadConfig } from "../../src/config/config.ts";
import { ConfigError } from "../../src/errors.ts";
import { REPO } from "../support/warehouse.ts";
import { rejected } from "./source-lines.ts";

const committed = readFileSync(path.join(REPO, "features.config.schema.json"), "utf8");
// strict: an unknown keyword or format in the generated schema is an error, as a careful editor would find it.
const validate = new Ajv2020({ strict: true, allErrors: true }).compile(JSON.parse(committed));

describe("features.config.schema.json", () => {
  it("is the schema generated from the zod definition (run `npm run schema` after changing src/config/config.ts)", () => {
    expect(committed).toBe(configJsonSchemaText());
  });

  it("is what the shipped config and the scaffolded one point $schema at", () => {
    const shipped = JSON.parse(readFileSync(path.join(REPO, "features.config.json"), "utf8"));
    expect(shipped.$schema).toBe("./features.config.schema.json");
    expect(validate(shipped), JSON.stringify(validate.errors)).toBe(true);
  });

  describe("accepts and rejects exactly what loading the config does", () => {
    let dir: string;
    beforeAll(async () => {
      dir = await mkdtemp(path.join(tmpdir(), "fb-schema-"));
    });
    afterAll(() => rm(dir, { recursive: true, force: true }));

    // [case, config, the key the runtime message names (undefined: valid)]
    const cases: [string, Record<string, unknown>, string | undefined][] = [
      ["an empty object (every key has a default)", {}, undefined],
      ["every key", { features: "f", engine: "duckdb", duckdb: { path: ":memory:", threads: 2, memoryLimit: "512MiB" }, offlineStore: { schema: "s", table: "fs_{set}" } }, undefined],
      ["a lower-case memory size", { duckdb: { memoryLimit: "4gb" } }, undefined],
      ["an unknown engine", { engine: "oracle" }, "engine"],
      ["an unknown top-level key", { featurez: "features" }, "(top level)"],
      ["an unknown duckdb key", { duckdb: { path: "w.duckdb", thread: 2 } }, "duckdb"],
      ["a table name without {set}", { offlineStore: { table: "fs_" } }, "offlineStore.table"],
      ["threads of zero", { duckdb: { threads: 0 } }, "duckdb.threads"],
      ["fractional threads", { duckdb: { threads: 1.5 } }, "duckdb.threads"],
      ["threads as text", { duckdb: { threads: "2" } }, "duckdb.threads"],
      ["a memory size without a unit", { duckdb: { memoryLimit: "4" } }, "duckdb.memoryLimit"],
      ["an empty features directory", { features: "" }, "features"],
    ];
    for (const [name, config, key] of cases) {
      it(`${name}: ${key === undefined ? "valid" : `invalid at ${key}`}, for both`, async () => {
        const file = path.join(dir, `${name.replace(/\W+/g, "-")}.json`);
        await writeFile(file, JSON.stringify(config));
        const schemaOk = validate(config);
        if (key === undefined) {
          expect(schemaOk, JSON.stringify(validate.errors)).toBe(true);
          await loadConfig(file);
          return;
        }
        expect(schemaOk).toBe(false);
        const error = await rejected(loadConfig(file));
        expect(error).toBeInstanceOf(ConfigError);
        expect(error.message).toContain(`${key}: `);
        // The schema points at the same place: its instancePath (or, for an unknown key, the object holding it).
        const pointer = key === "(top level)" ? "" : `/${key.replace(/\./g, "/")}`;
        expect(validate.errors!.map((e) => e.instancePath)).toContain(pointer);
      });
    }
  });
});
