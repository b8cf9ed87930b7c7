// Validation of a /predict request body: a JSON object { inputs: string[], ...options }, where
// the options are the served task's declared predict options (its declaration says which
// and their types) — except file paths: a server never reads or writes a path a client
// sends. Every problem is a FlambeauError the server turns into a 400.
import { FlambeauError } from "../core/errors.js";
import { checkOptionValues, type OptionSpecs } from "../tasks/options.js";

const bad = (message: string): never => {
  throw new FlambeauError("E_ARG", `POST /predict: ${message}`, "serve");
};

/** The predict options a client may send for a task with these declarations. */
export function clientOptions(options: OptionSpecs): string[] {
  return Object.entries(options)
    .filter(([, s]) => s.phases.includes("predict") && s.type !== "path")
    .map(([k]) => k);
}

export function parsePredictRequest(text: string, options: OptionSpecs = {}): { inputs: string[]; options: Record<string, unknown> } {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (e) {
    return bad(`malformed JSON (${(e as Error).message}); send {"inputs": ["path/to/file.png" or "text", …]}`);
  }
  if (body === null || typeof body !== "object" || Array.isArray(body))
    return bad(`expected a JSON object {"inputs": [...]}, got ${JSON.stringify(body)?.slice(0, 60)}`);
  const { inputs, ...rest } = body as Record<string, unknown>;
  if (!Array.isArray(inputs) || inputs.length === 0 || inputs.some((x) => typeof x !== "string"))
    return bad(`"inputs" must be a non-empty array of strings (file paths or text), got ${JSON.stringify(inputs)?.slice(0, 60)}`);
  if (inputs.length > 1024) bad(`at most 1024 inputs per request, got ${inputs.length}`);
  const known = clientOptions(options);
  const unknown = Object.keys(rest).filter((k) => !known.includes(k));
  if (unknown.length) bad(`unknown field(s) ${unknown.join(", ")}; fields: ${["inputs", ...known].join(", ")}`);
  try {
    checkOptionValues("POST /predict", options, "predict", rest);
  } catch (e) {
    bad((e as Error).message.replace(/^POST \/predict: /, ""));
  }
  return { inputs: inputs as string[], options: rest };
}
