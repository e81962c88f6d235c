import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

/**
 * Where a definition in a test file was written, found by a `// @marker` comment on the line of its `source(` or
 * `featureSet(` call — so expected error locations do not depend on the code under test.
 */
export function definitionSite(moduleUrl: string, marker: string): { file: string; line: number; text: string } {
  const absolute = fileURLToPath(moduleUrl);
  const lines = readFileSync(absolute, "utf8").split("\n");
  const tag = "// @" + marker;
  const found = lines.flatMap((l, i) => (l.trimEnd().endsWith(tag) ? [i + 1] : []));
  if (found.length !== 1) throw new Error(`marker ${tag} found ${found.length} times in ${absolute}`);
  const file = path.relative(process.cwd(), absolute);
  return { file, line: found[0]!, text: `${file}:${found[0]}` };
}

/** Runs `fn` and returns what it threw; fails the test when it returns normally. */
export function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    if (error instanceof Error) return error;
    throw new Error(`threw a non-Error: ${String(error)}`);
  }
  throw new Error("expected an error, but the call returned normally");
}

/** The async form of `thrown`. */
export async function rejected(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof Error) return error;
    throw new Error(`rejected with a non-Error: ${String(error)}`);
  }
  throw new Error("expected a rejection, but the promise resolved");
}
