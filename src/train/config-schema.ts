// The shape of a model directory's config.json, checked with a JSON Schema (ajv) when it is read:
// ours (task, architecture, hyper, labels, preprocessing) and, beside it, the fields Hugging Face
// tools read (id2label and label2id with string keys, architectures, model_type). A config edited
// by hand fails here with the file and the field named, not later as silent empty output.
// Tasks add schemas for their own hyper-parameters and preprocessing (with bounds on sizes).
import { Ajv, type ErrorObject } from "ajv";
import { FlambeauError } from "../core/errors.js";

export type JsonSchema = Record<string, unknown>;

/** The largest image side a config may ask for (a 4096 × 4096 RGB float image is 200 MB). */
export const MAX_IMAGE_SIZE = 4096;

export interface ConfigSchemaParts {
  hyper?: JsonSchema;
  preprocessing?: JsonSchema;
}

/** A JSON Schema node whose `description` doubles as what an error says was expected. */
const node = (description: string, s: JsonSchema): JsonSchema => ({ description, ...s });
export const schema = {
  int: (min: number, max: number): JsonSchema => node(`an integer in [${min}, ${max}]`, { type: "integer", minimum: min, maximum: max }),
  number: (): JsonSchema => node("a finite number", { type: "number" }),
  positive: (): JsonSchema => node("a positive number", { type: "number", exclusiveMinimum: 0 }),
  string: (): JsonSchema => node("a string", { type: "string" }),
  boolean: (): JsonSchema => node("true or false", { type: "boolean" }),
  numbers: (item: JsonSchema, min = 1, max = 64): JsonSchema =>
    node(`an array of ${min}–${max} numbers`, { type: "array", items: item, minItems: min, maxItems: max }),
  object: (properties: Record<string, JsonSchema>, required: string[] = Object.keys(properties)): JsonSchema =>
    node("an object", { type: "object", properties, required }),
};

const BASE: JsonSchema = {
  type: "object",
  description: "an object",
  required: ["task", "architecture", "hyper"],
  properties: {
    task: node("a task name (a string)", { type: "string", minLength: 1 }),
    architecture: node("an architecture name (a string)", { type: "string", minLength: 1 }),
    hyper: node("an object of hyper-parameters", { type: "object" }),
    labels: node("an array of strings", { type: "array", items: node("a string", { type: "string" }) }),
    preprocessing: node("an object", { type: "object" }),
    metrics: node("an object", { type: "object" }),
    id2label: node("an object of id (a string) → label", {
      type: "object",
      propertyNames: node("an id (a non-negative integer as a string)", { pattern: "^(0|[1-9][0-9]*)$" }),
      additionalProperties: node("a string", { type: "string" }),
    }),
    label2id: node("an object of label → id (an integer)", {
      type: "object",
      additionalProperties: node("an integer ≥ 0", { type: "integer", minimum: 0 }),
    }),
    architectures: node("an array of strings", { type: "array", items: node("a string", { type: "string" }) }),
    model_type: node("a string", { type: "string" }),
  },
};

const ajv = new Ajv({ allErrors: false, verbose: true, strict: false });
const cache = new WeakMap<ConfigSchemaParts, ReturnType<typeof ajv.compile>>();
const plain = ajv.compile(BASE);

function compiled(parts?: ConfigSchemaParts) {
  if (!parts) return plain;
  let v = cache.get(parts);
  if (!v) {
    const props = { ...(BASE.properties as Record<string, JsonSchema>) };
    const required = [...(BASE.required as string[])];
    if (parts.hyper) props.hyper = { ...props.hyper, ...parts.hyper, description: "an object of hyper-parameters" };
    if (parts.preprocessing) {
      props.preprocessing = { ...props.preprocessing, ...parts.preprocessing, description: "an object" };
      required.push("preprocessing");
    }
    v = ajv.compile({ ...BASE, properties: props, required });
    cache.set(parts, v);
  }
  return v;
}

