// fl.inferenceMode: PyTorch's torch.inference_mode — no autograd inside, the mode ends however
// fn ends, and inference tensors are refused where autograd would save them.
import assert from "node:assert/strict";
import { test } from "node:test";
import * as fl from "flambeau";

test("inferenceMode: no graph inside, the mode ends on return and on throw, nesting noGrad works", () => {
  const w = fl.randn([3, 3]).requiresGrad_();
  assert.equal(fl.isInferenceModeEnabled(), false);
  const y = fl.inferenceMode(() => {
    assert.equal(fl.isInferenceModeEnabled(), true);
    assert.equal(fl.isGradEnabled(), false);
    return fl.noGrad(() => w.matmul(w).relu());
  });
  assert.equal(y.requiresGrad, false);
  assert.equal(fl.isInferenceModeEnabled(), false);
  assert.equal(fl.isGradEnabled(), true);
  assert.throws(
    () =>
      fl.inferenceMode(() => {
        throw new Error("inside");
      }),
    /inside/,
  );
  assert.equal(fl.isInferenceModeEnabled(), false, "a throw ends the mode");
  assert.throws(() => fl.inferenceMode(async () => 1), /must be synchronous/);
  assert.equal(fl.isInferenceModeEnabled(), false);
  assert.throws(() => fl.inferenceMode(1 as unknown as () => void), /inferenceMode/);
});

test("inferenceMode: the same numbers as noGrad; an inference tensor cannot be saved for backward", () => {
  fl.manualSeed(0);
  const lin = new fl.nn.Linear(8, 4);
  const x = fl.randn([5, 8]);
  const a = fl.inferenceMode(() => lin.forward(x));
  const b = fl.noGrad(() => lin.forward(x));
  assert.equal(a.sub(b).abs().max().item(), 0);
  // As in PyTorch: using an inference tensor where autograd must keep it raises a FlambeauError.
  const w = fl.randn([4]).requiresGrad_();
  assert.throws(
    () => a.mul(w).sum().backward(),
    (e: fl.FlambeauError) => e instanceof fl.FlambeauError && /[Ii]nference tensor/.test(e.message),
  );
});
