import Fastify, { type FastifyError, type FastifyInstance } from "fastify";
import { FeatureBackfillError, UsageError } from "../errors.ts";
import type { OnlineClient } from "./online-client.ts";
import { OnlineStoreError } from "./online-store.ts";

export interface ServerOptions {
  /** Largest request body, in bytes (larger: 413). */
  readonly bodyLimit?: number;
  /** Where the JSON access log lines go (one object per line). */
  readonly log: (line: string) => void;
}

const scalar = { type: ["string", "number", "boolean"] };
/** The request body. Checked as written: no type coercion, no silently dropped properties (see `ajv` below). */
const bodySchema = {
  type: "object",
  required: ["featureSets", "entity"],
  additionalProperties: false,
  properties: {
    featureSets: { type: "array", minItems: 1, maxItems: 100, items: { type: "string", minLength: 1 } },
    entity: { type: "object", minProperties: 1, additionalProperties: scalar },
    asOf: { type: "string" },
    rows: {
      type: "object",
      additionalProperties: { type: "array", maxItems: 10_000, items: { type: "object", additionalProperties: { type: ["string", "number", "boolean", "null"] } } },
    },
  },
} as const;

interface Body {
  featureSets: string[];
  entity: Record<string, string | number | boolean>;
  asOf?: string;
  rows?: Record<string, Record<string, string | number | boolean | null>[]>;
}

/**
 * The HTTP service: `POST /features/online` and `GET /healthz`. Bad input is a 4xx naming the problem; a failing
 * database a 503 saying only that (the cause goes to the log, never to the client); anything else a 500.
 */
export function buildOnlineServer(client: OnlineClient, options: ServerOptions): FastifyInstance {
  const app = Fastify({
    logger: false, // access logs are written below, one JSON line per request
    bodyLimit: options.bodyLimit ?? 1024 * 1024,
    // Fastify's defaults coerce "42" to 42 and drop unknown properties; a client's mistake should be an error instead.
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false, allErrors: false, allowUnionTypes: true } },
  });

  app.addHook("onResponse", async (request, reply) => {
    const body = request.body as Partial<Body> | undefined;
    options.log(
      JSON.stringify({
        time: new Date().toISOString(),
        method: request.method,
        url: request.url,
        status: reply.statusCode,
        ms: Math.round(reply.elapsedTime * 100) / 100,
        ...(Array.isArray(body?.featureSets) && { sets: body.featureSets }),
        ...((request as { failure?: string }).failure && { error: (request as { failure?: string }).failure }),
      }),
    );
  });

  app.setErrorHandler((error: FastifyError, request, reply) => {
    const fail = (status: number, message: string, logged = message) => {
      (request as { failure?: string }).failure = logged;
      return reply.status(status).send({ error: message });
    };
    if (error.validation) return fail(400, `invalid request: ${error.validationContext ?? "body"}${error.message.replace(/^body/, "")}`);
    if (error instanceof UsageError) return fail(400, error.message);
    if (error instanceof OnlineStoreError) {
      const cause = error.cause instanceof Error ? error.cause.message : String(error.cause);
      return fail(503, "the online database is unavailable; try again", `${error.message}: ${cause}`);
    }
    if (error.code === "FST_ERR_CTP_INVALID_JSON_BODY" || error.code === "FST_ERR_CTP_EMPTY_JSON_BODY" || (error.statusCode === 400 && error instanceof SyntaxError)) {
      return fail(400, `malformed JSON body: ${error.message}`);
    }
    if (error.code === "FST_ERR_CTP_BODY_TOO_LARGE") return fail(413, `request body larger than ${options.bodyLimit ?? 1024 * 1024} bytes`);
    if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) return fail(error.statusCode, error.message);
    const detail = error instanceof FeatureBackfillError ? error.message : `${error.name}: ${error.message}`;
    return fail(500, "internal error", detail);
  });

  app.post<{ Body: Body }>("/features/online", { schema: { body: bodySchema } }, async (request) => {
    const { featureSets, entity, asOf, rows } = request.body;
    return client.get(featureSets, entity, { ...(asOf !== undefined && { asOf }), ...(rows && { rows }) });
  });

  app.get("/healthz", async (_request, reply) => {
    try {
      await client.store.ping();
      return { status: "ok" };
    } catch {
      return reply.status(503).send({ status: "unavailable" });
    }
  });
  return app;
}
