// Event-loop lag (perf_hooks.monitorEventLoopDelay, 1 ms resolution) while Flambeau works:
// CNN training steps on the main thread (yielding between steps, as the Trainer does) vs the
// same steps in a worker thread (src/worker), and while `flambeau serve` answers predicts.
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import * as fl from "flambeau";
import { fashionMnist } from "../src/data/fashion-mnist.js";
import { serve } from "../src/serve/server.js";
import { writeImage } from "../src/vision/image-io.js";
import { WorkerRunner } from "../src/worker/runner.js";
import { TaskWorker } from "../src/worker/task-worker.js";
import { cnn } from "./fl-models.js";
import { median, quantile, type RunOptions, type RunResult } from "./workload.js";

const yieldToLoop = (): Promise<void> => new Promise((r) => setImmediate(r));

/** `steps` CNN training steps (Adam, batch 64), yielding to the event loop between steps. A worker job. */
export async function trainSteps(steps: number): Promise<number> {
  fl.manualSeed(0);
  const model = cnn();
  const opt = new fl.optim.Adam(model.parameters(), { lr: 1e-3 });
  const x = fl.randn([64, 1, 28, 28]);
  const y = fl.randint(0, 10, [64]);
  const t = performance.now();
  for (let i = 0; i < steps; i++) {
    fl.tidy(() => {
      opt.zeroGrad();
      fl.nn.functional.crossEntropy(model.forward(x), y).backward();
      opt.step();
    });
    await yieldToLoop();
  }
  return steps / ((performance.now() - t) / 1000);
}

/** 48 Fashion-MNIST test images as an ImageFolder of their classes; returns one image's path. */
async function tinyImageFolder(root: string): Promise<string> {
  const { images, labels } = await fashionMnist({ split: "test" });
  const lab = labels.data() as BigInt64Array;
  let first = "";
  for (let i = 0; i < 48; i++) {
    const dir = join(root, `class-${lab[i]}`);
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `${i}.png`);
    await writeImage(file, images.narrow(0, i, 1));
    first ||= file;
  }
  images.dispose();
  labels.dispose();
  return first;
}

async function lagDuring(work: () => Promise<unknown>): Promise<{ p50: number; p99: number; max: number }> {
  const h = monitorEventLoopDelay({ resolution: 1 });
  h.enable();
  await work();
  h.disable();
  // The histogram is in ns and includes the 1 ms sampling period.
  return { p50: h.percentile(50) / 1e6, p99: h.percentile(99) / 1e6, max: h.max / 1e6 };
}

export async function eventLoop(o: RunOptions): Promise<RunResult> {
  const steps = o.smoke ? 2 : 60;
  const main = await lagDuring(() => trainSteps(steps));
  const runner = await WorkerRunner.start();
  const inWorker = await lagDuring(() => runner.run(fileURLToPath(import.meta.url), "trainSteps", [steps]));
  await runner.close();

  // A small image classifier trained (in a worker) for the server to answer with.
  const dir = mkdtempSync(join(tmpdir(), "fl-bench-serve-"));
  try {
    const png = await tinyImageFolder(join(dir, "images"));
    const tw = await TaskWorker.start();
    await tw.train("image-classification", { data: join(dir, "images"), out: join(dir, "model"), epochs: 1, seed: 0 });
    await tw.close();
    const server = await serve(`model=${join(dir, "model")}`, { port: 0 });
    const body = JSON.stringify({ inputs: [{ base64: readFileSync(png).toString("base64") }] });
    const perClient = o.smoke ? 1 : 40;
    const latencies: number[] = [];
    const t0 = performance.now();
    const lag = await lagDuring(() =>
      Promise.all(
        Array.from({ length: 4 }, async () => {
          for (let i = 0; i < perClient; i++) {
            const t = performance.now();
            const r = await fetch(`${server.url}/v1/models/model/predict`, {
              method: "POST",
              headers: { "content-type": "application/json" },
              body,
            });
            if (r.status !== 200) throw new Error(`serve benchmark: predict answered ${r.status}: ${await r.text()}`);
            await r.json();
            latencies.push(performance.now() - t);
          }
        }),
      ),
    );
    const seconds = (performance.now() - t0) / 1000;
    await server.close();
    return {
      metrics: {
        mainP50Ms: main.p50,
        mainP99Ms: main.p99,
        mainMaxMs: main.max,
        workerP50Ms: inWorker.p50,
        workerP99Ms: inWorker.p99,
        workerMaxMs: inWorker.max,
        serveP99Ms: lag.p99,
        serveMaxMs: lag.max,
        serveRequestP50Ms: median(latencies),
        serveRequestP99Ms: quantile(latencies, 0.99),
        serveRequestsPerS: latencies.length / seconds,
      },
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
