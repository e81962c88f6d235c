import { existsSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { Command } from "commander";
import { scaffoldFiles } from "../authoring/scaffold.ts";
import { UsageError } from "../errors.ts";
import type { Output } from "./reporter.ts";

export function initCommand(out: Output): Command {
  return new Command("init")
    .description("Create a working project: features.config.json, one source, one feature set and its unit test.")
    .argument("[dir]", "project directory (created if missing)", ".")
    .addHelpText(
      "after",
      `
Existing files are never overwritten: init stops if a file it would write exists (package.json and .gitignore are
only written when missing).

Examples:
  $ feature-backfill init my-features && cd my-features && npm install
  $ npx feature-backfill validate && npx vitest run`,
    )
    .action(async (dir: string) => {
      const files = scaffoldFiles(dir);
      const clashes = files.filter((f) => !f.ifMissing && existsSync(path.join(dir, f.path)));
      if (clashes.length) {
        throw new UsageError(`init would overwrite ${clashes.map((f) => path.join(dir, f.path)).join(", ")}; remove them or choose another directory`);
      }
      const written: string[] = [];
      for (const file of files) {
        const target = path.join(dir, file.path);
        if (file.ifMissing && existsSync(target)) continue;
        await mkdir(path.dirname(target), { recursive: true });
        // "wx": never replace a file that appeared since the check above.
        await writeFile(target, file.content, { flag: "wx" });
        written.push(file.path);
      }
      const cd = path.resolve(dir) === process.cwd() ? "" : `cd ${dir} && `;
      out.stdout(
        `created ${written.map((f) => path.join(dir, f)).join(", ")}\n\n` +
          `next:\n  ${cd}npm install\n  npx feature-backfill validate\n  npx vitest run\n` +
          `  npx feature-backfill run --set daily_order_totals --start 2025-01-01 --end 2025-02-01   # once raw.orders exists\n`,
      );
    });
}
