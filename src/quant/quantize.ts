// Eager-mode quantization as torch.ao.quantization does it: `quantizeDynamic` (Linear layers
// get int8 weights, activations quantized per call) and static post-training quantization
// (`prepare` → run a few calibration batches → `convert`) for convolutional nets built of
// Sequential chains. Conv2d+BatchNorm2d(+ReLU) and Linear(+ReLU) that follow each other in a
// Sequential are fused; the first quantized layer quantizes the model's input (QuantStub) and
// the last one dequantizes its output (DeQuantStub).
// Conversion is in place: a converted layer's forward runs its quantized module, a fused
// BatchNorm's or ReLU's forward is the identity, and the state dict keeps its float keys, so a
// model directory stores the same keys and `applyQuantizationPlan` rebuilds the int8 layers
// from it at load.
import { FlambeauError } from "../core/errors.js";
import { noGrad, type Tensor, tidy } from "../core/index.js";
import {
  AdaptiveAvgPool2d,
  AvgPool2d,
  BatchNorm2d,
  Conv2d,
  Dropout,
  Flatten,
  GRU,
  type HookHandle,
  Identity,
  Linear,
  LSTM,
  MaxPool2d,
  type Module,
  ReLU,
  Sequential,
} from "../nn/index.js";
import { quantizedEngine, reduceRangeFor, setQuantizedEngine } from "./engine.js";
import { DynamicQuantizedLinear, QuantizedConv2d, QuantizedLinear } from "./modules.js";
import { MinMaxObserver, type QParams } from "./observer.js";
import { DynamicQuantizedRNN, dynamicRnnProblem } from "./rnn.js";

/** One fused group: its layers' dotted names (conv or linear first, then BN and/or ReLU). */
export interface QuantizedGroup {
  layers: string[];
  kind: "conv2d" | "linear";
  relu: boolean;
  input: QParams;
  output: QParams;
  /** The last quantized group in execution order returns float. */
  dequantize: boolean;
}

/** What a converted model needs to be rebuilt from its float (dequantized) weights: saved in config.json. */
export type QuantizationPlan =
  | { kernels: "dynamic"; engine: string; layers: string[] }
  | { kernels: "static"; engine: string; groups: QuantizedGroup[] };

// Leaf layers that run on quint8 tensors unchanged (a fused BN or ReLU is skipped anyway).
const QUANT_SAFE = [ReLU, MaxPool2d, AvgPool2d, AdaptiveAvgPool2d, Flatten, Dropout, Identity];

const installed = new WeakMap<Module, Module>();

/** Routes `m.forward` to `to` (or to the identity), leaving m's parameters and state-dict keys alone. */
function delegate(m: Module, to: Module | null): void {
  if (to) installed.set(m, to);
  Object.defineProperty(m, "forward", {
    configurable: true,
    writable: true,
    enumerable: false,
    value: to ? (x: Tensor) => to.forward(x) : (x: Tensor) => x,
  });
}

/** The quantized module running in `m`'s place, if any. */
export const quantizedModuleOf = (m: Module): Module | undefined => installed.get(m);

function byName(model: Module): Map<string, Module> {
  return new Map(model.namedModules());
}

