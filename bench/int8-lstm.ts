// Dynamic int8 LSTM against float, in Flambeau and in PyTorch (python3-torch, the same libtorch)
// in one run: a bidirectional LSTM's forward (eval, no grad) on random input, median of repeated
// runs, for a batch of sequences and a single sequence. PyTorch's int8 model is
// torch.ao.quantization.quantize_dynamic's (per-tensor weights); Flambeau's packs per-channel
// weights; both run aten::quantized_lstm on the same engine.
//   node dist/bench/int8-lstm.js [input] [hidden] [steps] [batch]
import { spawnSync } from "node:child_process";
import { cpus, loadavg } from "node:os";
import { getNumThreads, manualSeed, noGrad, randn, tidy } from "../src/core/index.js";
import { LSTM } from "../src/nn/index.js";
import { quantizedEngine } from "../src/quant/engine.js";
import { DynamicQuantizedRNN } from "../src/quant/rnn.js";
import { median, timeRuns } from "./workload.js";

const [input, hidden, steps, batch] = (process.argv.slice(2).length ? process.argv.slice(2) : ["128", "256", "64", "64"]).map(Number) as [
  number,
  number,
  number,
  number,
];
const reps = Number(process.env.FLAMBEAU_BENCH_REPS ?? 20);

const medianMs = async (fn: () => void, n: number): Promise<number> => median(await timeRuns(fn, n, 3)) * 1000;

manualSeed(0);
const lstm = new LSTM(input, hidden, { batchFirst: true, bidirectional: true });
lstm.eval();
const xs = { batch: randn([batch, steps, input]).keep(), single: randn([1, steps, input]).keep() };
const time = async () => ({
  batch: await medianMs(() => noGrad(() => tidy(() => void lstm.forward(xs.batch))), reps),
  single: await medianMs(() => noGrad(() => tidy(() => void lstm.forward(xs.single))), reps * 5),
});
const float = await time();
const q = new DynamicQuantizedRNN(lstm);
lstm.useKernel(q.kernel);
const int8 = await time();

const py = spawnSync(
  "/usr/bin/python3",
  [
    "-c",
    `
import json, sys, time, torch
torch.set_num_threads(${getNumThreads()})
torch.backends.quantized.engine = "${quantizedEngine()}"
torch.manual_seed(0)
m = torch.nn.LSTM(${input}, ${hidden}, batch_first=True, bidirectional=True).eval()
q = torch.ao.quantization.quantize_dynamic(m, {torch.nn.LSTM}, dtype=torch.qint8)
xb, xs = torch.randn(${batch}, ${steps}, ${input}), torch.randn(1, ${steps}, ${input})
def med(f, n):
    for _ in range(3): f()
    t = []
    for _ in range(n):
        t0 = time.perf_counter(); f(); t.append((time.perf_counter() - t0) * 1000)
    return sorted(t)[len(t) // 2]
out = {}
with torch.no_grad():
    for k, mod in (("float", m), ("int8", q)):
        out[k] = {"batch": med(lambda: mod(xb), ${reps}), "single": med(lambda: mod(xs), ${reps * 5})}
print(json.dumps(out))
`,
  ],
  { encoding: "utf8" },
);
const torch = py.status === 0 ? (JSON.parse(py.stdout) as Record<"float" | "int8", { batch: number; single: number }>) : null;

const f = (ms: number) => `${ms.toFixed(2)} ms`;
process.stdout.write(
  `${cpus()[0]?.model ?? "cpu"}, ${getNumThreads()} threads, load ${loadavg()[0]!.toFixed(2)}, engine ${quantizedEngine()}\n` +
    `BiLSTM ${input} → ${hidden} × 2, ${steps} steps; batch ${batch} and 1\n`,
);
for (const [k, v] of [
  ["float", float],
  ["int8", int8],
] as const) {
  const t = torch?.[k];
  process.stdout.write(
    `${k.padEnd(5)} flambeau batch ${f(v.batch)}, single ${f(v.single)}` +
      (t
        ? ` | pytorch batch ${f(t.batch)}, single ${f(t.single)} | ratio (pytorch / flambeau) ${(t.batch / v.batch).toFixed(2)}×, ${(t.single / v.single).toFixed(2)}×`
        : "") +
      "\n",
  );
}
process.stdout.write(
  `int8 speed-up: flambeau ${(float.batch / int8.batch).toFixed(2)}× batch, ${(float.single / int8.single).toFixed(2)}× single` +
    (torch
      ? `; pytorch ${(torch.float.batch / torch.int8.batch).toFixed(2)}×, ${(torch.float.single / torch.int8.single).toFixed(2)}×`
      : "") +
    "\n",
);
if (!torch) process.stdout.write(`(no PyTorch numbers: ${py.stderr.trim().split("\n").pop()})\n`);
q.dispose();
