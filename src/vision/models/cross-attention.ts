// Cross-attention from an image's pixels to a caption's token states (Rombach et al. 2022's
// SpatialTransformer, without its self-attention and feed-forward parts): each pixel of the
// GroupNorm'd feature map is a query, the caption's tokens are the keys and values, and the
// attended result is added back through an output projection that starts at zero — the block
// begins as the identity and learns where in the picture each word belongs.
import { FlambeauError } from "../../core/errors.js";
import type { Tensor } from "../../core/index.js";
import { GroupNorm, Module, MultiheadAttention } from "../../nn/index.js";
import { normGroups, zeroConv } from "./diffusion-res-block.js";

export class CrossAttention2d extends Module {
  readonly channels: number;
  readonly norm: GroupNorm;
  readonly attn: MultiheadAttention;
  constructor(channels: number, contextDim: number, heads = 4) {
    super();
    if (channels % heads)
      throw new FlambeauError("E_ARG", `CrossAttention2d: channels ${channels} must be divisible by heads ${heads}`, "CrossAttention2d");
    this.channels = channels;
    this.norm = new GroupNorm(normGroups(channels), channels);
    this.attn = new MultiheadAttention(channels, heads, { kdim: contextDim, vdim: contextDim, batchFirst: true });
    zeroConv(this.attn.outProj);
  }
  /** x [B, C, H, W]; context [B, L, D] with padding [B, L] (true: ignore) → [B, C, H, W]. */
  forward(x: Tensor, context: Tensor, padding: Tensor | null): Tensor {
    const [b, c, h, w] = x.shape as [number, number, number, number];
    if (c !== this.channels || context.ndim !== 3 || context.shape[0] !== b)
      throw new FlambeauError(
        "E_SHAPE",
        `CrossAttention2d: x must be [B, ${this.channels}, H, W] and the context [B, L, D] of the same B, got ${JSON.stringify(x.shape)} and ${JSON.stringify(context.shape)}`,
        "forward",
      );
    const q = this.norm
      .forward(x)
      .reshape([b, c, h * w])
      .permute([0, 2, 1]);
    const { output } = this.attn.forward(q, context, context, { keyPaddingMask: padding, needWeights: false });
    return x.add(output.permute([0, 2, 1]).reshape([b, c, h, w]));
  }
}
