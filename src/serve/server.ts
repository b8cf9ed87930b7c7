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
import { availableParallelism } from "node:os";
import { FlambeauError } from "../core/errors.js";
import { TokenAuth } from "../http/auth.js";
import { Guard } from "../http/guard.js";
import { RateLimiter } from "../http/rate-limit.js";
import { createHttpApp } from "./app.js";
import { Batcher } from "./batcher.js";
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

  const app = await createHttpApp({ limits, guard, op: "serve", logger: o.logger });
  const pool = await WorkerPool.start(workers, threads);
  const metrics = new Metrics(() => pool.busy);
  const batcher = new Batcher(pool, { maxBatch, maxDelayMs, queueInputs: limits.queueInputs, timeoutMs: limits.timeoutMs }, metrics);
  let loaded = false;
  let closing = false;

  app.addHook("onRequest", async (req) => {
    if (req.routeOptions.config && (req.routeOptions.config as { secured?: boolean }).secured) {
      const caller = auth ? auth.check(req.headers.authorization) : `address ${req.ip}`;
      if (auth) req.log = req.log.child({ caller });
      limiter?.take(caller);
    }
  });
  app.addHook("onResponse", async (req, reply) => {
    const route = req.routeOptions.url ?? "unmatched";
    metrics.requests.inc({ route, method: req.method, status: String(reply.statusCode) });
    metrics.latency.observe(reply.elapsedTime / 1000, { route });
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
