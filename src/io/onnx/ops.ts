// ATen → ONNX (opset 17), one row per ATen operator name. Each row reads the call's positional
// arguments as the ATen schema orders them and returns the ONNX value name of each result
// (undefined for a result it cannot write; using it later is an error naming it).
import { FlambeauError } from "../../core/errors.js";
import type { Tensor } from "../../core/index.js";
import { isTensor } from "../../core/tensor-class.js";
import type { OnnxGraph } from "./graph.js";

const OP = "exportOnnx";

export interface ConvertContext {
  g: OnnxGraph;
  op: string;
  overload: string;
  args: readonly unknown[];
  outs: readonly Tensor[];
  /** The outputs' shapes when the batch has one more row (absent when the batch is fixed). */
  alt?: readonly (readonly number[])[];
}
export type Converter = (c: ConvertContext) => (string | undefined)[];

function refuse(c: ConvertContext, why: string): never {
  throw new FlambeauError("E_ARG", `${OP}: aten::${c.op} ${why}`, OP);
}

const tensorArg = (c: ConvertContext, i: number): Tensor => {
  const a = c.args[i];
  if (!isTensor(a)) refuse(c, `argument ${i} is not a tensor`);
  return a;
};
const name = (c: ConvertContext, i: number): string => c.g.value(tensorArg(c, i));
const num = (c: ConvertContext, i: number, dflt?: number): number => {
  const a = c.args[i];
  if (typeof a === "number") return a;
  if (typeof a === "bigint") return Number(a);
  if (typeof a === "boolean") return a ? 1 : 0;
  if ((a === undefined || a === null) && dflt !== undefined) return dflt;
  return refuse(c, `argument ${i} should be a number, got ${String(a)}`);
};
const ints = (c: ConvertContext, i: number, n: number, dflt: number[]): number[] => {
  const a = c.args[i];
  if (a === undefined || a === null || (Array.isArray(a) && a.length === 0)) return dflt;
  const v = (Array.isArray(a) ? a : [a]).map(Number);
  return v.length === 1 && n > 1 ? Array<number>(n).fill(v[0]!) : v;
};
const rank = (c: ConvertContext, i: number): number => tensorArg(c, i).shape.length;
const normAxis = (d: number, r: number): number => (d < 0 ? d + r : d);

/** A tensor or a Python-style scalar operand, as an ONNX value of the other operand's dtype. */
function operand(c: ConvertContext, i: number, like: Tensor): string {
  const a = c.args[i];
  if (isTensor(a)) return c.g.value(a);
  return c.g.scalar(num(c, i), like.dtype);
}

const unary =
  (opType: string): Converter =>
  (c) => [c.g.node(opType, [name(c, 0)])];
const identity: Converter = (c) => [name(c, 0)];

function binary(opType: string): Converter {
  return (c) => {
    const x = isTensor(c.args[0]) ? (c.args[0] as Tensor) : tensorArg(c, 1);
    // div's rounding modes (floor, trunc) are not ONNX's Div.
    if (c.overload.endsWith("_mode") && c.args[2] !== null && c.args[2] !== undefined)
      refuse(c, `with rounding_mode "${String(c.args[2])}" has no ONNX export`);
    let b = operand(c, 1, x);
    // add/sub's alpha scales the second operand.
    const alpha = (c.op === "add" || c.op === "sub" || c.op === "add_" || c.op === "sub_") && c.args.length > 2 ? num(c, 2, 1) : 1;
    if (alpha !== 1) b = c.g.node("Mul", [b, c.g.scalar(alpha, x.dtype)]);
    return [c.g.node(opType, [operand(c, 0, x), b])];
  };
}

/**
 * Reshape to the traced output shape with the batch left symbolic: the dimension that grew in
 * the probe is inferred (-1). Without a probe, a dimension the input has at the same place is
 * copied (0), the first one that changes is inferred, and the rest are the traced sizes.
 */
