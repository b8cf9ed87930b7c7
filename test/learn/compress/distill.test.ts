// Hinton's distillation loss against PyTorch (value and gradient) on the same logits, and its
// option checks.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as fl from "flambeau";
import { hasTorch, NO_TORCH, torchRef } from "./torch-ref.js";

const C = fl.learn.compress;

describe("distillation loss", () => {
  it("equals alpha·T²·KL(softmax(t/T) ‖ softmax(s/T)) + (1 − alpha)·CE in PyTorch, with the same gradient", {
    skip: hasTorch ? false : NO_TORCH,
  }, () => {
    fl.manualSeed(7);
    const s = fl.randn([5, 4]).mul(3);
    const t = fl.randn([5, 4]).mul(3);
    const y = fl.tensor([0, 3, 1, 2, 3], { dtype: "int64" });
    const rows: { T: number; alpha: number; loss: number; grad: number[] }[] = [];
    for (const [T, alpha] of [
      [4, 0.9],
      [1, 0.5],
      [2.5, 1],
    ] as const) {
      const sv = s.detach().requiresGrad_(true);
      const loss = C.distillationLoss(sv, t, y, { temperature: T, alpha });
      loss.backward();
      rows.push({ T, alpha, loss: loss.item(), grad: Array.from(sv.grad!.data() as Float32Array) });
    }
    const ref = torchRef<{ loss: number; grad: number[] }[]>(
      `import torch.nn.functional as F
s0 = torch.tensor(inp["s"]).view(5, 4); t = torch.tensor(inp["t"]).view(5, 4); y = torch.tensor(inp["y"])
out = []
for T, a in inp["cases"]:
    s = s0.clone().requires_grad_(True)
    kd = F.kl_div(F.log_softmax(s / T, 1), F.softmax(t / T, 1), reduction="batchmean") * T * T
    loss = a * kd + (1 - a) * F.cross_entropy(s, y)
    loss.backward()
    out.append({"loss": loss.item(), "grad": s.grad.flatten().tolist()})`,
      {
        s: Array.from(s.data() as Float32Array),
        t: Array.from(t.data() as Float32Array),
        y: [0, 3, 1, 2, 3],
        cases: rows.map((r) => [r.T, r.alpha]),
      },
    );
    rows.forEach((r, i) => {
      assert.ok(Math.abs(r.loss - ref[i]!.loss) < 1e-5 * Math.max(1, Math.abs(ref[i]!.loss)), `T ${r.T}: ${r.loss} vs ${ref[i]!.loss}`);
      r.grad.forEach((g, j) => {
        assert.ok(Math.abs(g - ref[i]!.grad[j]!) < 1e-5, `T ${r.T} grad[${j}]: ${g} vs ${ref[i]!.grad[j]}`);
      });
    });
  });

  it("rejects a non-positive temperature, alpha outside [0, 1] and mismatched logits", () => {
    const a = fl.zeros([2, 3]);
    const y = fl.tensor([0, 1], { dtype: "int64" });
    assert.throws(() => C.distillationLoss(a, a, y, { temperature: 0 }), /temperature must be a positive number, got 0/);
    assert.throws(() => C.distillationLoss(a, a, y, { alpha: 1.5 }), /alpha must be in \[0, 1\], got 1.5/);
    assert.throws(() => C.distillationLoss(a, fl.zeros([2, 4]), y), /\[2, 3\] and \[2, 4\]/);
  });
});
