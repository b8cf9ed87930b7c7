// Pointwise math with broadcasting: arithmetic, comparisons, logic, unary functions, activations.
import { aten } from "../aten.js";
import { call, callInplace, callT, callT2, callT3 } from "../dispatch.js";
import { argError } from "../errors.js";
import type { Tensor } from "../tensor.js";
import { isTensor } from "../tensor-class.js";
import { checkEnum, checkInt, checkNumber, optArgs, optionsOf } from "../validate.js";
import { scalarTensor } from "./creation.js";

export type TensorOrScalar = Tensor | number | boolean;

const isT = (x: unknown): x is Tensor => isTensor(x);

function binary(tt: ReturnType<typeof aten>, ts: ReturnType<typeof aten>, name: string) {
  return (a: TensorOrScalar, b: TensorOrScalar): Tensor => {
    if (isT(a)) return isT(b) ? callT2(tt, a, b) : callT2(ts, a, b);
    if (isT(b)) {
      const s = scalarTensor(a, b);
      try {
        return callT(tt, s, b);
      } finally {
        s.dispose();
      }
    }
    argError(name, "at least one argument must be a Tensor");
  };
}

const ADD = aten("add.Tensor");
const ADD_S = aten("add.Scalar");
const SUB = aten("sub.Tensor");
const SUB_S = aten("sub.Scalar");
export function add(a: Tensor, b: TensorOrScalar, alpha = 1): Tensor {
  return isT(b) ? callT3(ADD, a, b, alpha) : callT3(ADD_S, a, b, alpha);
}
export function sub(a: Tensor, b: TensorOrScalar, alpha = 1): Tensor {
  return isT(b) ? callT3(SUB, a, b, alpha) : callT3(SUB_S, a, b, alpha);
}
export const mul = binary(aten("mul.Tensor"), aten("mul.Scalar"), "mul");
const DIV = aten("div.Tensor");
const DIV_S = aten("div.Scalar");
const DIV_M = aten("div.Tensor_mode");
const DIV_SM = aten("div.Scalar_mode");
export type RoundingMode = "trunc" | "floor";
export interface DivOptions {
  roundingMode?: RoundingMode | null;
}
/** `a / b`; with `roundingMode` ("trunc" or "floor", positionally or in the options), rounded. */
export function div(a: Tensor, b: TensorOrScalar, roundingMode?: RoundingMode | null | DivOptions): Tensor {
  roundingMode = optArgs<DivOptions>("div", ["roundingMode"], [roundingMode]).roundingMode;
  if (roundingMode == null) return isT(b) ? callT2(DIV, a, b) : callT2(DIV_S, a, b);
  checkEnum("div", "roundingMode", roundingMode, ["trunc", "floor"]);
  return isT(b) ? callT(DIV_M, a, b, roundingMode) : callT(DIV_SM, a, b, roundingMode);
}
const REM = aten("remainder.Tensor");
const REM_S = aten("remainder.Scalar");
const FMOD = aten("fmod.Tensor");
const FMOD_S = aten("fmod.Scalar");
const FLOORDIV = aten("floor_divide");
const FLOORDIV_S = aten("floor_divide.Scalar");
// Signed INT_MIN ÷ −1 (SIGFPE in libtorch 1.13) is refused by guard.ts's rule for every integer division op.
export function remainder(a: Tensor, b: TensorOrScalar): Tensor {
  return isT(b) ? callT(REM, a, b) : callT(REM_S, a, b);
}
export function fmod(a: Tensor, b: TensorOrScalar): Tensor {
  return isT(b) ? callT(FMOD, a, b) : callT(FMOD_S, a, b);
}
export function floorDivide(a: Tensor, b: TensorOrScalar): Tensor {
  return isT(b) ? callT(FLOORDIV, a, b) : callT(FLOORDIV_S, a, b);
}

