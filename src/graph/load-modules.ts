import { readdir } from "node:fs/promises";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { type Definition, isDefinition } from "../ir/definitions.ts";
import { ConfigError, DefinitionError, FeatureBackfillError, messageOf } from "../errors.ts";
import { buildGraph, type FeatureGraph } from "./feature-graph.ts";
import { beforeFeatureImport } from "./feature-module-loader.ts";
import { moduleFormatHint } from "./module-format.ts";

const MODULE_FILE = /\.(ts|mts|js|mjs)$/;
const NOT_A_MODULE = /(\.d\.ts|\.(test|spec)\.(ts|mts|js|mjs))$/;

/**
 * Imports every feature module under `dir` (TypeScript runs as it is: the CLI registers a loader) and builds the
 * graph from the sources and feature sets they export.
 */
export async function loadFeatureGraph(dir: string): Promise<FeatureGraph> {
  return buildGraph(await importDefinitions(dir));
}

/**
 * The sources and feature sets the modules under `dir` export. With `onProblem` (`validate`), a module that fails to
 * load is reported there and left out instead of thrown.
 */
export async function importDefinitions(dir: string, options: { onProblem?: (problem: DefinitionError) => void } = {}): Promise<Definition[]> {
  const files = await listModules(dir);
  const seconds = moduleTimeoutSeconds();
  if (files.length) await beforeFeatureImport();
  const definitions: Definition[] = [];
  for (const file of files) {
    const shown = path.relative(process.cwd(), file) || file;
    let exports: Record<string, unknown>;
    try {
      exports = await importWithin(file, shown, seconds);
    } catch (error) {
      if (error instanceof FeatureBackfillError && !(options.onProblem && error instanceof DefinitionError)) throw error;
      const problem =
        error instanceof DefinitionError
          ? error
          : new DefinitionError(`feature module ${shown} failed to load: ${moduleFormatHint(file, error) ?? messageOf(error)}`, {}, { cause: error });
      if (!options.onProblem) throw problem;
      options.onProblem(problem);
      continue;
    }
    definitions.push(...Object.values(exports).filter(isDefinition));
  }
  return definitions;
}

/** How long one feature module may take to load: its top-level code should only build definitions. */
export const DEFAULT_MODULE_TIMEOUT_SECONDS = 30;
export const MODULE_TIMEOUT_VARIABLE = "FEATURE_BACKFILL_MODULE_TIMEOUT";

function moduleTimeoutSeconds(): number {
  const text = process.env[MODULE_TIMEOUT_VARIABLE];
  if (text === undefined || text === "") return DEFAULT_MODULE_TIMEOUT_SECONDS;
  const seconds = Number(text);
  if (!(seconds > 0 && seconds <= 86_400)) throw new ConfigError(`${MODULE_TIMEOUT_VARIABLE}=${JSON.stringify(text)} must be a number of seconds > 0`);
  return seconds;
}

/**
 * import(), bounded: a top-level await that never settles would otherwise hang the process, or — when nothing else
 * keeps the event loop alive — end it with Node's exit code 13 and no message at all. (The timer keeps the loop
 * alive, so both end here, naming the module.)
 */
async function importWithin(file: string, shown: string, seconds: number): Promise<Record<string, unknown>> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new DefinitionError(
            `feature module ${shown} did not finish loading within ${seconds} s (a top-level await that never settles?); ${MODULE_TIMEOUT_VARIABLE} sets the limit in seconds`,
          ),
        ),
      seconds * 1000,
    );
  });
  try {
    return await Promise.race([import(pathToFileURL(file).href), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function listModules(dir: string): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true, recursive: true });
  } catch (error) {
    throw new ConfigError(`features directory ${dir} cannot be read: ${(error as NodeJS.ErrnoException).code ?? error}`);
  }
  return entries
    .filter((e) => e.isFile() && MODULE_FILE.test(e.name) && !NOT_A_MODULE.test(e.name))
    .map((e) => path.join(e.parentPath, e.name))
    .sort();
}