/** Conv2d [BatchNorm2d] [ReLU] and Linear [ReLU] runs inside each Sequential; other Conv2d / Linear alone. */
export function findGroups(model: Module): { layers: string[]; kind: "conv2d" | "linear"; relu: boolean }[] {
  const groups: { layers: string[]; kind: "conv2d" | "linear"; relu: boolean }[] = [];
  const grouped = new Set<string>();
  const name = (p: string, k: string) => (p ? `${p}.${k}` : k);
  for (const [p, m] of model.namedModules()) {
    if (!(m instanceof Sequential)) continue;
    const kids = m.namedChildren();
    for (let i = 0; i < kids.length; i++) {
      const [k, c] = kids[i]!;
      const kind = c instanceof Conv2d ? "conv2d" : c instanceof Linear ? "linear" : null;
      if (!kind) continue;
      const layers = [name(p, k)];
      let j = i + 1;
      if (kind === "conv2d" && kids[j]?.[1] instanceof BatchNorm2d) layers.push(name(p, kids[j++]![0]));
      const relu = kids[j]?.[1] instanceof ReLU;
      if (relu) layers.push(name(p, kids[j++]![0]));
      for (const l of layers) grouped.add(l);
      groups.push({ layers, kind, relu });
      i = j - 1;
    }
  }
  for (const [n, m] of model.namedModules())
    if (!grouped.has(n) && (m instanceof Conv2d || m instanceof Linear))
      groups.push({ layers: [n], kind: m instanceof Conv2d ? "conv2d" : "linear", relu: false });
  return groups;
}

/** Static quantization runs quint8 tensors through every layer between the first and last group: each must take them. */
export function checkStatic(op: string, model: Module, groups: { layers: string[] }[]): void {
  const inGroup = new Set(groups.flatMap((g) => g.layers));
  for (const [n, m] of model.namedModules()) {
    if (n === "" || inGroup.has(n)) continue;
    const leaf = m.namedChildren().length === 0;
    if (leaf ? QUANT_SAFE.some((C) => m instanceof C) : m instanceof Sequential) continue;
    throw new FlambeauError(
      "E_ARG",
      `${op}: layer "${n}" (${m.constructor.name}) cannot run on quantized tensors in static quantization${m instanceof BatchNorm2d ? " (a BatchNorm2d is only supported right after a Conv2d)" : ""}; use dynamic quantization (Linear layers only) or leave the model in float`,
      op,
    );
  }
  const mods = byName(model);
  for (const g of groups) {
    const conv = mods.get(g.layers[0]!);
    if (conv instanceof Conv2d && typeof conv.padding === "string")
      throw new FlambeauError(
        "E_ARG",
        `${op}: layer "${g.layers[0]}" has padding "${conv.padding}"; quantized::conv2d takes explicit sizes`,
        op,
      );
  }
}

/** Why `model` cannot be statically quantized (the offending layer named), or null. */
export function staticQuantizationProblem(model: Module): string | null {
  const groups = findGroups(model);
  if (!groups.some((g) => g.kind === "conv2d")) return `${model.constructor.name} has no Conv2d layer`;
  try {
    checkStatic("quantization", model, groups);
    return null;
  } catch (e) {
    return (e as Error).message.replace(/^quantization: /, "");
  }
}

// ---------------------------------------------------------------- dynamic

/** The layers dynamic quantization takes: Linear, and LSTM / GRU that have an int8 kernel (no projections). */
export function dynamicLayers(model: Module, keepFloat: ReadonlySet<string> = new Set()): string[] {
  return model
    .namedModules()
    .filter(([n, m]) => !keepFloat.has(n) && (m instanceof Linear || dynamicRnnProblem(m) === null))
    .map(([n]) => n);
}

/** torch.ao.quantization.quantize_dynamic for Linear, LSTM and GRU layers, in place; returns the plan to save. */
export function quantizeDynamic(model: Module): QuantizationPlan {
  const layers = dynamicLayers(model);
  if (layers.length === 0)
    throw new FlambeauError(
      "E_ARG",
      `quantizeDynamic: ${model.constructor.name} has no Linear, LSTM or GRU layer to quantize`,
      "quantizeDynamic",
    );
  const plan: QuantizationPlan = { kernels: "dynamic", engine: quantizedEngine(), layers };
  applyQuantizationPlan(model, plan);
  return plan;
}

// ---------------------------------------------------------------- static

/** One fused group of an observed model, with what was seen at its input and output. */
export interface ObservedGroup {
  layers: string[];
  kind: "conv2d" | "linear";
  relu: boolean;
  input: MinMaxObserver;
  output: MinMaxObserver;
  /** Its place in execution order (-1 until it runs). */
  order: number;
}

