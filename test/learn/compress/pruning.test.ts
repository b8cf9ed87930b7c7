// Pruning for compression: structured L1 masks against PyTorch's ln_structured, whole channels
// removed, masks surviving a save and load (and training), the iterative schedule, and the
// errors for bad amounts and layer names.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import * as fl from "flambeau";
import { hasTorch, NO_TORCH, torchRef } from "./torch-ref.js";

const nn = fl.nn;
const C = fl.learn.compress;

function smallNet(): fl.nn.Sequential {
  fl.manualSeed(3);
  return new nn.Sequential(
    new nn.Conv2d(1, 8, 3),
    new nn.ReLU(),
    new nn.Conv2d(8, 6, 3),
    new nn.ReLU(),
    new nn.Flatten(),
    new nn.Linear(6 * 4 * 4, 5),
  );
}
const input = () => {
  fl.manualSeed(9);
  return fl.randn([4, 1, 8, 8]);
};
const arr = (t: fl.Tensor): number[] => Array.from(t.float().data() as Float32Array);
const weightOf = (m: fl.nn.Module): fl.Tensor => (m as unknown as { weight: fl.Tensor }).weight;

describe("structured pruning", () => {
  it("matches PyTorch's ln_structured masks, one round and a second round on the kept channels", {
    skip: hasTorch ? false : NO_TORCH,
  }, () => {
    fl.manualSeed(1);
    const conv = new nn.Conv2d(3, 10, 3);
    const w = arr(conv.weight);
    nn.utils.prune.lnStructured(conv, "weight", 0.3, 1, 0);
    const m1 = arr(conv.getBuffer("weight_mask")!);
    nn.utils.prune.lnStructured(conv, "weight", 0.5, 2, 0);
    const m2 = arr(conv.getBuffer("weight_mask")!);
    const ref = torchRef<{ m1: number[]; m2: number[] }>(
      `import torch.nn.utils.prune as prune
c = torch.nn.Conv2d(3, 10, 3)
with torch.no_grad(): c.weight.copy_(torch.tensor(inp["w"]).view(10, 3, 3, 3))
prune.ln_structured(c, "weight", 0.3, 1, 0)
m1 = c.weight_mask.flatten().tolist()
prune.ln_structured(c, "weight", 0.5, 2, 0)
out = {"m1": m1, "m2": c.weight_mask.flatten().tolist()}`,
      { w },
    );
    assert.deepEqual(m1, ref.m1);
    assert.deepEqual(m2, ref.m2);
  });

  it("removes whole output channels of every layer but the last", () => {
    const model = smallNet();
    const pruned = C.pruneModel(model, { amount: 0.5, structured: true });
    assert.deepEqual(
      pruned.map((p) => p.layer),
      ["0", "2"],
    );
    for (const [i, channels] of [
      [0, 8],
      [2, 6],
    ] as const) {
      const w = weightOf(model.at(i)).reshape([channels, -1]);
      const zeroRows = (w.abs().sum(1).eq(0).data() as Uint8Array).reduce((a, b) => a + b, 0);
      const partial = (w.eq(0).any(1).data() as Uint8Array).reduce((a, b) => a + b, 0);
      assert.equal(zeroRows, channels / 2, `layer ${i}: half the channels are zero`);
      assert.equal(partial, zeroRows, `layer ${i}: no channel is partly pruned`);
    }
    assert.equal(C.prunedParameters(model).has("5.weight"), false);
  });
});

