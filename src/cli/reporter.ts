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
 * Progress of a run. On a terminal: an ora spinner per set. Otherwise (CronJob logs, CI): one plain line per event
 * on stderr, or with `--log-format json` one JSON object per event on stdout, for log pipelines.
 */
export function createReporter(out: Output, format: LogFormat): (event: BackfillEvent) => void {
  if (format === "json") {
    return (event) => out.stdout(`${JSON.stringify({ time: new Date().toISOString(), ...event })}\n`);
  }
  if (out.isTTY) {
    let spinner: Ora | undefined;
    return (event) => {
      if (event.event === "set_started") spinner = ora({ text: `${event.set}: writing ${event.window}`, stream: process.stderr }).start();
      else if (event.event === "set_finished") spinner?.succeed(finishedLine(event));
      else spinner?.fail(`${event.set}: failed, rolled back`);
    };
  }
  return (event) => {
    if (event.event === "set_started") out.stderr(`${event.set}: writing ${event.window} into ${event.table}\n`);
    else if (event.event === "set_finished") out.stderr(`${finishedLine(event)}\n`);
    else out.stderr(`${event.set}: failed, rolled back\n`);
  };
}

function finishedLine(e: Extract<BackfillEvent, { event: "set_finished" }>): string {
  const rows = e.rowsWritten.toLocaleString("en-US");
  const replaced = e.rowsDeleted ? ` (replaced ${e.rowsDeleted.toLocaleString("en-US")})` : "";
  const ids = e.queryIds ? ` (query ids ${e.queryIds.join(", ")})` : "";
  return `${e.set}: wrote ${rows} rows${replaced} for ${e.window} into ${e.table} in ${(e.durationMs / 1000).toFixed(2)} s${ids}`;
}