/** An observed model (by `prepare` or `prepareQat`): its groups, and how to take the observation off. */
export interface Observed {
  groups: ObservedGroup[];
  release: () => void;
  /** 7-bit activations, as fixed when observation started (default: the current engine's need). */
  reduceRange?: boolean;
}
const prepared = new WeakMap<Module, Observed>();

/** Marks `model` observed (`prepareQat` registers here so `convert` takes its models too). */
export function registerObserved(op: string, model: Module, state: Observed): void {
  if (prepared.has(model)) throw new FlambeauError("E_STATE", `${op}: the model is already prepared`, op);
  prepared.set(model, state);
}

/**
 * torch.ao.quantization.prepare: finds the fusable groups, checks every other layer can take
 * quint8 tensors, and observes each group's input and output. Run forward on a few
 * calibration batches (eval mode, no grad), then `convert`.
 */
export function prepare(model: Module): Module {
  const op = "quantization.prepare";
  if (prepared.has(model)) throw new FlambeauError("E_STATE", `${op}: the model is already prepared`, op);
  const found = findGroups(model);
  if (found.length === 0) throw new FlambeauError("E_ARG", `${op}: ${model.constructor.name} has no Conv2d or Linear layer`, op);
  checkStatic(op, model, found);
  const mods = byName(model);
  const groups: ObservedGroup[] = [];
  const hooks: HookHandle[] = [];
  let calls = 0;
  for (const g of found) {
    const entry = { ...g, input: new MinMaxObserver(), output: new MinMaxObserver(), order: -1 };
    groups.push(entry);
    hooks.push(
      mods.get(g.layers[0]!)!.registerForwardPreHook((_m, inputs) => {
        if (entry.order < 0) entry.order = calls++;
        entry.input.observe(inputs[0] as Tensor);
      }),
      mods.get(g.layers.at(-1)!)!.registerForwardHook((_m, _i, out) => entry.output.observe(out as Tensor)),
    );
  }
  registerObserved(op, model, { groups, release: () => hooks.forEach((h) => h.remove()) });
  return model;
}

/** torch.ao.quantization.convert: the observed model's layers become quantized ones (in place); returns the plan to save. */
export function convert(model: Module): QuantizationPlan {
  const plan = observedPlan(model);
  applyQuantizationPlan(model, plan);
  return plan;
}

/**
 * The plan `convert` would install, with the observation taken off the model and the model
 * left in float (a quantization-aware trained model whose trained weights were saved elsewhere).
 */
export function observedPlan(model: Module): QuantizationPlan {
  const op = "quantization.convert";
  const state = prepared.get(model);
  if (!state) throw new FlambeauError("E_STATE", `${op}: prepare the model and calibrate it first`, op);
  const ran = state.groups.filter((g) => g.order >= 0).sort((a, b) => a.order - b.order);
  const idle = state.groups.find((g) => g.order < 0);
  if (idle) throw new FlambeauError("E_STATE", `${op}: layer "${idle.layers[0]}" never ran during calibration`, op);
  const reduce = state.reduceRange ?? reduceRangeFor(quantizedEngine());
  const groups: QuantizedGroup[] = ran.map((g, i) => ({
    layers: g.layers,
    kind: g.kind,
    relu: g.relu,
    input: g.input.qparams(`${op} (${g.layers[0]} input)`, reduce),
    output: g.output.qparams(`${op} (${g.layers.at(-1)} output)`, reduce),
    dequantize: i === ran.length - 1,
  }));
  state.release();
  prepared.delete(model);
  return { kernels: "static", engine: quantizedEngine(), groups };
}

/**
 * BatchNorm (eval) folded into the preceding conv: w·γ/√(var+ε) and (b − mean)·γ/√(var+ε) + β,
 * differentiable in w, b, γ and β (quantization-aware training folds this way in every forward).
 */