describe("masks across save and load", () => {
  it("a pruned state dict loads into a fresh model with the same masks, outputs, and zeros kept through training", async () => {
    const dir = mkdtempSync(join(tmpdir(), "fl-prune-"));
    try {
      const model = smallNet();
      C.pruneModel(model, { amount: 0.6 });
      const sd = model.stateDict();
      assert.ok(sd.has("0.weight_orig") && sd.has("0.weight_mask") && !sd.has("0.weight"), "PyTorch's keys");
      await fl.save(sd, join(dir, "pruned.safetensors"));
      const loaded = await fl.load(join(dir, "pruned.safetensors"));
      fl.manualSeed(42);
      const fresh = smallNet();
      C.loadPruned(fresh, loaded);
      const before = C.pruningMasks(model);
      const after = C.pruningMasks(fresh);
      assert.deepEqual([...after.keys()], [...before.keys()]);
      for (const [k, m] of before) assert.deepEqual(arr(after.get(k)!), arr(m), k);
      const x = input();
      model.eval();
      fresh.eval();
      assert.deepEqual(arr(fresh.forward(x) as fl.Tensor), arr(model.forward(x) as fl.Tensor));
      // Global sparsity over the three weights is 60 %.
      const s = C.sparsity(fresh);
      const z = s.layers.reduce((a, l) => a + l.zeros, 0);
      const n = s.layers.reduce((a, l) => a + l.total, 0);
      assert.equal(z, Math.round(0.6 * n));
      // Training keeps the pruned entries at zero (the mask multiplies the parameter).
      fresh.train();
      const opt = new fl.optim.SGD(fresh.parameters(), { lr: 0.5 });
      const loss = nn.functional.crossEntropy(fresh.forward(x) as fl.Tensor, fl.tensor([0, 1, 2, 3], { dtype: "int64" }));
      opt.zeroGrad();
      loss.backward();
      opt.step();
      fresh.forward(x);
      for (const [k, m] of after) {
        const w = arr(C.foldMasks(fresh.stateDict()).get(k)!);
        arr(m).forEach((keep, i) => {
          if (keep === 0) assert.ok(w[i] === 0, `${k}[${i}] stays pruned, got ${w[i]}`);
        });
      }
      // prune.remove (removePruning) makes it permanent: plain keys, same values as folding.
      const folded = C.foldMasks(fresh.stateDict());
      C.removePruning(fresh);
      const plain = fresh.stateDict();
      assert.deepEqual([...plain.keys()].sort(), [...folded.keys()].sort());
      for (const [k, t] of folded) assert.deepEqual(arr(plain.get(k)!), arr(t), k);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("iterative pruning", () => {
  it("reaches the amount in steps with fine-tuning between them", async () => {
    const model = smallNet();
    const seen: number[] = [];
    await C.iterativePrune(model, {
      amount: 0.875,
      steps: 3,
      fineTune: async (m, step) => {
        const s = C.sparsity(m);
        seen.push(s.layers.reduce((a, l) => a + l.zeros, 0) / s.layers.reduce((a, l) => a + l.total, 0));
        assert.equal(step, seen.length);
      },
    });
    assert.equal(C.stepAmount(0.875, 3), 0.5);
    assert.deepEqual(
      seen.map((f) => Math.round(f * 1000) / 1000),
      [0.5, 0.75, 0.875],
    );
  });
});

describe("bad options name the value or layer", () => {
  const cases: [string, () => unknown, RegExp][] = [
    ["prune 100 %", () => C.pruneModel(smallNet(), { amount: 1 }), /below 1.*got 1: pruning 100 %/],
    ["a negative amount", () => C.pruneModel(smallNet(), { amount: -0.2 }), /amount must be ≥ 0, got -0.2/],
    [
      "an unknown layer",
      () => C.pruneModel(smallNet(), { amount: 0.5, layers: ["0", "classifier"] }),
      /no layer "classifier"; layers: 0, 1, 2/,
    ],
    ["a layer without weights to prune", () => C.pruneModel(smallNet(), { amount: 0.5, layers: ["1"] }), /layer "1" is a ReLU/],
    [
      "structured pruning of every channel",
      () => C.pruneModel(smallNet(), { amount: 0.95, structured: true }),
      /would prune all 8 output channels of layer "0"/,
    ],
  ];
  for (const [name, fn, re] of cases)
    it(name, () => {
      assert.throws(fn, (e: Error) => e.name === "FlambeauError" && re.test(e.message));
    });
});

describe("per-layer unstructured pruning", () => {
  it("prunes the same fraction of every layer, as l1_unstructured on each, where a global threshold does not", () => {
    const zerosOf = (m: fl.nn.Module) => arr(m.getBuffer("weight_mask")!).filter((v) => v === 0).length;
    const perLayer = smallNet();
    // Scale one layer down so that a global threshold would take most of it.
    fl.noGrad(() => {
      (perLayer.at(2) as fl.nn.Conv2d).weight.mul_(0.01);
    });
    C.pruneModel(perLayer, { amount: 0.5, perLayer: true });
    for (const i of [0, 2, 5]) {
      const w = perLayer.at(i)!.getBuffer("weight_mask")!;
      assert.equal(zerosOf(perLayer.at(i)!), Math.round(0.5 * w.numel), `layer ${i}`);
    }
    const global = smallNet();
    fl.noGrad(() => {
      (global.at(2) as fl.nn.Conv2d).weight.mul_(0.01);
    });
    C.pruneModel(global, { amount: 0.5 });
    const w2 = global.at(2)!.getBuffer("weight_mask")!;
    assert.equal(zerosOf(global.at(2)!), w2.numel, "the global threshold takes the scaled-down layer whole");
  });
});
