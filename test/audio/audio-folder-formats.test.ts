// AudioFolders as users bring them: any rate and channel count (checked against sox's
// resampler, as torchaudio is not installed here), long recordings cut into windows, errors that
// name the file, and the small-set augmentation recipe.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import * as fl from "flambeau";
import { readMono } from "../../src/audio/data/audio-folder.js";
import { augmentRecipe, colouredNoise, SMALL_SET_CLIPS } from "../../src/audio/data/recipe.js";
import { resolveAudioData } from "../../src/audio/data/sources.js";
import { cutWindows, windowStarts } from "../../src/audio/data/windows.js";
import { audioClassification } from "../../src/audio/tasks/audio-classification.js";
import { readWavSamples, writeWav } from "../../src/audio/wav.js";

fl.setNumThreads(1);
const dir = mkdtempSync(join(tmpdir(), "fl-audio-folder-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const tone = (hz: number, seconds: number, rate: number, amp = 0.3): Float32Array =>
  Float32Array.from({ length: Math.round(seconds * rate) }, (_, i) => amp * Math.sin((2 * Math.PI * hz * i) / rate));

let hasSox = true;
try {
  execFileSync("sox", ["--version"], { stdio: "ignore" });
} catch {
  hasSox = false;
}

describe("AudioFolder of any rate, channel count and length", () => {
  test("a stereo 44.1 kHz WAV loads as mono 16 kHz, matching sox (remix to the mean, rate -v)", {
    skip: !hasSox && "sox is not installed",
  }, () => {
    const src = join(dir, "stereo.wav");
    writeWav(src, [tone(440, 1, 44100), tone(1000, 1, 44100, 0.2)], 44100, { encoding: "float32" });
    const mono = readMono(src, 16000);
    assert.equal(mono.length, 16000);
    const ref = join(dir, "sox.wav");
    execFileSync("sox", [src, "-e", "floating-point", "-b", "32", ref, "remix", "1v0.5,2v0.5", "rate", "-v", "16000"], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    const r = readWavSamples(ref);
    assert.deepEqual([r.sampleRate, r.channels, r.frames], [16000, 1, 16000]);
    // Two different windowed-sinc designs agree on in-band tones away from the edges.
    let worst = 0;
    for (let i = 200; i < 15800; i++) worst = Math.max(worst, Math.abs(mono[i]! - r.data[0]![i]!));
    // Measured: 7.4e-5.
    assert.ok(worst < 5e-4, `max |flambeau − sox| ${worst}`);
  });
  test("a 5-s recording becomes five 1-s windows; 1.2 s stays whole", () => {
    assert.deepEqual(windowStarts(80000, 16000), [0, 16000, 32000, 48000, 64000]);
    assert.deepEqual(windowStarts(19200, 16000), []);
    // 2.5 windows: round → 3 windows spread over the recording, overlapping.
    assert.deepEqual(windowStarts(40000, 16000), [0, 12000, 24000]);
    const set = {
      clips: [new Float32Array(80000), new Float32Array(8000)],
      labels: [1, 0],
      classes: ["a", "b"],
      sampleRate: 16000,
      sources: ["x.wav", "y.wav"],
    };
    const cut = cutWindows(set, 16000);
    assert.equal(cut.clips.length, 6);
    assert.deepEqual(cut.labels, [1, 1, 1, 1, 1, 0]);
    assert.equal(cut.sources[1], "x.wav@1.00s");
  });
  test("resolveAudioData: rates and channels mixed, long files windowed after the file-level split", async () => {
    const root = join(dir, "folder");
    for (const c of ["hi", "lo"]) mkdirSync(join(root, c), { recursive: true });
    for (let k = 0; k < 5; k++) {
      writeWav(join(root, "hi", `h${k}.wav`), [tone(1500 + 50 * k, 1, 22050)], 22050);
      writeWav(join(root, "lo", `l${k}.wav`), [tone(300 + 10 * k, 1, 48000), tone(300 + 10 * k, 1, 48000)], 48000);
    }
    writeWav(join(root, "lo", "long.wav"), [tone(320, 5, 8000)], 8000);
    const d = await resolveAudioData(`${root}?window=1`, { seed: 0 });
    assert.equal(d.length, 16000);
    assert.equal(d.train.clips.length + d.val.clips.length, 10 + 5);
    assert.ok(d.train.clips.every((c) => c.length === 16000));
    // All five windows of long.wav fall on one side of the split.
    const sides = [d.train, d.val].map((s) => s.sources.filter((x) => x.includes("long.wav")).length);
    assert.ok(sides.includes(5) && sides.includes(0), `long.wav windows per side: ${sides}`);
    assert.match(d.description, /11 files → 15 windows/);
    assert.equal(d.trainMix, undefined);
    const noise = join(dir, "backgrounds");
    mkdirSync(noise);
    writeWav(join(noise, "hum.wav"), [tone(50, 2, 8000)], 8000);
    const n = await resolveAudioData(`${root}?window=1&noise=${noise}`, { seed: 0 });
    assert.deepEqual([n.trainMix!.noise.length, n.trainMix!.noise[0]!.length], [1, 32000]);
  });
  test("a broken file is an error that names it", async () => {
    const root = join(dir, "broken");
    mkdirSync(join(root, "a"), { recursive: true });
    writeFileSync(join(root, "a", "bad.wav"), "RIFF not really");
    await assert.rejects(resolveAudioData(root), (e: unknown) => e instanceof fl.FlambeauError && /broken\/a\/bad\.wav/.test(e.message));
    writeWav(join(root, "a", "bad.wav"), [new Float32Array(0)], 16000);
    await assert.rejects(resolveAudioData(root), /bad\.wav: no samples/);
  });
});

describe("small-set recipe", () => {
  test("two masks of each kind and a shift under 5,000 clips; one mask of each above", () => {
    const small = augmentRecipe(270, { window: 16000, frames: 101, sampleRate: 16000 });
    assert.equal(small.small, true);
    assert.deepEqual([small.timeMask, small.freqMask, small.maxShift], [{ maxWidth: 10, count: 2 }, { maxWidth: 8, count: 2 }, 1600]);
    assert.equal(small.mix, undefined);
    assert.equal(augmentRecipe(270, { window: 16000, frames: 101, sampleRate: 16000, syntheticNoise: true }).mix!.noise.length, 3);
    const big = augmentRecipe(SMALL_SET_CLIPS, { window: 16000, frames: 101, sampleRate: 16000 });
    assert.deepEqual([big.small, big.maxShift, big.mix], [false, 0, undefined]);
    assert.equal(augmentRecipe(270, { window: 16000, frames: 101, sampleRate: 16000, tuned: true }).small, false);
    const [a, b] = [colouredNoise(16000, 1), colouredNoise(16000, 1)];
    assert.deepEqual(a, b);
    for (const x of a) assert.ok(Math.abs(x.reduce((s, v) => s + v * v, 0) / x.length - 1) < 1e-4);
    assert.match(audioClassification.description, /AudioFolder of under 5,000 clips/);
  });
  test("a window-cut AudioFolder trains and predicts per window with the mean over windows", async () => {
    const root = join(dir, "tiny");
    for (const c of ["hi", "lo"]) mkdirSync(join(root, c), { recursive: true });
    for (let k = 0; k < 6; k++) {
      writeWav(join(root, "hi", `h${k}.wav`), [tone(2000 + 100 * k, 0.25, 16000)], 16000);
      writeWav(join(root, "lo", `l${k}.wav`), [tone(200 + 20 * k, 0.25, 16000)], 16000);
    }
    const out = join(dir, "tiny-model");
    const run = () => audioClassification.train({ data: root, out, epochs: 2, batchSize: 4, seed: 3 });
    const r1 = await run();
    const r2 = await run();
    assert.deepEqual(
      r1.history.epochs.map((e) => e.loss),
      r2.history.epochs.map((e) => e.loss),
    );
    const long = join(dir, "long.wav");
    writeWav(long, [Float32Array.from([...tone(250, 0.5, 16000), ...tone(2200, 0.25, 16000)])], 16000);
    const [p] = (await audioClassification.predict(out, [long])) as { windows?: { start: number; label: string }[]; labels: unknown[] }[];
    assert.equal(p!.windows!.length, 3);
    assert.deepEqual(
      p!.windows!.map((w) => w.start),
      [0, 0.25, 0.5],
    );
  });
});
