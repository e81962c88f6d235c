import { runCli } from "./main.ts";

// The real process: signals abort the run (SIGTERM is what Kubernetes sends before killing a pod).
const controller = new AbortController();
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    process.stderr.write(`\nreceived ${signal}: cancelling the running statement and rolling back\n`);
    controller.abort(new Error(signal));
  });
}

process.exitCode = await runCli(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  isTTY: Boolean(process.stderr.isTTY),
  signal: controller.signal,
});

// The command is over. End the process even if a feature module whose loading timed out still holds the event loop
// (a socket, a timer); what was written to stdout and stderr is flushed first.
await Promise.all([process.stdout, process.stderr].map((stream) => new Promise((resolve) => stream.write("", resolve))));
process.exit();
