// Quantized layers (torch.ao.nn.quantized.Conv2d / Linear, torch.ao.nn.quantized.dynamic.Linear):
// int8 weights packed once for the current engine, the arithmetic in libtorch's quantized
// kernels. Activations between quantized layers are quint8 tensors; ReLU, max/avg pooling,
// flatten, dropout (eval) and identity run on them unchanged through ATen's quantized kernels.
import { FlambeauError } from "../core/errors.js";
import { noGrad, type Tensor, tensor, tidy } from "../core/index.js";
import { Module } from "../nn/index.js";
import { quantizedEngine, reduceRangeFor } from "./engine.js";
import type { QParams } from "./observer.js";
import { type PackedParams, qcallP, qcallT } from "./ops.js";
import { dequantize, isQuantized, quantizePerChannel, quantizePerTensor } from "./tensor.js";

/**
 * Per-output-channel symmetric qint8 of a float weight, over [-127, 127] with scale max|w|/127
 * (an all-zero channel keeps scale 1): the scheme `flambeau compress` stores weights in, so
 * repacking a stored model recovers its integers exactly.
 */
export function quantizeWeight(w: Tensor): Tensor {
  return noGrad(() =>
    tidy(() => {
      const f = w.detach().float().contiguous();
      const others = Array.from({ length: f.ndim - 1 }, (_, i) => i + 1);
      const amax = others.length ? f.abs().amax(others) : f.abs();
      const scale = amax.div(127).where(amax.gt(0), 1).double();
      const zeros = tensor(new BigInt64Array(f.shape[0]!));
      return quantizePerChannel(f, scale, zeros, 0, "qint8");
    }),
  );
}

/** The input as quint8: a quantized tensor as it is, a float one with the layer's input qparams. */
function quantizedInput(op: string, x: Tensor, input: QParams | undefined): Tensor {
  if (isQuantized(x)) return x;
  if (!input) throw new FlambeauError("E_ARG", `${op}: got a float input and has no input scale (put a QuantStub before it)`, op);
  return quantizePerTensor(x.float(), input.scale, input.zeroPoint, "quint8");
}

interface StaticOptions {
  output: QParams;
  /** Quantizes a float input with these (the model's edge: PyTorch's QuantStub). */
  input?: QParams;
  /** Returns float (PyTorch's DeQuantStub after the last quantized layer). */
  dequantize?: boolean;
  relu?: boolean;
}

abstract class StaticQuantized extends Module {
  readonly packed: PackedParams;
  readonly o: StaticOptions;
  constructor(packed: PackedParams, o: StaticOptions) {
    super();
    this.packed = packed;
    this.o = o;
  }
  protected abstract readonly kernel: string;
  forward(x: Tensor): Tensor {
    const q = quantizedInput(this.kernel, x, this.o.input);
    const y = qcallT(this.kernel, q, this.packed, this.o.output.scale, this.o.output.zeroPoint);
    if (q !== x) q.dispose();
    if (!this.o.dequantize) return y;
    const f = dequantize(y);
    y.dispose();
    return f;
  }
  override dispose(): void {
    this.packed.dispose();
  }
}

/** A quantized 2-D convolution (optionally fused with its ReLU): quint8 in, quint8 out. */
export class QuantizedConv2d extends StaticQuantized {
  protected readonly kernel: string;
  constructor(
    weight: Tensor,
    bias: Tensor | null,
    conv: { stride: number[]; padding: number[]; dilation: number[]; groups: number },
    o: StaticOptions,
  ) {
    const qw = quantizeWeight(weight);
    const packed = qcallP("quantized::conv2d_prepack", qw, bias, conv.stride, conv.padding, conv.dilation, conv.groups);
    qw.dispose();
    super(packed, o);
    this.kernel = o.relu ? "quantized::conv2d_relu.new" : "quantized::conv2d.new";
  }
}

/** A quantized Linear (optionally fused with its ReLU): quint8 in, quint8 out. */
export class QuantizedLinear extends StaticQuantized {
  protected readonly kernel: string;
  constructor(weight: Tensor, bias: Tensor | null, o: StaticOptions) {
    const qw = quantizeWeight(weight);
    const packed = qcallP("quantized::linear_prepack", qw, bias);
    qw.dispose();
    super(packed, o);
    this.kernel = o.relu ? "quantized::linear_relu" : "quantized::linear";
  }
}

/**
 * Dynamic quantization's Linear: int8 weights, float in and out, activations quantized per call
 * (over 7 bits where the engine needs it, `reduceRangeFor`).
 */
export class DynamicQuantizedLinear extends Module {
  readonly packed: PackedParams;
  readonly reduceRange: boolean;
  constructor(weight: Tensor, bias: Tensor | null, o: { reduceRange?: boolean } = {}) {
    super();
    this.reduceRange = o.reduceRange ?? reduceRangeFor(quantizedEngine());
    const qw = quantizeWeight(weight);
    this.packed = qcallP("quantized::linear_prepack", qw, bias);
    qw.dispose();
  }
  forward(x: Tensor): Tensor {
    return qcallT("quantized::linear_dynamic", x.float().contiguous(), this.packed, this.reduceRange);
  }
  override dispose(): void {
    this.packed.dispose();
  }
}

/** Float → quint8 with fixed qparams (torch.ao.quantization.QuantStub once converted). */
export class QuantStub extends Module {
  constructor(readonly qparams: QParams) {
    super();
  }
  forward(x: Tensor): Tensor {
    return quantizedInput("QuantStub", x, this.qparams);
  }
}

/** quint8 → float (torch.ao.quantization.DeQuantStub). */
export class DeQuantStub extends Module {
  forward(x: Tensor): Tensor {
    return isQuantized(x) ? dequantize(x) : x;
  }
}
