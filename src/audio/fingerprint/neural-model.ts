// A learned fingerprint on disk: the encoder's weights under "encoder.", the segment index as
// "index.embeddings" [segments, dim] and "index.segments" (segments per track, int32) in
// model.safetensors; hyper holds the segment front end and the encoder's sizes.
import { FlambeauError } from "../../core/errors.js";
import { type Tensor, tensor } from "../../core/index.js";
import type { ConfigSchemaParts } from "../../train/config-schema.js";
import { schema } from "../../train/config-schema.js";
import type { ModelConfig } from "../../train/model-dir.js";
import { saveModelDir } from "../../train/model-dir.js";
import { FingerprintEncoder, type FingerprintEncoderOptions } from "./neural-encoder.js";
import type { SegmentConfig } from "./neural-frontend.js";
import { NeuralIdentifier } from "./neural-identifier.js";
import { SegmentIndex } from "./segment-index.js";

export type NeuralHyper = SegmentConfig & Omit<FingerprintEncoderOptions, "nMels" | "frames">;

export const NEURAL_SCHEMA: ConfigSchemaParts = {
  hyper: schema.object({
    sampleRate: schema.int(4000, 96000),
    nFft: schema.int(64, 8192),
    hopLength: schema.int(1, 8192),
    nMels: schema.int(8, 256),
    fMin: schema.number(),
    segmentFrames: schema.int(4, 1024),
    segmentHop: schema.int(1, 1024),
    rangeDb: schema.positive(),
    width: schema.int(1, 512),
    dim: schema.int(2, 1024),
    groupHidden: schema.int(1, 1024),
  }),
};

export const neuralSegmentConfig = (h: NeuralHyper): SegmentConfig => ({
  sampleRate: h.sampleRate,
  nFft: h.nFft,
  hopLength: h.hopLength,
  nMels: h.nMels,
  fMin: h.fMin,
  segmentFrames: h.segmentFrames,
  segmentHop: h.segmentHop,
  rangeDb: h.rangeDb,
});

/** The weights map saveModelDir writes (the caller disposes the tensors it made). */
export function neuralWeights(id: NeuralIdentifier): { weights: Map<string, Tensor>; made: Tensor[] } {
  const counts = Int32Array.from({ length: id.index.trackCount }, (_, i) => id.index.trackStarts[i + 1]! - id.index.trackStarts[i]!);
  const made = [tensor(counts, { dtype: "int32" })];
  const weights = new Map<string, Tensor>([
    ["index.embeddings", id.index.embeddings],
    ["index.segments", made[0]!],
  ]);
  for (const [k, v] of id.encoder.stateDict()) weights.set(`encoder.${k}`, v);
  return { weights, made };
}

export async function saveNeuralFingerprint<P>(
  dir: string,
  task: string,
  id: NeuralIdentifier,
  labels: string[],
  pre: P,
  metrics: Record<string, unknown>,
): Promise<void> {
  const e = id.encoder.options;
  const hyper: NeuralHyper = { ...id.config, width: e.width, dim: e.dim, groupHidden: e.groupHidden };
  const { weights, made } = neuralWeights(id);
  try {
    await saveModelDir<NeuralHyper, P>(dir, { task, architecture: "neural", hyper, labels, preprocessing: pre, metrics }, weights);
  } finally {
    for (const t of made) t.dispose();
  }
}

/** The identifier from a loaded config and weights (the weights map's tensors are consumed). */
export function neuralIdentifierOf<P>(config: ModelConfig<NeuralHyper, P>, weights: Map<string, Tensor>, dir: string): NeuralIdentifier {
  const h = config.hyper;
  const emb = weights.get("index.embeddings");
  const seg = weights.get("index.segments");
  if (emb?.dtype !== "float32" || emb.ndim !== 2 || emb.shape[1] !== h.dim || seg?.dtype !== "int32" || seg.ndim !== 1)
    throw new FlambeauError(
      "E_FORMAT",
      `${dir}: model.safetensors lacks index.embeddings [segments, ${h.dim}] float32 or index.segments int32`,
      "audio-fingerprinting",
    );
  const encoder = new FingerprintEncoder({
    nMels: h.nMels,
    frames: h.segmentFrames,
    width: h.width,
    dim: h.dim,
    groupHidden: h.groupHidden,
  });
  const sd = new Map<string, Tensor>();
  for (const [k, v] of weights) if (k.startsWith("encoder.")) sd.set(k.slice("encoder.".length), v);
  encoder.loadStateDict(sd);
  encoder.eval();
  const index = new SegmentIndex((emb.data() as Float32Array).slice(), h.dim, Array.from(seg.data() as Int32Array));
  for (const t of weights.values()) t.dispose();
  return new NeuralIdentifier(encoder, neuralSegmentConfig(h), index);
}
