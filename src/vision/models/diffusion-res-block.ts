// The residual block of a diffusion U-Net (Ho et al. 2020; improved-diffusion's ResBlock):
// GroupNorm → SiLU → 3×3 conv, the timestep/condition embedding added per channel, GroupNorm →
// SiLU → 3×3 conv whose weights start at zero, so that every block begins as the identity
// (a 1×1 convolution on the skip path when the widths differ).
import type { Tensor } from "../../core/index.js";
import { Conv2d, GroupNorm, init, Linear, Module, SiLU } from "../../nn/index.js";

/** GroupNorm's groups for `c` channels: 8, or fewer for narrow layers. */
export const normGroups = (c: number): number => Math.min(8, c);

/** Weights and bias at zero: the layer's branch starts switched off (improved-diffusion's zero_module). */
export function zeroConv(c: { weight: Tensor; bias: Tensor | null }): void {
  init.zeros_(c.weight);
  if (c.bias) init.zeros_(c.bias);
}

export class DiffusionResBlock extends Module {
  readonly norm1: GroupNorm;
  readonly conv1: Conv2d;
  readonly emb: Linear;
  readonly norm2: GroupNorm;
  readonly conv2: Conv2d;
  readonly skip: Conv2d | null;
  readonly act = new SiLU();
  constructor(cin: number, cout: number, embed: number) {
    super();
    this.norm1 = new GroupNorm(normGroups(cin), cin);
    this.conv1 = new Conv2d(cin, cout, 3, { padding: 1 });
    this.emb = new Linear(embed, cout);
    this.norm2 = new GroupNorm(normGroups(cout), cout);
    this.conv2 = new Conv2d(cout, cout, 3, { padding: 1 });
    zeroConv(this.conv2);
    this.skip = cin === cout ? null : new Conv2d(cin, cout, 1);
  }
  /** x [N, C, H, W], emb [N, E]. */
  forward(x: Tensor, emb: Tensor): Tensor {
    const h = this.conv1.forward(this.act.forward(this.norm1.forward(x)));
    const e = this.emb.forward(emb).unsqueeze(2).unsqueeze(3);
    const y = this.conv2.forward(this.act.forward(this.norm2.forward(h.add(e))));
    return (this.skip ? this.skip.forward(x) : x).add(y);
  }
}
