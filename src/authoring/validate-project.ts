import { LedgerStatements } from "../backfill/ledger.ts";
import { checkTables } from "../backfill/preflight.ts";
import { ownedTables, planningProblems, readMarks, readRegistry } from "../backfill/table-ownership.ts";
import { planBackfill, type SetJob } from "../backfill/plan.ts";
import { parseWindow } from "../backfill/window.ts";
import type { ResolvedConfig } from "../config/config.ts";
import { openEngine } from "../engines/open-engine.ts";
import { DefinitionError, FeatureBackfillError, formatLocation, UsageError } from "../errors.ts";
import { buildGraph, type FeatureGraph, selectSets, setDependencies, setSources } from "../graph/feature-graph.ts";
import { importDefinitions } from "../graph/load-modules.ts";
import type { Definition } from "../ir/definitions.ts";

/** One problem `validate` found, with what it is about. */
export interface Problem {
  /** `definitions`: found without a warehouse (modules, graph, types, compilation); `warehouse`: by its catalog. */
  readonly stage: "definitions" | "warehouse";
  readonly set?: string;
  readonly source?: string;
  readonly column?: string;
  /** `features/x.ts:12`: the definition's place. */
  readonly definedAt?: string;
  /** `features/x.ts:19`: the line that built the expression at fault, when known. */
  readonly expressionAt?: string;
  /** The whole message, as a run would print it. */
  readonly message: string;
  /** The error as a run would throw it (its class decides the exit code). */
  readonly error: FeatureBackfillError;
}

export interface ValidationReport {
  readonly engine: string;
  /** Every feature set checked (the requested ones and what they read), dependencies first, and whether it is clean. */
  readonly sets: readonly { readonly name: string; readonly ok: boolean }[];
  readonly sources: readonly string[];
  readonly againstWarehouse: boolean;
  readonly problems: readonly Problem[];
}

// Any window compiles the same statements up to its literals; compiling one is how dialect support is checked.
const NOMINAL_WINDOW = parseWindow("2000-01-01", "2000-01-02");

/**
 * Runs every check a backfill runs before it writes, but collects problems instead of stopping at the first: feature
 * modules that fail to import, duplicate names, cycles, undeclared inputs, unknown columns and type errors (the first
 * per set: a set's later checks depend on its earlier ones), compilation for the configured dialect, and — with
 * `againstWarehouse` — the warehouse's catalog (source tables and columns, existing offline tables). Tables a run would
 * refuse to write are reported too: sources (always) and existing tables the tool did not create (with the warehouse).
 */
export async function validateProject(
  config: ResolvedConfig,
  request: { readonly sets?: readonly string[]; readonly againstWarehouse?: boolean } = {},
): Promise<ValidationReport> {
  const found: { error: FeatureBackfillError; stage: Problem["stage"]; set?: string; source?: string }[] = [];
  const onProblem = (error: DefinitionError) => found.push({ error, stage: "definitions" });
  const definitions = await importDefinitions(config.featuresDir, { onProblem });
  const moduleFailures = found.length;
  const graph = buildGraph(definitions, { onProblem });

  const closureOf = declaredClosures(definitions, graph);
  const scope = scopeOf(graph, definitions, closureOf, request.sets, found, moduleFailures);
  const failed = new Set<string>();
  const jobs: SetJob[] = [];
  for (const node of selectSets(graph, scope.sets.filter((name) => graph.sets.has(name)))) {
    const name = node.def.name;
    const brokenInput = setDependencies(node).find((dep) => failed.has(dep));
    try {
      if (brokenInput) throw new DefinitionError(`reads feature set "${brokenInput}", which has errors`, { set: name, at: node.def.definedAt });
      jobs.push(...planBackfill({ graph, sets: [name], window: NOMINAL_WINDOW, dialect: config.dialect, tableFor: config.tableFor }));
    } catch (error) {
      if (!(error instanceof FeatureBackfillError)) throw error;
      failed.add(name);
      found.push({ error, stage: "definitions", set: name });
    }
  }

  for (const p of planningProblems(jobs, graph.sources.values(), config.dialect)) found.push({ ...p, stage: "definitions" });

  if (request.againstWarehouse && jobs.length > 0) {
    const engine = await openEngine(config, { readOnly: true });
    try {
      const ledger = new LedgerStatements(engine.dialect, jobs[0]!.table.schema, "validate");
      const { problems, existing, alsoColumns: [registry] } = await checkTables(jobs, engine, undefined, [ledger.tables]);
      for (const p of problems) found.push({ ...p, stage: "warehouse" });
      // Existing offline tables the tool did not create, as a run refuses them (after a mismatch, which says more).
      const marks = await readMarks(engine, jobs, existing);
      const owned = ownedTables(jobs, existing, registry ? await readRegistry(engine, ledger) : [], marks, config.dialect);
      for (const p of owned.problems) if (!problems.some((q) => q.set === p.set)) found.push({ ...p, stage: "warehouse" });
    } finally {
      await engine.close();
    }
  }

  const problems = found.map(toProblem).filter((p) => scope.concerns(p)).sort(byPlace);
  return {
    engine: config.engine,
    sets: scope.sets.map((name) => {
      const closure = closureOf(name);
      // A module that failed to load is listed, but does not fail the sets that loaded: they did not import it.
      return { name, ok: !problems.some((p) => (p.set !== undefined && closure.has(p.set)) || (p.source !== undefined && closure.has(p.source))) };
    }),
    sources: scope.sources,
    againstWarehouse: Boolean(request.againstWarehouse),
    problems,
  };
}

