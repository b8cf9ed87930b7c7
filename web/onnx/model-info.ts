// What the page needs to know about an exported classifier, read from the metadata that
// `flambeau export` writes (task, labels, preprocessing, tokenizer): the page is generic over
// exported image and text classifiers and hard-codes none of their sizes or labels.
import { type JsonTokenizer, jsonTokenizer } from "./tokenizer.js";

export interface ImagePreprocessing {
  size: number;
  channels: 1 | 3;
  mean: number[];
  std: number[];
}

export interface TextPreprocessing {
  maxTokens: number;
  padId: number;
  tokenizer: JsonTokenizer;
}

export type ModelInfo = {
  task: string;
  architecture: string;
  labels: string[];
  /** A sigmoid per class (multi-label) instead of a softmax over them. */
  multiLabel: boolean;
} & ({ kind: "image"; image: ImagePreprocessing } | { kind: "text"; text: TextPreprocessing });

const isNum = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v);

function parse(meta: Readonly<Record<string, string>>, key: string): unknown {
  const raw = meta[key];
  if (raw === undefined) throw new Error(`the model's metadata has no "${key}" (was it written by flambeau export?)`);
  try {
    return JSON.parse(raw);
  } catch {
    throw new Error(`the model's metadata "${key}" is not JSON: ${raw.slice(0, 80)}`);
  }
}

/** The page's view of an exported model, or an Error saying what in its metadata does not fit. */
export function modelInfo(meta: Readonly<Record<string, string>>): ModelInfo {
  const task = meta.task ?? "";
  const labels = parse(meta, "labels");
  if (!Array.isArray(labels) || labels.length === 0 || !labels.every((l) => typeof l === "string"))
    throw new Error('the model\'s "labels" metadata is not a list of names');
  const pre = parse(meta, "preprocessing") as Record<string, unknown>;
  const base = { task, architecture: meta.architecture ?? "", labels: labels as string[] };
  if (task === "image-classification") {
    // The bound of config.json's image size (src/train/config-schema.ts: MAX_IMAGE_SIZE).
    const { size, channels, mean, std } = pre;
    const perChannel = (v: unknown): v is number[] => Array.isArray(v) && v.length === channels && v.every(isNum);
    const isSize = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 1 && (v as number) <= 4096;
    if (!isSize(size) || (channels !== 1 && channels !== 3) || !perChannel(mean) || !perChannel(std))
      throw new Error(`the image preprocessing metadata does not fit ({size, channels 1|3, mean, std}): ${JSON.stringify(pre)}`);
    return { ...base, multiLabel: false, kind: "image", image: { size, channels, mean, std } };
  }
  if (task === "text-classification") {
    const { maxTokens, padId } = pre;
    const isId = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 0;
    if (!isId(maxTokens) || maxTokens < 1 || !isId(padId))
      throw new Error(`the text preprocessing metadata does not fit ({maxTokens, padId}): ${JSON.stringify(pre)}`);
    if (meta.tokenizer === undefined) throw new Error("the text model's metadata has no tokenizer");
    // Older exports said multi-label only in the output's description.
    const multiLabel = pre.multiLabel === true || /sigmoid per class/.test(meta.output ?? "");
    return { ...base, multiLabel, kind: "text", text: { maxTokens, padId, tokenizer: jsonTokenizer(parse(meta, "tokenizer")) } };
  }
  throw new Error(`this page runs image and text classifiers; the model is a "${task || "unknown"}" model`);
}

/** Softmax over the classes, or a sigmoid per class for a multi-label model. */
export function probabilities(logits: Float32Array, multiLabel: boolean): number[] {
  const xs = Array.from(logits);
  if (multiLabel) return xs.map((v) => 1 / (1 + Math.exp(-v)));
  const max = Math.max(...xs);
  const exps = xs.map((v) => Math.exp(v - max));
  const sum = exps.reduce((a, b) => a + b, 0);
  return exps.map((e) => e / sum);
}
