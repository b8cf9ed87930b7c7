// Speech generation (a real espeak-ng/flite call per clip), the clip cache, the voice split,
// clip fitting and noise mixing, and the supersonic instrument classes.
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import * as fl from "flambeau";

const A = fl.audio;
const cacheDir = mkdtempSync(join(tmpdir(), "flambeau-speech-"));

test("synthesized clips are 16 kHz mono, trimmed, cached by their parameters", async () => {
  const voices = A.allVoices();
  const es = voices.find((v) => v.id === "espeak-ng:en-us+m3")!;
  const fli = voices.find((v) => v.id === "flite:slt")!;
  const specs = [
    { text: "seven", voice: es, rate: 1, pitch: 1 },
    { text: "seven", voice: fli, rate: 1.1, pitch: 0.9 },
  ];
  const r = await A.generateUtterances(specs, { cacheDir });
  assert.equal(r.synthesized, 2);
  for (const u of r.utterances) {
    const w = A.readWavSamples(u.file);
    assert.equal(w.sampleRate, 16000);
    assert.equal(w.channels, 1);
    // "seven" lasts roughly 0.3–1 s once the silence is trimmed.
    assert.ok(w.frames > 4000 && w.frames < 16000, `${u.voice.id}: ${w.frames} frames`);
    let peak = 0;
    for (const v of w.data[0]!) peak = Math.max(peak, Math.abs(v));
    assert.ok(peak > 0.05, "not silent");
  }
  const mtime = statSync(r.utterances[0]!.file).mtimeMs;
  const again = await A.generateUtterances(specs, { cacheDir });
  assert.equal(again.synthesized, 0);
  assert.equal(statSync(again.utterances[0]!.file).mtimeMs, mtime);
  // A different rate is a different clip.
  assert.notEqual(A.clipFile(cacheDir, { ...specs[0]!, rate: 1.2 }), r.utterances[0]!.file);
});

test("a synthesizer missing from PATH is a FlambeauError from the synthesizer process; no clip is left", async () => {
  const es = A.allVoices().find((v) => v.id === "espeak-ng:en-us+m3")!;
  const spec = { text: "a clip never made", voice: es, rate: 1, pitch: 1 };
  const path = process.env.PATH;
  process.env.PATH = "/nonexistent";
  try {
    await assert.rejects(
      A.generateUtterances([spec], { cacheDir }),
      (e: unknown) => e instanceof fl.FlambeauError && e.code === "E_IO" && /espeak-ng is not installed/.test(e.message),
    );
  } finally {
    process.env.PATH = path;
  }
  assert.equal(existsSync(A.clipFile(cacheDir, spec)), false);
});

test("voices: 45 timbre groups; the keyword split never puts a group in two parts", async () => {
  assert.equal(A.voiceGroups().length, 45);
  const s = await A.keywordSet({ words: ["yes", "no"], groups: 5, accentsPerGroup: 1, repeats: 1, cacheDir });
  const groupOf = (src: string) => {
    const id = src.split(" ")[0]!;
    return A.allVoices().find((v) => v.id === id)!.group;
  };
  const g = (c: fl.audio.ClipSet) => new Set(c.sources.map(groupOf));
  const [tr, va, te] = [g(s.train), g(s.val), g(s.test)];
  assert.equal(tr.size + va.size + te.size, 5);
  for (const x of te) assert.ok(!tr.has(x) && !va.has(x), `test group ${x} also in training/validation`);
  assert.deepEqual(s.train.classes, ["yes", "no"]);
  assert.equal(s.train.clips.length + s.val.clips.length + s.test.clips.length, 10);
});

test("fitLength crops long clips around the centre and places short ones", () => {
  const c = Float32Array.from([1, 2, 3, 4, 5, 6]);
  assert.deepEqual([...A.fitLength(c, 4)], [2, 3, 4, 5]);
  assert.deepEqual([...A.fitLength(c, 4, 0)], [1, 2, 3, 4]);
  assert.deepEqual([...A.fitLength(Float32Array.from([7, 8]), 4)], [0, 7, 8, 0]);
  assert.deepEqual([...A.fitLength(Float32Array.from([7, 8]), 4, 1)], [0, 0, 7, 8]);
});

