// Shared by the optim tests: fixtures from scripts/fixtures/optim.py and small comparisons.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as fl from "flambeau";

/** Reads test/fixtures/optim/<name> (this file runs from dist/test/optim/). */
export function fixture<T>(name: string): T {
  return JSON.parse(readFileSync(new URL(`../../../test/fixtures/optim/${name}`, import.meta.url), "utf8")) as T;
}

export function assertClose(actual: ArrayLike<number>, expected: readonly number[], atol: number, rtol: number, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    const tol = atol + rtol * Math.abs(e);
    if (!(Math.abs(a - e) <= tol)) assert.fail(`${what}[${i}]: got ${a}, PyTorch ${e} (|diff| ${Math.abs(a - e)} > ${tol})`);
  }
}

/** A float32 tensor from flat values (fl.tensor honours `shape` for TypedArrays only). */
export const shaped = (v: readonly number[], shape: readonly number[]): fl.Tensor => fl.tensor(Float32Array.from(v), { shape });

/** Float32 parameters with the given flat values and shapes. */
export function makeParams(values: readonly number[][], shapes: readonly number[][]): fl.nn.Parameter[] {
  return values.map((v, i) => fl.tidy(() => new fl.nn.Parameter(shaped(v, shapes[i]!))));
}

/** Sets p.grad from flat values (null: no gradient); our handles are released at once. */
export function setGrads(params: readonly fl.Tensor[], values: readonly (number[] | null)[], shapes: readonly number[][]): void {
  params.forEach((p, i) => {
    const v = values[i];
    if (v === null || v === undefined) p.grad = null;
    else fl.tidy(() => void (p.grad = shaped(v, shapes[i]!)));
  });
}

export const flat = (t: fl.Tensor): number[] => Array.from(t.data() as Float32Array);

export interface OptCase {
  name: string;
  optimizer: "SGD" | "Adam" | "AdamW" | "RMSprop" | "Adagrad" | "NAdam" | "RAdam" | "Adamax" | "Adadelta" | "ASGD" | "Rprop";
  options: Record<string, unknown>;
  groups: Record<string, unknown>[] | null;
  noGrad: [number, number][];
  params: number[][][];
  stateKeys: Record<string, string[]>;
  groupKeys: string[];
}
export interface OptFixture {
  shapes: number[][];
  init: number[][];
  grads: number[][][];
  cases: OptCase[];
}

export const optFixture = fixture<OptFixture>("optimizers.json");

/** Builds a case's optimizer over fresh parameters (values `init`, default the fixture's). */
export function build(c: OptCase, init: number[][] = optFixture.init): { params: fl.nn.Parameter[]; opt: fl.optim.Optimizer } {
  const params = makeParams(init, optFixture.shapes);
  const groups = c.groups === null ? params : params.map((p, i) => ({ params: [p], ...c.groups![i] }));
  const { SGD, Adam, AdamW, RMSprop, Adagrad, NAdam, RAdam, Adamax, Adadelta, ASGD, Rprop } = fl.optim;
  const ctor = { SGD, Adam, AdamW, RMSprop, Adagrad, NAdam, RAdam, Adamax, Adadelta, ASGD, Rprop }[c.optimizer] as unknown as new (
    p: unknown,
    o: unknown,
  ) => fl.optim.Optimizer;
  return { params, opt: new ctor(groups, c.options) };
}

/** Gives step k's gradients (none where the case says so). */
export function gradsAt(c: OptCase, params: fl.Tensor[], k: number): void {
  const values = optFixture.grads[k]!.map((g, i) => (c.noGrad.some(([s, j]) => s === k && j === i) ? null : g));
  setGrads(params, values, optFixture.shapes);
}
