// A small neural vocoder after Vocos (Siuzdenko 2023): the network runs at the frame rate and
// predicts the STFT itself — a log-magnitude and a phase per bin — and ATen's inverse STFT turns
// it into samples. HiFi-GAN-style vocoders upsample 160× with transposed convolutions and pay
// for every sample; this one pays per 10 ms frame, which is what lets it train on two CPU cores
// in minutes. Mel [B, nMels, T] → Conv1d embedding → ConvNeXt blocks (depthwise conv, LayerNorm,
// pointwise MLP with GELU, layer scale) → LayerNorm → Linear to (nFft/2 + 1) magnitudes and
// phases → S = e^m (cos φ + i sin φ) → ISTFT (centred, Hann) → waveform [B, (T − 1) · hop].
import { aten } from "../../core/aten.js";
import { call } from "../../core/dispatch.js";
import { FlambeauError } from "../../core/errors.js";
import { full, type Tensor, tidy } from "../../core/index.js";
import { gelu } from "../../nn/functional.js";
import { Conv1d, LayerNorm, Linear, Module, ModuleList } from "../../nn/index.js";
import { Parameter } from "../../nn/parameter.js";
import { makeWindow } from "../features/window.js";

const OP = "Vocos";
const COMPLEX = aten("complex");
const ISTFT = aten("istft");

export interface VocosOptions {
  nMels: number;
  /** Samples per mel frame. */
  hopLength: number;
  /** The synthesis STFT's size and Hann window (default 4 hops, Vocos's overlap). */
  nFft?: number;
  dim?: number;
  /** The pointwise MLP's width (default 3 · dim). */
  intermediate?: number;
  layers?: number;
}

class ConvNeXtBlock extends Module {
  readonly dwconv: Conv1d;
  readonly norm: LayerNorm;
  readonly pw1: Linear;
  readonly pw2: Linear;
  readonly gamma: Parameter;
  constructor(dim: number, intermediate: number, layerScale: number) {
    super();
    this.dwconv = new Conv1d(dim, dim, 7, { padding: 3, groups: dim });
    this.norm = new LayerNorm(dim);
    this.pw1 = new Linear(dim, intermediate);
    this.pw2 = new Linear(intermediate, dim);
    this.gamma = new Parameter(full([dim], layerScale));
  }
  /** x [B, dim, T] → x + γ · MLP(LN(dwconv(x))). */
  forward(x: Tensor): Tensor {
    return tidy(() => {
      const h = this.norm.forward(this.dwconv.forward(x).transpose(1, 2));
      return x.add(
        this.pw2
          .forward(gelu(this.pw1.forward(h)))
          .mul(this.gamma)
          .transpose(1, 2),
      );
    });
  }
}

export class Vocos extends Module {
  readonly o: Required<VocosOptions>;
  readonly embed: Conv1d;
  readonly norm: LayerNorm;
  readonly blocks: ModuleList;
  readonly finalNorm: LayerNorm;
  readonly head: Linear;
  /** The synthesis window per dtype, made on first use. */
  private readonly windows = new Map<string, Tensor>();
  constructor(opts: VocosOptions) {
    super();
    const dim = opts.dim ?? 128;
    const o: Required<VocosOptions> = { nFft: 4 * opts.hopLength, dim, intermediate: 3 * dim, layers: 8, ...opts };
    for (const k of ["nMels", "hopLength", "nFft", "dim", "intermediate", "layers"] as const)
      if (!Number.isInteger(o[k]) || o[k] < 1) throw new FlambeauError("E_ARG", `${OP}: ${k} must be an integer ≥ 1, got ${o[k]}`, OP);
    if (o.nFft % 2 !== 0) throw new FlambeauError("E_ARG", `${OP}: nFft must be even, got ${o.nFft}`, OP);
    if (o.nFft < o.hopLength)
      throw new FlambeauError("E_ARG", `${OP}: nFft ${o.nFft} must be at least hopLength ${o.hopLength} for the frames to overlap-add`, OP);
    this.o = o;
    this.embed = new Conv1d(o.nMels, o.dim, 7, { padding: 3 });
    this.norm = new LayerNorm(o.dim);
    this.blocks = new ModuleList(Array.from({ length: o.layers }, () => new ConvNeXtBlock(o.dim, o.intermediate, 1 / o.layers)));
    this.finalNorm = new LayerNorm(o.dim);
    this.head = new Linear(o.dim, o.nFft + 2);
  }

  private hann(dtype: Tensor["dtype"]): Tensor {
    let w = this.windows.get(dtype);
    if (!w) this.windows.set(dtype, (w = makeWindow("hann", this.o.nFft).to(dtype).keep()));
    return w;
  }

  /** mel [B, nMels, T] (standardised log-mels, as the acoustic model writes them) → waveform [B, (T − 1) · hop]. */
  forward(mel: Tensor): Tensor {
    if (mel.ndim !== 3 || mel.shape[1] !== this.o.nMels)
      throw new FlambeauError("E_SHAPE", `${OP}: expected a mel [batch, ${this.o.nMels}, frames], got [${mel.shape.join(", ")}]`, OP);
    const frames = mel.shape[2]!;
    if (frames < 2) throw new FlambeauError("E_SHAPE", `${OP}: needs at least 2 frames, got ${frames}`, OP);
    return tidy(() => {
      let x = this.norm.forward(this.embed.forward(mel).transpose(1, 2)).transpose(1, 2);
      for (const b of this.blocks) x = (b as ConvNeXtBlock).forward(x);
      const h = this.head.forward(this.finalNorm.forward(x.transpose(1, 2))).transpose(1, 2); // [B, nFft + 2, T]
      const bins = this.o.nFft / 2 + 1;
      // Clamped so an untrained head cannot overflow the exponential (Vocos clips at 100).
      const mag = h.narrow(1, 0, bins).clamp(-20, Math.log(100)).exp();
      const phase = h.narrow(1, bins, bins);
      const spec = call(COMPLEX, mag.mul(phase.cos()), mag.mul(phase.sin())) as Tensor;
      const length = (frames - 1) * this.o.hopLength;
      return call(
        ISTFT,
        spec,
        this.o.nFft,
        this.o.hopLength,
        this.o.nFft,
        this.hann(mel.dtype),
        true,
        false,
        true,
        length,
        false,
      ) as Tensor;
    });
  }

  override dispose(): void {
    for (const w of this.windows.values()) w.dispose();
    this.windows.clear();
    super.dispose();
  }
}
