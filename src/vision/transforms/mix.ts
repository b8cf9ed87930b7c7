// Batch-level label mixing: mixup (Zhang et al. 2018) and CutMix (Yun et al. 2019). They
// return soft targets [N, classes] for a soft-label cross-entropy.

import { aten } from "../../core/aten.js";
import { callT } from "../../core/dispatch.js";
import { argError } from "../../core/errors.js";
import { type Tensor, tensor } from "../../core/index.js";
import { Random } from "../../data/random.js";
import { heightWidth } from "./shape.js";

const ONE_HOT = aten("one_hot");

export interface MixOptions {
  /** Beta(alpha, alpha) concentration of the mixing weight. */
  alpha?: number;
  seed?: number;
  rng?: Random;
}

export interface Mixed {
  x: Tensor;
  /** Soft targets [N, classes]. */
  y: Tensor;
  /** The weight of the original images. */
  lambda: number;
}

// Marsaglia–Tsang gamma sampler; Beta(a, b) = G(a) / (G(a) + G(b)).
function gamma(rng: Random, a: number): number {
  if (a < 1) return gamma(rng, a + 1) * rng.nextFloat() ** (1 / a);
  const d = a - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      const u1 = rng.nextFloat() || 1e-12;
      x = Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * rng.nextFloat());
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = rng.nextFloat();
    if (u < 1 - 0.0331 * x ** 4 || Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
  }
}
export function sampleBeta(rng: Random, a: number, b: number): number {
  const x = gamma(rng, a);
  return x / (x + gamma(rng, b));
}

function setup(op: string, x: Tensor, labels: Tensor, numClasses: number, o: MixOptions) {
  if (x.ndim !== 4) argError(op, `expects a batch [N, C, H, W], got [${x.shape.join(", ")}]`);
  if (labels.ndim !== 1 || labels.shape[0] !== x.shape[0]) argError(op, `labels must be [${x.shape[0]}], got [${labels.shape.join(", ")}]`);
  const alpha = o.alpha ?? 1;
  if (!(alpha > 0)) argError(op, `alpha must be > 0, got ${alpha}`);
  const rng = o.rng ?? new Random(o.seed ?? 0);
  const perm = tensor(BigInt64Array.from(rng.permutation(x.shape[0]!), BigInt));
  if (!Number.isInteger(numClasses) || numClasses < 1) argError(op, `numClasses must be a positive integer, got ${numClasses}`);
  const l = labels.to("int64");
  if (l.min().item() < 0 || l.max().item() >= numClasses)
    argError(op, `labels must lie in [0, ${numClasses}), got [${l.min().item()}, ${l.max().item()}]`);
  const y = callT(ONE_HOT, l, numClasses).float();
  return { rng, perm, y, lam: sampleBeta(rng, alpha, alpha) };
}

/** Blends each image and its one-hot label with another image of the batch. */
export function mixup(x: Tensor, labels: Tensor, numClasses: number, o: MixOptions = {}): Mixed {
  const { perm, y, lam } = setup("mixup", x, labels, numClasses, o);
  return {
    x: x
      .float()
      .mul(lam)
      .add(
        x
          .float()
          .indexSelect(0, perm)
          .mul(1 - lam),
      ),
    y: y.mul(lam).add(y.indexSelect(0, perm).mul(1 - lam)),
    lambda: lam,
  };
}

/** Pastes a random box from another image of the batch; labels mix by the pasted area. */
export function cutmix(x: Tensor, labels: Tensor, numClasses: number, o: MixOptions = {}): Mixed {
  const { rng, perm, y, lam } = setup("cutmix", x, labels, numClasses, o);
  const [h, w] = heightWidth(x);
  const cut = Math.sqrt(1 - lam);
  const ch = Math.floor(h * cut);
  const cw = Math.floor(w * cut);
  const cy = rng.int(h);
  const cx = rng.int(w);
  const y0 = Math.max(0, cy - (ch >> 1));
  const y1 = Math.min(h, cy + (ch >> 1));
  const x0 = Math.max(0, cx - (cw >> 1));
  const x1 = Math.min(w, cx + (cw >> 1));
  const out = x.float().clone();
  if (y1 > y0 && x1 > x0) {
    const src = x
      .float()
      .indexSelect(0, perm)
      .narrow(2, y0, y1 - y0)
      .narrow(3, x0, x1 - x0);
    out
      .narrow(2, y0, y1 - y0)
      .narrow(3, x0, x1 - x0)
      .copy_(src);
  }
  const kept = 1 - ((y1 - y0) * (x1 - x0)) / (h * w);
  return { x: out, y: y.mul(kept).add(y.indexSelect(0, perm).mul(1 - kept)), lambda: kept };
}
