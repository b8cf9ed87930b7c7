// Validation of a /predict request body: a JSON object { inputs: string[], topK?, topic?,
// maxNewTokens?, temperature? }. Every problem is a FlambeauError the server turns into a 400.
import { FlambeauError } from "../core/errors.js";
import type { WorkerPredictOptions } from "../worker/task-jobs.js";

const bad = (message: string): never => {
  throw new FlambeauError("E_ARG", `POST /predict: ${message}`, "serve");
};

export function parsePredictRequest(text: string): { inputs: string[]; options: WorkerPredictOptions } {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (e) {
    return bad(`malformed JSON (${(e as Error).message}); send {"inputs": ["path/to/file.png" or "text", …]}`);
  }
  if (body === null || typeof body !== "object" || Array.isArray(body))
    return bad(`expected a JSON object {"inputs": [...]}, got ${JSON.stringify(body)?.slice(0, 60)}`);
  const b = body as Record<string, unknown>;
  const inputs = b.inputs;
  if (!Array.isArray(inputs) || inputs.length === 0 || inputs.some((x) => typeof x !== "string"))
    return bad(`"inputs" must be a non-empty array of strings (file paths or text), got ${JSON.stringify(inputs)?.slice(0, 60)}`);
  if (inputs.length > 1024) bad(`at most 1024 inputs per request, got ${inputs.length}`);
  const known = new Set(["inputs", "topK", "topic", "maxNewTokens", "temperature"]);
  const unknown = Object.keys(b).filter((k) => !known.has(k));
  if (unknown.length) bad(`unknown field(s) ${unknown.join(", ")}; fields: ${[...known].join(", ")}`);
  const posInt = (k: string): number | undefined => {
    const v = b[k];
    if (v === undefined) return undefined;
    if (typeof v !== "number" || !Number.isInteger(v) || v <= 0) bad(`"${k}" must be a positive integer, got ${JSON.stringify(v)}`);
    return v as number;
  };
  const options: WorkerPredictOptions = {};
  const topK = posInt("topK");
  const maxNewTokens = posInt("maxNewTokens");
  if (topK !== undefined) options.topK = topK;
  if (maxNewTokens !== undefined) options.maxNewTokens = maxNewTokens;
  if (b.topic !== undefined) options.topic = typeof b.topic === "string" ? b.topic : bad(`"topic" must be a string`);
  if (b.temperature !== undefined)
    options.temperature =
      typeof b.temperature === "number" && b.temperature > 0 && Number.isFinite(b.temperature)
        ? b.temperature
        : bad(`"temperature" must be a positive number, got ${JSON.stringify(b.temperature)}`);
  return { inputs: inputs as string[], options };
}
