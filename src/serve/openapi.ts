// The OpenAPI 3.1 document (GET /openapi.json), built from the schemas the routes are
// registered with: each route carries its summary, request body (JSON and multipart forms)
// and responses, so the document cannot drift from the routes it describes.

export type JsonSchema = Record<string, unknown>;

/** What a route declares about itself (Fastify's `schema` option, read here). */
export interface RouteSchema {
  summary: string;
  description?: string;
  tags?: string[];
  /** The JSON request body. */
  body?: JsonSchema;
  /** The multipart/form-data request body, when the route takes one. */
  multipart?: JsonSchema;
  /** Responses by status: a description and the body schema (JSON unless `contentType`). */
  response: Record<number, { description: string; contentType?: string; schema?: JsonSchema }>;
  /** Needs a bearer token (when the server has tokens). */
  secured?: boolean;
}

export interface DocumentedRoute {
  method: string | string[];
  url: string;
  schema?: unknown;
}

export const ERROR_SCHEMA: JsonSchema = {
  type: "object",
  required: ["error", "code"],
  properties: {
    error: { type: "string", description: "what was wrong and what to send instead" },
    code: { type: "string", description: "stable code: bad_request, bad_input, unauthorized, payload_too_large, …" },
    requestId: { type: "string" },
  },
};

const isRouteSchema = (s: unknown): s is RouteSchema =>
  s !== null && typeof s === "object" && typeof (s as RouteSchema).summary === "string" && typeof (s as RouteSchema).response === "object";

export function openApiDocument(routes: readonly DocumentedRoute[], o: { title: string; version: string; secured: boolean }): JsonSchema {
  const paths: Record<string, Record<string, JsonSchema>> = {};
  for (const r of routes) {
    if (!isRouteSchema(r.schema)) continue;
    const s = r.schema;
    const content: JsonSchema = {};
    if (s.body) content["application/json"] = { schema: s.body };
    if (s.multipart) content["multipart/form-data"] = { schema: s.multipart };
    const op: JsonSchema = {
      summary: s.summary,
      ...(s.description ? { description: s.description } : {}),
      ...(s.tags ? { tags: s.tags } : {}),
      ...(Object.keys(content).length ? { requestBody: { required: true, content } } : {}),
      responses: Object.fromEntries(
        Object.entries(s.response).map(([status, x]) => [
          status,
          { description: x.description, ...(x.schema ? { content: { [x.contentType ?? "application/json"]: { schema: x.schema } } } : {}) },
        ]),
      ),
      ...(s.secured && o.secured ? { security: [{ bearer: [] }] } : {}),
    };
    for (const m of Array.isArray(r.method) ? r.method : [r.method]) {
      if (m === "HEAD") continue;
      paths[r.url] ??= {};
      paths[r.url]![m.toLowerCase()] = op;
    }
  }
  return {
    openapi: "3.1.0",
    info: { title: o.title, version: o.version },
    paths,
    ...(o.secured ? { components: { securitySchemes: { bearer: { type: "http", scheme: "bearer" } } } } : {}),
  };
}
