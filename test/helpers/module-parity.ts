// The module parity check both nn parity suites run: a module with PyTorch's weights (loaded
// through loadStateDict) and inputs must give PyTorch's outputs, input gradients, parameter
// gradients and running statistics (fixtures written by scripts/fixtures/nn.py).
import assert from "node:assert/strict";
import { test } from "node:test";
import * as fl from "flambeau";
import { assertClose, fromJson, readFixture, stateFromJson, type TensorJson } from "./fixtures.js";

export interface Case {
  state: Record<string, TensorJson>;
  inputs: TensorJson[];
  outputs: TensorJson[];
  weights: TensorJson[];
  inputGrads: (TensorJson | null)[];
  paramGrads: Record<string, TensorJson>;
  stateAfter: Record<string, TensorJson>;
  lengths?: number[];
  keyPaddingMask?: boolean[][];
  attnMask?: boolean[][];
}

export type Fwd = (m: fl.nn.Module, ins: fl.Tensor[], c: Case) => fl.Tensor[];
export const one: Fwd = (m, ins) => [(m as unknown as { forward(x: fl.Tensor): fl.Tensor }).forward(ins[0]!)];

export function check(
  name: string,
  make: () => fl.nn.Module,
  forward: Fwd = one,
  o: { train?: boolean; rtol?: number; atol?: number } = {},
): void {
  test(`${name} matches PyTorch (outputs and gradients)`, () => {
    const c = readFixture<Case>("nn", `${name}.json`);
    // float32 against PyTorch's float32: |a − b| ≤ 1e-6 + 1e-5·|b| unless a case says otherwise.
    const rtol = o.rtol ?? 1e-5;
    const atol = o.atol ?? 1e-6;
    const m = make();
    m.loadStateDict(stateFromJson(c.state));
    m.train(o.train ?? false);
    const ins = c.inputs.map((x) => {
      const t = fromJson(x);
      return t.dtype.startsWith("float") ? t.requiresGrad_(true) : t;
    });
    const outs = forward(m, ins, c);
    assert.equal(outs.length, c.outputs.length);
    outs.forEach((out, i) => assertClose(out, c.outputs[i]!, `${name} output ${i}`, rtol, atol));
    let loss = fl.zeros([]);
    outs.forEach((out, i) => (loss = loss.add(out.mul(fromJson(c.weights[i]!)).sum())));
    loss.backward();
    ins.forEach((x, i) => {
      const g = c.inputGrads[i];
      if (g) assertClose(x.grad!, g, `${name} input grad ${i}`, rtol, atol);
    });
    const params = new Map(m.namedParameters());
    for (const [k, g] of Object.entries(c.paramGrads)) {
      const p = params.get(k);
      assert.ok(p, `${name}: parameter ${k} exists`);
      assertClose(p.grad!, g, `${name} grad of ${k}`, rtol, atol);
    }
    const after = m.stateDict();
    for (const [k, v] of Object.entries(c.stateAfter))
      if (k.startsWith("running")) assertClose(after.get(k)!, v, `${name} ${k} after forward`, rtol, atol);
  });
}
