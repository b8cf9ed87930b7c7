// Shi et al.'s encoder–forecaster: a stack of ConvLSTM layers reads the input frames, a
// second stack starts from the encoder's states and unrolls the future; a 1×1 convolution
// over all forecaster layers' hidden states gives each predicted frame. Frames are folded
// into `patch`² channels first (space-to-depth, as PredRNN's code does on Moving MNIST),
// which divides the convolutions' cost by patch² at the same receptive field in pixels.
// Shi's forecaster takes no input; ours is fed its previous prediction (the last input
// frame first), which trains faster on a small budget.
import { argError } from "../../core/errors.js";
import { cat, pixelShuffle, pixelUnshuffle, stack, type Tensor } from "../../core/index.js";
import { Conv2d, Module, ModuleList } from "../../nn/index.js";
import { ConvLSTMCell, type ConvLstmState } from "./conv-lstm-cell.js";

export interface ConvLstmHyper {
  /** Channels of a frame (1 for Moving MNIST). */
  channels: number;
  /** Frame side in pixels (square frames). */
  size: number;
  /** Space-to-depth factor (divides size). */
  patch: number;
  /** Hidden channels of each ConvLSTM layer. */
  hidden: number[];
  kernel: number;
  peephole: boolean;
}

export class ConvLstmForecaster extends Module {
  readonly hyper: ConvLstmHyper;
  readonly encoder: ModuleList;
  readonly forecaster: ModuleList;
  readonly head: Conv2d;

  constructor(h: ConvLstmHyper) {
    super();
    const op = "ConvLstmForecaster";
    if (!Number.isSafeInteger(h.patch) || h.patch < 1 || h.size % h.patch !== 0)
      argError(op, `patch must be a positive divisor of the frame size ${h.size}, got ${h.patch}`);
    if (!Array.isArray(h.hidden) || h.hidden.length < 1)
      argError(op, `hidden must list at least one layer's channels, got ${String(h.hidden)}`);
    this.hyper = h;
    const c = h.channels * h.patch * h.patch;
    const side = h.size / h.patch;
    const stackOf = () =>
      new ModuleList(
        h.hidden.map(
          (n, l) =>
            new ConvLSTMCell(l === 0 ? c : h.hidden[l - 1]!, n, {
              kernel: h.kernel,
              ...(h.peephole ? { peephole: [side, side] as const } : {}),
            }),
        ),
      );
    this.encoder = stackOf();
    this.forecaster = stackOf();
    this.head = new Conv2d(
      h.hidden.reduce((a, b) => a + b, 0),
      c,
      1,
    );
  }

  /** One step of a stack: returns the new states (the last layer's h is the top output). */
  #step(cells: ModuleList, x: Tensor, states: ConvLstmState[]): ConvLstmState[] {
    const next: ConvLstmState[] = [];
    let input = x;
    for (let l = 0; l < cells.length; l++) {
      const s = (cells.at(l) as ConvLSTMCell).forward(input, states[l]!);
      next.push(s);
      input = s[0];
    }
    return next;
  }

  /**
   * Logits of the `future` frames after `frames` [N, T, C, H, W] in [0, 1]:
   * [N, future, C, H, W] (a sigmoid gives the pixels).
   */
  logits(frames: Tensor, future: number): Tensor {
    const h = this.hyper;
    if (frames.ndim !== 5 || frames.shape[2] !== h.channels || frames.shape[3] !== h.size || frames.shape[4] !== h.size)
      argError("ConvLstmForecaster", `frames must be [N, T, ${h.channels}, ${h.size}, ${h.size}], got [${frames.shape.join(", ")}]`);
    if (!Number.isSafeInteger(future) || future < 1) argError("ConvLstmForecaster", `future must be a positive integer, got ${future}`);
    const [n, t] = [frames.shape[0]!, frames.shape[1]!];
    const side = h.size / h.patch;
    const fold = (x: Tensor) => (h.patch > 1 ? pixelUnshuffle(x, h.patch) : x);
    const unfold = (x: Tensor) => (h.patch > 1 ? pixelShuffle(x, h.patch) : x);
    let states = h.hidden.map((_, l) => (this.encoder.at(l) as ConvLSTMCell).initialState(n, side, side));
    for (let k = 0; k < t; k++) states = this.#step(this.encoder, fold(frames.select(1, k)), states);
    const out: Tensor[] = [];
    let prev = frames.select(1, t - 1);
    for (let k = 0; k < future; k++) {
      states = this.#step(this.forecaster, fold(prev), states);
      const y = unfold(
        this.head.forward(
          cat(
            states.map((s) => s[0]),
            1,
          ),
        ),
      );
      out.push(y);
      prev = y.sigmoid();
    }
    return stack(out, 1);
  }

  /** Predicted frames in [0, 1]: [N, future, C, H, W]. */
  forward(frames: Tensor, future = 10): Tensor {
    return this.logits(frames, future).sigmoid();
  }
}
