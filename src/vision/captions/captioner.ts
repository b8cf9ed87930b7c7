// A trained captioner at work: its vocabulary, images to captions (greedy or beam search),
// the nearest-neighbour-caption baseline, and the COCO metrics plus "names every object".
import { FlambeauError } from "../../core/errors.js";
import { noGrad, type Tensor, tensor, tidy } from "../../core/index.js";
import { ciderD } from "../../train/text-metrics/cider.js";
import { cocoBleu } from "../../train/text-metrics/coco-bleu.js";
import { captionWords, cocoTokenize } from "../../train/text-metrics/coco-tokenize.js";
import { type ImagePreprocessing, normalise } from "../scenes/loader.js";
import type { SceneGraph } from "../scenes/scene-graph.js";
import type { CaptionSet } from "./data.js";
import { beamCaption, greedyCaptions, type NextTokenScorer } from "./decode.js";
import type { CaptionModel } from "./model.js";
import { namesEveryObject } from "./scene-captions.js";

export const SPECIALS = ["<pad>", "<unk>", "<bos>", "<eos>"] as const;

export interface CaptionPreprocessing extends ImagePreprocessing {
  /** The vocabulary, specials first. */
  words: string[];
  /** How the nearest-neighbour baseline finds the training images again. */
  trainData: { data: string; seed: number; count: number };
}

