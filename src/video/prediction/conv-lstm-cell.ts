// The ConvLSTM cell of Shi et al. (2015): an LSTM whose input-to-state and state-to-state
// transitions are convolutions, so the hidden state keeps the frame's spatial layout.
// One convolution over [x, h] computes the four gates' pre-activations (PyTorch's LSTM gate
// order i, f, g, o); the optional peephole weights (Hadamard products with the cell state,
// as in the paper) are per position, which ties a peephole cell to one frame size.
import { argError } from "../../core/errors.js";
import { cat, type Tensor, zeros } from "../../core/index.js";
import { Conv2d, Module, Parameter } from "../../nn/index.js";

export interface ConvLstmCellOptions {
  /** Odd kernel side of the gate convolution (default 3; padded to keep the frame size). */
  kernel?: number;
  /** Peephole weights W_ci, W_cf, W_co for a state of this [height, width] (default: none). */
  peephole?: readonly [number, number];
}

/** A ConvLSTM state: hidden h and cell c, each [N, hidden, H, W]. */
export type ConvLstmState = readonly [Tensor, Tensor];

export class ConvLSTMCell extends Module {
  readonly inChannels: number;
  readonly hidden: number;
  readonly kernel: number;
  readonly conv: Conv2d;
  w_ci: Parameter | null = null;
  w_cf: Parameter | null = null;
  w_co: Parameter | null = null;

  constructor(inChannels: number, hidden: number, o: ConvLstmCellOptions = {}) {
    super();
    const op = "ConvLSTMCell";
    const kernel = o.kernel ?? 3;
    if (!Number.isSafeInteger(inChannels) || inChannels < 1) argError(op, `inChannels must be a positive integer, got ${inChannels}`);
    if (!Number.isSafeInteger(hidden) || hidden < 1) argError(op, `hidden must be a positive integer, got ${hidden}`);
    if (!Number.isSafeInteger(kernel) || kernel < 1 || kernel % 2 === 0 || kernel > 15)
      argError(op, `kernel must be an odd integer in [1, 15], got ${kernel}`);
    this.inChannels = inChannels;
    this.hidden = hidden;
    this.kernel = kernel;
    this.conv = new Conv2d(inChannels + hidden, 4 * hidden, kernel, { padding: kernel >> 1 });
    if (o.peephole) {
      const [h, w] = o.peephole;
      if (!Number.isSafeInteger(h) || !Number.isSafeInteger(w) || h < 1 || w < 1)
        argError(op, `peephole must be a positive [height, width], got [${o.peephole.join(", ")}]`);
      // Zero-initialised: the cell starts as a plain ConvLSTM and learns how much to peek.
      this.w_ci = new Parameter(zeros([hidden, h, w]));
      this.w_cf = new Parameter(zeros([hidden, h, w]));
      this.w_co = new Parameter(zeros([hidden, h, w]));
    }
  }

  /** The zero state for a batch of `n` frames of `height` × `width`. */
  initialState(n: number, height: number, width: number): ConvLstmState {
    return [zeros([n, this.hidden, height, width]), zeros([n, this.hidden, height, width])];
  }

  forward(x: Tensor, state: ConvLstmState): [Tensor, Tensor] {
    const [h, c] = state;
    if (x.ndim !== 4 || x.shape[1] !== this.inChannels)
      argError("ConvLSTMCell", `input must be [N, ${this.inChannels}, H, W], got [${x.shape.join(", ")}]`);
    const want = [x.shape[0], this.hidden, x.shape[2], x.shape[3]].join();
    if (h.shape.join() !== want || c.shape.join() !== want)
      argError("ConvLSTMCell", `state must be two [${want}] tensors, got [${h.shape.join(", ")}] and [${c.shape.join(", ")}]`);
    const [gi, gf, gg, go] = this.conv.forward(cat([x, h], 1)).chunk(4, 1) as [Tensor, Tensor, Tensor, Tensor];
    const peek = (w: Parameter | null, s: Tensor, g: Tensor) => (w ? g.add(s.mul(w)) : g);
    const i = peek(this.w_ci, c, gi).sigmoid();
    const f = peek(this.w_cf, c, gf).sigmoid();
    const cNext = f.mul(c).add(i.mul(gg.tanh()));
    const o = peek(this.w_co, cNext, go).sigmoid();
    const hNext = o.mul(cNext.tanh());
    return [hNext, cNext];
  }
}
