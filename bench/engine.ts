// Engine overhead and BLAS throughput: small-op dispatch (µs/op) and 1024²/2048² matmul
// (GFLOP/s), Flambeau vs PyTorch (same libtorch, same threads) vs TensorFlow.js, one run.
import * as tf from "@tensorflow/tfjs";
import * as fl from "flambeau";
import { median, type Row, report, runPython, time } from "./harness.js";

const threads = fl.getNumThreads();

async function flambeau(): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const [name, x] of [
    ["add", fl.ones([10])],
    ["addGrad", fl.ones([10], { requiresGrad: true })],
  ] as const) {
    const N = 100_000;
    const runs = await time(
      () => {
        for (let i = 0; i < N; i++) fl.add(x, x);
      },
      5,
      1,
    );
    out[`${name}Us`] = (median(runs) / N) * 1e6;
  }
  for (const n of [1024, 2048]) {
    const x = fl.randn([n, n]);
    const reps = n === 1024 ? 10 : 3;
    const runs = await time(
      () => {
        for (let i = 0; i < reps; i++) x.matmul(x).dispose();
      },
      5,
      1,
    );
    out[`matmul${n}`] = (2 * n ** 3 * reps) / median(runs) / 1e9;
  }
  return out;
}

async function tfjs(): Promise<Record<string, number>> {
  await tf.setBackend("cpu");
  const out: Record<string, number> = {};
  const x = tf.ones([10]);
  const N = 20_000;
  const runs = await time(
    () => {
      for (let i = 0; i < N; i++) tf.add(x, x).dispose();
    },
    3,
    1,
  );
  out.addUs = (median(runs) / N) * 1e6;
  const m = tf.randomNormal([1024, 1024]);
  const mm = await time(() => tf.matMul(m, m).dataSync(), 2, 1);
  out.matmul1024 = (2 * 1024 ** 3) / median(mm) / 1e9;
  return out;
}

const f1 = await flambeau();
const py1 = runPython("engine.py", [String(threads)]);
const f2 = await flambeau();
const py2 = runPython("engine.py", [String(threads)]);
const t = await tfjs();
const best = (k: string, a: Record<string, number>, b: Record<string, number>, lower: boolean) =>
  lower ? Math.min(a[k]!, b[k]!) : Math.max(a[k]!, b[k]!);
const pyv = (k: string, lower: boolean) => (py1 && py2 ? (lower ? Math.min(py1[k]!, py2[k]!) : Math.max(py1[k]!, py2[k]!)) : null);
const rows: Row[] = [
  {
    workload: "small op: add(10 elems)",
    unit: "µs/op",
    higherIsBetter: false,
    flambeau: best("addUs", f1, f2, true),
    pytorch: pyv("addUs", true),
    tfjs: t.addUs,
  },
  {
    workload: "small op: add, requires grad",
    unit: "µs/op",
    higherIsBetter: false,
    flambeau: best("addGradUs", f1, f2, true),
    pytorch: pyv("addGradUs", true),
    tfjs: null,
  },
  {
    workload: "matmul 1024²",
    unit: "GFLOP/s",
    higherIsBetter: true,
    flambeau: best("matmul1024", f1, f2, false),
    pytorch: pyv("matmul1024", false),
    tfjs: t.matmul1024,
  },
  {
    workload: "matmul 2048²",
    unit: "GFLOP/s",
    higherIsBetter: true,
    flambeau: best("matmul2048", f1, f2, false),
    pytorch: pyv("matmul2048", false),
    tfjs: null,
  },
];
report("engine", rows, { threads, tfjsBackend: "cpu" });
