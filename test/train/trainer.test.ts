// The Trainer: it learns, stops early, keeps the best weights, logs, keeps memory flat,
// and resumes from a checkpoint bit for bit.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import * as fl from "flambeau";

const nn = fl.nn;

/** Two Gaussian blobs in 8-D, labels 0/1. */
function blobs(n: number, seed: number): { x: fl.Tensor; y: fl.Tensor } {
  fl.manualSeed(seed);
  const y = fl.randint(0, 2, [n]);
  const x = fl.randn([n, 8]).add(y.float().mul(3).sub(1.5).unsqueeze(1));
  return { x, y };
}
const loader = (d: { x: fl.Tensor; y: fl.Tensor }, shuffle: boolean, seed = 0) =>
  new fl.data.DataLoader(new fl.data.TensorDataset(d.x, d.y), { batchSize: 32, shuffle, seed });
const mlp = () => new nn.Sequential(new nn.Linear(8, 16), new nn.ReLU(), new nn.Dropout(0.1), new nn.Linear(16, 2));

test("fit learns a separable problem; evaluate reports loss and meter metrics", async () => {
  const model = mlp();
  const opt = new fl.optim.Adam(model.parameters(), { lr: 0.01 });
  const log = join(mkdtempSync(join(tmpdir(), "fl-trainer-")), "log.jsonl");
  const trainer = new fl.train.Trainer({
    model,
    optimizer: opt,
    loss: (o, y) => fl.nn.functional.crossEntropy(o, y),
    meter: () => new fl.train.ClassificationMeter(2),
    callbacks: [new fl.train.JsonlLogger(log)],
    seed: 1,
  });
  const h = await trainer.fit(loader(blobs(512, 1), true), { epochs: 5, val: loader(blobs(256, 2), false) });
  assert.equal(h.epochs.length, 5);
  assert.ok(h.epochs[4]!.loss! < h.epochs[0]!.loss!);
  assert.ok(h.epochs[4]!.valAccuracy! > 0.95, `val accuracy ${h.epochs[4]!.valAccuracy}`);
  assert.equal(readFileSync(log, "utf8").trim().split("\n").length, 5);
  const r = await trainer.evaluate(loader(blobs(256, 3), false));
  assert.ok((r.accuracy as number) > 0.95);
  assert.ok(Number.isFinite(r.loss as number));
  const preds = await trainer.predict(loader(blobs(64, 4), false));
  assert.deepEqual([...preds.shape], [64, 2]);
});

test("early stopping ends training; KeepBestModel holds the best epoch's weights", async () => {
  const model = mlp();
  const opt = new fl.optim.SGD(model.parameters(), { lr: 0 }); // nothing improves after the first epoch
  const stop = new fl.train.EarlyStopping({ monitor: "valLoss", patience: 2 });
  const best = new fl.train.KeepBestModel({ monitor: "valLoss" });
  const trainer = new fl.train.Trainer({
    model,
    optimizer: opt,
    loss: (o, y) => fl.nn.functional.crossEntropy(o, y),
    callbacks: [stop, best],
  });
  const h = await trainer.fit(loader(blobs(64, 1), false), { epochs: 20, val: loader(blobs(64, 2), false) });
  assert.ok(h.epochs.length <= 4, `ran ${h.epochs.length} epochs`);
  assert.equal(best.bestEpoch, 1);
  assert.ok(best.weights?.has("0.weight"));
  const kept = best.weights!.get("0.weight")!.clone();
  fl.noGrad(() => model.stateDict().get("0.weight")!.fill_(7));
  assert.equal(best.restore(model), true);
  assert.deepEqual([...(model.stateDict().get("0.weight")!.data() as Float32Array)], [...(kept.data() as Float32Array)]);
  assert.equal(best.weights, null, "restore frees the kept clones");
  assert.equal(best.restore(model), false);
});

test("a diverging loss stops with a clear error", async () => {
  const model = new nn.Linear(8, 2);
  const trainer = new fl.train.Trainer({
    model,
    optimizer: new fl.optim.SGD(model.parameters(), { lr: 1 }),
    loss: () => fl.tensor(Number.NaN).requiresGrad_(),
  });
  await assert.rejects(trainer.fit(loader(blobs(32, 1), false), { epochs: 1 }), /training diverged: loss is NaN/);
});

