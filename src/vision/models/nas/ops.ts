// The candidate operations of a DARTS cell edge (Liu et al. 2019, reduced for CPU budgets):
// 3×3 and 5×5 separable convolutions (ReLU → depthwise k×k → pointwise 1×1 → BN, once rather
// than DARTS's twice), 3×3 max and average pooling, the identity and zero. Every op keeps the
// channels and the spatial size, so any of them can sit on any edge.

import { FlambeauError } from "../../../core/errors.js";
import type { Tensor } from "../../../core/index.js";
import { AvgPool2d, BatchNorm2d, Conv2d, Identity, MaxPool2d, Module, ReLU, Sequential } from "../../../nn/index.js";

/** A module of one tensor in, one out. */
export type Layer = Module & { forward(x: Tensor): Tensor };

export const OPS = ["sep_conv_3x3", "sep_conv_5x5", "max_pool_3x3", "avg_pool_3x3", "skip_connect", "none"] as const;
export type OpName = (typeof OPS)[number];

/** The zero op: no path from the edge's input (DARTS's way of learning "no edge"). */
class Zero extends Module {
  forward(x: Tensor): Tensor {
    return x.mul(0);
  }
}

const sepConv = (c: number, k: number, affine: boolean): Layer =>
  new Sequential(
    new ReLU(),
    new Conv2d(c, c, k, { padding: (k - 1) / 2, groups: c, bias: false }),
    new Conv2d(c, c, 1, { bias: false }),
    new BatchNorm2d(c, { affine }),
  );

/**
 * The op on `c` channels. `affine`: BN with learnt scale and shift (the retrained cell);
 * without, as in the DARTS search, where the mixture weights α must do the scaling.
 */
export function makeOp(name: OpName, c: number, affine: boolean): Layer {
  switch (name) {
    case "sep_conv_3x3":
      return sepConv(c, 3, affine);
    case "sep_conv_5x5":
      return sepConv(c, 5, affine);
    case "max_pool_3x3":
      return new MaxPool2d(3, { stride: 1, padding: 1 });
    case "avg_pool_3x3":
      return new AvgPool2d(3, { stride: 1, padding: 1, countIncludePad: false });
    case "skip_connect":
      return new Identity();
    case "none":
      return new Zero();
    default:
      throw new FlambeauError("E_ARG", `nas: unknown op "${String(name)}"; ops: ${OPS.join(", ")}`);
  }
}

/** ReLU → 1×1 conv → BN: brings a cell input to the cell's channels (DARTS's preprocessing). */
export const preprocess = (cin: number, c: number, affine: boolean): Layer =>
  new Sequential(new ReLU(), new Conv2d(cin, c, 1, { bias: false }), new BatchNorm2d(c, { affine }));