function reshapeTo(c: ConvertContext, x: string, from: readonly number[], to: readonly number[]): string {
  const alt = c.alt?.[0];
  if (alt && alt.length === to.length) {
    // The probe with one more row tells which dimension carries the batch.
    const moving = to.filter((s, i) => alt[i] !== s).length;
    if (moving <= 1) return c.g.node("Reshape", [x, c.g.ints(to.map((s, i) => (alt[i] !== s ? -1 : s)))]);
  }
  let inferred = false;
  const shape = to.map((s, i) => {
    if (i < from.length && from[i] === s) return 0;
    if (inferred) return s;
    inferred = true;
    return -1;
  });
  return c.g.node("Reshape", [x, c.g.ints(shape)]);
}
const reshape: Converter = (c) => [reshapeTo(c, name(c, 0), tensorArg(c, 0).shape, c.outs[0]!.shape)];

function pads(padding: number[]): number[] {
  return [...padding, ...padding];
}

const conv: Converter = (c) => {
  const w = tensorArg(c, 1);
  const n = w.shape.length - 2;
  const kernel = w.shape.slice(2);
  const stride = ints(c, 3, n, Array(n).fill(1));
  const dilation = ints(c, 5, n, Array(n).fill(1));
  let padding: number[];
  if (typeof c.args[4] === "string") {
    // "same": PyTorch puts the odd pixel of the total padding at the end.
    const total = kernel.map((k, i) => (c.args[4] === "same" ? dilation[i]! * (k - 1) : 0));
    padding = [...total.map((t) => Math.floor(t / 2)), ...total.map((t) => t - Math.floor(t / 2))];
  } else padding = pads(ints(c, 4, n, Array(n).fill(0)));
  const inputs = [name(c, 0), name(c, 1)];
  if (isTensor(c.args[2])) inputs.push(name(c, 2));
  return [c.g.node("Conv", inputs, { kernel_shape: kernel, strides: stride, pads: padding, dilations: dilation, group: num(c, 6, 1) })];
};

/** conv_transpose{1,2,3}d(x, w, b, stride, padding, output_padding, groups, dilation): the weight layout is ONNX's. */
const convTranspose: Converter = (c) => {
  const w = tensorArg(c, 1);
  const n = w.shape.length - 2;
  const inputs = [name(c, 0), name(c, 1)];
  if (isTensor(c.args[2])) inputs.push(name(c, 2));
  return [
    c.g.node("ConvTranspose", inputs, {
      kernel_shape: w.shape.slice(2),
      strides: ints(c, 3, n, Array(n).fill(1)),
      pads: pads(ints(c, 4, n, Array(n).fill(0))),
      output_padding: ints(c, 5, n, Array(n).fill(0)),
      group: num(c, 6, 1),
      dilations: ints(c, 7, n, Array(n).fill(1)),
    }),
  ];
};

/**
 * upsample_*.vec(x, output_size, [align_corners,] scale_factors) as Resize to the traced spatial
 * size (batch and channels copied from the input's shape). PyTorch's nearest is ONNX's
 * asymmetric + floor; its (bi)linear without align_corners is pytorch_half_pixel.
 */
function resize(mode: "nearest" | "linear"): Converter {
  return (c) => {
    const x = name(c, 0);
    const spatial = c.outs[0]!.shape.slice(2);
    const lead = c.g.node("Shape", [x], { start: 0, end: 2 });
    const sizes = c.g.node("Concat", [lead, c.g.ints(spatial)], { axis: 0 });
    const attrs: Record<string, string> =
      mode === "nearest"
        ? { mode, coordinate_transformation_mode: "asymmetric", nearest_mode: "floor" }
        : { mode, coordinate_transformation_mode: c.args[2] === true ? "align_corners" : "pytorch_half_pixel" };
    return [c.g.node("Resize", [x, "", "", sizes], attrs)];
  };
}