/** "/labels/2" → "labels[2]"; "/preprocessing/size" → "preprocessing.size". */
function fieldOf(path: string, extra?: string): string {
  const parts = path.split("/").slice(1);
  if (extra !== undefined) parts.push(extra);
  let out = "";
  for (const p of parts) {
    const k = p.replace(/~1/g, "/").replace(/~0/g, "~");
    out += /^\d+$/.test(k) ? `[${k}]` : out ? `.${k}` : k;
  }
  return out || "(root)";
}

function describe(e: ErrorObject, file: string): string {
  const desc = (e.parentSchema as JsonSchema | undefined)?.description as string | undefined;
  if (e.keyword === "required") {
    const missing = (e.params as { missingProperty: string }).missingProperty;
    return `${file}: ${fieldOf(e.instancePath, missing)}: missing`;
  }
  // A bad key: ajv reports it on the key's own schema, with the key beside the path.
  if (e.propertyName !== undefined) return `${file}: ${fieldOf(e.instancePath, e.propertyName)}: expected ${desc ?? e.message}`;
  return `${file}: ${fieldOf(e.instancePath)}: expected ${desc ?? e.message}, got ${JSON.stringify(e.data)?.slice(0, 80)}`;
}

/**
 * Checks a parsed config.json: the schema, then what a schema cannot say (labels and the class
 * count agree, id2label and label2id agree with labels). Errors name the file and the field.
 */
export function validateModelConfig(config: unknown, file: string, parts?: ConfigSchemaParts): void {
  const v = compiled(parts);
  if (!v(config)) throw new FlambeauError("E_FORMAT", describe(v.errors![0]!, file));
  const c = config as {
    hyper: Record<string, unknown>;
    labels?: string[];
    id2label?: Record<string, string>;
    label2id?: Record<string, number>;
  };
  const classes = [c.hyper.numClasses, c.hyper.numTags].find((n) => typeof n === "number");
  if (classes !== undefined) {
    if (!c.labels)
      throw new FlambeauError(
        "E_FORMAT",
        `${file}: labels: missing (the model has ${classes} classes; their names are needed to report them)`,
      );
    if (c.labels.length !== classes)
      throw new FlambeauError("E_FORMAT", `${file}: labels: expected ${classes} labels (the model's classes), got ${c.labels.length}`);
  }
  const dup = c.labels?.find((l, i) => c.labels!.indexOf(l) !== i);
  if (dup !== undefined) throw new FlambeauError("E_FORMAT", `${file}: labels: ${JSON.stringify(dup)} appears twice`);
  if (c.labels && c.id2label) {
    c.labels.forEach((l, i) => {
      const got = Object.hasOwn(c.id2label!, String(i)) ? c.id2label![String(i)] : undefined;
      if (got !== l)
        throw new FlambeauError(
          "E_FORMAT",
          `${file}: id2label.${i}: expected ${JSON.stringify(l)} (labels[${i}]), got ${JSON.stringify(got)}`,
        );
    });
  }
  if (c.labels && c.label2id) {
    c.labels.forEach((l, i) => {
      const got = Object.hasOwn(c.label2id!, l) ? c.label2id![l] : undefined;
      if (got !== i)
        throw new FlambeauError("E_FORMAT", `${file}: label2id.${l}: expected ${i} (labels[${i}]), got ${JSON.stringify(got)}`);
    });
  }
}

/** "image-classification", "resnet-small" → "ResnetSmallForImageClassification" (transformers' naming). */
export function hfArchitecture(task: string, architecture: string): string {
  const pascal = (s: string) => s.replace(/(^|[-_\s.]+)(\w)/g, (_, __, c: string) => c.toUpperCase());
  return `${pascal(architecture)}For${pascal(task)}`;
}

/** The Hugging Face fields of a config: id2label and label2id (string keys) when it has labels, architectures, model_type. */
export function hfFields(task: string, architecture: string, labels?: readonly string[]): Record<string, unknown> {
  return {
    architectures: [hfArchitecture(task, architecture)],
    model_type: `flambeau-${architecture}`,
    ...(labels
      ? { id2label: Object.fromEntries(labels.map((l, i) => [String(i), l])), label2id: Object.fromEntries(labels.map((l, i) => [l, i])) }
      : {}),
  };
}
