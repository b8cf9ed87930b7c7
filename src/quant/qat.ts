// Quantization-aware training (torch.ao.quantization.prepare_qat, eager mode): the groups static
// quantization would fuse (Conv2d+BatchNorm2d(+ReLU), Linear(+ReLU)) run in float with int8's
// rounding simulated — the weight fake-quantized per output channel exactly as `convert` will
// pack it, the model's input and every group's output fake-quantized per tensor with
// moving-average min/max observers — so training adapts the weights to the grid. `convert`
// then gives the same static plan post-training quantization gives, from those observers.
//
// BatchNorm: its statistics stay frozen at the trained model's running mean and variance (as
// PyTorch's freeze_bn_stats, which its QAT recipes turn on after the first epochs) and it is
// folded into the conv weight in every forward, so the fake-quantized weight is the folded
// one `convert` quantizes; γ and β still train, through the fold.
// Like `prepare`, this works in place: a group's first layer runs the fake-quantized forward,
// its BatchNorm and ReLU become the identity, and the state dict keeps its float keys.
import { FlambeauError } from "../core/errors.js";
import { type Tensor, tidy } from "../core/index.js";
import { conv2d, linear } from "../core/ops/nn.js";
import { BatchNorm2d, Conv2d, Linear, type Module } from "../nn/index.js";
import { quantizedEngine, reduceRangeFor } from "./engine.js";
import { fakeQuantizePerTensor, fakeQuantizeWeight } from "./fake-quant.js";
import { MovingAverageMinMaxObserver } from "./observer.js";
import { checkStatic, findGroups, foldConvBn, type ObservedGroup, registerObserved } from "./quantize.js";

export interface PrepareQatOptions {
  /** The observers' averaging constant (PyTorch's 0.01). */
  averagingConstant?: number;
}

/** Observes `x` (in training, or on the first call) and fake-quantizes it with the observer's qparams. */
function observeAndFake(obs: MovingAverageMinMaxObserver, x: Tensor, training: boolean, qmax: number, op: string): Tensor {
  if (training || !obs.observed) obs.observe(x);
  const q = obs.qparams(op, qmax === 127);
  return fakeQuantizePerTensor(x, q.scale, q.zeroPoint, 0, qmax);
}

function setForward(m: Module, f: ((x: Tensor) => Tensor) | null): void {
  if (f === null) {
    delete (m as { forward?: unknown }).forward;
    return;
  }
  Object.defineProperty(m, "forward", { configurable: true, writable: true, enumerable: false, value: f });
}

/**
 * torch.ao.quantization.prepare_qat: prepares `model` (in place) for quantization-aware
 * training. Train it as usual (its parameters are the same tensors), then `convert` it, or take
 * `observedPlan` and apply it to the trained weights saved elsewhere.
 */
export function prepareQat(model: Module, o: PrepareQatOptions = {}): Module {
  const op = "quantization.prepareQat";
  const found = findGroups(model);
  if (found.length === 0) throw new FlambeauError("E_ARG", `${op}: ${model.constructor.name} has no Conv2d or Linear layer`, op);
  checkStatic(op, model, found);
  const reduceRange = reduceRangeFor(quantizedEngine());
  const qmax = reduceRange ? 127 : 255;
  const mods = new Map(model.namedModules());
  const groups: ObservedGroup[] = [];
  const touched: Module[] = [];
  let calls = 0;
  for (const g of found) {
    const [first, ...rest] = g.layers.map((n) => mods.get(n)!);
    const bn = rest.find((m) => m instanceof BatchNorm2d) as BatchNorm2d | undefined;
    const input = new MovingAverageMinMaxObserver(o.averagingConstant);
    const output = new MovingAverageMinMaxObserver(o.averagingConstant);
    const entry: ObservedGroup = { ...g, input, output, order: -1 };
    groups.push(entry);
    const where = (side: string) => `${op} (${g.layers[0]} ${side})`;
    const run = (x: Tensor): Tensor => {
      if (entry.order < 0) entry.order = calls++;
      const training = model.training;
      // Only the model's edge quantizes its input; later groups take the previous group's
      // fake-quantized output (through pooling and flattening, which keep it on the grid).
      if (entry.order !== 0 && (training || !input.observed)) input.observe(x);
      return tidy(() => {
        if (entry.order === 0) x = observeAndFake(input, x, training, qmax, where("input"));
        let y: Tensor;
        if (first instanceof Conv2d) {
          const f = bn ? foldConvBn(first.weight, first.bias, bn) : { weight: first.weight, bias: first.bias };
          const conv = { stride: first.stride, padding: first.padding, dilation: first.dilation, groups: first.groups };
          y = conv2d(x, fakeQuantizeWeight(f.weight), f.bias, conv);
        } else {
          const l = first as Linear;
          y = linear(x, fakeQuantizeWeight(l.weight), l.bias);
        }
        if (g.relu) y = y.relu();
        return observeAndFake(output, y, training, qmax, where("output"));
      });
    };
    if (!(first instanceof Conv2d || first instanceof Linear))
      throw new FlambeauError("E_STATE", `${op}: "${g.layers[0]}" is a ${first!.constructor.name}, not a Conv2d or Linear`, op);
    setForward(first, run);
    for (const m of rest) setForward(m, (x) => x);
    touched.push(first, ...rest);
  }
  registerObserved(op, model, {
    groups,
    reduceRange,
    release: () => {
      for (const m of touched) setForward(m, null);
    },
  });
  return model;
}
