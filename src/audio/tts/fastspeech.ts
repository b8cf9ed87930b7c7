// A small FastSpeech 2-style acoustic model (Ren et al. 2021), non-autoregressive and
// multi-speaker: phoneme embeddings + sinusoidal positions → Transformer encoder → plus a
// speaker embedding → a convolutional duration predictor (log(1 + frames)) → the length
// regulator (true durations in training, predicted ones at inference) → Transformer decoder
// over frames → a linear projection to log-mels, refined by a residual convolutional postnet.
import { FlambeauError } from "../../core/errors.js";
import { type Tensor, tensor, tidy } from "../../core/index.js";
import { relu } from "../../nn/functional.js";
import { Conv1d, Dropout, Embedding, LayerNorm, Linear, Module, ModuleList, TransformerEncoderLayer } from "../../nn/index.js";
import { lengthRegulate } from "./length-regulator.js";

export interface FastSpeechOptions {
  vocab: number;
  speakers: number;
  nMels: number;
  dim?: number;
  heads?: number;
  encoderLayers?: number;
  decoderLayers?: number;
  dropout?: number;
}

/** The longest a phoneme may last at inference: 1 s at a 10 ms hop. */
const MAX_FRAMES = 100;

/** Sinusoidal positions [len, dim] (Vaswani et al. 2017). */
function positions(len: number, dim: number): Tensor {
  const pe = new Float32Array(len * dim);
  for (let p = 0; p < len; p++)
    for (let i = 0; i < dim; i += 2) {
      const a = p / 10000 ** (i / dim);
      pe[p * dim + i] = Math.sin(a);
      if (i + 1 < dim) pe[p * dim + i + 1] = Math.cos(a);
    }
  return tensor(pe, { shape: [len, dim] });
}

/** Key-padding mask [B, len]: true past each example's length. */
function paddingMask(lens: readonly number[], len: number): Tensor {
  const m = new Uint8Array(lens.length * len);
  lens.forEach((l, b) => m.fill(1, b * len + l, (b + 1) * len));
  return tensor(m, { shape: [lens.length, len] }).to("bool");
}

/** [B, len, 1] float mask: 1 on valid steps. */
export function validMask(lens: readonly number[], len: number): Tensor {
  const m = new Float32Array(lens.length * len);
  lens.forEach((l, b) => m.fill(1, b * len, b * len + Math.min(l, len)));
  return tensor(m, { shape: [lens.length, len, 1] });
}

class ConvBlock extends Module {
  readonly conv: Conv1d;
  readonly norm: LayerNorm;
  readonly drop: Dropout;
  constructor(cin: number, cout: number, kernel: number, dropout: number) {
    super();
    this.conv = new Conv1d(cin, cout, kernel, { padding: (kernel - 1) / 2 });
    this.norm = new LayerNorm(cout);
    this.drop = new Dropout(dropout);
  }
  /** x [B, L, C] → [B, L, C']. */
  forward(x: Tensor): Tensor {
    return tidy(() => this.drop.forward(this.norm.forward(relu(this.conv.forward(x.transpose(1, 2))).transpose(1, 2))));
  }
}

export interface FastSpeechOutput {
  /** [B, T, nMels] before and after the postnet. */
  melCoarse: Tensor;
  mel: Tensor;
  /** [B, N] predicted log(1 + frames). */
  logDur: Tensor;
  frames: number[];
}

export class FastSpeech extends Module {
  readonly o: Required<FastSpeechOptions>;
  readonly embed: Embedding;
  readonly speaker: Embedding;
  readonly encoder: ModuleList;
  readonly durA: ConvBlock;
  readonly durB: ConvBlock;
  readonly durOut: Linear;
  readonly decoder: ModuleList;
  readonly toMel: Linear;
  readonly post: ModuleList;
  readonly postOut: Conv1d;
  constructor(opts: FastSpeechOptions) {
    super();
    const o = { dim: 128, heads: 2, encoderLayers: 2, decoderLayers: 2, dropout: 0.1, ...opts };
    if (o.dim % o.heads !== 0)
      throw new FlambeauError("E_ARG", `FastSpeech: dim ${o.dim} must be a multiple of heads ${o.heads}`, "FastSpeech");
    this.o = o;
    const layer = () =>
      new TransformerEncoderLayer(o.dim, o.heads, { dimFeedforward: 2 * o.dim, dropout: o.dropout, batchFirst: true, normFirst: true });
    this.embed = new Embedding(o.vocab, o.dim, { paddingIdx: 0 });
    this.speaker = new Embedding(o.speakers, o.dim);
    this.encoder = new ModuleList(Array.from({ length: o.encoderLayers }, layer));
    this.durA = new ConvBlock(o.dim, o.dim, 3, o.dropout);
    this.durB = new ConvBlock(o.dim, o.dim, 3, o.dropout);
    this.durOut = new Linear(o.dim, 1);
    this.decoder = new ModuleList(Array.from({ length: o.decoderLayers }, layer));
    this.toMel = new Linear(o.dim, o.nMels);
    this.post = new ModuleList([new ConvBlock(o.nMels, o.dim, 5, o.dropout), new ConvBlock(o.dim, o.dim, 5, o.dropout)]);
    this.postOut = new Conv1d(o.dim, o.nMels, 5, { padding: 2 });
  }

  /**
   * ids [B, N] (int64, 0 pads), speakers [B] (int64), phoneme counts; `durations` (frames per
   * phoneme) in training, or null to use the predicted ones scaled by `pace`.
   */
  synthesize(ids: Tensor, speakers: Tensor, lens: readonly number[], durations: readonly number[][] | null, pace = 1): FastSpeechOutput {
    return tidy(() => {
      const [b, n] = ids.shape as [number, number];
      const d = this.o.dim;
      let h = this.embed.forward(ids).mul(Math.sqrt(d)).add(positions(n, d).unsqueeze(0));
      const pm = paddingMask(lens, n);
      for (const l of this.encoder) h = (l as TransformerEncoderLayer).forward(h, { srcKeyPaddingMask: pm });
      h = h.add(this.speaker.forward(speakers).unsqueeze(1));
      const logDur = this.durOut.forward(this.durB.forward(this.durA.forward(h))).squeeze(2);
      const durs =
        durations ??
        (() => {
          const ld = logDur.detach().contiguous().data() as Float32Array;
          // Clamped: an untrained or confused predictor must not ask for minutes of audio.
          return lens.map((l, k) =>
            Array.from({ length: l }, (_, i) =>
              Math.min(MAX_FRAMES, Math.max(1, Math.round((Math.exp(Math.min(ld[k * n + i]!, 6)) - 1) * pace))),
            ),
          );
        })();
      const { out, frames } = lengthRegulate(h.mul(validMask(lens, n)), durs);
      const t = out.shape[1]!;
      let y = out.add(positions(t, d).unsqueeze(0));
      const fm = paddingMask(frames, t);
      for (const l of this.decoder) y = (l as TransformerEncoderLayer).forward(y, { srcKeyPaddingMask: fm });
      const melCoarse = this.toMel.forward(y);
      let p = melCoarse;
      for (const c of this.post) p = (c as ConvBlock).forward(p);
      const mel = melCoarse.add(this.postOut.forward(p.transpose(1, 2)).transpose(1, 2));
      void b;
      return { melCoarse, mel, logDur, frames };
    });
  }

  forward(ids: Tensor): Tensor {
    const b = ids.shape[0]!;
    const n = ids.shape[1]!;
    return this.synthesize(ids, tensor(new BigInt64Array(b), { shape: [b] }), new Array<number>(b).fill(n), null).mel;
  }
}
