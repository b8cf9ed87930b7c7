// The demo's multi-task section (issue 27): class + box + mask of a digit on a photo, by three
// single-task networks or one network with three heads, at a quick budget.
import { type SceneRunResult, sceneMultiTask } from "../learn/multitask/scenes.js";
import { escapeHtml } from "../tasks/html.js";
import type { DemoOptions, DemoSection } from "../tasks/task.js";

export async function multitaskDemo(o: DemoOptions): Promise<DemoSection> {
  const t0 = performance.now();
  const b = o.full
    ? { scenesPerEpoch: 4000, testScenes: 500, epochs: 6, width: 16 }
    : { scenesPerEpoch: 1000, testScenes: 200, epochs: 2, width: 8 };
  const runs = ["apart", "joint"] as const;
  const results = await sceneMultiTask(runs, { ...b, seed: 0, log: o.log });
  const [apart, joint] = results as [SceneRunResult, SceneRunResult];
  const f = (x: number | undefined, pct: boolean) => (x === undefined ? "–" : pct ? `${(100 * x).toFixed(1)} %` : x.toFixed(3));
  const row = (name: string, r: SceneRunResult) =>
    `<tr><td>${escapeHtml(name)}</td><td>${f(r.accuracy, true)}</td><td>${f(r.meanIou, false)}</td><td>${f(r.mIoU, false)}</td><td>${r.seconds.toFixed(0)} s</td></tr>`;
  return {
    task: "multi-task",
    dataset: "generated scenes: one of opencv-doc's handwritten digits on a photo crop (held-out digits and photos for test)",
    commands: [`node scripts/multitask-scenes.mjs ${b.scenesPerEpoch} ${b.testScenes} ${b.epochs} 0 apart,joint`],
    metrics: {
      apartAccuracy: apart.accuracy!,
      jointAccuracy: joint.accuracy!,
      apartBoxIou: apart.meanIou!,
      jointBoxIou: joint.meanIou!,
      apartMaskMIoU: apart.mIoU!,
      jointMaskMIoU: joint.mIoU!,
    },
    history: [],
    seconds: (performance.now() - t0) / 1000,
    extraHtml: `<p>The same U-Net trunk (width ${b.width}) trained ${b.epochs} × ${b.scenesPerEpoch} fresh scenes as three networks, one per task, or as one network with a class, a box and a mask head (losses summed): held-out scenes.</p><table><tr><th>run</th><th>class accuracy</th><th>box mean IoU</th><th>mask mIoU</th><th>time</th></tr>${row("three single-task networks", apart)}${row("one network, three heads", joint)}</table>`,
  };
}