test("resident memory stays flat over a training loop", async () => {
  const model = new nn.Sequential(new nn.Conv2d(1, 8, 3, { padding: 1 }), new nn.ReLU(), new nn.Flatten(), new nn.Linear(8 * 64, 10));
  const opt = new fl.optim.Adam(model.parameters(), { lr: 1e-3 });
  const x = fl.randn([32, 1, 8, 8]);
  const y = fl.randint(0, 10, [32]);
  const trainer = new fl.train.Trainer({ model, optimizer: opt, loss: (o, t) => fl.nn.functional.crossEntropy(o, t) });
  const run = (n: number) => {
    for (let i = 0; i < n; i++) trainer.trainStep(x, y);
  };
  run(300);
  global.gc?.();
  const rss0 = process.memoryUsage().rss;
  const live0 = fl.memory().bytes;
  run(3000);
  global.gc?.();
  const grew = (process.memoryUsage().rss - rss0) / 2 ** 20;
  assert.ok(grew < 40, `RSS grew by ${grew.toFixed(1)} MiB over 3000 steps`);
  assert.ok(fl.memory().bytes - live0 < 4 * 2 ** 20, `native bytes grew by ${fl.memory().bytes - live0}`);
});

test("resuming from a checkpoint reproduces uninterrupted training bit for bit", async () => {
  const data = blobs(256, 7);
  const make = () => {
    fl.manualSeed(11);
    const model = mlp();
    const opt = new fl.optim.Adam(model.parameters(), { lr: 0.01 });
    const trainer = new fl.train.Trainer({ model, optimizer: opt, loss: (o, y) => fl.nn.functional.crossEntropy(o, y) });
    return { model, opt, trainer };
  };
  const epochLoader = () => {
    const l = loader(data, true, 3);
    return l;
  };
  // Uninterrupted: 4 epochs.
  const a = make();
  const la = epochLoader();
  await a.trainer.fit(la, { epochs: 4 });
  // Interrupted after 2 epochs, saved, restored into fresh objects, continued.
  const b = make();
  const lb = epochLoader();
  await b.trainer.fit(lb, { epochs: 2 });
  const file = join(mkdtempSync(join(tmpdir(), "fl-resume-")), "ckpt.safetensors");
  await fl.io.saveCheckpoint(file, { model: b.model.stateDict(), optimizer: b.opt.stateDict(), epoch: 2, rng: fl.getRngState() });
  fl.manualSeed(999); // disturb the global RNG; the checkpoint must restore it
  const c = make();
  const ck = await fl.io.loadCheckpoint(file);
  c.model.loadStateDict(ck.model);
  c.opt.loadStateDict(ck.optimizer!);
  fl.setRngState(ck.rng!);
  const lc = epochLoader();
  lc.setEpoch(ck.epoch);
  await c.trainer.fit(lc, { epochs: 4, startEpoch: ck.epoch });
  for (const [k, t] of a.model.stateDict())
    assert.deepEqual(Array.from(c.model.stateDict().get(k)!.data() as Float32Array), Array.from(t.data() as Float32Array), k);
});

test("a training step releases the forward's intermediates before backward; checkpointed blocks still get their gradients", async () => {
  // A probe in the graph: its backward records whether the forward's hidden activation (an
  // intermediate nobody returned) had been released by then.
  let hidden: fl.Tensor | null = null;
  const releasedAtBackward: boolean[] = [];
  class Probe extends fl.autograd.Function {
    static override forward(_ctx: fl.autograd.FunctionCtx, x: fl.Tensor): fl.Tensor {
      return x.clone();
    }
    static override backward(_ctx: fl.autograd.FunctionCtx, g: fl.Tensor): fl.Tensor {
      releasedAtBackward.push(hidden!.disposed);
      return g;
    }
  }
  class Net extends nn.Module {
    readonly a = new nn.Linear(8, 16);
    readonly b = new nn.Linear(16, 2);
    override forward(x: fl.Tensor): fl.Tensor {
      hidden = this.a.forward(x).relu();
      // Dropout inside a checkpoint: backward recomputes it with the forward's saved RNG state.
      const h = fl.autograd.checkpoint((t: fl.Tensor) => fl.nn.functional.dropout(t, 0.1, true), hidden);
      return this.b.forward(Probe.apply(h) as fl.Tensor);
    }
  }
  const model = new Net();
  const trainer = new fl.train.Trainer({
    model,
    optimizer: new fl.optim.Adam(model.parameters(), { lr: 0.01 }),
    loss: (o, y) => fl.nn.functional.crossEntropy(o, y),
    seed: 1,
  });
  const h = await trainer.fit(loader(blobs(128, 1), true), { epochs: 3 });
  assert.ok(h.epochs[2]!.loss! < h.epochs[0]!.loss!);
  assert.equal(releasedAtBackward.length, 12);
  assert.ok(releasedAtBackward.every(Boolean));
  assert.ok(model.a.weight.grad !== null && model.a.weight.grad.abs().sum().item() > 0);
});