const POW_TT = aten("pow.Tensor_Tensor");
const POW_TS = aten("pow.Tensor_Scalar");
const POW_ST = aten("pow.Scalar");
export function pow(a: TensorOrScalar, b: TensorOrScalar): Tensor {
  if (isT(a)) return isT(b) ? callT(POW_TT, a, b) : callT(POW_TS, a, b);
  if (isT(b)) return callT(POW_ST, a, b);
  return argError("pow", "at least one argument must be a Tensor");
}
export const maximum = (a: Tensor, b: Tensor): Tensor => callT(MAXIMUM, a, b);
export const minimum = (a: Tensor, b: Tensor): Tensor => callT(MINIMUM, a, b);
const MAXIMUM = aten("maximum");
const MINIMUM = aten("minimum");
const ATAN2 = aten("atan2");
export const atan2 = (a: Tensor, b: Tensor): Tensor => callT(ATAN2, a, b);

export const eq = binary(aten("eq.Tensor"), aten("eq.Scalar"), "eq");
export const ne = binary(aten("ne.Tensor"), aten("ne.Scalar"), "ne");
export const lt = binary(aten("lt.Tensor"), aten("lt.Scalar"), "lt");
export const le = binary(aten("le.Tensor"), aten("le.Scalar"), "le");
export const gt = binary(aten("gt.Tensor"), aten("gt.Scalar"), "gt");
export const ge = binary(aten("ge.Tensor"), aten("ge.Scalar"), "ge");
const LAND = aten("logical_and");
const LOR = aten("logical_or");
const LXOR = aten("logical_xor");
const LNOT = aten("logical_not");
export const logicalAnd = (a: Tensor, b: Tensor): Tensor => callT(LAND, a, b);
export const logicalOr = (a: Tensor, b: Tensor): Tensor => callT(LOR, a, b);
export const logicalXor = (a: Tensor, b: Tensor): Tensor => callT(LXOR, a, b);
export const logicalNot = (a: Tensor): Tensor => callT(LNOT, a);
const ISCLOSE = aten("isclose");
export function isclose(a: Tensor, b: Tensor, opts: { rtol?: number; atol?: number; equalNan?: boolean } = {}): Tensor {
  opts = optionsOf("isclose", opts);
  return callT(ISCLOSE, a, b, opts.rtol ?? 1e-5, opts.atol ?? 1e-8, opts.equalNan ?? false);
}
export function allclose(a: Tensor, b: Tensor, opts: { rtol?: number; atol?: number; equalNan?: boolean } = {}): boolean {
  opts = optionsOf("allclose", opts);
  return call(aten("allclose"), a, b, opts.rtol ?? 1e-5, opts.atol ?? 1e-8, opts.equalNan ?? false) as boolean;
}

const WHERE = aten("where.self");
const WHERE_SO = aten("where.ScalarOther");
const WHERE_SS = aten("where.ScalarSelf");
const WHERE_S = aten("where.Scalar");
/** Elementwise `cond ? a : b`. */
export function where(cond: Tensor, a: TensorOrScalar, b: TensorOrScalar): Tensor {
  if (isT(a)) return isT(b) ? callT(WHERE, cond, a, b) : callT(WHERE_SO, cond, a, b);
  return isT(b) ? callT(WHERE_SS, cond, a, b) : callT(WHERE_S, cond, a, b);
}

const CLAMP = aten("clamp");
const CLAMP_T = aten("clamp.Tensor");
export function clamp(a: Tensor, min?: TensorOrScalar | null, max?: TensorOrScalar | null): Tensor {
  if (isT(min) || isT(max)) {
    return callT(
      CLAMP_T,
      a,
      isT(min) ? min : min == null ? null : scalarTensor(min, a),
      isT(max) ? max : max == null ? null : scalarTensor(max, a),
    );
  }
  if (min == null && max == null) argError("clamp", "at least one of min and max must be given");
  return callT(CLAMP, a, min ?? null, max ?? null);
}

