import { createInterface } from "node:readline/promises";
import { runCli } from "./main.ts";

/** The longest a signalled process may take to stop; a stop that takes longer is cut short (exit 130). */
const STOP_WITHIN_MS = 4_000;

// The real process: signals abort the run (SIGTERM is what Kubernetes sends before killing a pod).
const controller = new AbortController();
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    process.stderr.write(`\nreceived ${signal}: cancelling the running statement and rolling back\n`);
    controller.abort(new Error(signal));
    // Every wait is abortable or has a timeout; this is the backstop should one not be. The warehouse rolls back
    // a transaction whose connection closes, so exiting cannot leave a half-written chunk.
    setTimeout(() => {
      process.stderr.write(`error: did not stop within ${STOP_WITHIN_MS / 1000} s of ${signal}; exiting (an open transaction is rolled back by the warehouse)\n`);
      process.exit(130);
    }, STOP_WITHIN_MS);
  });
}

/** A question on the terminal; Ctrl-C there (the terminal is raw meanwhile, so no SIGINT comes) or a signal answers "". */
async function ask(question: string): Promise<string> {
  const terminal = createInterface({ input: process.stdin, output: process.stderr });
  const answered = new AbortController();
  terminal.once("SIGINT", () => answered.abort());
  try {
    return await terminal.question(question, { signal: AbortSignal.any([answered.signal, controller.signal]) });
  } catch {
    process.stderr.write("\n");
    return "";
  } finally {
    terminal.close();
  }
}

const code = await runCli(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  isTTY: Boolean(process.stderr.isTTY),
  signal: controller.signal,
  ...(process.stdin.isTTY && process.stderr.isTTY && { ask }),
});
// The command is over: a driver's abandoned socket or retry timer (a login given up on), or a feature module whose
// loading timed out, must not keep the process alive. Output is flushed first.
process.stdout.write("", () => process.stderr.write("", () => process.exit(code)));
