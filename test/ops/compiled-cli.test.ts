import { execFileSync, spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, rmSync, symlinkSync, utimesSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO } from "../support/warehouse.ts";

/**
 * The CLI as `npm ci` leaves it: src/ compiled into dist/ (here into a copy of the package whose src/ and
 * node_modules/ are the repository's), run by bin/feature-backfill.js.
 */
describe("the compiled CLI", () => {
  let root: string;
  beforeAll(() => {
    root = mkdtempSync(path.join(tmpdir(), "fb-compiled-"));
    for (const entry of ["src", "node_modules", "package.json", "tsconfig.json", "tsconfig.build.json"]) symlinkSync(path.join(REPO, entry), path.join(root, entry));
    cpSync(path.join(REPO, "bin"), path.join(root, "bin"), { recursive: true });
    execFileSync(process.execPath, [path.join(REPO, "node_modules/typescript/bin/tsc"), "-p", path.join(root, "tsconfig.build.json"), "--outDir", path.join(root, "dist")]);
    cpSync(path.join(REPO, "test/fixtures/definition-error-module"), path.join(root, "features"), { recursive: true });
  }, 120_000);
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  const list = (...args: string[]) => {
    const result = spawnSync(process.execPath, [path.join(root, "bin/feature-backfill.js"), "list", "--verbose", ...args], { cwd: root, encoding: "utf8" });
    return { code: result.status, stderr: result.stderr };
  };

  it("runs from dist/, and a feature module's \"feature-backfill\" is the very copy it runs (its errors map to their exit code)", () => {
    const config = path.join(root, "features.config.json");
    spawnSync("sh", ["-c", `echo '{"features": "features"}' > '${config}'`]);
    const { code, stderr } = list("--config", config);
    // With a second copy of the DSL, its DefinitionError would not be the CLI's: an internal error, exit 1.
    expect(code).toBe(4);
    expect(stderr).toMatch(/^error: feature set "no_keys" \(features\/bad-set\.ts:12\): `keys` must name at least one entity key column\n/);
    expect(stderr).toMatch(/at async importDefinitions \(.*\/dist\/graph\/load-modules\.js:/);
  });

  it("runs src/ through tsx where dist/ is older than a source file: a stale build never runs", () => {
    utimesSync(path.join(root, "dist/index.js"), new Date(0), new Date(0));
    const { code, stderr } = list("--config", path.join(root, "features.config.json"));
    expect(code).toBe(4);
    expect(stderr).toMatch(/at async importDefinitions \(.*\/src\/graph\/load-modules\.ts:/);
  });
});
