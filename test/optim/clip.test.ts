// Gradient clipping against PyTorch 1.13's clip_grad_norm_ / clip_grad_value_.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as fl from "flambeau";
import { assertClose, fixture, flat, makeParams, setGrads } from "./helpers.js";

interface ClipFixture {
  shapes: number[][];
  grads: number[][];
  normCases: { maxNorm: number; normType: number | "inf"; totalNorm: number; grads: number[][] }[];
  valueCases: { clipValue: number; grads: number[][] }[];
}
const fx = fixture<ClipFixture>("clip.json");
const { clipGradNorm_, clipGradValue_ } = fl.optim;

function withGrads(): fl.Tensor[] {
  const ps = makeParams(
    fx.shapes.map((s) => new Array<number>(s.reduce((a, b) => a * b, 1)).fill(0)),
    fx.shapes,
  );
  setGrads(ps, fx.grads, fx.shapes);
  return ps;
}
const gradOf = (p: fl.Tensor): number[] => fl.tidy(() => flat(p.grad!));

describe("clipGradNorm_", () => {
  for (const c of fx.normCases) {
    it(`maxNorm ${c.maxNorm}, normType ${c.normType}`, () => {
      const ps = withGrads();
      const before = fl.memory().liveTensors;
      const total = clipGradNorm_(ps, c.maxNorm, c.normType === "inf" ? Infinity : c.normType);
      assert.equal(fl.memory().liveTensors, before, "no tensor survives the call");
      assertClose([total], [c.totalNorm], 0, 1e-6, "total norm");
      ps.forEach((p, i) => assertClose(gradOf(p), c.grads[i]!, 1e-6, 0, `grad ${i}`));
      fl.dispose(ps); // garbage freed by GC later would disturb the next case's count
    });
  }

  it("returns 0 when no parameter has a gradient, and checks its arguments", () => {
    const ps = makeParams([[1, 2]], [[2]]);
    assert.equal(clipGradNorm_(ps, 1), 0);
    assert.throws(() => clipGradNorm_(ps, -1), /maxNorm must be a number ≥ 0, got -1/);
    assert.throws(() => clipGradNorm_(ps, 1, Number.NaN), /normType must be a number/);
  });

  it("errorIfNonfinite refuses an infinite norm", () => {
    const [p] = makeParams([[1, 2]], [[2]]);
    setGrads([p!], [[Infinity, 1]], [[2]]);
    assert.throws(() => clipGradNorm_([p!], 1, 2, { errorIfNonfinite: true }), /total norm of order 2 .* is Infinity/);
    assert.equal(clipGradNorm_(p!, 1), Infinity);
  });
});

describe("clipGradValue_", () => {
  for (const c of fx.valueCases) {
    it(`clipValue ${c.clipValue}`, () => {
      const ps = withGrads();
      clipGradValue_(ps, c.clipValue);
      ps.forEach((p, i) => assert.deepEqual(gradOf(p), c.grads[i]!.map(Math.fround), `grad ${i}`));
    });
  }
  it("rejects a negative clipValue", () => assert.throws(() => clipGradValue_(withGrads(), -1), /clipValue must be a number ≥ 0, got -1/));
});