const linear: Converter = (c) => {
  const w = tensorArg(c, 1);
  const wT = c.g.isTraced(w) ? c.g.node("Transpose", [name(c, 1)], { perm: [1, 0] }) : c.g.constant(w.t().contiguous());
  const y = c.g.node("MatMul", [name(c, 0), wT]);
  return [isTensor(c.args[2]) ? c.g.node("Add", [y, name(c, 2)]) : y];
};

const batchNorm: Converter = (c) => {
  if (c.args[5] === true) refuse(c, "in training mode cannot be exported: call model.eval() first");
  const x = tensorArg(c, 0);
  const C = x.shape[1] ?? 1;
  const ones = () => c.g.addInitializer(c.g.fresh("ones"), "float32", [C], new Float32Array(C).fill(1));
  const zeros = () => c.g.addInitializer(c.g.fresh("zeros"), "float32", [C], new Float32Array(C));
  const opt = (i: number, fallback: () => string) => (isTensor(c.args[i]) ? name(c, i) : fallback());
  if (!isTensor(c.args[3])) refuse(c, "without running statistics cannot be exported");
  return [
    c.g.node("BatchNormalization", [name(c, 0), opt(1, ones), opt(2, zeros), name(c, 3), name(c, 4)], {
      epsilon: { float: num(c, 7, 1e-5) },
    }),
  ];
};

const layerNorm: Converter = (c) => {
  const x = tensorArg(c, 0);
  const norm = ints(c, 1, 1, []);
  const size = norm.reduce((a, b) => a * b, 1);
  const scale = isTensor(c.args[2]) ? name(c, 2) : c.g.addInitializer(c.g.fresh("ones"), "float32", norm, new Float32Array(size).fill(1));
  const inputs = [name(c, 0), scale];
  if (isTensor(c.args[3])) inputs.push(name(c, 3));
  return [c.g.node("LayerNormalization", inputs, { axis: x.shape.length - norm.length, epsilon: { float: num(c, 4, 1e-5) } })];
};

function pool(kind: "MaxPool" | "AveragePool"): Converter {
  return (c) => {
    const n = rank(c, 0) - 2;
    const kernel = ints(c, 1, n, []);
    const stride = ints(c, 2, n, kernel);
    const padding = ints(c, 3, n, Array(n).fill(0));
    const attrs: Record<string, number | number[]> = { kernel_shape: kernel, strides: stride, pads: pads(padding) };
    if (kind === "MaxPool") {
      attrs.dilations = ints(c, 4, n, Array(n).fill(1));
      attrs.ceil_mode = num(c, 5, 0);
    } else {
      attrs.ceil_mode = num(c, 4, 0);
      attrs.count_include_pad = num(c, 5, 1);
      if (c.args[6] !== undefined && c.args[6] !== null) refuse(c, "with divisor_override has no ONNX equivalent");
    }
    return [c.g.node(kind, [name(c, 0)], attrs)];
  };
}

function adaptivePool(kind: "Max" | "Average"): Converter {
  return (c) => {
    const x = tensorArg(c, 0);
    const n = x.shape.length - 2;
    const size = ints(c, 1, n, []);
    const spatial = x.shape.slice(2);
    if (size.every((s) => s === 1)) return [c.g.node(`Global${kind}Pool`, [name(c, 0)]), undefined];
    // ONNX has no adaptive pooling; when the output divides the input it is a plain pooling.
    if (!spatial.every((s, i) => s % size[i]! === 0))
      refuse(c, `to ${size.join("×")} from ${spatial.join("×")} (not a divisor) has no ONNX equivalent`);
    const k = spatial.map((s, i) => s / size[i]!);
    return [c.g.node(`${kind}Pool`, [name(c, 0)], { kernel_shape: k, strides: k }), undefined];
  };
}

