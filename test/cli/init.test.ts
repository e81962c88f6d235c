import { execFile } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { Ajv2020 } from "ajv/dist/2020.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cli } from "../support/run-cli.ts";
import { REPO } from "../support/warehouse.ts";

describe("feature-backfill init", () => {
  let root: string;
  let project: string;
  beforeAll(async () => {
    root = await mkdtemp(path.join(tmpdir(), "fb-init-"));
    project = path.join(root, "My Features");
  });
  afterAll(() => rm(root, { recursive: true, force: true }));

  it("scaffolds a project that passes validate and its own test", async () => {
    const init = await cli("init", project);
    expect(init.stderr).toBe("");
    expect(init.code).toBe(0);
    for (const file of ["features.config.json", "features/sources.ts", "features/daily-order-totals.ts", "features/daily-order-totals.test.ts", "package.json", ".gitignore"]) {
      expect(existsSync(path.join(project, file)), file).toBe(true);
    }
    expect(JSON.parse(readFileSync(path.join(project, "package.json"), "utf8"))).toMatchObject({
      name: "my-features",
      type: "module",
      devDependencies: { "feature-backfill": expect.stringMatching(/^\^\d+\.\d+\.\d+$/) },
    });

    // As `npm install` would leave it: the package (and vitest) resolvable from the project.
    await mkdir(path.join(project, "node_modules"));
    await symlink(REPO, path.join(project, "node_modules/feature-backfill"), "dir");
    await symlink(path.join(REPO, "node_modules/vitest"), path.join(project, "node_modules/vitest"), "dir");

    // $schema resolves to the committed schema, which accepts the scaffolded config.
    const config = JSON.parse(readFileSync(path.join(project, "features.config.json"), "utf8"));
    const schema = JSON.parse(readFileSync(path.join(project, config.$schema), "utf8"));
    expect(new Ajv2020({ strict: true }).validate(schema, config)).toBe(true);

    const validate = await cli("validate", "--config", path.join(project, "features.config.json"));
    expect(validate.stderr).toBe("");
    expect(validate.stdout).toBe("ok: 1 feature set(s) and 1 source(s) for duckdb\n");
    expect(validate.code).toBe(0);

    // The scaffolded test, run by vitest in the project as its author would (a child process: ~2 s).
    const vitest = path.join(REPO, "node_modules/vitest/vitest.mjs");
    const run = await promisify(execFile)(process.execPath, [vitest, "run", "--reporter=verbose"], { cwd: project, env: { ...process.env, NO_COLOR: "1", CI: "1" } });
    expect(run.stdout).toMatch(/✓ .*daily_order_totals > sums completed orders per customer and UTC day/);
    expect(run.stdout).toMatch(/Tests +1 passed \(1\)/);
  });

  it("refuses to overwrite a file, and writes nothing then", async () => {
    const dir = path.join(root, "existing");
    await mkdir(path.join(dir, "features"), { recursive: true });
    await writeFile(path.join(dir, "features/sources.ts"), "// mine\n");
    const { code, stderr } = await cli("init", dir);
    expect(code).toBe(2);
    expect(stderr).toBe(`error: init would overwrite ${path.join(dir, "features/sources.ts")}; remove them or choose another directory\n`);
    expect(readFileSync(path.join(dir, "features/sources.ts"), "utf8")).toBe("// mine\n");
    expect(existsSync(path.join(dir, "features.config.json"))).toBe(false);
  });

  it("keeps an existing package.json", async () => {
    const dir = path.join(root, "with-package");
    await mkdir(dir);
    await writeFile(path.join(dir, "package.json"), '{ "name": "mine" }\n');
    const { code, stdout } = await cli("init", dir);
    expect(code).toBe(0);
    expect(readFileSync(path.join(dir, "package.json"), "utf8")).toBe('{ "name": "mine" }\n');
    expect(stdout).not.toContain("package.json");
  });
});
