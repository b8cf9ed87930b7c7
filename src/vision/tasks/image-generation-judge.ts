// image-generation's judge: a small CNN that image-classification trains on the same data (or
// any saved small-cnn image classifier, --judge). Its 128-unit hidden layer is the feature space
// of the Fréchet distance — Inception's pool3 plays this part in Heusel et al. 2017's FID, but
// an ImageNet network sees 28 px clothes poorly and is not ours to ship — and its answers say
// whether a generated image shows the class it was asked for.
import { FlambeauError } from "../../core/errors.js";
import { cat, noGrad, type Tensor, tensor, tidy } from "../../core/index.js";
import { functional as F } from "../../nn/index.js";
import { loadModelDir } from "../../train/model-dir.js";
import type { ProgressSink } from "../../train/progress.js";
import { SmallCNN, type SmallCNNOptions } from "../models/small-cnn.js";
import { imageClassification } from "./image-classification.js";

/** Images judged per forward. */
const CHUNK = 500;

export interface ImageJudge {
  model: SmallCNN;
  size: number;
  channels: number;
  mean: number[];
  std: number[];
  labels: string[];
}

/** Trains image-classification's small-cnn on `data` into `out`; returns its validation accuracy. */
export async function trainImageJudge(o: {
  data: string;
  out: string;
  seed: number;
  /** Default: image-classification's own, sized to the data. */
  epochs?: number;
  limit?: number;
  log: (line: string) => void;
  progress?: ProgressSink;
}): Promise<number> {
  const r = await imageClassification.train({
    data: o.data,
    out: o.out,
    model: "small-cnn",
    seed: o.seed,
    log: o.log,
    ...(o.epochs !== undefined ? { epochs: o.epochs } : {}),
    ...(o.limit !== undefined ? { limit: o.limit } : {}),
    ...(o.progress ? { progress: o.progress } : {}),
  });
  return r.metrics.accuracy as number;
}

/** A saved image-classification small-cnn, in eval mode. */
export async function loadImageJudge(dir: string): Promise<ImageJudge> {
  const { config, weights } = await loadModelDir<SmallCNNOptions, { size: number; channels: number; mean: number[]; std: number[] }>(
    dir,
    "image-classification",
  );
  if (config.architecture !== "small-cnn" || config.hyper.channels !== undefined) {
    for (const t of weights.values()) t.dispose();
    throw new FlambeauError(
      "E_ARG",
      `image-generation: the judge ${dir} is a ${config.architecture}${config.hyper.channels ? " with pruned channels" : ""}; it must be an image-classification small-cnn (train one with \`flambeau train image-classification --model small-cnn\`, or leave --judge out)`,
    );
  }
  const model = new SmallCNN(config.hyper);
  model.loadStateDict(weights);
  model.eval();
  const p = config.preprocessing!;
  return { model, size: p.size, channels: p.channels, mean: p.mean, std: p.std, labels: config.labels ?? [] };
}

/**
 * The judge's hidden features [N, H] and predicted classes of uint8 images [N, C, S, S]; images
 * of another side are resized to the judge's first (bilinear), as its training data was.
 */
export function judgeImages(judge: ImageJudge, images: Tensor): { features: Tensor; predicted: number[] } {
  if (images.ndim !== 4 || images.shape[1] !== judge.channels)
    throw new FlambeauError(
      "E_SHAPE",
      `image-generation: the judge takes ${judge.channels}-channel images, got [${images.shape.join(", ")}]`,
    );
  const feats: Tensor[] = [];
  const predicted: number[] = [];
  const head = judge.model.classifier;
  for (let i = 0; i < images.shape[0]!; i += CHUNK) {
    const n = Math.min(CHUNK, images.shape[0]! - i);
    const [f, p] = noGrad(() =>
      tidy(() => {
        let x = images.narrow(0, i, n).float().div(255);
        if (x.shape[2] !== judge.size) x = F.interpolate(x, { size: [judge.size, judge.size], mode: "bilinear", alignCorners: false });
        x = x.sub(tensor(judge.mean, { shape: [1, judge.channels, 1, 1] })).div(tensor(judge.std, { shape: [1, judge.channels, 1, 1] }));
        // Flatten, Dropout, Linear, ReLU | Dropout, Linear: the hidden layer, then the logits.
        let h = judge.model.features.forward(x);
        for (let k = 0; k < 4; k++) h = head.at(k).forward(h) as Tensor;
        const logits = head.at(5).forward(h) as Tensor;
        return [h, logits.argmax(1)];
      }),
    );
    feats.push(f!);
    for (const c of p!.data() as BigInt64Array) predicted.push(Number(c));
    p!.dispose();
  }
  const features = cat(feats, 0);
  for (const f of feats) f.dispose();
  return { features, predicted };
}