/** ONNX Reduce* before opset 18 takes axes as an attribute (ReduceSum: an input since 13). */
function reduce(opType: string): Converter {
  return (c) => {
    const r = rank(c, 0);
    // The overloads without dims (mean(x), sum(x, dtype)) reduce everything.
    const whole = c.op !== "amax" && (c.overload === "" || c.overload === "default");
    const dims = whole ? [] : ints(c, 1, 1, []).map((d) => normAxis(d, r));
    const all = dims.length === 0;
    const keep = all ? 0 : num(c, 2, 0);
    const axes = all ? Array.from({ length: r }, (_, i) => i) : dims;
    if (opType === "ReduceSum") return [c.g.node(opType, [name(c, 0), c.g.ints(axes)], { keepdims: keep })];
    return [c.g.node(opType, [name(c, 0)], { axes, keepdims: keep })];
  };
}

function softmax(opType: string): Converter {
  return (c) => [c.g.node(opType, [name(c, 0)], { axis: normAxis(num(c, 1), rank(c, 0)) })];
}

const gelu: Converter = (c) => {
  const x = name(c, 0);
  const dt = tensorArg(c, 0).dtype;
  const half = c.g.node("Mul", [x, c.g.scalar(0.5, dt)]);
  if (c.args[1] === "tanh") {
    // 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))
    const x3 = c.g.node("Mul", [c.g.node("Mul", [x, x]), x]);
    const inner = c.g.node("Add", [x, c.g.node("Mul", [x3, c.g.scalar(0.044715, dt)])]);
    const t = c.g.node("Tanh", [c.g.node("Mul", [inner, c.g.scalar(Math.sqrt(2 / Math.PI), dt)])]);
    return [c.g.node("Mul", [half, c.g.node("Add", [t, c.g.scalar(1, dt)])])];
  }
  const erf = c.g.node("Erf", [c.g.node("Div", [x, c.g.scalar(Math.SQRT2, dt)])]);
  return [c.g.node("Mul", [half, c.g.node("Add", [erf, c.g.scalar(1, dt)])])];
};

const silu: Converter = (c) => [c.g.node("Mul", [name(c, 0), c.g.node("Sigmoid", [name(c, 0)])])];

const clamp =
  (lo?: number, hi?: number): Converter =>
  (c) => {
    const dt = tensorArg(c, 0).dtype;
    const min = lo ?? (c.args[1] === null || c.args[1] === undefined ? undefined : num(c, 1));
    const max = hi ?? (c.args[2] === null || c.args[2] === undefined ? undefined : num(c, 2));
    const inputs = [name(c, 0), min === undefined ? "" : c.g.scalar(min, dt)];
    if (max !== undefined) inputs.push(c.g.scalar(max, dt));
    return [c.g.node("Clip", inputs)];
  };

const transpose: Converter = (c) => {
  const r = rank(c, 0);
  const perm = Array.from({ length: r }, (_, i) => i);
  const a = normAxis(num(c, 1), r);
  const b = normAxis(num(c, 2), r);
  [perm[a], perm[b]] = [perm[b]!, perm[a]!];
  return [c.g.node("Transpose", [name(c, 0)], { perm })];
};

const permute: Converter = (c) => [c.g.node("Transpose", [name(c, 0)], { perm: ints(c, 1, 1, []).map((d) => normAxis(d, rank(c, 0))) })];

const cat: Converter = (c) => {
  const ts = c.args[0] as Tensor[];
  const r = ts[0]?.shape.length ?? 1;
  return [
    c.g.node(
      "Concat",
      ts.map((t) => c.g.value(t)),
      { axis: normAxis(num(c, 1, 0), r) },
    ),
  ];
};

const select: Converter = (c) => {
  const r = rank(c, 0);
  const dim = normAxis(num(c, 1), r);
  const size = tensorArg(c, 0).shape[dim]!;
  const idx = num(c, 2);
  const at = c.g.addInitializer(c.g.fresh("index"), "int64", [], BigInt64Array.of(BigInt(idx < 0 ? idx + size : idx)));
  return [c.g.node("Gather", [name(c, 0), at], { axis: dim })];
};

