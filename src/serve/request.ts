// A predict request's body, checked: JSON {"inputs": [...], "stream"?: bool, ...options} or
// multipart/form-data (files or text under "inputs", options as fields). Text models take
// strings; image and audio models take bytes — base64 ({"base64": "...", "name"?: "..."} or a
// data: URI) or uploaded files — and never a path: the server does not read files a client
// names. The options are the task's declared predict options except file paths (a server
// never writes where a client says). Every problem is an HttpError saying what to send.
import type { Readable } from "node:stream";
import { badRequest, HttpError, tooLarge } from "../http/errors.js";
import { checkOptionValues, type OptionSpecs } from "../tasks/options.js";
import { checkClaimedType, checkUpload, mimeTypesOf, type ServeLimits, type Upload } from "./limits.js";
import type { ServedModel } from "./models.js";

export type PredictInput = string | Upload;

export interface PredictRequest {
  inputs: PredictInput[];
  options: Record<string, unknown>;
  /** Answer with server-sent events (text as it is generated, then the result). */
  stream: boolean;
}

/** The predict options a client may send for a task with these declarations. */
export function clientOptions(options: OptionSpecs): string[] {
  return Object.entries(options)
    .filter(([, s]) => s.phases.includes("predict") && s.type !== "path")
    .map(([k]) => k);
}

const bytesHint = (m: ServedModel): string =>
  `this ${m.kind} model takes bytes: {"inputs": [{"base64": "...", "name": "x"}]}, a data: URI, or multipart/form-data files under "inputs" (${mimeTypesOf(m.kind).join(", ")}); the server never reads a path it is sent`;

/** The options of a request, checked against the task's declarations. */
export function checkOptions(model: ServedModel, fields: Record<string, unknown>): Record<string, unknown> {
  const known = clientOptions(model.task.options);
  const unknown = Object.keys(fields).filter((k) => !known.includes(k));
  if (unknown.length) throw badRequest(`unknown field(s) ${unknown.join(", ")}; fields: ${["inputs", "stream", ...known].join(", ")}`);
  try {
    checkOptionValues(model.task.name, model.task.options, "predict", fields);
  } catch (e) {
    throw badRequest((e as Error).message);
  }
  return fields;
}

const BASE64 = /^[A-Za-z0-9+/_-]*={0,2}$/;

function decodeBase64(text: string, what: string, limits: ServeLimits): Uint8Array {
  // Size first: a 100 MB string is refused before it is decoded.
  const bytes = Math.floor((text.length * 3) / 4);
  if (bytes > limits.uploadBytes) throw tooLarge(`${what} decodes to about ${bytes} bytes; uploads are at most ${limits.uploadBytes}`);
  if (!BASE64.test(text)) throw badRequest(`${what} is not base64 (letters, digits, + / or - _, then = padding)`);
  return Buffer.from(text, text.includes("-") || text.includes("_") ? "base64url" : "base64");
}

async function jsonInput(x: unknown, i: number, m: ServedModel, limits: ServeLimits): Promise<PredictInput> {
  const what = `inputs[${i}]`;
  if (m.kind === "text") {
    if (typeof x !== "string") throw badRequest(`${what} must be a string for this text model, got ${JSON.stringify(x)?.slice(0, 60)}`);
    if (x.length > limits.textChars) throw tooLarge(`${what} is ${x.length} characters; text inputs are at most ${limits.textChars}`);
    return x;
  }
  if (typeof x === "string") {
    const uri = /^data:([a-z0-9.+/-]*)(;[^,]*)?;base64,/i.exec(x);
    if (!uri) throw badRequest(`${what} is a string; ${bytesHint(m)}`);
    checkClaimedType(uri[1], m.kind, what);
    return checkUpload(decodeBase64(x.slice(uri[0].length), what, limits), m.kind, limits, what, uri[1]);
  }
  if (x === null || typeof x !== "object" || Array.isArray(x)) throw badRequest(`${what}: ${bytesHint(m)}`);
  const { base64, name, ...extra } = x as Record<string, unknown>;
  if (Object.keys(extra).length || typeof base64 !== "string" || (name !== undefined && typeof name !== "string"))
    throw badRequest(`${what} must be {"base64": string, "name"?: string}; ${bytesHint(m)}`);
  const label = typeof name === "string" ? name.slice(0, 200) : what;
  return checkUpload(decodeBase64(base64, what, limits), m.kind, limits, label);
}

