import { Command } from "commander";
import { loadProject } from "../backfill/run-backfill.ts";
import { UsageError } from "../errors.ts";
import { createOnlineClient } from "../online/online-client.ts";
import { onlineSettings } from "./online-command.ts";
import type { Output } from "./reporter.ts";
import { configOption } from "./options.ts";

interface ServeOptions {
  port: number;
  host: string;
  bodyLimit: number;
  config: string;
}

/**
 * `serve`: the online HTTP service until SIGTERM/SIGINT, then a graceful stop — the listener refuses new requests
 * (503 while closing), in-flight ones finish, the pool closes — and exit 0.
 */
export function serveCommand(out: Output, signal: AbortSignal): Command {
  return new Command("serve")
    .description("Serve feature sets for one entity over HTTP: POST /features/online, GET /healthz; JSON access logs on stdout.")
    .option("-p, --port <port>", "port to listen on", (v) => Number(v), 8080)
    .option("--host <host>", "address to listen on (0.0.0.0 in a container)", "127.0.0.1")
    .option("--body-limit <bytes>", "largest request body", (v) => Number(v), 1024 * 1024)
    .addOption(configOption())
    .addHelpText(
      "after",
      `
Examples:
  $ feature-backfill serve --port 8080
  $ curl -s localhost:8080/features/online -H 'content-type: application/json' \\
      -d '{"featureSets": ["rolling_card_spend"], "entity": {"customer_id": 42}, "asOf": "2025-06-01T12:00:00Z"}'`,
    )
    .action(async (options: ServeOptions) => {
      if (!Number.isInteger(options.port) || options.port < 0 || options.port > 65535) throw new UsageError(`--port ${options.port}: expected 0-65535`);
      if (!Number.isInteger(options.bodyLimit) || options.bodyLimit <= 0) throw new UsageError("--body-limit: expected a positive number of bytes");
      const { config, graph } = await loadProject(options.config);
      // Imported here: fastify is loaded only by the command that serves HTTP, not at every start-up.
      const { buildOnlineServer } = await import("../online/online-server.ts");
      const client = await createOnlineClient({ graph, store: onlineSettings(config) });
      const log = (fields: object) => out.stdout(`${JSON.stringify({ time: new Date().toISOString(), ...fields })}\n`);
      const app = buildOnlineServer(client, { bodyLimit: options.bodyLimit, log: (line) => out.stdout(`${line}\n`) });
      try {
        const address = await app.listen({ port: options.port, host: options.host });
        log({ event: "listening", address, store: client.store.description, sets: graph.sets.size });
        if (!signal.aborted) await new Promise((resolve) => signal.addEventListener("abort", resolve, { once: true }));
        log({ event: "shutting_down", reason: String((signal.reason as Error)?.message ?? signal.reason) });
      } finally {
        // Waits for in-flight requests (each bounded by timeouts.lookupSeconds; one still running when the process's 4 s
        // stop backstop fires is cut off, its client getting no answer). A keep-alive socket whose request ends
        // during the drain is closed as soon as it is idle, rather than after the keep-alive timeout.
        const sweep = setInterval(() => app.server.closeIdleConnections(), 100);
        await app.close().finally(() => clearInterval(sweep));
        await client.close();
      }
      log({ event: "stopped" });
    });
}
