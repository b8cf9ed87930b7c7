// PredRNN's spatiotemporal LSTM cell (Wang et al. 2017; the gates as in the authors'
// predrnn-pytorch SpatioTemporalLSTMCell, without layer norm): beside the ConvLSTM's
// temporal memory c, a spatiotemporal memory m that zigzags up the layers and on to the
// bottom layer of the next step, so low-level detail reaches the top within one step.
import { argError } from "../../core/errors.js";
import { cat, type Tensor, zeros } from "../../core/index.js";
import { Conv2d, Module } from "../../nn/index.js";

/** The authors' forget-gate bias: the memories start near "keep". */
const FORGET_BIAS = 1;

/** An ST-LSTM state: hidden h, temporal memory c, spatiotemporal memory m, each [N, hidden, H, W]. */
export type StLstmState = readonly [Tensor, Tensor, Tensor];

export class SpatioTemporalLSTMCell extends Module {
  readonly inChannels: number;
  readonly hidden: number;
  readonly conv_x: Conv2d;
  readonly conv_h: Conv2d;
  readonly conv_m: Conv2d;
  readonly conv_o: Conv2d;
  readonly conv_last: Conv2d;

  constructor(inChannels: number, hidden: number, kernel = 3) {
    super();
    const op = "SpatioTemporalLSTMCell";
    if (!Number.isSafeInteger(inChannels) || inChannels < 1) argError(op, `inChannels must be a positive integer, got ${inChannels}`);
    if (!Number.isSafeInteger(hidden) || hidden < 1) argError(op, `hidden must be a positive integer, got ${hidden}`);
    if (!Number.isSafeInteger(kernel) || kernel < 1 || kernel % 2 === 0 || kernel > 15)
      argError(op, `kernel must be an odd integer in [1, 15], got ${kernel}`);
    this.inChannels = inChannels;
    this.hidden = hidden;
    const conv = (i: number, o: number, k: number) => new Conv2d(i, o, k, { padding: k >> 1, bias: false });
    this.conv_x = conv(inChannels, 7 * hidden, kernel);
    this.conv_h = conv(hidden, 4 * hidden, kernel);
    this.conv_m = conv(hidden, 3 * hidden, kernel);
    this.conv_o = conv(2 * hidden, hidden, kernel);
    this.conv_last = conv(2 * hidden, hidden, 1);
  }

  initialState(n: number, height: number, width: number): StLstmState {
    const z = () => zeros([n, this.hidden, height, width]);
    return [z(), z(), z()];
  }

  /** One step: x [N, inChannels, H, W], the layer's own (h, c) and the m handed to it → new (h, c, m). */
  forward(x: Tensor, state: StLstmState): [Tensor, Tensor, Tensor] {
    const [h, c, m] = state;
    if (x.ndim !== 4 || x.shape[1] !== this.inChannels)
      argError("SpatioTemporalLSTMCell", `input must be [N, ${this.inChannels}, H, W], got [${x.shape.join(", ")}]`);
    const want = [x.shape[0], this.hidden, x.shape[2], x.shape[3]].join();
    for (const s of [h, c, m])
      if (s.shape.join() !== want) argError("SpatioTemporalLSTMCell", `state tensors must be [${want}], got [${s.shape.join(", ")}]`);
    const [ix, fx, gx, ixm, fxm, gxm, ox] = this.conv_x.forward(x).chunk(7, 1) as Tensor[];
    const [ih, fh, gh, oh] = this.conv_h.forward(h).chunk(4, 1) as Tensor[];
    const [im, fm, gm] = this.conv_m.forward(m).chunk(3, 1) as Tensor[];
    // Temporal memory: the ConvLSTM update from x and h.
    const i = ix!.add(ih!).sigmoid();
    const f = fx!.add(fh!).add(FORGET_BIAS).sigmoid();
    const cNext = f.mul(c).add(i.mul(gx!.add(gh!).tanh()));
    // Spatiotemporal memory: the same update from x and the m handed up (or over) to this layer.
    const i2 = ixm!.add(im!).sigmoid();
    const f2 = fxm!.add(fm!).add(FORGET_BIAS).sigmoid();
    const mNext = f2.mul(m).add(i2.mul(gxm!.add(gm!).tanh()));
    const mem = cat([cNext, mNext], 1);
    const o = ox!.add(oh!).add(this.conv_o.forward(mem)).sigmoid();
    const hNext = o.mul(this.conv_last.forward(mem).tanh());
    return [hNext, cNext, mNext];
  }
}
