// The server's routes. Operations: GET /health, /ready, /metrics, /openapi.json; models:
// GET /v1/models and POST /v1/models/{name}/predict for each served model (its own route,
// so the OpenAPI document carries each model's input kind and options).
import { PassThrough } from "node:stream";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { FLAMBEAU_VERSION } from "../core/version.js";
import { badRequest, httpErrorOf } from "../http/errors.js";
import type { Batcher } from "./batcher.js";
import type { WireInput } from "./jobs.js";
import type { ServeLimits } from "./limits.js";
import type { Metrics } from "./metrics.js";
import type { ServedModel } from "./models.js";
import { type DocumentedRoute, openApiDocument } from "./openapi.js";
import { clientOptions, type FormPart, type PredictRequest, parseJsonPredict, parseMultipartPredict } from "./request.js";
import { HEALTH_SCHEMA, METRICS_SCHEMA, MODELS_SCHEMA, OPENAPI_SCHEMA, predictSchema, READY_SCHEMA } from "./schemas.js";

export interface RouteContext {
  models: readonly ServedModel[];
  batcher: Batcher;
  metrics: Metrics;
  limits: ServeLimits;
  /** Every model loaded everywhere and not shutting down. */
  ready(): boolean;
  secured: boolean;
}

export const predictUrl = (m: ServedModel): string => `/v1/models/${m.name}/predict`;

/** A server-sent event. */
const event = (name: string, data: unknown): string => `event: ${name}\ndata: ${JSON.stringify(data)}\n\n`;

/** Aborts when the client goes away before its answer is written. */
function clientGone(reply: FastifyReply): AbortSignal {
  const abort = new AbortController();
  reply.raw.once("close", () => {
    if (!reply.raw.writableFinished) abort.abort();
  });
  return abort.signal;
}

function streamAnswer(ctx: RouteContext, m: ServedModel, input: WireInput, r: PredictRequest, req: FastifyRequest, reply: FastifyReply) {
  const out = new PassThrough();
  const signal = clientGone(reply);
  reply.header("content-type", "text/event-stream; charset=utf-8").header("cache-control", "no-cache").send(out);
  ctx.batcher
    .stream(m, input, r.options, signal, (t) => out.write(event("text", { text: t })))
    .then(
      (a) => {
        ctx.metrics.predictions.inc({ model: m.name });
        out.end(event("result", { model: m.name, task: m.task.name, ...a }));
      },
      (e) => {
        const h = httpErrorOf(e, ctx.limits.bodyBytes);
        req.log.info({ status: h.status, code: h.code }, `stream ended: ${h.message}`);
        out.end(event("error", { error: h.message, code: h.code, requestId: req.id }));
      },
    );
  return reply;
}

export function registerRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const documented: DocumentedRoute[] = [];
  app.addHook("onRoute", (r) => {
    documented.push({ method: r.method, url: r.url, schema: r.schema });
  });

  app.get("/health", { schema: HEALTH_SCHEMA }, async () => ({ status: "ok" }));
  app.get("/ready", { schema: READY_SCHEMA }, async (_req, reply) =>
    ctx.ready() ? { status: "ready", models: ctx.models.map((m) => m.name) } : reply.code(503).send({ status: "not ready" }),
  );
  app.get("/metrics", { schema: METRICS_SCHEMA, config: { secured: true } }, async (_req, reply) =>
    reply.header("content-type", "text/plain; version=0.0.4; charset=utf-8").send(ctx.metrics.render()),
  );
  let doc: unknown;
  app.get("/openapi.json", { schema: OPENAPI_SCHEMA }, async () => {
    doc ??= openApiDocument(documented, { title: "flambeau serve", version: FLAMBEAU_VERSION, secured: ctx.secured });
    return doc;
  });
  app.get("/v1/models", { schema: MODELS_SCHEMA, config: { secured: true } }, async () => ({
    models: ctx.models.map((m) => ({
      name: m.name,
      task: m.task.name,
      input: m.kind,
      options: clientOptions(m.task.options),
      url: predictUrl(m),
    })),
  }));

  for (const m of ctx.models)
    app.post(predictUrl(m), { schema: predictSchema(m, ctx.limits.inputs), config: { secured: true } }, async (req, reply) => {
      const r = req.isMultipart()
        ? await parseMultipartPredict(req.parts() as AsyncIterable<FormPart>, m, ctx.limits)
        : await parseJsonPredict(req.body, m, ctx.limits);
      const inputs: WireInput[] = r.inputs.map((x) => (typeof x === "string" ? x : { bytes: x.bytes, ext: x.ext, name: x.name }));
      if (r.stream || /\btext\/event-stream\b/.test(req.headers.accept ?? "")) {
        if (inputs.length !== 1) throw badRequest(`a streamed answer takes one input, got ${inputs.length}`);
        return streamAnswer(ctx, m, inputs[0]!, r, req, reply);
      }
      const a = await ctx.batcher.predict(m, inputs, r.options, clientGone(reply));
      ctx.metrics.predictions.inc({ model: m.name }, inputs.length);
      return { model: m.name, task: m.task.name, predictions: a.predictions, text: a.text };
    });
}