/** The caption vocabulary: specials first, then words by falling frequency (ties alphabetical). */
export class CaptionVocab {
  readonly itos: readonly string[];
  readonly #ids: Map<string, number>;
  constructor(words: readonly string[]) {
    SPECIALS.forEach((w, i) => {
      if (words[i] !== w)
        throw new FlambeauError("E_FORMAT", `CaptionVocab: word ${i} must be "${w}", got ${JSON.stringify(words[i])}`, "CaptionVocab");
    });
    this.itos = [...words];
    this.#ids = new Map(words.map((w, i) => [w, i]));
  }
  get size(): number {
    return this.itos.length;
  }
  get padId(): number {
    return 0;
  }
  id(name: (typeof SPECIALS)[number]): number {
    return SPECIALS.indexOf(name);
  }
  /** Word ids; unknown words become <unk>. */
  encode(words: readonly string[]): number[] {
    return words.map((w) => this.#ids.get(w) ?? 1);
  }
}

export function buildVocab(captions: readonly (readonly string[])[]): CaptionVocab {
  const counts = new Map<string, number>();
  for (const cs of captions) for (const c of cs) for (const w of captionWords(c)) counts.set(w, (counts.get(w) ?? 0) + 1);
  const specials = new Set<string>(SPECIALS);
  const ranked = [...counts]
    .filter(([w]) => !specials.has(w))
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .map(([w]) => w);
  return new CaptionVocab([...SPECIALS, ...ranked]);
}

export const vocabOf = (words: readonly string[]): CaptionVocab => new CaptionVocab(words);

/** int64 [B, T]: bos, the caption's words (cut to fit maxLength), eos, then padding. */
export function captionTokens(v: CaptionVocab, captions: readonly string[], maxLength: number): Tensor {
  const bos = v.id("<bos>");
  const eos = v.id("<eos>");
  const rows = captions.map((c) => [bos, ...v.encode(captionWords(c)).slice(0, maxLength - 2), eos]);
  const t = Math.max(...rows.map((r) => r.length));
  const data = new BigInt64Array(rows.length * t).fill(BigInt(v.padId));
  rows.forEach((r, i) => r.forEach((id, j) => (data[i * t + j] = BigInt(id))));
  return tensor(data, { shape: [rows.length, t] });
}

/** Normalised float images [n, 3, S, S] of images from..from+n of a set. */
export function setImages(set: CaptionSet, pre: ImagePreprocessing, from = 0, n = set.captions.length - from): Tensor {
  const s = set.size;
  return tidy(() => normalise(tensor(set.images.slice(from * 3 * s * s, (from + n) * 3 * s * s), { shape: [n, 3, s, s] }), pre));
}

export interface CaptionOptions {
  /** Beam width; 1 = greedy (default 3). */
  beam?: number;
  batchSize?: number;
}

/** The captions the model writes for every image of a set. */
export function captionSet(
  model: CaptionModel,
  v: CaptionVocab,
  set: CaptionSet,
  pre: ImagePreprocessing,
  o: CaptionOptions = {},
): string[] {
  const beam = o.beam ?? 3;
  const bs = o.batchSize ?? 128;
  const bos = v.id("<bos>");
  const eos = v.id("<eos>");
  const d = { bos, eos, maxLength: model.options.maxLength - 2 };
  const out: string[] = [];
  model.eval();
  for (let from = 0; from < set.captions.length; from += bs) {
    const n = Math.min(bs, set.captions.length - from);
    const memory = noGrad(() => tidy(() => model.encode(setImages(set, pre, from, n)))).keep();
    try {
      const step: NextTokenScorer = (prefixes, rows) =>
        noGrad(() =>
          tidy(() => {
            const t = prefixes[0]!.length;
            const ids = tensor(BigInt64Array.from(prefixes.flat(), BigInt), { shape: [prefixes.length, t] });
            const mem = memory.indexSelect(0, tensor(BigInt64Array.from(rows, BigInt)));
            const lp = model
              .decode(mem, ids)
              .narrow(1, t - 1, 1)
              .squeeze(1)
              .logSoftmax(-1);
            const flat = lp.data() as Float32Array;
            const vsz = lp.shape[1]!;
            return prefixes.map((_, i) => flat.slice(i * vsz, (i + 1) * vsz));
          }),
        );
      const decoded =
        beam === 1 ? greedyCaptions(n, step, d) : Array.from({ length: n }, (_, i) => beamCaption(step, { ...d, beamSize: beam }, i));
      for (const r of decoded) out.push(r.tokens.map((id) => v.itos[id]).join(" "));
    } finally {
      memory.dispose();
    }
  }
  return out;
}

/** Flattened, unit-length CNN feature grids [n, D]: what the nearest-neighbour baseline compares. */
export function imageFeatures(model: CaptionModel, set: CaptionSet, pre: ImagePreprocessing, batchSize = 256): Tensor {
  model.eval();
  const parts: Float32Array[] = [];
  let dim = 0;
  for (let from = 0; from < set.captions.length; from += batchSize) {
    const n = Math.min(batchSize, set.captions.length - from);
    noGrad(() =>
      tidy(() => {
        const f = model.cnn.forward(setImages(set, pre, from, n)).flatten(1);
        const u = f.div(f.norm(2, 1, true).clamp(1e-8));
        dim = u.shape[1]!;
        parts.push(u.data() as Float32Array);
      }),
    );
  }
  const all = new Float32Array(set.captions.length * dim);
  let at = 0;
  for (const p of parts) {
    all.set(p, at);
    at += p.length;
  }
  return tensor(all, { shape: [set.captions.length, dim] });
}

/** The nearest-neighbour baseline: each test image gets the first caption of the training image with the most similar CNN features. */
export function nearestCaptions(model: CaptionModel, train: CaptionSet, test: CaptionSet, pre: ImagePreprocessing): string[] {
  const a = imageFeatures(model, test, pre);
  const b = imageFeatures(model, train, pre);
  try {
    const nearest = noGrad(() => tidy(() => Array.from(a.matmul(b.t()).argmax(1).data() as BigInt64Array, Number)));
    return nearest.map((j) => train.captions[j]![0]!);
  } finally {
    a.dispose();
    b.dispose();
  }
}

export interface CaptionScores {
  bleu4: number;
  ciderD: number;
  /** Fraction of images whose caption names each object by colour and class (generated scenes only). */
  namesEveryObject?: number;
}

/** BLEU-4 and CIDEr-D as pycocoevalcap computes them (after its tokenization), and the object check. */
export function scoreCaptions(
  hyps: readonly string[],
  refs: readonly (readonly string[])[],
  graphs: readonly SceneGraph[] | null,
): CaptionScores {
  if (hyps.length !== refs.length) throw new FlambeauError("E_ARG", `scoreCaptions: ${hyps.length} captions for ${refs.length} images`);
  const h = hyps.map(cocoTokenize);
  const r = refs.map((rs) => rs.map(cocoTokenize));
  const out: CaptionScores = { bleu4: cocoBleu(h, r).bleu[3]!, ciderD: ciderD(h, r).score };
  if (graphs) out.namesEveryObject = h.filter((c, i) => namesEveryObject(c, graphs[i]!)).length / h.length;
  return out;
}
