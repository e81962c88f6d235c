import { messageOf } from "../errors.ts";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";

/**
 * Why a feature module that failed to import did, where the cause is the project's setup rather than the module: a
 * `.ts`/`.js` file under a package.json without `"type": "module"` (or under none) is loaded as CommonJS, and its
 * `import … from "feature-backfill"` becomes a require() of an ES module, which Node refuses ("Cannot require() ES
 * Module … in a cycle"). Undefined where that is not the cause.
 */
export function moduleFormatHint(file: string, error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  const message = messageOf(error);
  if (!/^ERR_REQUIRE_(CYCLE_MODULE|ESM|ASYNC_MODULE)$/.test(String(code)) && !/Cannot require\(\) ES Module/.test(message)) return undefined;
  if (/\.(mts|mjs)$/.test(file)) return undefined; // always ES modules: the cause is elsewhere
  const manifest = nearestPackageJson(path.dirname(file));
  if (manifest && typeOf(manifest) === "module") return undefined;
  const where = manifest ? `${manifest} has no "type": "module"` : `no package.json above ${path.dirname(file)} says "type": "module"`;
  return `it is loaded as CommonJS because ${where}; feature modules are ES modules: add "type": "module" to ${manifest ?? "a package.json in the project's root"} (or name the files .mts)`;
}

function nearestPackageJson(dir: string): string | undefined {
  for (let at = dir; ; at = path.dirname(at)) {
    const candidate = path.join(at, "package.json");
    if (existsSync(candidate)) return candidate;
    if (path.dirname(at) === at) return undefined;
  }
}

function typeOf(manifest: string): unknown {
  try {
    return (JSON.parse(readFileSync(manifest, "utf8")) as { type?: unknown }).type;
  } catch {
    return undefined; // unreadable: Node reads no "type" from it either
  }
}
