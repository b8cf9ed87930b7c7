// The ONNX graph being built while a forward is traced: a name for every traced tensor, the
// constants (weights, and whatever the forward computed from weights alone) as initializers,
// and the nodes in call order.
import { FlambeauError } from "../../core/errors.js";
import type { DType, Tensor } from "../../core/index.js";
import { type AttributeValue, type NodeProto, ONNX_DTYPE, type OnnxDtype, type TensorProto } from "./proto.js";

const OP = "exportOnnx";
/** Prefix of the name bound to an output the exporter cannot write (an error only if it is used). */
export const UNSUPPORTED = "!unsupported:";

export function onnxDtype(d: DType, what: string): OnnxDtype {
  const t = (ONNX_DTYPE as Record<string, OnnxDtype | undefined>)[d];
  if (t === undefined) throw new FlambeauError("E_DTYPE", `${OP}: ${what} has dtype ${d}, which the ONNX exporter does not write`, OP);
  return t;
}

/** An attribute value from a plain JS value (numbers that are integers become INT). */
export type Attr = number | string | readonly number[] | { float: number } | { floats: readonly number[] };

function attribute(v: Attr): AttributeValue {
  if (typeof v === "string") return { kind: "string", value: v };
  if (typeof v === "number") return Number.isInteger(v) ? { kind: "int", value: v } : { kind: "float", value: v };
  if (Array.isArray(v)) return { kind: "ints", value: v as readonly number[] };
  if ("floats" in (v as object)) return { kind: "floats", value: (v as { floats: readonly number[] }).floats };
  return { kind: "float", value: (v as { float: number }).float };
}

export interface ViewOf {
  base: Tensor;
  dim: number;
  start: number;
  end: number;
}

export class OnnxGraph {
  readonly nodes: NodeProto[] = [];
  readonly initializers: TensorProto[] = [];
  readonly #traced = new Map<Tensor, string>();
  readonly #constants = new Map<Tensor, string>();
  readonly #paramNames: ReadonlyMap<Tensor, string>;
  readonly #views = new Map<Tensor, ViewOf>();
  readonly #batch: { size: number; ref: string } | null;
  #next = 0;

  /** `batch`: the traced batch size and the input that carries it, when dimension 0 is symbolic. */
  constructor(paramNames: ReadonlyMap<Tensor, string>, batch: { size: number; ref: string } | null) {
    this.#paramNames = paramNames;
    this.#batch = batch;
  }

  /** Records that `view` is `base[start:end)` along `dim` (an in-place write to it changes `base`). */
  markView(view: Tensor, base: Tensor, dim: number, start: number, end: number): void {
    this.#views.set(view, { base, dim, start, end });
  }

  viewOf(t: Tensor): ViewOf | undefined {
    return this.#views.get(t);
  }

  fresh(hint: string): string {
    return `${hint}_${this.#next++}`;
  }

  isTraced(t: Tensor): boolean {
    return this.#traced.has(t);
  }

  /** Names a tensor the traced program computed (or a graph input). */
  bind(t: Tensor, name: string): void {
    this.#traced.set(t, name);
  }

  /** The value name of a tensor argument: traced, or else a constant written as an initializer. */
  value(t: Tensor): string {
    const name = this.#traced.get(t);
    if (name === undefined) return this.constant(t);
    if (name.startsWith(UNSUPPORTED))
      throw new FlambeauError("E_ARG", `${OP}: the traced forward uses ${name.slice(UNSUPPORTED.length)}, which has no ONNX export`, OP);
    return name;
  }

  constant(t: Tensor): string {
    const known = this.#constants.get(t);
    if (known !== undefined) return known;
    const param = this.#paramNames.get(t);
    const data = t.data();
    const expanded = param === undefined ? this.#batchShaped(t, data) : undefined;
    const name = param ?? expanded ?? this.fresh("const");
    this.#constants.set(t, name);
    if (expanded === undefined) this.addInitializer(name, t.dtype, t.shape, data);
    return name;
  }

  /**
   * A constant the forward built with the traced batch size as its first dimension and the same
   * row in every position (zeros([B, V]), ones(ids.shape)) is one row expanded to the run's batch,
   * so the graph keeps a symbolic batch. Needs a traced batch of at least 2 to tell.
   */
  #batchShaped(t: Tensor, data: ArrayBufferView): string | undefined {
    const b = this.#batch;
    const shape = t.shape;
    if (b === null || b.size < 2 || shape.length === 0 || shape[0] !== b.size) return undefined;
    const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    const row = bytes.length / b.size;
    for (let i = row; i < bytes.length; i++) if (bytes[i] !== bytes[i - row]) return undefined;
    const rest = shape.slice(1);
    const one = this.addInitializer(this.fresh("row"), t.dtype, [1, ...rest], bytes.subarray(0, row));
    const batch = this.node("Shape", [b.ref], { start: 0, end: 1 });
    const to = this.node("Concat", [batch, this.ints(rest)], { axis: 0 });
    return this.node("Expand", [one, to]);
  }

  addInitializer(name: string, dtype: DType, dims: readonly number[], data: ArrayBufferView): string {
    const raw = new Uint8Array(data.buffer, data.byteOffset, data.byteLength).slice();
    this.initializers.push({ name, dims: [...dims], dataType: onnxDtype(dtype, `constant ${name}`), raw });
    return name;
  }

  /** A 1-D int64 constant (shapes, axes, slice bounds). */
  ints(values: readonly number[]): string {
    return this.addInitializer(this.fresh("ints"), "int64", [values.length], BigInt64Array.from(values.map((v) => BigInt(v))));
  }

  /** A scalar constant of the dtype of the tensor it combines with. */
  scalar(value: number, dtype: DType): string {
    const name = this.fresh("scalar");
    if (dtype === "int64") return this.addInitializer(name, dtype, [], BigInt64Array.of(BigInt(value)));
    if (dtype === "float64") return this.addInitializer(name, dtype, [], Float64Array.of(value));
    if (dtype === "float32") return this.addInitializer(name, dtype, [], Float32Array.of(value));
    if (dtype === "int32") return this.addInitializer(name, dtype, [], Int32Array.of(value));
    throw new FlambeauError("E_DTYPE", `${OP}: a scalar beside a ${dtype} tensor is not exported`, OP);
  }

  /** Adds a node and returns its first output's name (fresh names unless given). */
  node(opType: string, inputs: readonly string[], attrs: Readonly<Record<string, Attr>> = {}, outputs?: readonly string[]): string {
    const outs = outputs ?? [this.fresh(opType.toLowerCase())];
    const attributes: Record<string, AttributeValue> = {};
    for (const [k, v] of Object.entries(attrs)) attributes[k] = attribute(v);
    this.nodes.push({ opType, name: `${opType}_${this.nodes.length}`, inputs, outputs: outs, attributes });
    return outs[0]!;
  }
}