const slice: Converter = (c) => {
  const r = rank(c, 0);
  const dim = normAxis(num(c, 1, 0), r);
  const size = tensorArg(c, 0).shape[dim]!;
  const at = (i: number, dflt: number) => {
    const v = c.args[i] === null || c.args[i] === undefined ? dflt : num(c, i);
    return Math.max(0, Math.min(v < 0 ? v + size : v, size));
  };
  const start = at(2, 0);
  const end = at(3, size);
  if (num(c, 4, 1) === 1) c.g.markView(c.outs[0]!, tensorArg(c, 0), dim, start, end);
  return [c.g.node("Slice", [name(c, 0), c.g.ints([start]), c.g.ints([end]), c.g.ints([dim]), c.g.ints([num(c, 4, 1)])])];
};

const unsqueeze: Converter = (c) => [c.g.node("Unsqueeze", [name(c, 0), c.g.ints([normAxis(num(c, 1), rank(c, 0) + 1)])])];

const expand: Converter = (c) => {
  const x = tensorArg(c, 0);
  const to = c.outs[0]!.shape;
  // 1 where the input already has the size keeps that dimension (the batch) symbolic.
  const off = to.length - x.shape.length;
  const shape = to.map((s, i) => (i >= off && x.shape[i - off] === s ? 1 : s));
  return [c.g.node("Expand", [name(c, 0), c.g.ints(shape)])];
};

const embedding: Converter = (c) => [c.g.node("Gather", [name(c, 0), name(c, 1)], { axis: 0 })];

const matmul: Converter = (c) => [c.g.node("MatMul", [name(c, 0), name(c, 1)])];

const addmm: Converter = (c) => [
  c.g.node("Gemm", [name(c, 1), name(c, 2), name(c, 0)], { beta: { float: num(c, 3, 1) }, alpha: { float: num(c, 4, 1) } }),
];

const dropout: Converter = (c) => {
  if (c.args[2] === true) refuse(c, "in training mode cannot be exported: call model.eval() first");
  return [name(c, 0)];
};

const toDtype: Converter = (c) => {
  const to = c.outs[0]!.dtype;
  if (to === tensorArg(c, 0).dtype) return [name(c, 0)];
  const code = { float32: 1, int64: 7, bool: 9, float64: 11, int32: 6 }[to as string];
  if (code === undefined) refuse(c, `to ${to}`);
  return [c.g.node("Cast", [name(c, 0)], { to: code })];
};

/** One value repeated: a constant the forward filled (zeros(mask.shape)), or undefined. */
function uniformValue(t: Tensor): number | undefined {
  const d = t.data();
  if (d.length === 0 || !(d instanceof Float32Array || d instanceof Float64Array)) return undefined;
  for (let i = 1; i < d.length; i++) if (d[i] !== d[0]) return undefined;
  return d[0];
}

const maskedFill: Converter = (c) => {
  const x = tensorArg(c, 0);
  const mask = tensorArg(c, 1);
  // zeros(mask.shape).maskedFill(mask, v) built with the traced batch: a scalar keeps the batch symbolic.
  const fill = !c.g.isTraced(x) && mask.shape.join() === x.shape.join() ? uniformValue(x) : undefined;
  const self = fill === undefined ? name(c, 0) : c.g.scalar(fill, x.dtype);
  return [c.g.node("Where", [name(c, 1), operand(c, 2, x), self])];
};

const where: Converter = (c) => {
  const like = isTensor(c.args[1]) ? (c.args[1] as Tensor) : tensorArg(c, 2);
  return [c.g.node("Where", [name(c, 0), operand(c, 1, like), operand(c, 2, like)])];
};

