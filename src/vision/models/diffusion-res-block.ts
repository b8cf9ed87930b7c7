// The residual block of a diffusion U-Net (Ho et al. 2020; improved-diffusion's ResBlock):
// GroupNorm → SiLU → 3×3 conv, the timestep/condition embedding added per channel, GroupNorm →
// SiLU → 3×3 conv whose weights start at zero, so that every block begins as the identity
// (a 1×1 convolution on the skip path when the widths differ). With conditioning "film" the
// embedding instead gives each channel a scale and a shift after the second GroupNorm —
// GN(h)·(1 + scale) + shift: FiLM (Perez et al. 2018), improved-diffusion's use_scale_shift_norm
// (Dhariwal & Nichol 2021's adaptive group norm).
import { FlambeauError } from "../../core/errors.js";
import type { Tensor } from "../../core/index.js";
import { Conv2d, GroupNorm, init, Linear, Module, SiLU } from "../../nn/index.js";

/** GroupNorm's groups for `c` channels: 8, or fewer for narrow layers. */
export const normGroups = (c: number): number => Math.min(8, c);

/** Weights and bias at zero: the layer's branch starts switched off (improved-diffusion's zero_module). */
export function zeroConv(c: { weight: Tensor; bias: Tensor | null }): void {
  init.zeros_(c.weight);
  if (c.bias) init.zeros_(c.bias);
}

/** How a DiffusionResBlock takes its embedding: added to the channels, or as a per-channel scale and shift after GroupNorm. */
export const CONDITIONINGS = ["add", "film"] as const;
export type Conditioning = (typeof CONDITIONINGS)[number];

/** `c` checked as a Conditioning (`who` names the caller in the error). */
export function checkConditioning(c: unknown, who: string): Conditioning {
  if (!(CONDITIONINGS as readonly unknown[]).includes(c))
    throw new FlambeauError("E_ARG", `${who}: conditioning must be one of ${CONDITIONINGS.join(", ")}, got ${JSON.stringify(c)}`, who);
  return c as Conditioning;
}

/** Adaptive GroupNorm: GN(h)·(1 + scale) + shift with scale and shift [N, C] per sample and channel. */
export function adaGroupNorm(norm: GroupNorm, h: Tensor, scale: Tensor, shift: Tensor): Tensor {
  const s = scale.unsqueeze(2).unsqueeze(3);
  const b = shift.unsqueeze(2).unsqueeze(3);
  return norm.forward(h).mul(s.add(1)).add(b);
}

export class DiffusionResBlock extends Module {
  readonly conditioning: Conditioning;
  readonly norm1: GroupNorm;
  readonly conv1: Conv2d;
  readonly emb: Linear;
  readonly norm2: GroupNorm;
  readonly conv2: Conv2d;
  readonly skip: Conv2d | null;
  readonly act = new SiLU();
  /** `conditioning`: "add" (default) adds the embedding's projection to the channels; "film" scales and shifts them after the second GroupNorm. */
  constructor(cin: number, cout: number, embed: number, conditioning: Conditioning = "add") {
    super();
    this.conditioning = checkConditioning(conditioning, "DiffusionResBlock");
    this.norm1 = new GroupNorm(normGroups(cin), cin);
    this.conv1 = new Conv2d(cin, cout, 3, { padding: 1 });
    this.emb = new Linear(embed, conditioning === "film" ? 2 * cout : cout);
    this.norm2 = new GroupNorm(normGroups(cout), cout);
    this.conv2 = new Conv2d(cout, cout, 3, { padding: 1 });
    zeroConv(this.conv2);
    this.skip = cin === cout ? null : new Conv2d(cin, cout, 1);
  }
  /** x [N, C, H, W], emb [N, E]. */
  forward(x: Tensor, emb: Tensor): Tensor {
    const h = this.conv1.forward(this.act.forward(this.norm1.forward(x)));
    const e = this.emb.forward(emb);
    let n: Tensor;
    if (this.conditioning === "film") {
      const c = h.shape[1]!;
      n = adaGroupNorm(this.norm2, h, e.narrow(1, 0, c), e.narrow(1, c, c));
    } else n = this.norm2.forward(h.add(e.unsqueeze(2).unsqueeze(3)));
    const y = this.conv2.forward(this.act.forward(n));
    return (this.skip ? this.skip.forward(x) : x).add(y);
  }
}
