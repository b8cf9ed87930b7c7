// ONNX export by tracing: the module's forward runs once on example inputs with a hook on the
// dispatcher, and every ATen call whose arguments depend on an input becomes ONNX nodes through
// the op table. Calls on weights alone (a transposed weight, a position table) run as usual and
// their results become initializers, so the graph holds only input-dependent work.
// Like torch.onnx's tracer, control flow is frozen to the path the example took.
import type { AtenOp } from "../../core/aten.js";
import { setCallHook } from "../../core/dispatch.js";
import { FlambeauError } from "../../core/errors.js";
import { cat, noGrad, type Tensor } from "../../core/index.js";
import { isTensor } from "../../core/tensor-class.js";
import type { Module } from "../../nn/module.js";
import { OnnxGraph, onnxDtype, UNSUPPORTED } from "./graph.js";
import { CONVERTERS } from "./ops.js";
import { encodeModel, type ValueInfoProto } from "./proto.js";

const OP = "exportOnnx";
/** ONNX opset 17 (LayerNormalization is in it) and the IR version that goes with it. */
export const OPSET = 17;
export const IR_VERSION = 8;

export interface ExportOptions {
  /** Graph input names, one per example input (default input_0, input_1 …). */
  inputNames?: readonly string[];
  /** Graph output names (default output_0 …). */
  outputNames?: readonly string[];
  /** Name dimension 0 of every input and output as this symbolic batch size (default "batch"; null keeps it fixed). */
  batchDim?: string | null;
  /** Key → value strings written to the model's metadata_props (preprocessing, labels …). */
  metadata?: Readonly<Record<string, string>>;
  graphName?: string;
  producerVersion?: string;
}

function tensorsIn(v: unknown): Tensor[] {
  if (isTensor(v)) return [v];
  if (Array.isArray(v)) return v.filter(isTensor);
  return [];
}

function dependsOnInput(g: OnnxGraph, args: readonly unknown[]): boolean {
  for (const a of args) for (const t of tensorsIn(a)) if (g.isTraced(t)) return true;
  return false;
}

/**
 * The output shapes of every input-dependent call of a forward on `inputs`, in call order. The
 * exporter runs one probe with one more batch row than the traced example: a dimension that
 * differs between the two runs carries the batch, and a reshape keeps it symbolic.
 */
function probeShapes(module: Forward, inputs: readonly Tensor[]): number[][][] {
  const traced = new Set<Tensor>(inputs);
  const shapes: number[][][] = [];
  const before = setCallHook((_op, args, result) => {
    if (!args.some((a) => tensorsIn(a).some((t) => traced.has(t)))) return;
    const outs = isTensor(result) ? [result] : tensorsIn(result);
    for (const t of outs) traced.add(t);
    shapes.push(outs.map((t) => [...t.shape]));
  });
  try {
    const r = noGrad(() => module.forward(...inputs));
    for (const t of tensorsIn(r)) t.dispose();
  } finally {
    setCallHook(before);
  }
  return shapes;
}

/** The example with its first row repeated once more along dimension 0. */
function oneMoreRow(x: Tensor): Tensor {
  return cat([x, x.narrow(0, 0, 1)], 0);
}

type Forward = Module & { forward(...xs: Tensor[]): unknown };

function record(g: OnnxGraph, op: AtenOp, args: readonly unknown[], result: unknown, alt: number[][] | undefined): void {
  if (!dependsOnInput(g, args)) return;
  const base = op.name.slice("aten::".length);
  const outs = isTensor(result) ? [result] : tensorsIn(result);
  if (base.endsWith("_") && isTensor(args[0]) && g.viewOf(args[0])) {
    writeThroughView(g, base, args, outs);
    return;
  }
  const convert = CONVERTERS[base];
  if (!convert) {
    const key = op.overload ? `${base}.${op.overload}` : base;
    throw new FlambeauError("E_ARG", `${OP}: the forward calls aten::${key}, which has no ONNX export yet`, OP);
  }
  const names = convert({ g, op: base, overload: op.overload, args, outs, ...(alt ? { alt } : {}) });
  outs.forEach((t, k) => g.bind(t, names[k] ?? `${UNSUPPORTED}output ${k} of aten::${base}`));
  // An in-place op's result is its first argument, renamed.
  if (base.endsWith("_") && isTensor(args[0]) && names[0] !== undefined) g.bind(args[0], names[0]);
}

