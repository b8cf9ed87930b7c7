// HTTP errors of the server: a status, a stable code a client can branch on and a message
// that says what to send instead. Flambeau's own errors map to 4xx when the client can fix
// them (a bad input or option) and to 500 otherwise.
import { FlambeauError } from "../core/errors.js";

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** Extra response headers (Retry-After, WWW-Authenticate). */
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = "HttpError";
  }
}

export const badRequest = (message: string): HttpError => new HttpError(400, "bad_request", message);
export const tooLarge = (message: string): HttpError => new HttpError(413, "payload_too_large", message);
export const unsupportedType = (message: string): HttpError => new HttpError(415, "unsupported_media_type", message);

// Fastify's and @fastify/multipart's own error codes, as the client should read them.
const FRAMEWORK: Readonly<Record<string, { status: number; code: string; message: (limit: string) => string }>> = {
  FST_ERR_CTP_BODY_TOO_LARGE: { status: 413, code: "payload_too_large", message: (l) => `request body is over the limit of ${l} bytes` },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: {
    status: 415,
    code: "unsupported_media_type",
    message: () => "content type must be application/json or multipart/form-data",
  },
  FST_ERR_CTP_EMPTY_JSON_BODY: { status: 400, code: "bad_request", message: () => 'empty JSON body; send {"inputs": [...]}' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { status: 400, code: "bad_request", message: () => "Content-Length does not match the body" },
  FST_REQ_FILE_TOO_LARGE: { status: 413, code: "payload_too_large", message: (l) => `an uploaded file is over the limit of ${l} bytes` },
  FST_FILES_LIMIT: { status: 413, code: "payload_too_large", message: () => "too many uploaded files" },
  FST_FIELDS_LIMIT: { status: 413, code: "payload_too_large", message: () => "too many form fields" },
  FST_PARTS_LIMIT: { status: 413, code: "payload_too_large", message: () => "too many form parts" },
  FST_PROTO_VIOLATION: { status: 400, code: "bad_request", message: () => "a form field is named __proto__ or constructor" },
  FST_INVALID_MULTIPART_CONTENT_TYPE: { status: 415, code: "unsupported_media_type", message: () => "not a multipart/form-data body" },
};

/** The status, code and message a request failing with `e` gets. */
export function httpErrorOf(e: unknown, bodyLimit: number): HttpError {
  if (e instanceof HttpError) return e;
  const err = e as Error & { code?: string; statusCode?: number };
  const known = typeof err?.code === "string" ? FRAMEWORK[err.code] : undefined;
  if (known) return new HttpError(known.status, known.code, known.message(String(bodyLimit)));
  if (e instanceof FlambeauError)
    return ["E_ARG", "E_FORMAT", "E_SHAPE", "E_DTYPE"].includes(e.code)
      ? new HttpError(400, "bad_input", e.message)
      : new HttpError(500, "internal", e.message);
  // Busboy's malformed multipart, a client-side HTTP error Fastify already classified.
  if (typeof err?.statusCode === "number" && err.statusCode >= 400 && err.statusCode < 500)
    return new HttpError(err.statusCode, "bad_request", err.message);
  if (/Multipart|boundary|Unexpected end of form/i.test(err?.message ?? "")) return badRequest(`malformed multipart body: ${err.message}`);
  return new HttpError(500, "internal", err?.message ?? String(e));
}
