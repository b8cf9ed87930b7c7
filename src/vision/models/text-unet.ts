// The denoiser of text-to-image diffusion: a small 2-D U-Net (Ho et al. 2020's, shrunk) whose
// blocks take the timestep embedding plus the caption's pooled vector, and whose lower levels
// cross-attend to the caption's token states (Rombach et al. 2022). Two halvings (32 → 16 → 8 px
// for 32 px images), skip connections, GroupNorm + SiLU, zero-initialised residual branches and
// output. Cross-attention sits at 16 and 8 px, where a pixel's receptive field spans an object;
// at full resolution it would cost 4× as much for little gain.
import { FlambeauError } from "../../core/errors.js";
import { cat, type Tensor, tensor } from "../../core/index.js";
import { Conv2d, functional as F, GroupNorm, Linear, Module, Sequential, SiLU } from "../../nn/index.js";
import { sinusoidalPositions } from "../../nn/positional.js";
import { CrossAttention2d } from "./cross-attention.js";
import { DiffusionResBlock, normGroups, zeroConv } from "./diffusion-res-block.js";

export interface TextUNetOptions {
  /** Width of the caption's token states (the cross-attention's keys and values). */
  contextDim: number;
  /** Training timesteps of the diffusion (the sinusoidal table's length). */
  steps: number;
  /** Channels of the full-resolution level (default 32, a multiple of 8); the lower levels have twice as many. */
  width?: number;
  /** Width of the timestep/caption embedding (default 4 × width). */
  embed?: number;
  /** Cross-attention heads (default 4). */
  heads?: number;
}

/** A residual block, then cross-attention to the caption. */
class AttnBlock extends Module {
  readonly res: DiffusionResBlock;
  readonly cross: CrossAttention2d;
  constructor(cin: number, cout: number, embed: number, contextDim: number, heads: number) {
    super();
    this.res = new DiffusionResBlock(cin, cout, embed);
    this.cross = new CrossAttention2d(cout, contextDim, heads);
  }
  forward(x: Tensor, emb: Tensor, context: Tensor, padding: Tensor | null): Tensor {
    return this.cross.forward(this.res.forward(x, emb), context, padding);
  }
}

/** What the U-Net is conditioned on: token states [B, L, D], their padding [B, L], the pooled vector [B, D]. */
export interface TextContext {
  tokens: Tensor;
  padding: Tensor | null;
  pooled: Tensor;
}

export class TextUNet extends Module {
  readonly options: Required<TextUNetOptions>;
  readonly timeMlp: Sequential;
  readonly captionProj: Linear;
  readonly inConv: Conv2d;
  readonly down0: DiffusionResBlock;
  readonly pool0: Conv2d;
  readonly down1: AttnBlock;
  readonly pool1: Conv2d;
  readonly mid0: AttnBlock;
  readonly mid1: DiffusionResBlock;
  readonly up1: AttnBlock;
  readonly up0: DiffusionResBlock;
  readonly outNorm: GroupNorm;
  readonly outConv: Conv2d;
  readonly act = new SiLU();
  constructor(o: TextUNetOptions) {
    super();
    const w = o.width ?? 32;
    const r = { contextDim: o.contextDim, steps: o.steps, width: w, embed: o.embed ?? 4 * w, heads: o.heads ?? 4 };
    for (const [name, v, lo] of [
      ["contextDim", r.contextDim, 1],
      ["steps", r.steps, 2],
      ["width", r.width, 8],
      ["embed", r.embed, 8],
      ["heads", r.heads, 1],
    ] as const)
      if (!Number.isSafeInteger(v) || v < lo || v > 100_000)
        throw new FlambeauError("E_ARG", `TextUNet: ${name} must be an integer ≥ ${lo}, got ${v}`, "TextUNet");
    if (w % 8) throw new FlambeauError("E_ARG", `TextUNet: width must be a multiple of 8 (GroupNorm's groups), got ${w}`, "TextUNet");
    if ((2 * w) % r.heads)
      throw new FlambeauError("E_ARG", `TextUNet: 2 × width (${2 * w}) must be divisible by heads ${r.heads}`, "TextUNet");
    this.options = r;
    const e = r.embed;
    this.registerBuffer("timeTable", sinusoidalPositions(r.steps, w), false);
    this.timeMlp = new Sequential(new Linear(w, e), new SiLU(), new Linear(e, e));
    this.captionProj = new Linear(r.contextDim, e);
    this.inConv = new Conv2d(3, w, 3, { padding: 1 });
    this.down0 = new DiffusionResBlock(w, w, e);
    this.pool0 = new Conv2d(w, 2 * w, 3, { stride: 2, padding: 1 });
    this.down1 = new AttnBlock(2 * w, 2 * w, e, r.contextDim, r.heads);
    this.pool1 = new Conv2d(2 * w, 2 * w, 3, { stride: 2, padding: 1 });
    this.mid0 = new AttnBlock(2 * w, 2 * w, e, r.contextDim, r.heads);
    this.mid1 = new DiffusionResBlock(2 * w, 2 * w, e);
    this.up1 = new AttnBlock(4 * w, 2 * w, e, r.contextDim, r.heads);
    this.up0 = new DiffusionResBlock(3 * w, w, e);
    this.outNorm = new GroupNorm(normGroups(w), w);
    this.outConv = new Conv2d(w, 3, 3, { padding: 1 });
    zeroConv(this.outConv);
  }

  /** x [B, 3, H, W] (H, W multiples of 4), t: each image's timestep, the caption context → v [B, 3, H, W]. */
  forward(x: Tensor, t: readonly number[], c: TextContext): Tensor {
    if (x.ndim !== 4 || x.shape[1] !== 3 || x.shape[2]! % 4 || x.shape[3]! % 4)
      throw new FlambeauError(
        "E_SHAPE",
        `TextUNet: input must be [B, 3, H, W] with H and W multiples of 4, got ${JSON.stringify(x.shape)}`,
        "forward",
      );
    const [b, , h, w] = x.shape as [number, number, number, number];
    if (t.length !== b) throw new FlambeauError("E_SHAPE", `TextUNet: ${t.length} timesteps for a batch of ${b}`, "forward");
    if (c.tokens.ndim !== 3 || c.tokens.shape[0] !== b || c.tokens.shape[2] !== this.options.contextDim)
      throw new FlambeauError(
        "E_SHAPE",
        `TextUNet: caption tokens must be [${b}, L, ${this.options.contextDim}], got ${JSON.stringify(c.tokens.shape)}`,
        "forward",
      );
    const table = this.getBuffer("timeTable")!;
    const emb = this.timeMlp.forward(table.indexSelect(0, tensor(t, { dtype: "int64" }))).add(this.captionProj.forward(c.pooled));
    const ctx = [c.tokens, c.padding] as const;
    const h0 = this.down0.forward(this.inConv.forward(x), emb);
    const h1 = this.down1.forward(this.pool0.forward(h0), emb, ...ctx);
    let y = this.mid1.forward(this.mid0.forward(this.pool1.forward(h1), emb, ...ctx), emb);
    y = this.up1.forward(cat([F.interpolate(y, { size: [h1.shape[2]!, h1.shape[3]!], mode: "nearest" }), h1], 1), emb, ...ctx);
    y = this.up0.forward(cat([F.interpolate(y, { size: [h, w], mode: "nearest" }), h0], 1), emb);
    return this.outConv.forward(this.act.forward(this.outNorm.forward(y)));
  }
}
