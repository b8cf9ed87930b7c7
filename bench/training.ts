// Training throughput (images/s) of the same MLP and CNN (conv 32-64 + fc 128, Adam,
// batch 64, 28×28 inputs) and single-image CNN latency: Flambeau vs PyTorch vs tfjs.
import * as tf from "@tensorflow/tfjs";
import * as fl from "flambeau";
import { median, type Row, report, runPython } from "./harness.js";

const nn = fl.nn;
const threads = fl.getNumThreads();

function flBench(model: fl.nn.Sequential, steps: number, reps = 3): number {
  const opt = new fl.optim.Adam(model.parameters(), { lr: 1e-3 });
  const x = fl.randn([64, 1, 28, 28]);
  const y = fl.randint(0, 10, [64]);
  const step = () =>
    fl.tidy(() => {
      opt.zeroGrad();
      fl.nn.functional.crossEntropy(model.forward(x), y).backward();
      opt.step();
    });
  for (let i = 0; i < 5; i++) step();
  const runs: number[] = [];
  for (let r = 0; r < reps; r++) {
    const t = performance.now();
    for (let i = 0; i < steps; i++) step();
    runs.push((steps * 64) / ((performance.now() - t) / 1000));
  }
  return median(runs);
}

const mlp = () =>
  new nn.Sequential(
    new nn.Flatten(),
    new nn.Linear(784, 256),
    new nn.ReLU(),
    new nn.Linear(256, 256),
    new nn.ReLU(),
    new nn.Linear(256, 10),
  );
const cnn = () =>
  new nn.Sequential(
    new nn.Conv2d(1, 32, 3, { padding: 1 }),
    new nn.ReLU(),
    new nn.MaxPool2d(2),
    new nn.Conv2d(32, 64, 3, { padding: 1 }),
    new nn.ReLU(),
    new nn.MaxPool2d(2),
    new nn.Flatten(),
    new nn.Linear(64 * 7 * 7, 128),
    new nn.ReLU(),
    new nn.Linear(128, 10),
  );

function flLatency(): { p50: number; p99: number } {
  const m = cnn().eval();
  const x = fl.randn([1, 1, 28, 28]);
  const lat: number[] = [];
  fl.noGrad(() => {
    for (let i = 0; i < 20; i++) m.forward(x).dispose();
    for (let i = 0; i < 300; i++) {
      const t = performance.now();
      m.forward(x).dispose();
      lat.push(performance.now() - t);
    }
  });
  lat.sort((a, b) => a - b);
  return { p50: lat[150]!, p99: lat[297]! };
}

async function tfjsBench(): Promise<{ mlp: number; cnn: number }> {
  await tf.setBackend("cpu");
  const build = (conv: boolean) => {
    const m = tf.sequential();
    if (conv) {
      m.add(tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 32, kernelSize: 3, padding: "same", activation: "relu" }));
      m.add(tf.layers.maxPooling2d({ poolSize: 2 }));
      m.add(tf.layers.conv2d({ filters: 64, kernelSize: 3, padding: "same", activation: "relu" }));
      m.add(tf.layers.maxPooling2d({ poolSize: 2 }));
      m.add(tf.layers.flatten());
      m.add(tf.layers.dense({ units: 128, activation: "relu" }));
    } else {
      m.add(tf.layers.flatten({ inputShape: [28, 28, 1] }));
      m.add(tf.layers.dense({ units: 256, activation: "relu" }));
      m.add(tf.layers.dense({ units: 256, activation: "relu" }));
    }
    m.add(tf.layers.dense({ units: 10 }));
    return m;
  };
  const x = tf.randomNormal([64, 28, 28, 1]);
  const y = tf.oneHot(tf.randomUniform([64], 0, 10, "int32"), 10);
  const run = (m: tf.Sequential, steps: number) => {
    const opt = tf.train.adam(1e-3);
    const step = () =>
      tf.tidy(() => {
        opt.minimize(() => tf.losses.softmaxCrossEntropy(y, m.predict(x) as tf.Tensor) as tf.Scalar);
      });
    step();
    const t = performance.now();
    for (let i = 0; i < steps; i++) step();
    return (steps * 64) / ((performance.now() - t) / 1000);
  };
  return { mlp: run(build(false), 20), cnn: run(build(true), 2) };
}

fl.manualSeed(0);
const f1 = { mlp: flBench(mlp(), 200), cnn: flBench(cnn(), 40) };
const py = runPython("training.py", [String(threads)]);
const f2 = { mlp: flBench(mlp(), 200), cnn: flBench(cnn(), 40) };
const lat = flLatency();
const t = await tfjsBench();
const rows: Row[] = [
  {
    workload: "MLP training step (784-256-256-10, Adam, batch 64)",
    unit: "images/s",
    higherIsBetter: true,
    flambeau: Math.max(f1.mlp, f2.mlp),
    pytorch: py?.mlp,
    tfjs: t.mlp,
  },
  {
    workload: "CNN training step (conv 32-64 + fc 128, Adam, batch 64)",
    unit: "images/s",
    higherIsBetter: true,
    flambeau: Math.max(f1.cnn, f2.cnn),
    pytorch: py?.cnn,
    tfjs: t.cnn,
  },
  { workload: "CNN inference, 1 image, p50", unit: "ms", higherIsBetter: false, flambeau: lat.p50, pytorch: py?.cnnP50Ms, tfjs: null },
  { workload: "CNN inference, 1 image, p99", unit: "ms", higherIsBetter: false, flambeau: lat.p99, pytorch: py?.cnnP99Ms, tfjs: null },
];
report("training", rows, { threads, tfjsBackend: "cpu" });
