// A small cost-volume stereo network. Shared features at ¼ resolution for both views; a
// correlation cost volume over D disparity levels (DispNet-C, Mayer et al. 2016) with the left
// features beside it; 2D convolutions aggregate it into a score per level; soft-argmin (the
// expectation of the disparity under the softmax of the scores; Kendall et al. 2017, GC-Net)
// gives a sub-level disparity, upsampled ×4; a residual refinement on the left image sharpens
// it at full resolution (StereoNet, Khamis et al. 2018). A concat volume with 3D aggregation
// is the more accurate choice but costs tens of times more on a CPU.
import { argError } from "../../core/errors.js";
import { arange, cat, type Tensor } from "../../core/index.js";
import { BatchNorm2d, Conv2d, functional as F, Module, ReLU, Sequential } from "../../nn/index.js";
import { initConvNet } from "../models/init.js";

export interface StereoNetHyper {
  /** Disparity levels of the ¼-resolution cost volume (full-resolution range: 4·levels px). */
  levels: number;
  /** Feature channels. */
  width: number;
}

const convBnRelu = (i: number, o: number, stride = 1, dilation = 1): Module[] => [
  new Conv2d(i, o, 3, { padding: dilation, stride, dilation, bias: false }),
  new BatchNorm2d(o),
  new ReLU(),
];

/** The disparity output: coarse (soft-argmin upsampled) and refined, both [N, 1, H, W] in px. */
export interface StereoOutput {
  coarse: Tensor;
  refined: Tensor;
}

export class StereoNet extends Module {
  readonly features: Sequential;
  readonly aggregate: Sequential;
  readonly refine: Sequential;
  readonly levels: number;
  constructor(h: StereoNetHyper) {
    super();
    if (!Number.isInteger(h.levels) || h.levels < 2 || h.levels > 64)
      argError("StereoNet", `levels must be an integer in [2, 64], got ${h.levels}`);
    if (!Number.isInteger(h.width) || h.width < 4) argError("StereoNet", `width must be an integer ≥ 4, got ${h.width}`);
    const w = h.width;
    this.levels = h.levels;
    this.features = new Sequential(
      ...convBnRelu(3, w / 2, 2),
      ...convBnRelu(w / 2, w, 2),
      ...convBnRelu(w, w),
      ...convBnRelu(w, w, 1, 2),
      new Conv2d(w, w, 3, { padding: 1 }),
    );
    this.aggregate = new Sequential(
      ...convBnRelu(h.levels + w, 2 * w),
      ...convBnRelu(2 * w, 2 * w, 1, 2),
      ...convBnRelu(2 * w, 2 * w, 1, 4),
      ...convBnRelu(2 * w, w),
      new Conv2d(w, h.levels, 3, { padding: 1 }),
    );
    this.refine = new Sequential(
      ...convBnRelu(4, 16),
      ...convBnRelu(16, 16, 1, 2),
      ...convBnRelu(16, 16, 1, 4),
      ...convBnRelu(16, 16),
      new Conv2d(16, 1, 3, { padding: 1 }),
    );
    initConvNet(this);
  }

  /** Correlation of left and right features at each disparity d (right shifted d columns): [N, D, h, w]. */
  costVolume(fl: Tensor, fr: Tensor): Tensor {
    const w = fl.shape[3]!;
    const slices: Tensor[] = [];
    for (let d = 0; d < this.levels; d++) {
      if (d >= w) {
        slices.push(fl.narrow(1, 0, 1).mul(0));
        continue;
      }
      const c = fl
        .narrow(3, d, w - d)
        .mul(fr.narrow(3, 0, w - d))
        .mean(1, true);
      slices.push(d === 0 ? c : F.pad(c, [d, 0]));
    }
    return cat(slices, 1);
  }

  /** Inputs normalised [N, 3, H, W] (H, W multiples of 4). */
  forwardBoth(left: Tensor, right: Tensor): StereoOutput {
    if (left.ndim !== 4 || right.ndim !== 4 || left.shape.some((s, i) => s !== right.shape[i]))
      argError("StereoNet", `left and right must be equal [N, 3, H, W], got [${left.shape.join(", ")}] and [${right.shape.join(", ")}]`);
    const [H, W] = [left.shape[2]!, left.shape[3]!];
    if (H % 4 || W % 4) argError("StereoNet", `height and width must be multiples of 4, got ${H}×${W}`);
    const fl = this.features.forward(left);
    const fr = this.features.forward(right);
    const scores = this.aggregate.forward(cat([this.costVolume(fl, fr), fl], 1));
    const levels = arange(this.levels).float().view(1, this.levels, 1, 1);
    const quarter = scores.softmax(1).mul(levels).sum(1, true);
    const coarse = F.interpolate(quarter.mul(4), { size: [H, W], mode: "bilinear", alignCorners: false });
    const scale = 4 * this.levels;
    const residual = this.refine.forward(cat([left, coarse.div(scale)], 1));
    return { coarse, refined: coarse.add(residual).relu() };
  }

  forward(left: Tensor, right: Tensor): Tensor {
    return this.forwardBoth(left, right).refined;
  }
}
