// loadWeights: weights made elsewhere into a model by key, with a report; a new head of
// another shape is skipped, DDP's `module.` prefix is read through, key maps rename, and a
// checkpoint that matches nothing is an error naming both sides' keys.

import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import * as fl from "flambeau";

const { nn } = fl;

class Net extends nn.Module {
  backbone = new nn.Sequential(new nn.Linear(4, 8), new nn.BatchNorm1d(8));
  fc: fl.nn.Linear;
  constructor(classes: number) {
    super();
    this.fc = new nn.Linear(8, classes);
  }
  forward(x: fl.Tensor): fl.Tensor {
    return this.fc.forward(this.backbone.forward(x).relu());
  }
}

test("loadWeights: a pre-trained backbone loads, a head for other classes is skipped and reported", async () => {
  const dir = mkdtempSync(join(tmpdir(), "fl-loadw-"));
  try {
    fl.manualSeed(0);
    const source = new Net(10);
    const file = join(dir, "pre.safetensors");
    await fl.save(source.stateDict(), file);
    const target = new Net(3);
    const fcBefore = target.fc.weight.toArray();
    const r = await fl.io.loadWeights(target, file);
    assert.deepEqual(r.loaded, [
      "backbone.0.weight",
      "backbone.0.bias",
      "backbone.1.weight",
      "backbone.1.bias",
      "backbone.1.running_mean",
      "backbone.1.running_var",
      "backbone.1.num_batches_tracked",
    ]);
    assert.deepEqual(r.mismatched, [
      { key: "fc.weight", model: [3, 8], checkpoint: [10, 8] },
      { key: "fc.bias", model: [3], checkpoint: [10] },
    ]);
    assert.deepEqual(
      r.missing,
      ["fc.weight", "fc.bias"].filter((k) => !r.mismatched.some((m) => m.key === k)),
    );
    assert.deepEqual(
      target.backbone.at(0).stateDict().get("weight")!.toArray(),
      source.backbone.at(0).stateDict().get("weight")!.toArray(),
    );
    assert.deepEqual(target.fc.weight.toArray(), fcBefore, "the skipped head keeps its initialisation");
    assert.match(fl.io.describeWeightsReport(r), /^7 tensors loaded; 2 skipped for shape \(fc\.weight \[10,8\] vs \[3,8\]/);
    await assert.rejects(
      fl.io.loadWeights(target, file, { strict: true }),
      /loadWeights\(.*pre\.safetensors\): 7 tensors loaded; 2 skipped for shape/,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("loadWeights: DDP's module. prefix, key maps, and a checkpoint that matches nothing", async () => {
  fl.manualSeed(1);
  const source = new Net(3);
  const wrapped = new Map([...source.stateDict()].map(([k, v]) => [`module.${k}`, v]));
  const a = new Net(3);
  assert.equal((await fl.io.loadWeights(a, wrapped)).loaded.length, 9);
  assert.deepEqual(a.fc.weight.toArray(), source.fc.weight.toArray());
  // Hugging Face-like names: "encoder.layer0.*" → "backbone.0.*".
  const hf = new Map([...source.stateDict()].map(([k, v]) => [k.replace(/^backbone\.(\d)\./, "encoder.layer$1."), v]));
  const b = new Net(3);
  await assert.rejects(
    fl.io.loadWeights(b, new Map([...hf].filter(([k]) => k.startsWith("encoder.")))),
    /no key of the state dict matches Net \(model keys start with backbone, fc; checkpoint keys with encoder\); give a keyMap/,
  );
  const r = await fl.io.loadWeights(b, hf, { keyMap: [[/^encoder\.layer(\d)\./, "backbone.$1."]] });
  assert.equal(r.loaded.length, 9);
  assert.deepEqual(r.unexpected, []);
  await assert.rejects(fl.io.loadWeights(b, "/nonexistent/w.safetensors"), /loadWeights: \/nonexistent\/w\.safetensors does not exist/);
});
