// Cut-out quality on opencv-doc's alphamat sample (plant.jpg, its trimap, and OpenCV's
// information-flow matting result as the reference alpha; no human ground truth ships).
// SAD = Σ|α − α_ref| / 1000 and MSE = mean (α − α_ref)², over the whole image and over the
// trimap's unknown region (alphamatting.com's region). Run after `npx tsc -p .`:
//   node scripts/matting-eval.mjs [segmentation-model-dir]
import { existsSync } from "node:fs";
import { readImage } from "../dist/src/vision/image-io.js";
import {
  alphaErrors,
  alphaFromSegmentation,
  quantiseTrimap,
  refineAlpha,
  TRIMAP_UNKNOWN,
} from "../dist/src/vision/matting.js";

const root = "/usr/share/doc/opencv-doc/examples/alphamat";
if (!existsSync(root)) {
  console.error(`matting-eval: ${root} is missing (apt install opencv-doc)`);
  process.exit(2);
}
const img = await readImage(`${root}/input_images/plant.jpg`, { channels: 3 });
const { height: h, width: w } = img;
const trimap = quantiseTrimap((await readImage(`${root}/trimaps/plant.png`, { channels: 1 })).data);
const ref = Float32Array.from((await readImage(`${root}/output_mattes/plant_result.png`, { channels: 1 })).data, (v) => v / 255);
const unknown = trimap.map((t) => (t === TRIMAP_UNKNOWN ? 1 : 0));
const rows = [];
const report = (name, alpha, ms) => {
  const all = alphaErrors(alpha, ref);
  const unk = alphaErrors(alpha, ref, unknown);
  rows.push({ method: name, sad: +all.sad.toFixed(2), mse: +all.mse.toFixed(4), sadUnknown: +unk.sad.toFixed(2), mseUnknown: +unk.mse.toFixed(4), ms: Math.round(ms) });
};
let t0 = performance.now();
const naive = Float32Array.from(trimap, (t) => t / 255);
report("trimap alone (unknown = 0.5)", naive, performance.now() - t0);
t0 = performance.now();
report("trimap + refineAlpha (colour samples + guided filter)", refineAlpha(naive, img.data, h, w, { trimap, colorWeight: 1 }), performance.now() - t0);
const modelDir = process.argv[2];
if (modelDir) {
  const { loadSegmenter, foregroundAlpha } = await import("../dist/src/vision/tasks/segmentation.js");
  const { noGrad, tidy, tensor } = await import("../dist/src/core/index.js");
  const { normalise } = await import("../dist/src/vision/scenes/loader.js");
  const { functional: F } = await import("../dist/src/nn/index.js");
  const { model, pre } = await loadSegmenter(modelDir);
  const small = await readImage(`${root}/input_images/plant.jpg`, { channels: 3, size: pre.size });
  t0 = performance.now();
  const probs = noGrad(() =>
    tidy(() => {
      const x = normalise(tensor(small.data, { shape: [1, 3, pre.size, pre.size] }), pre);
      const l = F.interpolate(model.forward(x), { size: [h, w], mode: "bilinear", alignCorners: false });
      return l.softmax(1).contiguous().data();
    }),
  );
  report(`model ${modelDir}: 1 − P(background), unrefined`, alphaFromSegmentation(probs, model.outc.outChannels, h, w), performance.now() - t0);
  t0 = performance.now();
  report(`model ${modelDir}: refined (foregroundAlpha)`, foregroundAlpha(model, pre, small.data, img.data, img), performance.now() - t0);
}
console.log(`plant.jpg ${w}×${h}; unknown region ${unknown.reduce((a, b) => a + b, 0)} px`);
console.table(rows);
