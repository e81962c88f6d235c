import { readdir } from "node:fs/promises";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { type Definition, isDefinition } from "../ir/definitions.ts";
import { ConfigError, DefinitionError, FeatureBackfillError } from "../errors.ts";
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
  if (files.length) await beforeFeatureImport();
  const definitions: Definition[] = [];
  for (const file of files) {
    const shown = path.relative(process.cwd(), file) || file;
    let exports: Record<string, unknown>;
    try {
      exports = await import(pathToFileURL(file).href);
    } catch (error) {
      if (error instanceof FeatureBackfillError && !(options.onProblem && error instanceof DefinitionError)) throw error;
      const problem =
        error instanceof DefinitionError
          ? error
          : new DefinitionError(`feature module ${shown} failed to load: ${moduleFormatHint(file, error) ?? (error instanceof Error ? error.message : String(error))}`, {}, { cause: error });
      if (!options.onProblem) throw problem;
      options.onProblem(problem);
      continue;
    }
    definitions.push(...Object.values(exports).filter(isDefinition));
  }
  return definitions;
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
