// Inspection of a trained image classifier for `flambeau compare`/`inspect`: its filters,
// its activation maps on one test image, and its learned embedding against HOG features.

import { noGrad, type Tensor, tensor, tidy } from "../../core/index.js";
import type { Inspection } from "../../tasks/baseline.js";
import { escapeHtml } from "../../tasks/html.js";
import { activationMaps, firstLayerFilters, type GridImage, knnAccuracy, pca2, penultimate, scatterSvg } from "../../tasks/inspect.js";
import { loadModelDir } from "../../train/model-dir.js";
import { loadImageData } from "../image-data.js";
import { encodePng } from "../image-io.js";
import { IMAGE_CLASSIFIERS, type ImageClassifierName } from "../models/zoo.js";
import { imageShallowFeatures } from "./pipeline.js";

async function img(g: GridImage, alt: string): Promise<string> {
  const png = await encodePng(g.data, g.channels, g.height, g.width);
  return `<img src="data:image/png;base64,${png.toString("base64")}" alt="${escapeHtml(alt)}" style="image-rendering:pixelated;margin:4px">`;
}

/** Loads a saved image-classification model and looks inside it on `samples` test images of `data`. */
export async function inspectImageClassifier(dir: string, data: string, o: { samples?: number } = {}): Promise<Inspection> {
  const { config, weights } = await loadModelDir(dir, "image-classification");
  const make = IMAGE_CLASSIFIERS[config.architecture as ImageClassifierName];
  const model = make(config.hyper as { inChannels: number; numClasses: number; size: number });
  model.loadStateDict(weights);
  model.eval();
  const pre = config.preprocessing as { size: number; channels: 1 | 3; mean: number[]; std: number[] };
  const labels = config.labels ?? [];
  const test = await loadImageData(data, "test", { size: pre.size, channels: pre.channels, classes: labels, limit: o.samples ?? 1000 });
  const x = noGrad(() =>
    tidy(() => {
      const shape = [1, pre.channels, 1, 1];
      return test.images.float().div(255).sub(tensor(pre.mean, { shape })).div(tensor(pre.std, { shape }));
    }),
  );
  const learned = penultimate(model, x);
  const hand = imageShallowFeatures(test.images);
  const knnLearned = knnAccuracy(learned, test.labels);
  const knnHandMade = knnAccuracy(hand, test.labels);
  const [pl, ph] = [pca2(learned), pca2(hand)];
  const maps = activationMaps(model, x.narrow(0, 0, 1));
  const n = test.images.shape[0]!;
  const html = `<h2>Inside the deep model (${escapeHtml(config.architecture)})</h2>
<p>5-NN accuracy (leave-one-out, ${n} test images): learned embedding <b>${(100 * knnLearned).toFixed(1)}%</b>, hand-made HOG + histogram features <b>${(100 * knnHandMade).toFixed(1)}%</b>.</p>
${scatterSvg(pl, test.labels, labels, `learned embedding (input of the last linear layer), PCA`)}${scatterSvg(ph, test.labels, labels, "hand-made features (HOG + intensity histogram), PCA")}
<h3>First-layer filters</h3>${await img(firstLayerFilters(model), "first-layer filters")}
<h3>Activation maps of one test image (${escapeHtml(labels[Number((test.labels.data() as BigInt64Array)[0])] ?? "")})</h3>
${(await Promise.all(maps.map(async (m) => `<div><small>${escapeHtml(m.layer)}</small><br>${await img(m.image, m.layer)}</div>`))).join("")}`;
  for (const t of [x, learned, hand, pl, ph, test.images, test.labels] as Tensor[]) t.dispose();
  return { html, metrics: { knnLearned, knnHandMade, samples: n } };
}
