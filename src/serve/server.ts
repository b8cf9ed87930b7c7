// `flambeau serve`: an HTTP server (Fastify) for one or more saved model directories.
// Predictions run in a pool of worker threads holding every model, fed by a batching queue,
// so the event loop keeps accepting and answering while libtorch computes. Inputs are bytes
// or text, never server paths; limits, auth, rate limits, Host/Origin checks, structured
// logs with a request id, metrics, OpenAPI, health/readiness, hot reload and a draining
// shutdown are each in their own file beside this one.
//
// Fastify rather than node:http: its body parsing (limits, 413s, content-type dispatch),
// route schemas, per-request child loggers (pino, JSON, the request id on every line) and
// draining close are what this server needs, maintained and fast (a few µs per request).
import { randomUUID } from "node:crypto";
import { availableParallelism } from "node:os";
import { Transform } from "node:stream";
import type { FastifyInstance } from "fastify";
import { FlambeauError } from "../core/errors.js";
import { importOptional } from "../core/optional.js";
import { TokenAuth } from "../http/auth.js";
import { httpErrorOf, tooLarge } from "../http/errors.js";
import { Guard } from "../http/guard.js";
import { RateLimiter } from "../http/rate-limit.js";
import { Batcher } from "./batcher.js";
import { parseJsonBody } from "./json.js";
import { DEFAULT_LIMITS, type ServeLimits } from "./limits.js";
import { Metrics } from "./metrics.js";
import { type ServedModel, servedModels } from "./models.js";
import { WorkerPool } from "./pool.js";
import { watchModels } from "./reload.js";
import { predictUrl, registerRoutes } from "./routes.js";

export interface ServeOptions {
  /** TCP port (0: any free port; see `RunningServer.port`). Default 8080. */
  port?: number;
  /** Interface to listen on (default 127.0.0.1: expose it deliberately). */
  host?: string;
  /** Worker threads, each holding every model (default: half the cores, 1 to 4). */
  workers?: number;
  /** libtorch threads (process-wide; default 1: small models gain nothing from more, and workers share the cores). */
  threads?: number;
  /** Most inputs in one batch (default 32; 1 turns batching off). */
  maxBatch?: number;
  /** How long a request may wait for its batch to fill (default 0: batches form only while every worker is busy). */
  maxDelayMs?: number;
  /** Bearer tokens (see `readTokenFile`); none: no auth. */
  tokens?: readonly string[];
  /** Requests per second per token (or per client address without tokens); default: unlimited. */
  rateLimit?: number;
  /** Origins allowed to call from a browser (CORS); default none. */
  corsOrigins?: readonly string[];
  /** Host names answered besides the listen address and loopback names. */
  allowedHosts?: readonly string[];
  limits?: Partial<ServeLimits>;
  /** Reload a model directory when it changes (default true). */
  watch?: boolean;
  /** JSON log lines (pino), one per event, with the request id; default: none. */
  logger?: false | { stream?: { write(line: string): void }; level?: string };
}

