// Chang et al.'s fingerprinter, scaled down for two CPU cores: a 3×3 stem halving both axes,
// then separable convolution blocks (1×3 along time, then 3×1 along frequency, each halving its
// axis until it is 1) take a log-mel segment to one vector; "divide and encode" splits that vector into `dim` groups, each
// projected on its own to one number, and the result is L2-normalised so that inner products
// are cosine similarities.
import { FlambeauError } from "../../core/errors.js";
import type { Tensor } from "../../core/index.js";
import { normalize } from "../../nn/functional-norm.js";
import { BatchNorm2d, Conv1d, Conv2d, ELU, Module, Sequential } from "../../nn/index.js";

export interface FingerprintEncoderOptions {
  nMels: number;
  frames: number;
  /** Channels of the stem (the separable blocks use 2×, 4×, 8×, 8×, … until both axes are 1). */
  width: number;
  /** Embedding size. */
  dim: number;
  /** Hidden units of each group's projection. */
  groupHidden: number;
}

export const DEFAULT_FINGERPRINT_ENCODER: Readonly<Omit<FingerprintEncoderOptions, "nMels" | "frames">> = Object.freeze({
  width: 16,
  dim: 64,
  groupHidden: 16,
});

const MULTIPLIERS = [2, 4, 8, 8];

/** 1×3 conv along time (stride 2 while time > 1), 3×1 along frequency (likewise), each with batch norm and ELU. */
function separableBlock(cin: number, cout: number, strideT: number, strideF: number): Module[] {
  return [
    new Conv2d(cin, cout, [1, 3], { stride: [1, strideT], padding: [0, 1], bias: false }),
    new BatchNorm2d(cout),
    new ELU(),
    new Conv2d(cout, cout, [3, 1], { stride: [strideF, 1], padding: [1, 0], bias: false }),
    new BatchNorm2d(cout),
    new ELU(),
  ];
}

export class FingerprintEncoder extends Module {
  readonly options: FingerprintEncoderOptions;
  readonly features: Sequential;
  readonly project: Sequential;
  /** Values out of the convolutions (channels × remaining mels × remaining frames). */
  readonly hidden: number;

  constructor(o: FingerprintEncoderOptions) {
    super();
    for (const k of ["nMels", "frames", "width", "dim", "groupHidden"] as const)
      if (!(Number.isInteger(o[k]) && o[k] > 0))
        throw new FlambeauError("E_ARG", `FingerprintEncoder: ${k} must be a positive integer, got ${o[k]}`, "FingerprintEncoder");
    this.options = { ...o };
    // The full-resolution segment is the costliest place for separable pairs: one strided 3×3 stem there.
    const blocks: Module[] = [new Conv2d(1, o.width, 3, { stride: 2, padding: 1, bias: false }), new BatchNorm2d(o.width), new ELU()];
    let [f, t, c] = [Math.floor((o.nMels - 1) / 2) + 1, Math.floor((o.frames - 1) / 2) + 1, o.width];
    for (let b = 0; f > 1 || t > 1; b++) {
      const sf = f > 1 ? 2 : 1;
      const st = t > 1 ? 2 : 1;
      const out = o.width * MULTIPLIERS[Math.min(b, MULTIPLIERS.length - 1)]!;
      blocks.push(...separableBlock(c, out, st, sf));
      f = Math.floor((f - 1) / sf) + 1;
      t = Math.floor((t - 1) / st) + 1;
      c = out;
    }
    this.features = new Sequential(...blocks);
    this.hidden = c * f * t;
    if (this.hidden % o.dim)
      throw new FlambeauError(
        "E_ARG",
        `FingerprintEncoder: the ${this.hidden} hidden values do not split into ${o.dim} equal groups (width ${o.width}, ${f}×${t} left)`,
        "FingerprintEncoder",
      );
    // Grouped 1×1 convolutions: group g sees only its slice of the hidden vector.
    this.project = new Sequential(
      new Conv1d(this.hidden, o.dim * o.groupHidden, 1, { groups: o.dim }),
      new ELU(),
      new Conv1d(o.dim * o.groupHidden, o.dim, 1, { groups: o.dim }),
    );
  }

  /** Log-mel segments [B, 1, nMels, frames] → unit-norm embeddings [B, dim]. */
  forward(x: Tensor): Tensor {
    const h = this.features.forward(x).reshape([x.shape[0]!, this.hidden, 1]);
    return normalize(this.project.forward(h).reshape([x.shape[0]!, this.options.dim]), { dim: 1 });
  }
}