/** A problem not about one definition (a module that failed to load) concerns every set. */
const isGlobal = (p: Problem): boolean => p.set === undefined && p.source === undefined;

/**
 * Which sets and sources to report on. Without `--set`, everything; with it, the requested sets and everything they
 * read, followed through the declared inputs so that a set left out of the graph (broken) still has its closure.
 */
function scopeOf(
  graph: FeatureGraph,
  definitions: readonly Definition[],
  closureOf: (name: string) => Set<string>,
  requested: readonly string[] | undefined,
  found: readonly { error: FeatureBackfillError }[],
  moduleFailures: number,
): { sets: string[]; sources: string[]; concerns: (p: Problem) => boolean } {
  // Healthy sets in dependency order, then those left out of the graph: broken definitions (cycle members included)
  // and sets whose own featureSet() call threw while their module was imported.
  const defined = definitions.flatMap((def) => [...closureOf(def.name)]);
  const thrown = found.flatMap(({ error }) => (error instanceof DefinitionError && error.where.set ? [error.where.set] : []));
  const allSets = [...new Set([...selectSets(graph, [...graph.sets.keys()].sort()).map((n) => n.def.name), ...defined, ...thrown])].filter(
    (name) => !graph.sources.has(name) && !definitions.some((d) => d.kind === "source" && d.name === name),
  );
  if (!requested || requested.length === 0) {
    return { sets: allSets, sources: [...graph.sources.keys()], concerns: () => true };
  }
  for (const name of requested) {
    if (allSets.includes(name)) continue;
    const known = allSets.sort().join(", ") || "none";
    const hint = moduleFailures ? ` (${moduleFailures} feature module(s) failed to load; it may be defined there)` : "";
    throw new UsageError(`unknown feature set ${JSON.stringify(name)}; known sets: ${known}${hint}`);
  }
  const closure = new Set(requested.flatMap((name) => [...closureOf(name)]));
  const ordered = allSets.filter((name) => closure.has(name));
  return {
    sets: ordered,
    sources: [...graph.sources.keys()].filter((name) => closure.has(name)),
    concerns: (p) => isGlobal(p) || (p.set !== undefined && closure.has(p.set)) || (p.source !== undefined && closure.has(p.source)),
  };
}

/**
 * The names a set reads, transitively, itself included: from the graph where it is there, else its declared inputs
 * (a set left out of the graph, broken, still has its closure).
 */
function declaredClosures(definitions: readonly Definition[], graph: FeatureGraph): (name: string) => Set<string> {
  const byName = new Map<string, Definition>();
  const collect = (def: Definition): void => {
    if (byName.has(def.name)) return;
    byName.set(def.name, def);
    if (def.kind === "featureSet") Object.values(def.inputs).forEach((input) => input && collect(input));
  };
  definitions.forEach(collect);
  return (name) => {
    const closure = new Set<string>();
    const visit = (n: string): void => {
      if (closure.has(n)) return;
      closure.add(n);
      const node = graph.sets.get(n);
      if (node) return [...setDependencies(node), ...setSources(node)].forEach(visit);
      const def = byName.get(n);
      if (def?.kind === "featureSet") Object.values(def.inputs).forEach((input) => input && visit(input.name));
    };
    visit(name);
    return closure;
  };
}

/**
 * A stable order, whatever order modules export in: what the definitions show before what the warehouse shows;
 * problems about no definition (a module failing to load) first; then by file and line.
 */
function byPlace(a: Problem, b: Problem): number {
  const key = (p: Problem) => {
    const [file = "", line = "0"] = (p.definedAt ?? "").split(/:(?=\d+$)/);
    return [p.stage === "definitions" ? 0 : 1, isGlobal(p) ? 0 : 1, file, Number(line)] as const;
  };
  const [ka, kb] = [key(a), key(b)];
  for (let i = 0; i < ka.length; i++) if (ka[i] !== kb[i]) return ka[i]! < kb[i]! ? -1 : 1;
  return 0;
}

function toProblem(p: { error: FeatureBackfillError; stage: Problem["stage"]; set?: string; source?: string }): Problem {
  const where = p.error instanceof DefinitionError ? p.error.where : {};
  const set = p.set ?? where.set;
  const source = p.source ?? where.source;
  const expressionAt = p.error instanceof DefinitionError ? p.error.expressionAt : undefined;
  return {
    stage: p.stage,
    ...(set !== undefined && { set }),
    ...(source !== undefined && { source }),
    ...(where.column !== undefined && { column: where.column }),
    ...(where.at && { definedAt: formatLocation(where.at) }),
    ...(expressionAt && { expressionAt: formatLocation(expressionAt) }),
    message: p.error.message,
    error: p.error,
  };
}