// Unary functions: one line each, generated from their ATen names.
const unary = (name: string) => {
  const op = aten(name);
  return (a: Tensor): Tensor => callT(op, a);
};
export const neg = unary("neg");
export const abs = unary("abs");
export const exp = unary("exp");
export const exp2 = unary("exp2");
export const expm1 = unary("expm1");
export const log = unary("log");
export const log2 = unary("log2");
export const log10 = unary("log10");
export const log1p = unary("log1p");
export const sqrt = unary("sqrt");
export const rsqrt = unary("rsqrt");
export const square = unary("square");
export const sin = unary("sin");
export const cos = unary("cos");
export const tan = unary("tan");
export const asin = unary("asin");
export const acos = unary("acos");
export const atan = unary("atan");
export const sinh = unary("sinh");
export const cosh = unary("cosh");
export const tanh = unary("tanh");
export const sigmoid = unary("sigmoid");
export const relu = unary("relu");
export const relu6 = unary("relu6");
export const silu = unary("silu");
export const mish = unary("mish");
export const selu = unary("selu");
export const hardswish = unary("hardswish");
export const hardsigmoid = unary("hardsigmoid");
export const logSigmoid = unary("log_sigmoid");
export const floor = unary("floor");
export const ceil = unary("ceil");
const ROUND = aten("round");
const ROUND_DECIMALS = aten("round.decimals");
/** Round half to even; with `decimals`, to that many decimal places (negative: to tens, hundreds …). */
export function round(a: Tensor, opts: { decimals?: number } | number = {}): Tensor {
  const decimals = typeof opts === "number" ? opts : optionsOf("round", opts, ["decimals"]).decimals;
  if (decimals === undefined || decimals === 0) return callT(ROUND, a);
  return callT(ROUND_DECIMALS, a, checkInt("round", "decimals", decimals));
}
export const trunc = unary("trunc");
export const frac = unary("frac");
export const sign = unary("sign");
export const reciprocal = unary("reciprocal");
export const erf = unary("erf");
export const erfinv = unary("erfinv");
export const isnan = unary("isnan");
export const isinf = unary("isinf");
export const isfinite = unary("isfinite");
export const bitwiseNot = unary("bitwise_not");

const GELU = aten("gelu");
export interface GeluOptions {
  approximate?: "none" | "tanh";
}
export function gelu(a: Tensor, approximate?: "none" | "tanh" | GeluOptions): Tensor {
  approximate = optArgs<GeluOptions>("gelu", ["approximate"], [approximate]).approximate ?? "none";
  return callT(GELU, a, checkEnum("gelu", "approximate", approximate, ["none", "tanh"]));
}
const LEAKY = aten("leaky_relu");
export const leakyRelu = (a: Tensor, negativeSlope = 0.01): Tensor => callT(LEAKY, a, negativeSlope);
const ELU = aten("elu");
export const elu = (a: Tensor, alpha = 1): Tensor => callT(ELU, a, alpha, 1, 1);
const CELU = aten("celu");
export const celu = (a: Tensor, alpha = 1): Tensor => callT(CELU, a, alpha);
const SOFTPLUS = aten("softplus");
export interface SoftplusOptions {
  beta?: number;
  threshold?: number;
}
export function softplus(a: Tensor, beta?: number | SoftplusOptions, threshold?: number | SoftplusOptions): Tensor {
  const o = optArgs<SoftplusOptions>("softplus", ["beta", "threshold"], [beta, threshold]);
  return callT(SOFTPLUS, a, checkNumber("softplus", "beta", o.beta ?? 1), checkNumber("softplus", "threshold", o.threshold ?? 20));
}
const HARDTANH = aten("hardtanh");
export interface HardtanhOptions {
  minVal?: number;
  maxVal?: number;
}
export function hardtanh(a: Tensor, minVal?: number | HardtanhOptions, maxVal?: number | HardtanhOptions): Tensor {
  const o = optArgs<HardtanhOptions>("hardtanh", ["minVal", "maxVal"], [minVal, maxVal]);
  return callT(HARDTANH, a, checkNumber("hardtanh", "minVal", o.minVal ?? -1), checkNumber("hardtanh", "maxVal", o.maxVal ?? 1));
}
const PRELU = aten("prelu");
export const prelu = (a: Tensor, weight: Tensor): Tensor => callT(PRELU, a, weight);
const NAN_TO_NUM = aten("nan_to_num");
export function nanToNum(a: Tensor, opts: { nan?: number; posinf?: number; neginf?: number } = {}): Tensor {
  opts = optionsOf("nanToNum", opts);
  return callT(NAN_TO_NUM, a, opts.nan ?? null, opts.posinf ?? null, opts.neginf ?? null);
}
const LERP = aten("lerp.Scalar");
const LERP_T = aten("lerp.Tensor");
export const lerp = (a: Tensor, end: Tensor, weight: TensorOrScalar): Tensor =>
  isT(weight) ? callT(LERP_T, a, end, weight) : callT(LERP, a, end, weight);
