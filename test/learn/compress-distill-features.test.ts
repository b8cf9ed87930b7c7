// Feature distillation (FitNets): the hint loss MSE(adapter₁ₓ₁(student map), teacher map)
// against PyTorch (value, and gradients for the student map and the adapter's weight) with
// fixed weights; layer pairing (auto: the last convolutions); the distiller's hooks and
// adapter step; `--distill-to model:options` parsing and its errors.
import assert from "node:assert/strict";
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import * as fl from "flambeau";
import { writeFashionImageFolder } from "../helpers/image-folder.js";
import { hasTorch, NO_TORCH, torchRef } from "./compress/torch-ref.js";

const roots: string[] = [];
after(() => {
  for (const r of roots) rmSync(r, { recursive: true, force: true });
});

const C = fl.learn.compress;
const nn = fl.nn;
const arr = (t: fl.Tensor): number[] => Array.from(t.data() as Float32Array);

const net = (w: number) =>
  new nn.Sequential(
    new nn.Conv2d(1, w, 3, { padding: 1 }),
    new nn.ReLU(),
    new nn.Conv2d(w, 2 * w, 3, { padding: 1 }),
    new nn.BatchNorm2d(2 * w),
    new nn.ReLU(),
    new nn.AdaptiveAvgPool2d(2),
    new nn.Flatten(),
    new nn.Linear(8 * w, 3),
  );