export interface RunningServer {
  readonly port: number;
  readonly url: string;
  readonly models: readonly ServedModel[];
  /** Stops accepting, answers what is in flight (new requests get 503), then stops the workers. */
  close(): Promise<void>;
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/;

function positive(name: string, v: number | undefined, fallback: number, min = 1): number {
  if (v === undefined) return fallback;
  if (!Number.isFinite(v) || v < min) throw new FlambeauError("E_ARG", `serve: ${name} must be a number ≥ ${min}, got ${v}`, "serve");
  return v;
}

/** Serves the model directories `dirs` (`dir` or `name=dir`) until `close()`. */
export async function serve(dirs: string | readonly string[], o: ServeOptions = {}): Promise<RunningServer> {
  const models = servedModels(typeof dirs === "string" ? [dirs] : dirs);
  const limits: ServeLimits = { ...DEFAULT_LIMITS, ...o.limits };
  const host = o.host ?? "127.0.0.1";
  const workers = Math.floor(positive("workers", o.workers, Math.max(1, Math.min(4, Math.floor(availableParallelism() / 2)))));
  const threads = Math.floor(positive("threads", o.threads, 1));
  const maxBatch = Math.floor(positive("maxBatch", o.maxBatch, 32));
  const maxDelayMs = positive("maxDelayMs", o.maxDelayMs, 0, 0);
  const auth = o.tokens?.length ? new TokenAuth(o.tokens) : undefined;
  const limiter = o.rateLimit ? new RateLimiter(positive("rateLimit", o.rateLimit, 1, 0.001)) : undefined;
  const guard = new Guard({ host, allowedHosts: o.allowedHosts, corsOrigins: o.corsOrigins });

  const { default: Fastify } = await importOptional<typeof import("fastify")>("fastify", "the HTTP server", "serve");
  const { default: multipart } = await importOptional<typeof import("@fastify/multipart")>(
    "@fastify/multipart",
    "the HTTP server",
    "serve",
  );
  const pool = await WorkerPool.start(workers, threads);
  const metrics = new Metrics(() => pool.busy);
  const batcher = new Batcher(pool, { maxBatch, maxDelayMs, queueInputs: limits.queueInputs, timeoutMs: limits.timeoutMs }, metrics);
  let loaded = false;
  let closing = false;

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
    if (req.routeOptions.config && (req.routeOptions.config as { secured?: boolean }).secured) {
      const caller = auth ? auth.check(req.headers.authorization) : `address ${req.ip}`;
      if (auth) req.log = req.log.child({ caller });
      limiter?.take(caller);
    }
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
  app.addHook("onResponse", async (req, reply) => {
    const route = req.routeOptions.url ?? "unmatched";
    metrics.requests.inc({ route, method: req.method, status: String(reply.statusCode) });
    metrics.latency.observe(reply.elapsedTime / 1000, { route });
  });
  app.setErrorHandler(async (e, req, reply) => {
    const h = httpErrorOf(e, limits.bodyBytes);
    if (h.status >= 500 && h.status !== 503 && h.status !== 504) req.log.error({ err: e }, h.message);
    else req.log.info({ status: h.status, code: h.code }, h.message);
    // A body refused before it was read: close the connection rather than read the rest.
    if (h.status === 413) reply.header("connection", "close");
    return reply.code(h.status).headers(h.headers).send({ error: h.message, code: h.code, requestId: req.id });
  });
  app.setNotFoundHandler(async (req, reply) =>
    reply.code(404).send({
      error: `no route ${req.method} ${req.url.split("?")[0]!.slice(0, 200)}; routes: GET /health, /ready, /metrics, /openapi.json, /v1/models; POST ${models.map(predictUrl).join(", ")}`,
      code: "not_found",
      requestId: req.id,
    }),
  );
  registerRoutes(app, { models, batcher, metrics, limits, secured: auth !== undefined, ready: () => loaded && !closing });

  const stopWatching =
    o.watch === false
      ? () => {}
      : watchModels(models, {
          reload: async (m) => {
            await pool.everywhere("reloadJob", m.dir);
            metrics.reloads.inc({ model: m.name, outcome: "ok" });
          },
          log: (level, m, message) => {
            if (level === "error") metrics.reloads.inc({ model: m.name, outcome: "failed" });
            app.log[level]({ model: m.name }, message);
          },
        });
  try {
    for (const m of models) await pool.everywhere("loadJob", m.dir);
    loaded = true;
    await app.listen({ port: o.port ?? 8080, host });
  } catch (e) {
    stopWatching();
    await app.close().catch(() => undefined);
    await pool.close();
    throw e;
  }
  const address = app.server.address();
  const port = typeof address === "object" && address ? address.port : (o.port ?? 8080);
  const shown = host.includes(":") ? `[${host}]` : host;
  return {
    port,
    url: `http://${shown}:${port}`,
    models,
    async close() {
      if (closing) return;
      closing = true;
      batcher.close();
      stopWatching();
      await app.close();
      await pool.close();
    },
  };
}
