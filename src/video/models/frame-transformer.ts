// A CNN + temporal Transformer video classifier (the "CNN features, then attention over time"
// family, as in Girdhar et al. 2019's action Transformer or TimeSformer's divided attention cut
// down to its temporal half): every frame goes through the same three conv stages as the
// factorised network's spatial half, is pooled to a 4×4 grid and projected to one d-vector —
// the grid keeps where things are, which "moving left" needs — then sinusoidal time
// positions are added and a pre-norm Transformer encoder attends across frames; the frames'
// outputs are averaged and classified.
import { FlambeauError } from "../../core/errors.js";
import type { Tensor } from "../../core/index.js";
import {
  AdaptiveAvgPool2d,
  Dropout,
  LayerNorm,
  Linear,
  Module,
  Sequential,
  TransformerEncoder,
  TransformerEncoderLayer,
} from "../../nn/index.js";
import { sinusoidalPositions } from "../../nn/positional.js";
import { SpatialConv } from "./factorised-cnn.js";

export interface FrameTransformerOptions {
  numClasses: number;
  /** Channels of the first conv stage (default 16); each stage doubles them. */
  width?: number;
  /** Width of the frame tokens (default 128). */
  dModel?: number;
  /** Transformer layers (default 2) and heads (default 4). */
  layers?: number;
  heads?: number;
  dropout?: number;
}

/** The side of the grid each frame's features are pooled to. */
const GRID = 4;

export class FrameTransformer extends Module {
  readonly numClasses: number;
  readonly dModel: number;
  readonly frames: Sequential;
  readonly pool = new AdaptiveAvgPool2d([GRID, GRID]);
  readonly project: Linear;
  readonly encoder: TransformerEncoder;
  readonly norm: LayerNorm;
  readonly dropout: Dropout;
  readonly head: Linear;
  constructor(o: FrameTransformerOptions) {
    super();
    const w = o.width ?? 16;
    const d = o.dModel ?? 128;
    const heads = o.heads ?? 4;
    for (const [name, v, lo] of [
      ["width", w, 1],
      ["dModel", d, 4],
      ["layers", o.layers ?? 2, 1],
      ["heads", heads, 1],
      ["numClasses", o.numClasses, 2],
    ] as const)
      if (!Number.isSafeInteger(v) || v < lo || v > 4096)
        throw new FlambeauError("E_ARG", `FrameTransformer: ${name} must be an integer in [${lo}, 4096], got ${v}`);
    if (d % heads !== 0) throw new FlambeauError("E_ARG", `FrameTransformer: dModel ${d} is not divisible by heads ${heads}`);
    this.numClasses = o.numClasses;
    this.dModel = d;
    this.frames = new Sequential(new SpatialConv(3, w, 2), new SpatialConv(w, 2 * w, 2), new SpatialConv(2 * w, 4 * w, 2));
    this.project = new Linear(4 * w * GRID * GRID, d);
    const p = o.dropout ?? 0.1;
    this.encoder = new TransformerEncoder(
      () => new TransformerEncoderLayer(d, heads, { dimFeedforward: 2 * d, dropout: p, batchFirst: true, normFirst: true }),
      o.layers ?? 2,
    );
    this.norm = new LayerNorm(d);
    this.dropout = new Dropout(p);
    this.head = new Linear(d, o.numClasses);
  }
  /** [B, T, 3, H, W] normalised frames → [B, classes] logits. */
  forward(x: Tensor): Tensor {
    if (x.ndim !== 5 || x.shape[2] !== 3)
      throw new FlambeauError("E_SHAPE", `FrameTransformer: input must be [B, T, 3, H, W], got ${JSON.stringify(x.shape)}`, "forward");
    const [b, t] = x.shape as [number, number];
    const f = this.frames.forward(x);
    const grid = this.pool.forward(f.reshape([b * t, ...f.shape.slice(2)]));
    const tokens = this.project.forward(grid.reshape([b, t, -1])).add(sinusoidalPositions(t, this.dModel));
    const y = this.norm.forward(this.encoder.forward(tokens));
    return this.head.forward(this.dropout.forward(y.mean({ dim: 1 })));
  }
}
