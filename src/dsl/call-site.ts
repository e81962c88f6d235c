import path from "node:path";
import { fileURLToPath } from "node:url";
import type { SourceLocation } from "../ir/definitions.ts";

const DSL_DIR = path.dirname(fileURLToPath(import.meta.url));

/**
 * Captures the current stack now and returns a function that finds, on demand, the first frame outside this package's
 * DSL: the user's line. Capturing is cheap (V8 records frames); formatting the trace is not, and only errors need it.
 */
export function captureCallSite(): () => SourceLocation | undefined {
  const holder: { stack?: string } = {};
  Error.captureStackTrace(holder, captureCallSite);
  return () => firstUserFrame(holder.stack ?? "");
}

/** The user's location in a formatted stack trace (its first line is the message, skipped). */
function firstUserFrame(stack: string): SourceLocation | undefined {
  for (const line of stack.split("\n").slice(1)) {
    const match = /\(?((?:file:\/\/)?\/[^():]+):(\d+):\d+\)?\s*$/.exec(line);
    if (!match?.[1]) continue;
    const file = match[1].startsWith("file://") ? fileURLToPath(match[1]) : match[1];
    if (file.startsWith(DSL_DIR + path.sep)) continue;
    return { file: path.relative(process.cwd(), file) || file, line: Number(match[2]) };
  }
  return undefined;
}
