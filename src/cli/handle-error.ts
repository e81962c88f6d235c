import { CommanderError } from "commander";
import { EXIT_CODES, FeatureBackfillError, RunError, messageOf } from "../errors.ts";

/**
 * The CLI's one error handler: a one-line message on stderr and the error class's exit code. `--verbose` adds the
 * cause chain, the failing SQL and stack traces.
 */
export function handleError(error: unknown, io: { stderr: (text: string) => void; verbose: boolean }): number {
  if (error instanceof CommanderError) {
    // commander has already printed its message (or the help, for which exitCode is 0).
    return error.exitCode === 0 ? EXIT_CODES.ok : EXIT_CODES.usage;
  }
  if (error instanceof FeatureBackfillError) {
    io.stderr(`error: ${error.message}\n`);
    if (io.verbose) {
      if (error instanceof RunError && error.sql) io.stderr(`\nfailing statement:\n${error.sql}\n`);
      io.stderr(`\n${describeCauses(error)}\n`);
    }
    return error.exitCode;
  }
  io.stderr(`internal error: ${messageOf(error)}\n`);
  io.stderr(io.verbose ? `\n${describeCauses(error)}\n` : "(run with --verbose for the stack trace)\n");
  return EXIT_CODES.internal;
}

function describeCauses(error: unknown): string {
  const lines: string[] = [];
  for (let e: unknown = error; e; e = e instanceof Error ? e.cause : undefined) {
    lines.push(e instanceof Error ? (e.stack ?? e.message) : String(e));
  }
  return lines.join("\ncaused by: ");
}
