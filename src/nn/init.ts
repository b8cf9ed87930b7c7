// Weight initialisations with PyTorch's formulas (torch.nn.init), in place, without grad.
import { FlambeauError } from "../core/errors.js";
import { diagonal, noGrad, qr, randn, type Tensor, tidy } from "../core/index.js";

export type Nonlinearity =
  | "linear"
  | "conv1d"
  | "conv2d"
  | "conv3d"
  | "conv_transpose1d"
  | "conv_transpose2d"
  | "conv_transpose3d"
  | "sigmoid"
  | "tanh"
  | "relu"
  | "leaky_relu"
  | "selu";

export function calculateGain(nonlinearity: Nonlinearity, param?: number): number {
  switch (nonlinearity) {
    case "tanh":
      return 5 / 3;
    case "relu":
      return Math.SQRT2;
    case "leaky_relu": {
      const a = param ?? 0.01;
      return Math.sqrt(2 / (1 + a * a));
    }
    case "selu":
      return 3 / 4;
    default:
      return 1;
  }
}

/** fan_in and fan_out as PyTorch computes them (dim 1 × receptive field, dim 0 × receptive field). */
export function calculateFans(t: Tensor): { fanIn: number; fanOut: number } {
  if (t.ndim < 2) throw new FlambeauError("E_ARG", `init: fan in/out need a tensor of rank >= 2, got [${t.shape.join(", ")}]`);
  const rf = t.shape.slice(2).reduce((a, b) => a * b, 1);
  return { fanIn: t.shape[1]! * rf, fanOut: t.shape[0]! * rf };
}

export const uniform_ = (t: Tensor, a = 0, b = 1): Tensor => noGrad(() => t.uniform_(a, b));
export const normal_ = (t: Tensor, mean = 0, std = 1): Tensor => noGrad(() => t.normal_(mean, std));
export const constant_ = (t: Tensor, v: number): Tensor => noGrad(() => t.fill_(v));
export const zeros_ = (t: Tensor): Tensor => noGrad(() => t.zero_());
export const ones_ = (t: Tensor): Tensor => noGrad(() => t.fill_(1));

export interface KaimingOptions {
  a?: number;
  mode?: "fanIn" | "fanOut";
  nonlinearity?: Nonlinearity;
}
function kaimingStd(t: Tensor, o: KaimingOptions): number {
  const { fanIn, fanOut } = calculateFans(t);
  const fan = (o.mode ?? "fanIn") === "fanIn" ? fanIn : fanOut;
  return calculateGain(o.nonlinearity ?? "leaky_relu", o.a ?? 0) / Math.sqrt(fan);
}
export function kaimingUniform_(t: Tensor, o: KaimingOptions = {}): Tensor {
  const bound = Math.sqrt(3) * kaimingStd(t, o);
  return uniform_(t, -bound, bound);
}
export const kaimingNormal_ = (t: Tensor, o: KaimingOptions = {}): Tensor => normal_(t, 0, kaimingStd(t, o));
export function xavierUniform_(t: Tensor, gain = 1): Tensor {
  const { fanIn, fanOut } = calculateFans(t);
  const a = gain * Math.sqrt(6 / (fanIn + fanOut));
  return uniform_(t, -a, a);
}
export function xavierNormal_(t: Tensor, gain = 1): Tensor {
  const { fanIn, fanOut } = calculateFans(t);
  return normal_(t, 0, gain * Math.sqrt(2 / (fanIn + fanOut)));
}
/** Normal(mean, std) truncated to [a, b] by redrawing, as torch.nn.init.trunc_normal_. */
export function truncNormal_(t: Tensor, mean = 0, std = 1, a = -2, b = 2): Tensor {
  return noGrad(() => {
    t.normal_(mean, std);
    for (let i = 0; i < 20; i++) {
      const bad = t.lt(a).logicalOr(t.gt(b));
      const n = bad.sum().item();
      if (n === 0) {
        bad.dispose();
        break;
      }
      const redraw = t.clone().normal_(mean, std);
      t.copy_(t.where(bad.logicalNot(), redraw));
      bad.dispose();
      redraw.dispose();
    }
    return t.clamp_(a, b);
  });
}
/**
 * A (semi-)orthogonal matrix from the QR decomposition of a Gaussian one, with R's diagonal
 * signs folded in so the result is uniformly distributed (torch.nn.init.orthogonal_);
 * dims after the first are flattened.
 */
export function orthogonal_(t: Tensor, gain = 1): Tensor {
  if (t.ndim < 2) throw new FlambeauError("E_ARG", `init.orthogonal_: needs a tensor of rank >= 2, got [${t.shape.join(", ")}]`);
  if (t.numel === 0) return t;
  const rows = t.shape[0]!;
  const cols = t.numel / rows;
  return noGrad(() =>
    tidy(() => {
      let flat = randn([rows, cols], { dtype: t.dtype === "float64" ? "float64" : "float32" });
      if (rows < cols) flat = flat.t();
      const { Q, R } = qr(flat);
      let q = Q.mul(diagonal(R).sign());
      if (rows < cols) q = q.t();
      t.copy_(q.reshape(t.shape).mul(gain));
      return t;
    }),
  );
}

/** The uniform bound PyTorch uses for Linear/Conv biases: 1/√fan_in. */
export function biasBound(weight: Tensor): number {
  const { fanIn } = calculateFans(weight);
  return fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
}

/** PyTorch's default for Linear/Conv: kaiming_uniform(a=√5) weights, uniform(±1/√fan_in) bias. */
export function resetLinearLike(weight: Tensor, bias: Tensor | null): void {
  kaimingUniform_(weight, { a: Math.sqrt(5) });
  if (bias) {
    const b = biasBound(weight);
    uniform_(bias, -b, b);
  }
}