/**
 * `x.narrow(d, s, n).zero_()` changes x: the write becomes x' = Where(mask, value, x) with the
 * mask true on the slice, and x (and the view) are renamed. Only fills are handled this way.
 */
function writeThroughView(g: OnnxGraph, base: string, args: readonly unknown[], outs: readonly Tensor[]): void {
  const view = args[0] as Tensor;
  const v = g.viewOf(view)!;
  if (base !== "zero_" && base !== "fill_")
    throw new FlambeauError("E_ARG", `${OP}: aten::${base} writes in place through a view, which the tracer cannot export`, OP);
  const value = base === "zero_" ? 0 : Number(args[1]);
  const shape = v.base.shape.map((s, i) => (i === v.dim ? s : 1));
  const mask = new Uint8Array(shape[v.dim]!);
  mask.fill(1, v.start, v.end);
  const m = g.addInitializer(g.fresh("mask"), "bool", shape, mask);
  const next = g.node("Where", [m, g.scalar(value, v.base.dtype), g.value(v.base)]);
  g.bind(v.base, next);
  const sliced = g.node("Slice", [next, g.ints([v.start]), g.ints([v.end]), g.ints([v.dim])]);
  g.bind(view, sliced);
  for (const t of outs) g.bind(t, sliced);
}

function valueInfo(name: string, t: Tensor, batchDim: string | null): ValueInfoProto {
  const shape: (number | string)[] = [...t.shape];
  if (batchDim !== null && shape.length > 0) shape[0] = batchDim;
  return { name, dataType: onnxDtype(t.dtype, name), shape };
}

/** Traces `module.forward(...inputs)` and returns the bytes of an ONNX model. */
export function exportOnnx(
  module: Module & { forward(...xs: Tensor[]): unknown },
  inputs: readonly Tensor[],
  o: ExportOptions = {},
): Uint8Array {
  const params = new Map<Tensor, string>();
  for (const [k, p] of module.namedParameters()) params.set(p, k);
  for (const [k, b] of module.namedBuffers()) params.set(b, k);
  const inputNames = inputs.map((_, i) => o.inputNames?.[i] ?? `input_${i}`);
  const batchDim = o.batchDim === undefined ? "batch" : o.batchDim;
  const first = inputs[0];
  const g = new OnnxGraph(
    params,
    batchDim !== null && first && first.shape.length > 0 ? { size: first.shape[0]!, ref: inputNames[0]! } : null,
  );
  inputs.forEach((t, i) => g.bind(t, inputNames[i]!));

  let alts: number[][][] = [];
  if (batchDim !== null && inputs.every((t) => t.shape.length > 0 && t.shape[0] === first?.shape[0])) {
    const bigger = inputs.map(oneMoreRow);
    try {
      alts = probeShapes(module, bigger);
    } finally {
      for (const t of bigger) t.dispose();
    }
  }
  let failure: unknown;
  let call = 0;
  const before = setCallHook((op, args, result) => {
    if (failure !== undefined) return;
    try {
      record(g, op, args, result, dependsOnInput(g, args) ? alts[call++] : undefined);
    } catch (e) {
      failure = e; // reported after the forward, so the module's own cleanup runs
    }
  });
  let result: unknown;
  try {
    result = noGrad(() => module.forward(...inputs));
  } finally {
    setCallHook(before);
  }
  if (failure !== undefined) throw failure;

  const outs = tensorsIn(result);
  if (outs.length === 0) throw new FlambeauError("E_ARG", `${OP}: the forward returned no tensor`, OP);
  const outputs = outs.map((t, k) => {
    const want = o.outputNames?.[k] ?? `output_${k}`;
    const name = g.value(t);
    // An output that is an input or an initializer still needs a node that produces it.
    g.node("Identity", [name], {}, [want]);
    return valueInfo(want, t, batchDim);
  });
  try {
    return encodeModel({
      irVersion: IR_VERSION,
      opsetVersion: OPSET,
      producerName: "flambeau",
      producerVersion: o.producerVersion ?? "0",
      graph: {
        name: o.graphName ?? module.constructor.name,
        nodes: g.nodes,
        initializers: g.initializers,
        inputs: inputs.map((t, i) => valueInfo(inputNames[i]!, t, batchDim)),
        outputs,
      },
      metadata: o.metadata ?? {},
    });
  } finally {
    for (const t of outs) t.dispose();
  }
}
