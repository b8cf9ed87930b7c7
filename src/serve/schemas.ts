// The JSON schemas of the predict routes, made from a model's task: what its inputs are and
// the predict options it declares. They document the routes (GET /openapi.json); the
// handlers check bodies themselves (request.ts), one code path for JSON and multipart.
import type { OptionSpec } from "../tasks/options.js";
import { mimeTypesOf } from "./limits.js";
import type { ServedModel } from "./models.js";
import { ERROR_SCHEMA, type JsonSchema, type RouteSchema } from "./openapi.js";
import { clientOptions } from "./request.js";

function optionSchema(s: OptionSpec<unknown>): JsonSchema {
  const base: JsonSchema = { description: s.help, ...(s.default !== undefined ? { default: s.default } : {}) };
  switch (s.type) {
    case "int":
      return { ...base, type: "integer", minimum: 1 };
    case "count":
      return { ...base, type: "integer", minimum: 0 };
    case "number":
      return { ...base, type: "number", minimum: 0 };
    case "fraction":
      return { ...base, type: "number", exclusiveMinimum: 0, maximum: 1 };
    case "flag":
      return { ...base, type: "boolean" };
    case "choice":
      return { ...base, type: "string", enum: s.choices };
    default:
      return { ...base, type: "string", minLength: 1 };
  }
}

const BYTES: JsonSchema = {
  oneOf: [
    {
      type: "object",
      required: ["base64"],
      additionalProperties: false,
      properties: { base64: { type: "string", contentEncoding: "base64" }, name: { type: "string" } },
    },
    { type: "string", pattern: "^data:[a-z0-9.+/-]+;base64,", description: "a data: URI" },
  ],
};

export function predictSchema(m: ServedModel, maxInputs: number): RouteSchema {
  const options = Object.fromEntries(clientOptions(m.task.options).map((k) => [k, optionSchema(m.task.options[k]!)]));
  const stream = {
    type: "boolean",
    default: false,
    description: "answer with server-sent events: text as it is generated, then the result",
  };
  const mimes = mimeTypesOf(m.kind);
  const input = m.kind === "text" ? { type: "string" } : BYTES;
  return {
    summary: `${m.task.name}: predict with the model "${m.name}"`,
    description: `${m.task.description}. ${m.kind === "text" ? "Inputs are strings." : `Inputs are ${m.kind} files (${mimes.join(", ")}) as base64 or uploads; the server never reads a path it is sent.`}`,
    tags: [m.name],
    secured: true,
    body: {
      type: "object",
      required: ["inputs"],
      additionalProperties: false,
      properties: { inputs: { type: "array", minItems: 1, maxItems: maxInputs, items: input }, stream, ...options },
    },
    multipart: {
      type: "object",
      required: ["inputs"],
      properties: {
        inputs: {
          type: "array",
          items: m.kind === "text" ? { type: "string" } : { type: "string", contentMediaType: mimes.join(", "), format: "binary" },
        },
        stream,
        ...options,
      },
    },
    response: {
      200: {
        description: "one prediction and its one-line text per input (or, with stream, server-sent events: text, then result)",
        schema: {
          type: "object",
          required: ["model", "task", "predictions", "text"],
          properties: {
            model: { type: "string" },
            task: { type: "string", const: m.task.name },
            predictions: { type: "array", items: {} },
            text: { type: "array", items: { type: "string" } },
          },
        },
      },
      400: { description: "a malformed body, input or option", schema: ERROR_SCHEMA },
      401: { description: "a missing or unknown bearer token", schema: ERROR_SCHEMA },
      413: { description: "a body, upload, decoded image or clip over the limits", schema: ERROR_SCHEMA },
      415: { description: "a content type or file type this model does not take", schema: ERROR_SCHEMA },
      429: { description: "over the caller's rate limit (Retry-After says when to retry)", schema: ERROR_SCHEMA },
      503: { description: "the queue is full or the server is shutting down", schema: ERROR_SCHEMA },
      504: { description: "no answer within the request timeout", schema: ERROR_SCHEMA },
    },
  };
}

const STATUS: JsonSchema = { type: "object", properties: { status: { type: "string" } }, additionalProperties: true };

export const HEALTH_SCHEMA: RouteSchema = {
  summary: "liveness: the process answers",
  tags: ["operations"],
  response: { 200: { description: "alive", schema: STATUS } },
};
export const READY_SCHEMA: RouteSchema = {
  summary: "readiness: every model is loaded in every worker and the server is not shutting down",
  tags: ["operations"],
  response: { 200: { description: "ready", schema: STATUS }, 503: { description: "loading or shutting down", schema: STATUS } },
};
export const METRICS_SCHEMA: RouteSchema = {
  summary: "Prometheus metrics: requests, latencies, batch sizes, queue depth, memory",
  tags: ["operations"],
  secured: true,
  response: { 200: { description: "text exposition format 0.0.4", contentType: "text/plain", schema: { type: "string" } } },
};
export const OPENAPI_SCHEMA: RouteSchema = {
  summary: "this document",
  tags: ["operations"],
  response: { 200: { description: "OpenAPI 3.1", schema: { type: "object" } } },
};
export const MODELS_SCHEMA: RouteSchema = {
  summary: "the models served: name, task, input kind and predict options",
  tags: ["models"],
  secured: true,
  response: {
    200: {
      description: "the models",
      schema: {
        type: "object",
        properties: {
          models: {
            type: "array",
            items: {
              type: "object",
              properties: {
                name: { type: "string" },
                task: { type: "string" },
                input: { type: "string", enum: ["text", "image", "audio"] },
                options: { type: "array", items: { type: "string" } },
                url: { type: "string" },
              },
            },
          },
        },
      },
    },
  },
};
