// feature-extraction: sentence embeddings from a pre-trained encoder (a fill-mask model
// or feature-extraction directory) — the mean of the last hidden states over the real tokens, L2-normalised, so a
// dot product is the cosine similarity. `train` is masked-LM pre-training (the same as
// fill-mask); `eval` scores the embeddings by leave-one-out nearest-neighbour accuracy on
// labelled texts, a measure of how well they separate the classes without any fine-tuning.
import { FlambeauError } from "../../core/errors.js";
import { noGrad, tidy } from "../../core/index.js";
import { defineTask, type EvalArgs, type Predictor } from "../../tasks/task.js";
import { loadTextData, padIds, take } from "../text-data.js";
import { loadEncoder, trainFillMask } from "./fill-mask.js";

export const FEATURE_EXTRACTION = "feature-extraction";

type Encoder = Awaited<ReturnType<typeof loadEncoder>>;

/** One L2-normalised embedding (length dModel) per text, from the encoder saved in `dir`. */
export async function embedTexts(dir: string, texts: readonly string[], o: { batchSize?: number } = {}): Promise<Float32Array[]> {
  const l = await loadEncoder(dir);
  try {
    return embed(l, texts, o.batchSize ?? 64);
  } finally {
    l.model.dispose();
  }
}

function embed({ model, tokenizer }: Encoder, texts: readonly string[], bs: number): Float32Array[] {
  texts.forEach((t, i) => {
    if (typeof t !== "string" || t.trim() === "")
      throw new FlambeauError("E_ARG", `${FEATURE_EXTRACTION}: input ${i + 1} is an empty text`, FEATURE_EXTRACTION);
  });
  const ids = texts.map((t) => tokenizer.encode(t));
  const out: Float32Array[] = [];
  for (let s = 0; s < ids.length; s += bs) {
    const batch = ids.slice(s, s + bs);
    const flat = noGrad(() =>
      tidy(() => {
        const x = padIds(batch);
        const h = model.bert.forward(x);
        const m = x.ne(0).unsqueeze(2).to(h.dtype);
        const mean = h
          .mul(m)
          .sum({ dim: 1 })
          .div(m.sum({ dim: 1 }).clamp(1));
        return mean.div(mean.norm(2, { dim: 1, keepdim: true }).clamp(1e-12)).data() as Float32Array;
      }),
    ) as Float32Array;
    const d = flat.length / batch.length;
    for (let b = 0; b < batch.length; b++) out.push(flat.slice(b * d, (b + 1) * d));
  }
  return out;
}

/** Leave-one-out 1-nearest-neighbour accuracy (cosine) of the embeddings of labelled texts. */
export function nearestNeighbourAccuracy(emb: readonly Float32Array[], labels: readonly number[]): number {
  let correct = 0;
  for (let i = 0; i < emb.length; i++) {
    let best = -1;
    let bestSim = Number.NEGATIVE_INFINITY;
    for (let j = 0; j < emb.length; j++) {
      if (j === i) continue;
      let s = 0;
      const a = emb[i]!;
      const b = emb[j]!;
      for (let k = 0; k < a.length; k++) s += a[k]! * b[k]!;
      if (s > bestSim) {
        bestSim = s;
        best = j;
      }
    }
    if (best >= 0 && labels[best] === labels[i]) correct++;
  }
  return emb.length ? correct / emb.length : Number.NaN;
}

async function evaluate(dir: string, data: string, o: EvalArgs = {}): Promise<Record<string, unknown>> {
  let test = await loadTextData(data, "test");
  test = take(test, o.limit ?? 2000, 0); // the nearest-neighbour search is quadratic
  const emb = await embedTexts(dir, test.texts, o);
  const counts = test.classes.map((_, c) => test.labels.filter((l) => l === c).length);
  return {
    examples: test.texts.length,
    dim: emb[0]?.length ?? 0,
    nearestNeighbourAccuracy: nearestNeighbourAccuracy(emb, test.labels),
    majorityBaselineAccuracy: Math.max(...counts) / test.labels.length,
    labels: test.classes,
  };
}

export interface FeaturePrediction {
  input: string;
  embedding: number[];
}

/** Loads the encoder once; each predict embeds its texts. */
async function load(dir: string): Promise<Predictor<FeaturePrediction>> {
  const l = await loadEncoder(dir);
  return {
    task: FEATURE_EXTRACTION,
    predict: async (inputs) => {
      const emb = embed(l, inputs, 64);
      return inputs.map((input, i) => ({ input: input.length > 60 ? `${input.slice(0, 57)}...` : input, embedding: Array.from(emb[i]!) }));
    },
    dispose: () => l.model.dispose(),
  };
}

export const featureExtraction = defineTask({
  name: FEATURE_EXTRACTION,
  description:
    "sentence embeddings (mean of the pre-trained encoder's hidden states, L2-normalised); train = masked-LM pre-training as fill-mask; eval = nearest-neighbour accuracy",
  dataFormat:
    "train: unlabelled text as for fill-mask; eval: labelled texts (.csv/.tsv/.jsonl with text,label, or spam-assassin, sotu, fortunes); predict: texts",
  models: ["bert-mlm"],
  defaultModel: "bert-mlm",
  train: (o) => trainFillMask(o, FEATURE_EXTRACTION),
  evaluate,
  load,
  formatPrediction: (p: FeaturePrediction) => {
    const e = p.embedding;
    return `[${e
      .slice(0, 6)
      .map((v) => v.toFixed(3))
      .join(", ")}, …] (${e.length} dims)`;
  },
});