test("waveBatch mixes each example's noise at its drawn SNR", () => {
  const sig = Float32Array.from({ length: 800 }, (_, i) => Math.sin(i / 5));
  const noise = Float32Array.from({ length: 300 }, (_, i) => ((i * 7919) % 101) / 50 - 1);
  const set: fl.audio.ClipSet = { clips: [sig, sig], labels: [0, 0], classes: ["a"], sampleRate: 16000, sources: ["a", "b"] };
  const clean = A.waveBatch(set, [0, 1], { length: 800 }, new fl.data.Random(1));
  const mixed = A.waveBatch(set, [0, 1], { length: 800, mix: { noise: [noise], snrDb: [6, 6] } }, new fl.data.Random(1));
  const n = mixed.sub(clean);
  const snr = fl
    .log10(
      clean
        .pow(2)
        .sum({ dim: 1 })
        .div(n.pow(2).sum({ dim: 1 })),
    )
    .mul(10)
    .toArray() as number[];
  for (const s of snr) assert.ok(Math.abs(s - 6) < 1e-3, `snr ${s}`);
});

test("instrument classes group the supersonic samples sensibly", () => {
  assert.equal(A.instrumentClass("bd_808"), "kick");
  assert.equal(A.instrumentClass("drum_snare_hard"), "snare");
  assert.equal(A.instrumentClass("elec_hi_snare"), "snare");
  assert.equal(A.instrumentClass("hat_zild"), "cymbal");
  assert.equal(A.instrumentClass("drum_tom_lo_soft"), "tom");
  assert.equal(A.instrumentClass("bass_voxy_c"), "bass");
  assert.equal(A.instrumentClass("tabla_na"), "tabla");
  assert.equal(A.instrumentClass("ambi_choir"), null);
  assert.ok(A.isNoiseSample("ambi_drone") && A.isNoiseSample("loop_amen") && !A.isNoiseSample("bd_fat"));
});

test("AudioFolder reads root/<class>/*.wav, mixing down and resampling; bad folders are FlambeauErrors", () => {
  const root = mkdtempSync(join(tmpdir(), "flambeau-af-"));
  for (const c of ["hi", "lo"]) mkdirSync(join(root, c));
  A.writeWav(join(root, "hi", "a.wav"), fl.ones([2, 8000]).mul(0.5), 8000);
  A.writeWav(join(root, "lo", "b.wav"), fl.ones([1, 16000]).mul(-0.25), 16000);
  const s = A.readAudioFolder(root, { sampleRate: 16000 });
  assert.deepEqual(s.classes, ["hi", "lo"]);
  assert.deepEqual(s.labels, [0, 1]);
  assert.equal(s.clips[0]!.length, 16000);
  assert.ok(Math.abs(s.clips[0]![8000]! - 0.5) < 1e-3);
  assert.equal(s.clips[1]!.length, 16000);
  assert.ok(existsSync(join(root, "lo", "b.wav")));
  const isErr = (re: RegExp) => (e: unknown) => e instanceof fl.FlambeauError && re.test(e.message);
  assert.throws(() => A.readAudioFolder(join(root, "nope"), { sampleRate: 16000 }), isErr(/AudioFolder: .*nope is not a directory/));
  assert.throws(() => A.readAudioFolder(root, { sampleRate: 16000, classes: ["hi"] }), isErr(/classes the model does not know: lo/));
  const empty = mkdtempSync(join(tmpdir(), "flambeau-af-"));
  assert.throws(() => A.readAudioFolder(empty, { sampleRate: 16000 }), isErr(/has no class folders/));
});

test("sentence set: grammar sentences with transcripts, split by voice group, exported as TSV", async () => {
  const s = await A.sentenceSet({ groups: 3, sentencesPerVoice: 1, cacheDir, testFraction: 0.34 });
  assert.equal(s.train.length + s.test.length, 3);
  assert.ok(s.test.length >= 1);
  for (const u of [...s.train, ...s.test]) {
    assert.match(u.text, /^[a-z]+( [a-z]+)+$/);
    assert.ok(A.readWavSamples(u.file).frames > 8000, "a sentence lasts over half a second");
  }
  const tsv = join(cacheDir, "test.tsv");
  A.writeTranscriptTsv(tsv, s.test);
  const lines = readFileSync(tsv, "utf8").trim().split("\n");
  assert.equal(lines.length, s.test.length);
  assert.equal(lines[0]!.split("\t")[1], s.test[0]!.text);
});