export function foldConvBn(w: Tensor, b: Tensor | null, bn: BatchNorm2d): { weight: Tensor; bias: Tensor } {
  const mean = bn.getBuffer("running_mean");
  const variance = bn.getBuffer("running_var");
  if (!mean || !variance)
    throw new FlambeauError("E_STATE", "quantization: a fused BatchNorm2d must track running statistics", "quantization");
  return tidy(() => {
    let k = variance.add(bn.eps).rsqrt();
    if (bn.weight) k = k.mul(bn.weight);
    const weight = w.mul(k.reshape([w.shape[0]!, 1, 1, 1]));
    let bias = (b ?? mean.mul(0)).sub(mean).mul(k);
    if (bn.bias) bias = bias.add(bn.bias);
    return { weight, bias };
  });
}

function fuseConvBn(conv: Conv2d, bn: BatchNorm2d | undefined): { weight: Tensor; bias: Tensor | null } {
  const w = conv.weight.detach();
  const b = conv.bias ? conv.bias.detach() : null;
  if (!bn) return { weight: w.float().contiguous(), bias: b?.float() ?? null };
  return noGrad(() =>
    tidy(() => {
      const f = foldConvBn(w, b, bn);
      return { weight: f.weight.float().contiguous(), bias: f.bias.float().contiguous() };
    }),
  );
}

/**
 * Installs a plan's quantized layers into a float model with the plan's architecture (a loaded
 * compressed model directory): packs the weights for the plan's engine, in place.
 */
export function applyQuantizationPlan(model: Module, plan: QuantizationPlan): void {
  const op = "applyQuantizationPlan";
  if (plan.engine !== quantizedEngine()) setQuantizedEngine(plan.engine);
  const mods = byName(model);
  const get = (n: string) => {
    const m = mods.get(n);
    if (!m) throw new FlambeauError("E_STATE", `${op}: the model has no layer "${n}" that the quantization plan names`, op);
    return m;
  };
  model.eval();
  if (plan.kernels === "dynamic") {
    for (const n of plan.layers) {
      const m = get(n);
      if (m instanceof Linear) delegate(m, new DynamicQuantizedLinear(m.weight.detach(), m.bias ? m.bias.detach() : null));
      else if (m instanceof LSTM || m instanceof GRU) {
        // The layer keeps its own forward (lengths, packed sequences); only its kernel becomes int8.
        const q = new DynamicQuantizedRNN(m);
        m.useKernel(q.kernel);
        installed.set(m, q);
      } else throw new FlambeauError("E_STATE", `${op}: "${n}" is a ${m.constructor.name}, not a Linear, LSTM or GRU`, op);
    }
    return;
  }
  for (const g of plan.groups) {
    const [first, ...rest] = g.layers.map(get);
    const o = { input: g.input, output: g.output, relu: g.relu, dequantize: g.dequantize };
    let q: Module;
    if (g.kind === "conv2d") {
      if (!(first instanceof Conv2d)) throw new FlambeauError("E_STATE", `${op}: "${g.layers[0]}" is not a Conv2d`, op);
      const bn = rest.find((m) => m instanceof BatchNorm2d) as BatchNorm2d | undefined;
      const f = fuseConvBn(first, bn);
      const conv = { stride: first.stride, padding: first.padding as number[], dilation: first.dilation, groups: first.groups };
      q = new QuantizedConv2d(f.weight, f.bias, conv, o);
      // Without a BN the weight is the parameter itself (not ours to free).
      if (bn) {
        f.weight.dispose();
        f.bias?.dispose();
      }
    } else {
      if (!(first instanceof Linear)) throw new FlambeauError("E_STATE", `${op}: "${g.layers[0]}" is not a Linear`, op);
      q = new QuantizedLinear(first.weight.detach(), first.bias ? first.bias.detach() : null, o);
    }
    delegate(first!, q);
    for (const m of rest) delegate(m, null);
  }
}
