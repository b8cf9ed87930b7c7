// The demo's transfer-learning section (issue 27): a small CNN pre-trained on Fashion-MNIST,
// then trained on 50 of opencv-doc's handwritten digits per class three ways — from scratch,
// fine-tuned from the clothes (`--init`), and with the clothes features frozen (`--init
// --freeze 'features.*'`) — each scored on the 1,000 held-out digits.
import { join } from "node:path";
import { getTask } from "../tasks/registry.js";
import type { DemoOptions, DemoSection } from "../tasks/task.js";
import { setRunSettings } from "../train/run-settings.js";
import { writeDigitFolders } from "../vision/digit-folders.js";

const TASK = "image-classification";

export async function transferDemo(o: DemoOptions): Promise<DemoSection> {
  const t0 = performance.now();
  const log = o.log ?? (() => {});
  const task = getTask(TASK);
  const per = 50;
  const digits = join(o.out, "digits");
  await writeDigitFolders(digits, [per]);
  const source = join(o.out, "fashion-mnist");
  const pre = o.full ? { epochs: 3 } : { epochs: 1, limit: 6000 };
  await task.train({ data: "fashion-mnist", out: source, seed: 0, progress: o.progress, log, ...pre });
  const arms = [
    { name: "scratch", init: undefined, freeze: undefined },
    { name: "fineTuned", init: source, freeze: undefined },
    { name: "frozenFeatures", init: source, freeze: ["features.*"] },
  ] as const;
  const epochs = 15;
  const metrics: Record<string, number> = {};
  const history: DemoSection["history"] = [];
  for (const arm of arms) {
    // The CLI's --init/--freeze reach the task's Trainer the same way.
    setRunSettings({ init: arm.init, freeze: arm.freeze ? [...arm.freeze] : undefined, log });
    try {
      const out = join(o.out, arm.name);
      const r = await task.train({ data: join(digits, `train-${per}`), out, epochs, seed: 0, progress: o.progress, log });
      const m = await task.evaluate(out, join(digits, "test"));
      metrics[arm.name] = m.accuracy as number;
      if (arm.name === "fineTuned")
        history.push(...r.history.epochs.map((h) => ({ loss: h.loss!, valLoss: h.valLoss, valAccuracy: h.valAccuracy })));
    } finally {
      setRunSettings({});
    }
  }
  const pct = (x: number) => `${(100 * x).toFixed(1)} %`;
  const flags = (a: (typeof arms)[number]) => `${a.init ? ` --init ${a.init}` : ""}${a.freeze ? ` --freeze '${a.freeze.join(",")}'` : ""}`;
  return {
    task: "transfer",
    dataset: `Fashion-MNIST (source) → ${per} of opencv-doc's handwritten digits per class (target); 1,000 held-out digits`,
    commands: [
      `flambeau train ${TASK} --data fashion-mnist${pre.limit ? ` --limit ${pre.limit}` : ""} --epochs ${pre.epochs} --out ${source}`,
      `node scripts/opencv-digits.mjs ${digits} ${per}`,
      ...arms.map(
        (a) => `flambeau train ${TASK} --data ${join(digits, `train-${per}`)} --epochs ${epochs}${flags(a)} --out ${join(o.out, a.name)}`,
      ),
    ],
    metrics,
    history,
    seconds: (performance.now() - t0) / 1000,
    extraHtml: `<p>Held-out digit accuracy after training on ${per * 10} digits: from scratch ${pct(metrics.scratch!)}, fine-tuned from the clothes classifier ${pct(metrics.fineTuned!)}, clothes features frozen and a new head trained ${pct(metrics.frozenFeatures!)}. The curves are the fine-tuned run's.</p>`,
  };
}
