// The README's scenes multi-task figure (src/learn/multitask/scenes.ts says what it trains):
// class + box + segmentation of one digit on a photo, by three single-task networks or by one
// network with three heads (losses summed 1:1, or weighted by Kendall et al.'s uncertainty).
// usage (after the build): node scripts/multitask-scenes.mjs [scenesPerEpoch] [testScenes] [epochs] [seed] [runs]
// runs: comma-separated, of apart (the three single-task networks), class, box, seg (one of
// them), joint, uncertainty; default apart,joint,uncertainty.
import * as fl from "../dist/src/index.js";

const [scenesPerEpoch, testScenes, epochs, seed] = [4000, 500, 6, 0].map((d, i) => Number(process.argv[2 + i] ?? d));
const runs = (process.argv[6] ?? "apart,joint,uncertainty").split(",");
console.log(JSON.stringify({ scenesPerEpoch, testScenes, epochs, seed, classes: 10, width: 16, depth: 3 }));
await fl.learn.multitask.sceneMultiTask(runs, {
  scenesPerEpoch,
  testScenes,
  epochs,
  seed,
  log: (line) => console.log(line.slice(line.indexOf("{"))),
});
