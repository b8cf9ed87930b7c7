// Worker-side half of ModuleWorker: builds a model from a factory (plus optional weights),
// keeps it in this thread, and runs its forward on tensors that arrive as transferred buffers.
import { pathToFileURL } from "node:url";
import { FlambeauError } from "../core/errors.js";
import { noGrad, type Tensor, tidy } from "../core/index.js";
import { tensorsIn } from "../data/collate.js";
import { decodeBatch, encodeBatch } from "../data/worker-protocol.js";
import { load } from "../io/index.js";
import type { ModuleSpec } from "./module-spec.js";
import { type TransferResult, withTransfer } from "./protocol.js";

interface Forwardable {
  forward(...inputs: unknown[]): unknown;
  eval(): unknown;
  loadStateDict(sd: Map<string, Tensor>): unknown;
}

const models = new Map<number, Forwardable>();
let nextId = 0;

export async function createModuleJob(spec: ModuleSpec): Promise<number> {
  const url = spec.module.startsWith("/") ? pathToFileURL(spec.module).href : spec.module;
  const make = ((await import(url)) as Record<string, unknown>)[spec.export];
  if (typeof make !== "function")
    throw new FlambeauError("E_ARG", `${spec.module} has no exported function or class "${spec.export}"`, "ModuleWorker");
  const args = spec.args ?? [];
  const isClass = /^class[\s{]/.test(Function.prototype.toString.call(make));
  const m = (
    isClass ? new (make as new (...a: unknown[]) => unknown)(...args) : await (make as (...a: unknown[]) => unknown)(...args)
  ) as Forwardable;
  if (m === null || typeof m !== "object" || typeof m.forward !== "function" || typeof m.eval !== "function")
    throw new FlambeauError(
      "E_ARG",
      `${spec.module}#${spec.export} did not produce a Module (an object with forward and eval)`,
      "ModuleWorker",
    );
  if (spec.weights !== undefined) {
    const sd = await load(spec.weights);
    try {
      m.loadStateDict(sd);
    } finally {
      for (const t of sd.values()) t.dispose();
    }
  }
  m.eval();
  const id = nextId++;
  models.set(id, m);
  return id;
}

export async function forwardModuleJob(id: number, wireInputs: unknown[]): Promise<TransferResult> {
  const m = models.get(id);
  if (!m) throw new FlambeauError("E_STATE", `ModuleWorker: no model ${id} in this worker (closed?)`, "ModuleWorker");
  const inputs = decodeBatch(wireInputs) as unknown[];
  try {
    const out = noGrad(() => tidy(() => m.forward(...inputs) as Tensor));
    const transfer: ArrayBuffer[] = [];
    try {
      return withTransfer(encodeBatch(out, transfer), transfer);
    } finally {
      for (const t of tensorsIn(out)) t.dispose();
    }
  } finally {
    for (const t of tensorsIn(inputs)) t.dispose();
  }
}

export async function disposeModuleJob(id: number): Promise<void> {
  models.delete(id);
}