const ADDCMUL = aten("addcmul");
const ADDCDIV = aten("addcdiv");
/** PyTorch's `value` scale of addcmul/addcdiv, positionally or as `{ value }`. */
const scaleValue = (op: string, value: number | { value?: number } | undefined): number =>
  checkNumber(op, "value", optArgs<{ value?: number }>(op, ["value"], [value]).value ?? 1);
export const addcmul = (a: Tensor, t1: Tensor, t2: Tensor, value?: number | { value?: number }): Tensor =>
  callT(ADDCMUL, a, t1, t2, scaleValue("addcmul", value));
export const addcdiv = (a: Tensor, t1: Tensor, t2: Tensor, value?: number | { value?: number }): Tensor =>
  callT(ADDCDIV, a, t1, t2, scaleValue("addcdiv", value));

// In-place forms used by optimizers and initialisers (PyTorch's trailing underscore).
const ADD_ = aten("add_.Tensor");
const ADD_S_ = aten("add_.Scalar");
const SUB_ = aten("sub_.Tensor");
const MUL_ = aten("mul_.Tensor");
const MUL_S_ = aten("mul_.Scalar");
const DIV_ = aten("div_.Tensor");
const DIV_S_ = aten("div_.Scalar");
export const add_ = (a: Tensor, b: TensorOrScalar, alpha = 1): Tensor =>
  isT(b) ? callInplace(ADD_, a, b, alpha) : callInplace(ADD_S_, a, b, alpha);
const SUB_S_ = aten("sub_.Scalar");
export const sub_ = (a: Tensor, b: TensorOrScalar, alpha = 1): Tensor =>
  isT(b) ? callInplace(SUB_, a, b, alpha) : callInplace(SUB_S_, a, b, alpha);
export const mul_ = (a: Tensor, b: TensorOrScalar): Tensor => (isT(b) ? callInplace(MUL_, a, b) : callInplace(MUL_S_, a, b));
export const div_ = (a: Tensor, b: TensorOrScalar): Tensor => (isT(b) ? callInplace(DIV_, a, b) : callInplace(DIV_S_, a, b));
const ADDCMUL_ = aten("addcmul_");
const ADDCDIV_ = aten("addcdiv_");
export const addcmul_ = (a: Tensor, t1: Tensor, t2: Tensor, value = 1): Tensor => callInplace(ADDCMUL_, a, t1, t2, value);
export const addcdiv_ = (a: Tensor, t1: Tensor, t2: Tensor, value = 1): Tensor => callInplace(ADDCDIV_, a, t1, t2, value);
const LERP_ = aten("lerp_.Scalar");
export const lerp_ = (a: Tensor, end: Tensor, weight: number): Tensor => callInplace(LERP_, a, end, weight);
const SQRT_ = aten("sqrt_");
export const sqrt_ = (a: Tensor): Tensor => callInplace(SQRT_, a);
const CLAMP_ = aten("clamp_");
const CLAMP_T_ = aten("clamp_.Tensor");
export function clamp_(a: Tensor, min?: TensorOrScalar | null, max?: TensorOrScalar | null): Tensor {
  if (min == null && max == null) argError("clamp_", "at least one of min and max must be given");
  if (isT(min) || isT(max)) {
    const lo = isT(min) || min == null ? (min ?? null) : scalarTensor(min, a);
    const hi = isT(max) || max == null ? (max ?? null) : scalarTensor(max, a);
    return callInplace(CLAMP_T_, a, lo, hi);
  }
  return callInplace(CLAMP_, a, min ?? null, max ?? null);
}
const RELU_ = aten("relu_");
export const relu_ = (a: Tensor): Tensor => callInplace(RELU_, a);
const MASKED_FILL_ = aten("masked_fill_.Scalar");
export const maskedFill_ = (a: Tensor, mask: Tensor, value: number | boolean): Tensor => callInplace(MASKED_FILL_, a, mask, value);