const maxDim: Converter = (c) => {
  if (c.overload === "other") return [c.g.node("Max", [name(c, 0), name(c, 1)])];
  if (c.overload !== "dim") return reduce("ReduceMax")(c);
  const r = rank(c, 0);
  const axis = normAxis(num(c, 1), r);
  const keep = num(c, 2, 0);
  return [
    c.g.node("ReduceMax", [name(c, 0)], { axes: [axis], keepdims: keep }),
    c.g.node("ArgMax", [name(c, 0)], { axis, keepdims: keep }),
  ];
};

const pow: Converter = (c) => {
  const x = tensorArg(c, 0);
  return [c.g.node("Pow", [name(c, 0), operand(c, 1, x)])];
};

function compare(opType: string, negate = false): Converter {
  return (c) => {
    const x = tensorArg(c, 0);
    const r = c.g.node(opType, [name(c, 0), operand(c, 1, x)]);
    return [negate ? c.g.node("Not", [r]) : r];
  };
}

const narrow: Converter = (c) => {
  const r = rank(c, 0);
  const dim = normAxis(num(c, 1), r);
  const size = tensorArg(c, 0).shape[dim]!;
  const s0 = num(c, 2);
  const start = s0 < 0 ? s0 + size : s0;
  c.g.markView(c.outs[0]!, tensorArg(c, 0), dim, start, start + num(c, 3));
  return [c.g.node("Slice", [name(c, 0), c.g.ints([start]), c.g.ints([start + num(c, 3)]), c.g.ints([dim])])];
};

/** ScatterElements with reduction "add" (opset 16). */
const scatterAdd: Converter = (c) => {
  const dim = normAxis(num(c, 1), rank(c, 0));
  return [c.g.node("ScatterElements", [name(c, 0), name(c, 2), name(c, 3)], { axis: dim, reduction: "add" })];
};

/** linalg_vector_norm(x, ord, dim, keepdim, dtype): ONNX has the 1- and 2-norms as reductions. */
const vectorNorm: Converter = (c) => {
  const ord = num(c, 1, 2);
  if (ord !== 1 && ord !== 2) refuse(c, `with ord ${ord} (only 1 and 2) has no ONNX export`);
  const r = rank(c, 0);
  const dims = ints(c, 2, 1, []).map((d) => normAxis(d, r));
  const axes = dims.length === 0 ? Array.from({ length: r }, (_, i) => i) : dims;
  return [c.g.node(ord === 1 ? "ReduceL1" : "ReduceL2", [name(c, 0)], { axes, keepdims: dims.length === 0 ? 0 : num(c, 3, 0) })];
};

const log1p: Converter = (c) => [c.g.node("Log", [c.g.node("Add", [name(c, 0), c.g.scalar(1, tensorArg(c, 0).dtype)])])];

/** A tensor of x's shape (batch included) holding one value. */
function fillLike(c: ConvertContext, value: number): string {
  const x = tensorArg(c, 0);
  return c.g.node("Expand", [c.g.scalar(value, x.dtype), c.g.node("Shape", [name(c, 0)])]);
}

