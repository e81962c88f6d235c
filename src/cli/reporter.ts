import ora, { type Ora } from "ora";
import type { BackfillEvent } from "../backfill/execute.ts";

export type LogFormat = "text" | "json";

export interface Output {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** Whether stderr is a terminal: then progress is an ora spinner. */
  readonly isTTY: boolean;
}

/**
 * Progress of a run. On a terminal: an ora spinner per chunk. Otherwise (CronJob logs, CI): one plain line per
 * event on stderr, or with `--log-format json` one JSON object per event on stdout, for log pipelines.
 */
export function createReporter(out: Output, format: LogFormat): (event: BackfillEvent) => void {
  if (format === "json") {
    return (event) => out.stdout(`${JSON.stringify({ time: new Date().toISOString(), ...event })}\n`);
  }
  if (out.isTTY) {
    let spinner: Ora | undefined;
    return (event) => {
      if (event.event === "chunk_started") spinner = ora({ text: `${position(event)}${event.set}: writing ${event.window}`, stream: process.stderr }).start();
      else if (event.event === "chunk_retrying" && spinner) spinner.text = line(event);
      else if (event.event === "chunk_finished") spinner?.succeed(line(event));
      else if (event.event === "chunk_failed") spinner?.fail(line(event));
      else out.stderr(`${line(event)}\n`);
    };
  }
  return (event) => out.stderr(`${line(event)}\n`);
}

const position = (e: { chunk: number; chunks: number }) => (e.chunks > 1 ? `[${e.chunk}/${e.chunks}] ` : "");
const rows = (n: number) => n.toLocaleString("en-US");

function line(e: BackfillEvent): string {
  switch (e.event) {
    case "chunk_started":
      return `${position(e)}${e.set}: writing ${e.window} into ${e.table}${e.note ? ` (${e.note})` : ""}`;
    case "chunk_skipped":
      return `${position(e)}${e.set}: skipped ${e.window}: ${e.reason}`;
    case "chunk_retrying":
      return `${position(e)}${e.set}: attempt ${e.attempt} failed (${e.error}); retrying in ${e.delayMs} ms`;
    case "chunk_finished": {
      const replaced = e.rowsDeleted ? ` (replaced ${rows(e.rowsDeleted)})` : "";
      return `${position(e)}${e.set}: wrote ${rows(e.rowsWritten)} rows${replaced} for ${e.window} into ${e.table} in ${(e.durationMs / 1000).toFixed(2)} s`;
    }
    case "chunk_failed":
      return `${position(e)}${e.set}: failed for ${e.window}, rolled back`;
    case "note":
      return e.message;
    case "run_finished":
      return `run ${e.runId}: ${e.succeeded} chunk(s) written, ${e.skipped} skipped, ${e.failed} failed; ${rows(e.rowsWritten)} rows in ${(e.durationMs / 1000).toFixed(2)} s`;
  }
}