/** A JSON predict body (already parsed). */
export async function parseJsonPredict(body: unknown, m: ServedModel, limits: ServeLimits): Promise<PredictRequest> {
  if (body === null || typeof body !== "object" || Array.isArray(body))
    throw badRequest(`expected a JSON object {"inputs": [...]}, got ${JSON.stringify(body)?.slice(0, 60)}`);
  const { inputs, stream, ...rest } = body as Record<string, unknown>;
  if (!Array.isArray(inputs) || inputs.length === 0)
    throw badRequest(`"inputs" must be a non-empty array, got ${JSON.stringify(inputs)?.slice(0, 60)}`);
  if (inputs.length > limits.inputs) throw tooLarge(`at most ${limits.inputs} inputs per request, got ${inputs.length}`);
  if (stream !== undefined && typeof stream !== "boolean")
    throw badRequest(`"stream" must be true or false, got ${JSON.stringify(stream)}`);
  const options = checkOptions(m, rest);
  const parsed: PredictInput[] = [];
  for (const [i, x] of inputs.entries()) parsed.push(await jsonInput(x, i, m, limits));
  return { inputs: parsed, options, stream: stream === true };
}

/** One part of a multipart body, as @fastify/multipart yields it. */
export type FormPart =
  | { type: "file"; fieldname: string; filename: string; mimetype: string; file: Readable & { truncated?: boolean } }
  | { type: "field"; fieldname: string; value: unknown };

async function readPart(file: Readable & { truncated?: boolean }, what: string, limits: ServeLimits): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of file as AsyncIterable<Buffer>) {
    size += c.length;
    chunks.push(c);
  }
  if (file.truncated || size > limits.uploadBytes) throw tooLarge(`${what} is over the limit of ${limits.uploadBytes} bytes`);
  return Buffer.concat(chunks, size);
}

/** A multipart/form-data predict body: files (or, for text models, fields) named "inputs"; options as fields. */
export async function parseMultipartPredict(parts: AsyncIterable<FormPart>, m: ServedModel, limits: ServeLimits): Promise<PredictRequest> {
  const inputs: PredictInput[] = [];
  const raw = new Map<string, string>();
  let stream = false;
  for await (const p of parts) {
    if (p.fieldname !== "inputs" && p.type === "file") {
      await readPart(p.file, `file field "${p.fieldname}"`, limits).catch(() => undefined);
      throw badRequest(`files go in the field "inputs", got a file in "${p.fieldname}"`);
    }
    if (inputs.length >= limits.inputs) throw tooLarge(`at most ${limits.inputs} inputs per request`);
    const what = `inputs[${inputs.length}]`;
    if (p.type === "file") {
      if (m.kind === "text") throw badRequest(`this text model takes text fields "inputs", not files (got ${p.filename})`);
      const label = (p.filename || what).slice(0, 200);
      // The claimed type is refused before a byte of the part is read.
      checkClaimedType(p.mimetype, m.kind, label);
      inputs.push(await checkUpload(await readPart(p.file, label, limits), m.kind, limits, label, p.mimetype));
      continue;
    }
    const value = typeof p.value === "string" ? p.value : String(p.value);
    if (p.fieldname === "inputs") {
      if (m.kind !== "text") throw badRequest(`${what} is a text field; ${bytesHint(m)}`);
      if (value.length > limits.textChars)
        throw tooLarge(`${what} is ${value.length} characters; text inputs are at most ${limits.textChars}`);
      inputs.push(value);
    } else if (p.fieldname === "stream") {
      if (value !== "true" && value !== "false") throw badRequest(`"stream" must be true or false, got "${value.slice(0, 20)}"`);
      stream = value === "true";
    } else raw.set(p.fieldname, value);
  }
  if (inputs.length === 0)
    throw badRequest(`no "inputs" in the form; ${m.kind === "text" ? 'send text fields named "inputs"' : bytesHint(m)}`);
  // Form fields are strings: each option reads its value the way its command-line flag does.
  const fields: Record<string, unknown> = {};
  const specs = m.task.options;
  checkOptions(m, Object.fromEntries([...raw.keys()].map((k) => [k, undefined])));
  for (const [k, v] of raw) {
    const spec = specs[k]!;
    try {
      fields[k] = spec.type === "flag" ? v === "true" || v === "" : spec.parse(v, k);
    } catch (e) {
      throw new HttpError(400, "bad_request", (e as Error).message);
    }
  }
  return { inputs, options: checkOptions(m, fields), stream };
}
