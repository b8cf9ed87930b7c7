// A small keyword-spotting AudioFolder from the project's speech synthesizers (espeak-ng and
// flite voices, as `speech-commands-synth` makes them), with the test voices' timbre groups held
// out, written as users' folders come: half the clips at 44.1 kHz stereo, half at 16 kHz mono.
// Then, with --train, trains audio-classification on it and scores the held-out voices, so
// the recipe can be measured before/after and run to run. Run after `npx tsc -p .`:
//   node scripts/kws-audiofolder.mjs OUT [WORDS=yes,no,up,down,left,right]
//   node scripts/kws-audiofolder.mjs OUT --train SEED [DIST=dist]   → one JSON line
import { mkdirSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";

const [out, ...rest] = process.argv.slice(2);
if (!out) {
  console.error("usage: node scripts/kws-audiofolder.mjs OUT [WORDS] | OUT --train SEED [DIST]");
  process.exit(2);
}

if (rest[0] === "--train") {
  const seed = Number(rest[1] ?? 0);
  const dist = resolve(rest[2] ?? "dist");
  const fl = await import(pathToFileURL(join(dist, "src/index.js")).href);
  const { audioClassification } = await import(pathToFileURL(join(dist, "src/audio/tasks/audio-classification.js")).href);
  fl.setNumThreads(1);
  const model = join(out, `.model-${seed}-${process.pid}`);
  const t0 = performance.now();
  const r = await audioClassification.train({ data: out, out: model, seed, log: (l) => console.error(l) });
  const m = await audioClassification.evaluate(model, out);
  rmSync(model, { recursive: true, force: true });
  const losses = r.history.epochs.map((e) => +e.loss.toFixed(6));
  console.log(
    JSON.stringify({
      dist,
      seed,
      testAccuracy: m.accuracy,
      testMacroF1: m.macroF1,
      testClips: m.examples,
      validation: r.metrics.accuracy,
      lastLoss: losses.at(-1),
      seconds: Math.round((performance.now() - t0) / 1000),
    }),
  );
  process.exit(0);
}

const words = (rest[0] ?? "yes,no,up,down,left,right").split(",");
const audio = await import("../dist/src/audio/index.js");
const fl = await import("../dist/src/index.js");
// One accent per voice group and one rendition: ~35 training voices, a small set by design.
const s = await audio.keywordSet({ words, groups: 45, accentsPerGroup: 1, repeats: 1, seed: 0, log: (l) => console.error(l) });
let n = 0;
const write = (set, split) => {
  set.clips.forEach((clip, i) => {
    const dir = join(out, split, set.classes[set.labels[i]]);
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `${String(n++).padStart(5, "0")}.wav`);
    if (n % 2) audio.writeWav(file, [clip], set.sampleRate);
    else {
      const up = fl.tidy(() => audio.resample(fl.tensor(clip), set.sampleRate, 44100).data().slice());
      // The second channel a little quieter, as a real stereo recording would differ.
      audio.writeWav(
        file,
        [up, up.map((v) => 0.8 * v)],
        44100,
      );
    }
  });
};
write(s.train, "train");
write(s.val, "train");
write(s.test, "test");
console.error(`kws-audiofolder: ${s.description}; ${s.train.clips.length + s.val.clips.length} training and ${s.test.clips.length} test clips in ${out}`);
