// What the text and audio compression tests check of a model directory and its int8 variant
// (`compressModelDir --quantize int8`): the variant's evaluate runs libtorch's quantized
// kernels (a spy on the quantized modules' forward), its outputs on the task's own inputs stay
// within tolerance of the float model's, and the plan reaches a model that loads a copy of the
// weights (a new map, as a task that renames or filters keys would pass).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as fl from "flambeau";
import { watchStateDictLoads } from "../../src/nn/load-hooks.js";

type Task = ReturnType<typeof fl.tasks.getTask>;
type Fwd = fl.nn.Module & { forward(...a: unknown[]): unknown };
const Q = fl.quantization;
const KERNELS = [Q.DynamicQuantizedLinear, Q.QuantizedLinear, Q.QuantizedConv2d] as const;

/** Calls of the quantized modules' forward while `fn` runs. */
async function countQuantizedCalls(fn: () => Promise<unknown>): Promise<number> {
  let calls = 0;
  const saved = KERNELS.map((K) => {
    const proto = K.prototype as unknown as { forward: (...a: unknown[]) => unknown };
    const orig = proto.forward;
    proto.forward = function (this: unknown, ...a: unknown[]) {
      calls++;
      return orig.apply(this, a);
    };
    return () => {
      proto.forward = orig;
    };
  });
  try {
    await fn();
  } finally {
    for (const restore of saved) restore();
  }
  return calls;
}

/** The inputs the task's evaluate passes to its model's first forward. */
async function firstInputs(task: Task, dir: string, data: string): Promise<unknown[]> {
  let inputs: unknown[] | undefined;
  await watchStateDictLoads(
    (m) =>
      void m.registerForwardPreHook((_m, args) => {
        inputs ??= args.map((a) => (a instanceof fl.Tensor ? a.detach().clone().keep() : a));
      }),
    () => task.evaluate(dir, data, { limit: 8 }),
  );
  assert.ok(inputs, "the task's evaluate ran a model");
  return inputs;
}

const quantizedLayers = (m: fl.nn.Module): string[] =>
  m
    .namedModules()
    .filter(([, l]) => Q.quantizedModuleOf(l) !== undefined)
    .map(([n]) => n);

const outputOf = (m: Fwd, x: unknown[]): number[] =>
  fl.noGrad(() => Array.from((m.forward(...x) as fl.Tensor).contiguous().data() as Float32Array));

export interface Int8Check {
  plan: { kernels: string; layers?: string[]; groups?: unknown[] };
  calls: number;
  maxError: number;
  span: number;
}

/** Compresses `base` to int8 under `out` and checks the variant; returns what it saw. */
export async function checkInt8Variant(task: Task, base: string, data: string, trainData: string, out: string): Promise<Int8Check> {
  const C = fl.learn.compress;
  await C.compressModelDir(task, { dir: base, out, data, trainData, quantize: "int8", calibrationLimit: 16, limit: 16 });
  const dir = join(out, "int8");
  const plan = JSON.parse(readFileSync(join(dir, "config.json"), "utf8")).compression.int8Kernels;
  assert.ok(plan, "the variant records an int8 plan");

  const calls = await countQuantizedCalls(() => task.evaluate(dir, data, { limit: 8 }));
  assert.ok(calls > 0, "the int8 variant's evaluate runs quantized kernels");
  assert.equal(await countQuantizedCalls(() => task.evaluate(base, data, { limit: 8 })), 0, "the float model runs none");

  const x = await firstInputs(task, base, data);
  const float = (await task.loadModule!(base)) as Fwd;
  const int8 = (await task.loadModule!(dir)) as Fwd;
  assert.deepEqual(quantizedLayers(float), []);
  const layers = quantizedLayers(int8);
  assert.ok(layers.length > 0);
  const a = outputOf(float, x);
  const b = outputOf(int8, x);
  const span = Math.max(...a) - Math.min(...a);
  const maxError = Math.max(...a.map((v, i) => Math.abs(v - b[i]!)));

  // A copy of the loaded weights (a new map, as a task that renames keys passes) still carries the plan.
  const { weights } = await fl.train.loadModelDir(dir);
  const copied = (await task.loadModule!(base)) as Fwd;
  assert.deepEqual(quantizedLayers(copied), []);
  copied.loadStateDict(new Map([...weights]));
  assert.deepEqual(quantizedLayers(copied), layers, "the copied weights' model runs the same quantized layers");
  assert.deepEqual(outputOf(copied, x), b);
  for (const m of [float, int8, copied]) m.dispose();
  for (const v of x) if (v instanceof fl.Tensor) v.dispose();
  return { plan, calls, maxError, span };
}