/** Every exportable ATen operator by base name (overloads are told apart by their arguments). */
export const CONVERTERS: Readonly<Record<string, Converter>> = {
  conv1d: conv,
  conv2d: conv,
  conv3d: conv,
  conv_transpose1d: convTranspose,
  conv_transpose2d: convTranspose,
  conv_transpose3d: convTranspose,
  upsample_nearest1d: resize("nearest"),
  upsample_nearest2d: resize("nearest"),
  upsample_linear1d: resize("linear"),
  upsample_bilinear2d: resize("linear"),
  linear,
  batch_norm: batchNorm,
  layer_norm: layerNorm,
  relu: unary("Relu"),
  relu_: unary("Relu"),
  sigmoid: unary("Sigmoid"),
  tanh: unary("Tanh"),
  exp: unary("Exp"),
  log: unary("Log"),
  sqrt: unary("Sqrt"),
  rsqrt: (c) => [c.g.node("Reciprocal", [c.g.node("Sqrt", [name(c, 0)])])],
  neg: unary("Neg"),
  abs: unary("Abs"),
  erf: unary("Erf"),
  gelu,
  silu,
  silu_: silu,
  hardtanh: clamp(),
  hardtanh_: clamp(),
  relu6: clamp(0, 6),
  clamp: clamp(),
  leaky_relu: (c) => [c.g.node("LeakyRelu", [name(c, 0)], { alpha: { float: num(c, 1, 0.01) } })],
  elu: (c) => {
    if (num(c, 2, 1) !== 1 || num(c, 3, 1) !== 1) refuse(c, "with scale or input_scale other than 1 has no ONNX Elu");
    return [c.g.node("Elu", [name(c, 0)], { alpha: { float: num(c, 1, 1) } })];
  },
  maximum: (c) => [c.g.node("Max", [name(c, 0), name(c, 1)])],
  minimum: (c) => [c.g.node("Min", [name(c, 0), name(c, 1)])],
  softmax: softmax("Softmax"),
  _softmax: softmax("Softmax"),
  log_softmax: softmax("LogSoftmax"),
  _log_softmax: softmax("LogSoftmax"),
  add: binary("Add"),
  add_: binary("Add"),
  sub: binary("Sub"),
  rsub: (c) => {
    const x = tensorArg(c, 0);
    return [c.g.node("Sub", [operand(c, 1, x), name(c, 0)])];
  },
  mul: binary("Mul"),
  mul_: binary("Mul"),
  div: binary("Div"),
  pow,
  matmul,
  mm: matmul,
  bmm: matmul,
  addmm,
  max_pool1d: pool("MaxPool"),
  max_pool2d: pool("MaxPool"),
  max_pool1d_with_indices: pool("MaxPool"),
  max_pool2d_with_indices: pool("MaxPool"),
  avg_pool1d: pool("AveragePool"),
  avg_pool2d: pool("AveragePool"),
  adaptive_avg_pool1d: adaptivePool("Average"),
  adaptive_avg_pool2d: adaptivePool("Average"),
  adaptive_max_pool1d: adaptivePool("Max"),
  adaptive_max_pool2d: adaptivePool("Max"),
  mean: reduce("ReduceMean"),
  sum: reduce("ReduceSum"),
  amax: reduce("ReduceMax"),
  max: maxDim,
  flatten: reshape,
  view: reshape,
  reshape,
  _unsafe_view: reshape,
  squeeze: reshape,
  unsqueeze,
  expand,
  transpose,
  t: (c) => [c.g.node("Transpose", [name(c, 0)], { perm: [1, 0] })],
  permute,
  cat,
  select,
  slice,
  embedding,
  index_select: (c) => [c.g.node("Gather", [name(c, 0), name(c, 2)], { axis: normAxis(num(c, 1), rank(c, 0)) })],
  _pack_padded_sequence: (c) =>
    refuse(
      c,
      "(an RNN run on sequences of their own lengths) has no ONNX export: its batch order and step counts depend on the input's values",
    ),
  dropout,
  feature_dropout: dropout,
  contiguous: identity,
  clone: identity,
  detach: identity,
  alias: identity,
  to: toDtype,
  _to_copy: toDtype,
  masked_fill: maskedFill,
  eq: compare("Equal"),
  ne: compare("Equal", true),
  lt: compare("Less"),
  gt: compare("Greater"),
  le: compare("LessOrEqual"),
  ge: compare("GreaterOrEqual"),
  logical_not: unary("Not"),
  narrow,
  scatter_add: scatterAdd,
  linalg_vector_norm: vectorNorm,
  log1p,
  zero_: (c) => [fillLike(c, 0)],
  fill_: (c) => [fillLike(c, num(c, 1))],
  where,
};
