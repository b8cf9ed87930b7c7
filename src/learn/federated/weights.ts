// A model's trainable state as one flat float32 vector plus its layout (names and shapes in
// state-dict order). Everything federated — averaging, server optimizers, clipping, masking,
// noise — is arithmetic on whole vectors, so it is done once here in plain typed arrays
// rather than per tensor.

import { FlambeauError } from "../../core/errors.js";
import { noGrad, tensor } from "../../core/index.js";
import type { Module } from "../../nn/module.js";

export interface LayoutEntry {
  name: string;
  shape: number[];
}
export type Layout = readonly LayoutEntry[];

export const sizeOf = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);
export const layoutSize = (l: Layout): number => l.reduce((a, e) => a + sizeOf(e.shape), 0);

/** The layout of a model's state dict (parameters and persistent buffers, float32). */
export function layoutOf(model: Module): LayoutEntry[] {
  const sd = model.stateDict();
  const out: LayoutEntry[] = [];
  for (const [name, t] of sd) {
    if (t.dtype !== "float32")
      throw new FlambeauError("E_DTYPE", `federated: ${name} is ${t.dtype}; only float32 state is averaged`, "federated");
    out.push({ name, shape: [...t.shape] });
    t.dispose();
  }
  return out;
}

/** The model's state as one vector, in its layout's order. */
export function flatten(model: Module, layout: Layout = layoutOf(model)): Float32Array {
  const out = new Float32Array(layoutSize(layout));
  const sd = model.stateDict();
  let at = 0;
  for (const e of layout) {
    const t = sd.get(e.name);
    if (!t) throw new FlambeauError("E_STATE", `federated: the model has no ${e.name}`, "federated");
    out.set(t.contiguous().data() as Float32Array, at);
    at += sizeOf(e.shape);
  }
  for (const t of sd.values()) t.dispose();
  return out;
}

/** Copies a vector into the model's tensors. */
export function assign(model: Module, layout: Layout, v: Float32Array): void {
  if (v.length !== layoutSize(layout))
    throw new FlambeauError("E_SHAPE", `federated: vector of ${v.length} values for a model of ${layoutSize(layout)}`, "federated");
  const sd = new Map<string, ReturnType<typeof tensor>>();
  let at = 0;
  for (const e of layout) {
    const n = sizeOf(e.shape);
    sd.set(e.name, tensor(v.slice(at, at + n), { shape: e.shape }));
    at += n;
  }
  noGrad(() => model.loadStateDict(sd));
  for (const t of sd.values()) t.dispose();
}

/** Per-tensor views of a vector (serialization, shape checks). */
export function split(layout: Layout, v: Float32Array): Map<string, Float32Array> {
  const out = new Map<string, Float32Array>();
  let at = 0;
  for (const e of layout) {
    const n = sizeOf(e.shape);
    out.set(e.name, v.subarray(at, at + n));
    at += n;
  }
  return out;
}
