// The denoiser of video diffusion: a small space–time U-Net in the manner of Ho et al. 2022
// ("Video Diffusion Models"), factorised like R(2+1)D — each block is a residual 3×3 block on
// every frame (frames folded into the batch) followed by a residual 3-tap convolution over time at
// every pixel, which is where motion is made. Two halvings (32 → 16 → 8 px for 32 px clips), skip
// connections, GroupNorm + SiLU. The timestep (sinusoidal), the caller's condition vector (a
// prompt's embedding) and each frame's index are summed into one embedding that every block adds
// to its channels (conditioning "add") or turns into a per-channel scale and shift after its
// GroupNorm (conditioning "film": FiLM / adaptive group norm). The input is the noisy clip with extra per-frame channels (the conditioning
// image and its presence flag); the output is v for the clip's 3 colour channels.
import { FlambeauError } from "../../core/errors.js";
import { cat, type Tensor, tensor } from "../../core/index.js";
import { Conv2d, functional as F, GroupNorm, Linear, Module, Parameter, Sequential, SiLU } from "../../nn/index.js";
import { sinusoidalPositions } from "../../nn/positional.js";
import { type Conditioning, checkConditioning, DiffusionResBlock, normGroups, zeroConv } from "../../vision/models/diffusion-res-block.js";

export interface VideoUNetOptions {
  /** Channels per frame of the input: 3 noisy colour channels + any conditioning channels. */
  inChannels: number;
  /** Channels per frame of the output (default 3: v for the colour channels). */
  outChannels?: number;
  /** Channels of the full-resolution level (default 32); the lower levels have twice as many. */
  width?: number;
  /** Width of the timestep/condition embedding (default 4 × width). */
  embed?: number;
  /** Training timesteps of the diffusion (the sinusoidal table's length). */
  steps: number;
  /** Most frames a clip may have (the frame-index embedding's length, default 16). */
  maxFrames?: number;
  /** How the blocks take the embedding: "add" (default) to the channels, or "film" (a scale and shift after GroupNorm). */
  conditioning?: Conditioning;
}

/** A residual 3-tap convolution over time at every pixel of [B·T, C, H, W] (zero-padded at the ends). */
class TemporalBlock extends Module {
  readonly norm: GroupNorm;
  readonly conv: Conv2d;
  readonly act = new SiLU();
  constructor(channels: number) {
    super();
    this.norm = new GroupNorm(normGroups(channels), channels);
    this.conv = new Conv2d(channels, channels, [3, 1], { padding: [1, 0] });
    zeroConv(this.conv);
  }
  forward(x: Tensor, frames: number): Tensor {
    const [n, c, h, w] = x.shape as [number, number, number, number];
    const b = n / frames;
    // [B·T, C, H, W] → [B, C, T, H·W]: time becomes the convolution's height.
    const y = this.act
      .forward(this.norm.forward(x))
      .reshape([b, frames, c, h * w])
      .permute([0, 2, 1, 3]);
    const z = this.conv.forward(y).permute([0, 2, 1, 3]).reshape([n, c, h, w]);
    return x.add(z);
  }
}

/** A ResBlock then a TemporalBlock: one space–time level. */
class SpaceTime extends Module {
  readonly space: DiffusionResBlock;
  readonly time: TemporalBlock;
  constructor(cin: number, cout: number, embed: number, conditioning: Conditioning) {
    super();
    this.space = new DiffusionResBlock(cin, cout, embed, conditioning);
    this.time = new TemporalBlock(cout);
  }
  forward(x: Tensor, emb: Tensor, frames: number): Tensor {
    return this.time.forward(this.space.forward(x, emb), frames);
  }
}

