// Video-prediction scores as the Moving-MNIST literature reports them: the per-frame MSE is
// the SUM of squared errors over one frame's pixels in [0, 1] (64×64 → up to 4,096), averaged
// over sequences, so ConvLSTM's ≈ 103 and PredRNN's 56.8 read on the same scale; SSIM is
// Wang et al.'s (11×11 Gaussian window, vision/quality.ts) on [0, 255] intensities.
// The two baselines every model must beat: repeat the last input frame, and the mean input frame.
import { argError } from "../../core/errors.js";
import { noGrad, type Tensor, tidy } from "../../core/index.js";
import { ssim } from "../../vision/quality.js";

function checkPair(op: string, pred: Tensor, truth: Tensor): void {
  if (pred.ndim !== 5 || pred.shape.join() !== truth.shape.join())
    argError(op, `expects two [N, T, C, H, W] clips of one shape, got [${pred.shape.join(", ")}] and [${truth.shape.join(", ")}]`);
}

/** Sum of squared errors per frame, averaged over the N sequences: one number per time step. */
export function perFrameMse(pred: Tensor, truth: Tensor): number[] {
  checkPair("perFrameMse", pred, truth);
  return noGrad(() =>
    tidy(() => {
      const se = pred
        .double()
        .sub(truth.double())
        .square()
        .sum({ dim: [2, 3, 4] })
        .mean({ dim: [0] });
      return Array.from(se.data() as Float64Array);
    }),
  );
}

/** SSIM per time step (each frame scored alone, then averaged over the N sequences). */
export function perFrameSsim(pred: Tensor, truth: Tensor): number[] {
  checkPair("perFrameSsim", pred, truth);
  const [n, t, c, h, w] = pred.shape as [number, number, number, number, number];
  const flat = (x: Tensor) => x.reshape([n * t, c, h, w]);
  const s = tidy(() => ssim(flat(pred), flat(truth), { space: "rgb" }));
  const out = new Array<number>(t).fill(0);
  for (let i = 0; i < n * t; i++) out[i % t]! += s[i]! / n;
  return out;
}

/** The last input frame repeated `future` times: [N, future, C, H, W]. */
export function copyLastFrame(input: Tensor, future: number): Tensor {
  if (input.ndim !== 5) argError("copyLastFrame", `input must be [N, T, C, H, W], got [${input.shape.join(", ")}]`);
  const s = input.shape;
  return input
    .narrow(1, s[1]! - 1, 1)
    .expand([s[0]!, future, s[2]!, s[3]!, s[4]!])
    .contiguous();
}

/** The mean of the input frames repeated `future` times: [N, future, C, H, W]. */
export function meanInputFrame(input: Tensor, future: number): Tensor {
  if (input.ndim !== 5) argError("meanInputFrame", `input must be [N, T, C, H, W], got [${input.shape.join(", ")}]`);
  const s = input.shape;
  return input
    .mean({ dim: [1], keepdim: true })
    .expand([s[0]!, future, s[2]!, s[3]!, s[4]!])
    .contiguous();
}

/** Running sums of per-frame scores over batches. */
export class FrameScores {
  readonly #mse: number[];
  readonly #ssim: number[];
  #sequences = 0;

  constructor(readonly frames: number) {
    this.#mse = new Array<number>(frames).fill(0);
    this.#ssim = new Array<number>(frames).fill(0);
  }

  add(pred: Tensor, truth: Tensor): void {
    const n = pred.shape[0]!;
    const m = perFrameMse(pred, truth);
    const s = perFrameSsim(pred, truth);
    for (let t = 0; t < this.frames; t++) {
      this.#mse[t]! += m[t]! * n;
      this.#ssim[t]! += s[t]! * n;
    }
    this.#sequences += n;
  }

  /** Means over every sequence seen: the per-step curves and their averages over the predicted frames. */
  result(): { mse: number; ssim: number; msePerStep: number[]; ssimPerStep: number[] } {
    const n = Math.max(1, this.#sequences);
    const msePerStep = this.#mse.map((v) => v / n);
    const ssimPerStep = this.#ssim.map((v) => v / n);
    const avg = (a: number[]) => a.reduce((x, y) => x + y, 0) / a.length;
    return { mse: avg(msePerStep), ssim: avg(ssimPerStep), msePerStep, ssimPerStep };
  }
}
