// Observers (torch.ao.quantization.MinMaxObserver / PerChannelMinMaxObserver): running min
// and max of what a layer sees during calibration, turned into a scale and zero point.
import { FlambeauError } from "../core/errors.js";
import { noGrad, type Tensor, tidy } from "../core/index.js";

export interface QParams {
  scale: number;
  zeroPoint: number;
}

const EPS = 1.1920928955078125e-7; // torch.finfo(torch.float32).eps: the smallest scale observers give

/**
 * PyTorch's _calculate_qparams for one range: the range always holds 0 (so zero is exact);
 * affine maps it onto [qmin, qmax], symmetric centres it.
 */
export function calculateQParams(min: number, max: number, o: { qmin: number; qmax: number; symmetric?: boolean }): QParams {
  const lo = Math.min(min, 0);
  const hi = Math.max(max, 0);
  if (o.symmetric) {
    const amax = Math.max(-lo, hi);
    const scale = Math.max(amax / ((o.qmax - o.qmin) / 2), EPS);
    return { scale, zeroPoint: o.qmin < 0 ? 0 : Math.round((o.qmin + o.qmax + 1) / 2) };
  }
  const scale = Math.max((hi - lo) / (o.qmax - o.qmin), EPS);
  const zeroPoint = Math.min(o.qmax, Math.max(o.qmin, o.qmin - Math.round(lo / scale)));
  return { scale, zeroPoint };
}

/**
 * Per-tensor min/max of activations, quint8 affine over [0, 255], or [0, 127] with
 * `reduceRange` (PyTorch's reduce_range: x86 int8 kernels without VNNI multiply u8 × s8 pairs
 * into int16 lanes, which saturate unless activations keep 7 bits).
 */
export class MinMaxObserver {
  min = Number.POSITIVE_INFINITY;
  max = Number.NEGATIVE_INFINITY;
  observe(x: Tensor): void {
    noGrad(() =>
      tidy(() => {
        const [lo, hi] = x.detach().float().aminmax();
        this.min = Math.min(this.min, lo!.item() as number);
        this.max = Math.max(this.max, hi!.item() as number);
      }),
    );
  }
  get observed(): boolean {
    return Number.isFinite(this.min) && Number.isFinite(this.max);
  }
  qparams(op: string, reduceRange = false): QParams {
    if (!this.observed)
      throw new FlambeauError("E_STATE", `${op}: the observer saw no data; calibrate (run forward on a few batches) before convert`, op);
    if (!Number.isFinite(this.max - this.min)) throw new FlambeauError("E_STATE", `${op}: calibration saw non-finite values`, op);
    return calculateQParams(this.min, this.max, { qmin: 0, qmax: reduceRange ? 127 : 255 });
  }
}

/**
 * torch.ao.quantization.MovingAverageMinMaxObserver, the activation observer of
 * quantization-aware training: the first batch sets min and max, each later one moves them by
 * `averagingConstant` (0.01) of the way to its own, so the ranges follow the weights as they
 * train without one outlier batch widening them for good.
 */
export class MovingAverageMinMaxObserver extends MinMaxObserver {
  constructor(readonly averagingConstant = 0.01) {
    super();
  }
  override observe(x: Tensor): void {
    const seen = new MinMaxObserver();
    seen.observe(x);
    if (!this.observed) {
      this.min = seen.min;
      this.max = seen.max;
      return;
    }
    const c = this.averagingConstant;
    this.min += c * (seen.min - this.min);
    this.max += c * (seen.max - this.max);
  }
}
