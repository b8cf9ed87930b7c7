// PredRNN (Wang et al. 2017): a stack of ST-LSTM cells unrolled over the whole clip with one
// set of weights, reading the given frames and then its own predictions; the spatiotemporal
// memory m goes up the layers within a step and from the top layer to the bottom one of
// the next step (the zigzag). Frames are folded into patch² channels as in the authors'
// Moving-MNIST setting (patch 4). Same interface as ConvLstmForecaster: logits(frames, future).
import { argError } from "../../core/errors.js";
import { pixelShuffle, pixelUnshuffle, stack, type Tensor } from "../../core/index.js";
import { Conv2d, Module, ModuleList } from "../../nn/index.js";
import type { ConvLstmHyper } from "./encoder-forecaster.js";
import { SpatioTemporalLSTMCell, type StLstmState } from "./st-lstm-cell.js";

export type PredRnnHyper = Omit<ConvLstmHyper, "peephole">;

export class PredRnn extends Module {
  readonly hyper: PredRnnHyper;
  readonly cells: ModuleList;
  readonly conv_last: Conv2d;

  constructor(h: PredRnnHyper) {
    super();
    if (!Number.isSafeInteger(h.patch) || h.patch < 1 || h.size % h.patch !== 0)
      argError("PredRnn", `patch must be a positive divisor of the frame size ${h.size}, got ${h.patch}`);
    if (!Array.isArray(h.hidden) || h.hidden.length < 1)
      argError("PredRnn", `hidden must list at least one layer's channels, got ${String(h.hidden)}`);
    if (h.hidden.some((n) => n !== h.hidden[0]))
      argError("PredRnn", `m passes between layers, so every layer needs the same hidden size, got [${h.hidden.join(", ")}]`);
    this.hyper = h;
    const c = h.channels * h.patch * h.patch;
    this.cells = new ModuleList(h.hidden.map((n, l) => new SpatioTemporalLSTMCell(l === 0 ? c : h.hidden[l - 1]!, n, h.kernel)));
    this.conv_last = new Conv2d(h.hidden.at(-1)!, c, 1, { bias: false });
  }

  /** Logits of the `future` frames after `frames` [N, T, C, H, W] in [0, 1]: [N, future, C, H, W]. */
  logits(frames: Tensor, future: number): Tensor {
    const h = this.hyper;
    if (frames.ndim !== 5 || frames.shape[2] !== h.channels || frames.shape[3] !== h.size || frames.shape[4] !== h.size)
      argError("PredRnn", `frames must be [N, T, ${h.channels}, ${h.size}, ${h.size}], got [${frames.shape.join(", ")}]`);
    if (!Number.isSafeInteger(future) || future < 1) argError("PredRnn", `future must be a positive integer, got ${future}`);
    const [n, t] = [frames.shape[0]!, frames.shape[1]!];
    const side = h.size / h.patch;
    const fold = (x: Tensor) => (h.patch > 1 ? pixelUnshuffle(x, h.patch) : x);
    const unfold = (x: Tensor) => (h.patch > 1 ? pixelShuffle(x, h.patch) : x);
    const cells = Array.from({ length: this.cells.length }, (_, l) => this.cells.at(l) as SpatioTemporalLSTMCell);
    let states: StLstmState[] = cells.map((cell) => cell.initialState(n, side, side));
    const out: Tensor[] = [];
    let prev: Tensor | null = null;
    for (let k = 0; k < t + future - 1; k++) {
      const x: Tensor = k < t ? frames.select(1, k) : prev!;
      // The zigzag: the bottom layer receives m from the top layer of the previous step.
      let m = states.at(-1)![2];
      let input = fold(x);
      const next: StLstmState[] = [];
      for (let l = 0; l < cells.length; l++) {
        const s = cells[l]!.forward(input, [states[l]![0], states[l]![1], m]);
        next.push(s);
        [input, m] = [s[0], s[2]];
      }
      states = next;
      if (k >= t - 1) {
        const y = unfold(this.conv_last.forward(input));
        out.push(y);
        prev = y.sigmoid();
      }
    }
    return stack(out, 1);
  }

  forward(frames: Tensor, future = 10): Tensor {
    return this.logits(frames, future).sigmoid();
  }
}
