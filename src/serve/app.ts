// The Fastify application both HTTP front ends build on (`flambeau serve`, `flambeau studio`):
// body limits counted as bytes arrive (multipart included), bounded-depth JSON, multipart
// uploads under the serve limits, the request id on every answer and log line, the Host and
// Origin guard, and errors answered as {error, code, requestId} with the right 4xx.
import { randomUUID } from "node:crypto";
import { Transform } from "node:stream";
import type { FastifyInstance } from "fastify";
import { importOptional } from "../core/optional.js";
import { httpErrorOf, tooLarge } from "../http/errors.js";
import type { Guard } from "../http/guard.js";
import { parseJsonBody } from "./json.js";
import type { ServeLimits } from "./limits.js";

export interface HttpAppOptions {
  limits: ServeLimits;
  guard: Pick<Guard, "check">;
  /** The op named in errors when Fastify is missing ("serve", "studio"). */
  op: string;
  /** JSON log lines (pino), one per event, with the request id; default: none. */
  logger?: false | { stream?: { write(line: string): void }; level?: string };
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/;

/** A Fastify instance with the shared parsers, limits, guard and error handler registered. */
export async function createHttpApp(o: HttpAppOptions): Promise<FastifyInstance> {
  const { limits, guard } = o;
  const { default: Fastify } = await importOptional<typeof import("fastify")>("fastify", "the HTTP server", o.op);
  const { default: multipart } = await importOptional<typeof import("@fastify/multipart")>("@fastify/multipart", "the HTTP server", o.op);
  const app: FastifyInstance = Fastify({
    logger: o.logger ? { level: o.logger.level ?? "info", ...(o.logger.stream ? { stream: o.logger.stream } : {}) } : false,
    bodyLimit: limits.bodyBytes,
    requestIdHeader: false,
    genReqId: (req) => {
      const given = req.headers["x-request-id"];
      return typeof given === "string" && REQUEST_ID.test(given) ? given : randomUUID();
    },
    // A slow client cannot hold a connection open past the request timeout.
    requestTimeout: limits.timeoutMs + 5_000,
    keepAliveTimeout: 5_000,
    return503OnClosing: true,
    forceCloseConnections: "idle",
    routerOptions: { maxParamLength: 100 },
  });
  // Route schemas document the routes (OpenAPI); the handlers check bodies themselves and
  // answers are serialized as they are (predictions have task-specific shapes).
  app.setValidatorCompiler(() => () => true);
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));
  app.removeAllContentTypeParsers();
  app.addContentTypeParser("application/json", { parseAs: "string" }, (_req, body, done) => {
    try {
      done(null, parseJsonBody(body as string, limits.jsonDepth));
    } catch (e) {
      done(e as Error, undefined);
    }
  });
  await app.register(multipart, {
    limits: {
      fileSize: limits.uploadBytes,
      files: limits.inputs,
      fields: 32,
      fieldSize: Math.max(limits.textChars * 4, 1024),
      parts: limits.inputs + 32,
      headerPairs: 64,
    },
  });

  app.addHook("onRequest", async (req, reply) => {
    reply.header("x-request-id", req.id);
    const cors = guard.check(req.headers.host, req.headers.origin);
    for (const [k, v] of Object.entries(cors)) reply.header(k, v);
    if (req.method === "OPTIONS") return reply.code(204).send();
  });
  // Multipart bodies stream past Fastify's own limit: count them here.
  app.addHook("preParsing", async (req, _reply, payload) => {
    const declared = Number(req.headers["content-length"] ?? 0);
    if (declared > limits.bodyBytes) throw tooLarge(`request body is ${declared} bytes; the limit is ${limits.bodyBytes}`);
    if (!req.isMultipart()) return payload;
    let seen = 0;
    const counted = new Transform({
      transform(chunk: Buffer, _enc, next) {
        seen += chunk.length;
        next(seen > limits.bodyBytes ? tooLarge(`request body is over the limit of ${limits.bodyBytes} bytes`) : null, chunk);
      },
    });
    payload.on("error", (e) => counted.destroy(e));
    return payload.pipe(counted);
  });
  app.setErrorHandler(async (e, req, reply) => {
    const h = httpErrorOf(e, limits.bodyBytes);
    if (h.status >= 500 && h.status !== 503 && h.status !== 504) req.log.error({ err: e }, h.message);
    else req.log.info({ status: h.status, code: h.code }, h.message);
    // A body refused before it was read: close the connection rather than read the rest.
    if (h.status === 413) reply.header("connection", "close");
    return reply.code(h.status).headers(h.headers).send({ error: h.message, code: h.code, requestId: req.id });
  });
  return app;
}