describe("feature distillation", () => {
  it("hint loss and its gradients equal PyTorch's MSE through a 1×1 conv adapter", { skip: hasTorch ? false : NO_TORCH }, () => {
    fl.manualSeed(3);
    const s = fl.randn([2, 3, 4, 4]);
    const t = fl.randn([2, 5, 4, 4]);
    const t8 = fl.randn([2, 5, 8, 8]);
    const adapter = new nn.Conv2d(3, 5, 1, { bias: false });
    const out: { loss: number; gs: number[]; gw: number[] }[] = [];
    for (const teacher of [t, t8]) {
      const sv = s.detach().requiresGrad_(true);
      adapter.zeroGrad();
      const loss = C.hintLoss(sv, teacher, adapter);
      loss.backward();
      out.push({ loss: loss.item(), gs: arr(sv.grad!), gw: arr(adapter.weight.grad!) });
    }
    const ref = torchRef<{ loss: number; gs: number[]; gw: number[] }[]>(
      `import torch.nn.functional as F
s0 = torch.tensor(inp["s"]).view(2, 3, 4, 4); w0 = torch.tensor(inp["w"]).view(5, 3, 1, 1)
out = []
for t in [torch.tensor(inp["t"]).view(2, 5, 4, 4), F.adaptive_avg_pool2d(torch.tensor(inp["t8"]).view(2, 5, 8, 8), 4)]:
    s = s0.clone().requires_grad_(True); w = w0.clone().requires_grad_(True)
    loss = F.mse_loss(F.conv2d(s, w), t)
    loss.backward()
    out.append({"loss": loss.item(), "gs": s.grad.flatten().tolist(), "gw": w.grad.flatten().tolist()})`,
      { s: arr(s), t: arr(t), t8: arr(t8), w: arr(adapter.weight) },
    );
    out.forEach((o, i) => {
      assert.ok(Math.abs(o.loss - ref[i]!.loss) < 1e-5, `loss ${o.loss} vs ${ref[i]!.loss}`);
      o.gs.forEach((g, j) => assert.ok(Math.abs(g - ref[i]!.gs[j]!) < 1e-6, `d/ds[${j}] ${g} vs ${ref[i]!.gs[j]}`));
      o.gw.forEach((g, j) => assert.ok(Math.abs(g - ref[i]!.gw[j]!) < 1e-5, `d/dw[${j}] ${g} vs ${ref[i]!.gw[j]}`));
    });
  });

  it("rejects maps of another rank or a student map larger than the teacher's", () => {
    const a = new nn.Conv2d(3, 5, 1, { bias: false });
    assert.throws(() => C.hintLoss(fl.zeros([2, 3, 4]), fl.zeros([2, 5, 4, 4]), a), /\[batch, channels, h, w\]/);
    assert.throws(
      () => C.hintLoss(fl.zeros([2, 3, 8, 8]), fl.zeros([2, 5, 4, 4]), a),
      /student's map \(8×8\) is larger than the teacher's \(4×4\)/,
    );
  });

  it("pairs the last convolutions (auto) or named layers; an unknown layer is an error listing the layers", () => {
    const teacher = net(4);
    assert.deepEqual(C.featurePair("compress", "auto", teacher), { teacherLayer: "2", studentLayer: "auto" });
    assert.deepEqual(C.featurePair("compress", "4:1", teacher), { teacherLayer: "4", studentLayer: "1" });
    assert.throws(() => C.featurePair("compress", "9:1", teacher), /teacher has no layer "9"; its layers: 0, 1, 2/);
    assert.throws(() => C.featurePair("compress", "2", teacher), /teacherLayer:studentLayer" or "auto", got "2"/);
    assert.throws(() => C.featurePair("compress", "auto", new nn.Linear(2, 2)), /teacher has none/);
  });

  it("captures both maps in training, steps its adapter after each batch and leaves the student's keys alone", () => {
    fl.manualSeed(1);
    const teacher = net(4);
    teacher.eval();
    const student = net(2);
    const keys = [...student.stateDict().keys()];
    const fd = new C.FeatureDistiller(teacher, C.featurePair("compress", "auto", teacher));
    fd.attach(student);
    assert.equal(fd.studentLayer, "2");
    assert.deepEqual(fd.adapter!.weight.shape, [8, 4, 1, 1]);
    const x = fl.randn([4, 1, 6, 6]);
    student.train();
    const out = student.forward(x) as fl.Tensor;
    fl.noGrad(() => teacher.forward(x));
    const before = arr(fd.adapter!.weight);
    const loss = fd.loss().add(out.sum().mul(0));
    assert.ok(loss.item() > 0);
    loss.backward();
    fd.callback().onBatchEnd!({ epoch: 0, step: 0, stopTraining: false, model: student }, {});
    assert.notDeepEqual(arr(fd.adapter!.weight), before, "the adapter learned");
    assert.equal(fd.adapter!.weight.grad, null, "its gradient was cleared");
    // Validation forwards (eval mode) capture nothing: no hint without a training batch.
    student.eval();
    student.forward(x);
    assert.throws(() => fd.loss(), /no feature maps captured/);
    assert.deepEqual([...student.stateDict().keys()], keys);
    fd.dispose();
  });
});

describe("compress --distill-to small-cnn:width=4 --feature-distill auto", () => {
  it("trains the student with its options and the hint through the task's own train; the saved student is the zoo model alone", async () => {
    const root = await writeFashionImageFolder({ train: 20, test: 8 });
    roots.push(root);
    const task = fl.tasks.getTask("image-classification");
    const base = join(root, "model");
    await task.train({ data: join(root, "train"), out: base, epochs: 1, seed: 0, width: 8 } as Parameters<typeof task.train>[0]);
    const lines: string[] = [];
    const results = await C.compressModelDir(task, {
      dir: base,
      out: join(root, "cmp"),
      data: join(root, "test"),
      trainData: join(root, "train"),
      distillTo: "small-cnn:width=4",
      featureDistill: true,
      hintWeight: 0.5,
      distillEpochs: 1,
      log: (l) => lines.push(l),
    });
    assert.deepEqual(
      results.map((r) => r.variant),
      ["baseline", "student-small-cnn-width-4-fitnet"],
    );
    assert.ok(
      lines.some((l) => /hint features\.4 → auto × 0\.5/.test(l)),
      lines.join("\n"),
    );
    const config = JSON.parse(readFileSync(join(results[1]!.dir, "config.json"), "utf8"));
    assert.equal(config.hyper.width, 4);
    assert.deepEqual(config.compression.distilledFrom.featureDistill, { teacher: "features.4", student: "features.4", weight: 0.5 });
    assert.ok(results[1]!.parameters < results[0]!.parameters / 3);
    // The adapter trained alongside is not part of the student.
    assert.ok(!Object.keys(config).includes("adapter"));
    const student = await task.loadModule!(results[1]!.dir);
    assert.ok(student.namedModules().every(([n]) => !n.includes("adapter")));
    student.dispose();
  });

  it("--feature-distill without a student is an error", async () => {
    const task = fl.tasks.getTask("image-classification");
    await assert.rejects(
      C.compressModelDir(task, { dir: "/nonexistent", out: "/tmp/x", data: "d", featureDistill: "auto" }),
      /--feature-distill needs a student \(--distill-to\)/,
    );
  });
});

describe("--distill-to model:options", () => {
  it("parses a model with train options (numbers as numbers, a bare key as true)", () => {
    assert.deepEqual(C.parseStudent("compress", "lenet5"), { model: "lenet5", options: {} });
    assert.deepEqual(C.parseStudent("compress", "small-cnn:width=15,depth=2,hflip"), {
      model: "small-cnn",
      options: { width: 15, depth: 2, hflip: true },
    });
    assert.deepEqual(C.parseStudent("compress", "textcnn:cell=gru").options, { cell: "gru" });
  });

  it("rejects a malformed spec and options compress itself sets", () => {
    assert.throws(() => C.parseStudent("compress", ":width=4"), /needs a model name/);
    assert.throws(() => C.parseStudent("compress", "small-cnn:width=4=5"), /each option is key=value/);
    assert.throws(() => C.parseStudent("compress", "small-cnn:epochs=3"), /"epochs" is set by compress/);
  });
});