export class VideoUNet extends Module {
  readonly options: Required<VideoUNetOptions>;
  readonly inConv: Conv2d;
  readonly timeMlp: Sequential;
  readonly frameEmbedding: Parameter;
  readonly down0: SpaceTime;
  readonly pool0: Conv2d;
  readonly down1: SpaceTime;
  readonly pool1: Conv2d;
  readonly mid0: SpaceTime;
  readonly mid1: SpaceTime;
  readonly up1: SpaceTime;
  readonly up0: SpaceTime;
  readonly outNorm: GroupNorm;
  readonly outConv: Conv2d;
  readonly act = new SiLU();
  constructor(o: VideoUNetOptions) {
    super();
    const w = o.width ?? 32;
    const embed = o.embed ?? 4 * w;
    for (const [name, v, lo] of [
      ["inChannels", o.inChannels, 1],
      ["outChannels", o.outChannels ?? 3, 1],
      ["width", w, 8],
      ["embed", embed, 8],
      ["steps", o.steps, 2],
      ["maxFrames", o.maxFrames ?? 16, 2],
    ] as const)
      if (!Number.isSafeInteger(v) || v < lo || v > 100_000)
        throw new FlambeauError("E_ARG", `VideoUNet: ${name} must be an integer ≥ ${lo}, got ${v}`, "VideoUNet");
    const conditioning = checkConditioning(o.conditioning ?? "add", "VideoUNet");
    if (w % 8) throw new FlambeauError("E_ARG", `VideoUNet: width must be a multiple of 8 (GroupNorm's groups), got ${w}`, "VideoUNet");
    this.options = {
      inChannels: o.inChannels,
      outChannels: o.outChannels ?? 3,
      width: w,
      embed,
      steps: o.steps,
      maxFrames: o.maxFrames ?? 16,
      conditioning,
    };
    this.registerBuffer("timeTable", sinusoidalPositions(o.steps, w), false);
    this.timeMlp = new Sequential(new Linear(w, embed), new SiLU(), new Linear(embed, embed));
    this.frameEmbedding = new Parameter(
      tensor(new Float32Array(this.options.maxFrames * embed), { shape: [this.options.maxFrames, embed] }),
    );
    this.inConv = new Conv2d(o.inChannels, w, 3, { padding: 1 });
    this.down0 = new SpaceTime(w, w, embed, conditioning);
    this.pool0 = new Conv2d(w, 2 * w, 3, { stride: 2, padding: 1 });
    this.down1 = new SpaceTime(2 * w, 2 * w, embed, conditioning);
    this.pool1 = new Conv2d(2 * w, 2 * w, 3, { stride: 2, padding: 1 });
    this.mid0 = new SpaceTime(2 * w, 2 * w, embed, conditioning);
    this.mid1 = new SpaceTime(2 * w, 2 * w, embed, conditioning);
    this.up1 = new SpaceTime(4 * w, 2 * w, embed, conditioning);
    this.up0 = new SpaceTime(3 * w, w, embed, conditioning);
    this.outNorm = new GroupNorm(normGroups(w), w);
    this.outConv = new Conv2d(w, this.options.outChannels, 3, { padding: 1 });
    zeroConv(this.outConv);
  }

  /**
   * x [B, T, C_in, H, W] (H, W multiples of 4), t: each sample's timestep, cond [B, embed] or null
   * (no condition) → [B, T, outChannels, H, W] (v for a denoiser).
   */
  forward(x: Tensor, t: readonly number[], cond: Tensor | null): Tensor {
    const { inChannels, embed, maxFrames } = this.options;
    if (x.ndim !== 5 || x.shape[2] !== inChannels || x.shape[3]! % 4 || x.shape[4]! % 4)
      throw new FlambeauError(
        "E_SHAPE",
        `VideoUNet: input must be [B, T, ${inChannels}, H, W] with H and W multiples of 4, got ${JSON.stringify(x.shape)}`,
        "forward",
      );
    const [b, frames, c, h, w] = x.shape as [number, number, number, number, number];
    if (frames > maxFrames) throw new FlambeauError("E_SHAPE", `VideoUNet: at most ${maxFrames} frames, got ${frames}`, "forward");
    if (t.length !== b) throw new FlambeauError("E_SHAPE", `VideoUNet: ${t.length} timesteps for a batch of ${b}`, "forward");
    const table = this.getBuffer("timeTable")!;
    let e = this.timeMlp.forward(table.indexSelect(0, tensor(t, { dtype: "int64" })));
    if (cond) e = e.add(cond);
    // [B, E] + [T, E] → [B·T, E]: one embedding per frame.
    const emb = e
      .unsqueeze(1)
      .add(this.frameEmbedding.narrow(0, 0, frames).unsqueeze(0))
      .reshape([b * frames, embed]);
    const h0 = this.down0.forward(this.inConv.forward(x.reshape([b * frames, c, h, w])), emb, frames);
    const h1 = this.down1.forward(this.pool0.forward(h0), emb, frames);
    let y = this.mid1.forward(this.mid0.forward(this.pool1.forward(h1), emb, frames), emb, frames);
    y = this.up1.forward(cat([F.interpolate(y, { size: [h1.shape[2]!, h1.shape[3]!], mode: "nearest" }), h1], 1), emb, frames);
    y = this.up0.forward(cat([F.interpolate(y, { size: [h, w], mode: "nearest" }), h0], 1), emb, frames);
    const out = this.outConv.forward(this.act.forward(this.outNorm.forward(y)));
    return out.reshape([b, frames, this.options.outChannels, h, w]);
  }
}
