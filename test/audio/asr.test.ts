// Speech to text: WER/CER against hand-computed values, CTC greedy and prefix beam decoding,
// the character LM, a tiny CTC model overfitting three utterances, the transcript TSV reader's
// errors, and the automatic-speech-recognition task end to end on a TSV (train → eval → predict).
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import * as fl from "flambeau";
import { ctcFrames as frames } from "../helpers/ctc.js";
import { FIXTURES } from "../helpers/fixtures.js";

const A = fl.audio;
const ASR = join(FIXTURES, "asr");
const C = A.CTC_CLASSES;
const tmp = mkdtempSync(join(tmpdir(), "flambeau-asr-"));

const lab = (ch: string) => A.CTC_CHARS.indexOf(ch) + 1;

test("WER and CER are corpus edit distances over reference length (hand-computed)", () => {
  assert.equal(A.editDistance([..."kitten"], [..."sitting"]), 3);
  assert.equal(A.editDistance([], ["a", "b"]), 2);
  const refs = ["the cat sat", "Hello, World!"];
  const hyps = ["the cat sit on", "hello"];
  const s = A.asrScores(refs, hyps);
  // Words: sat→sit and +on (2), -world (1) over 5 reference words.
  assert.equal(s.wordErrors, 3);
  assert.equal(s.refWords, 5);
  assert.equal(s.wer, 0.6);
  // Characters: a→i and +" on" (4), -" world" (6) over 11 + 11 characters.
  assert.equal(s.charErrors, 10);
  assert.equal(s.refChars, 22);
  assert.ok(Math.abs(s.cer - 10 / 22) < 1e-12);
  assert.equal(A.wordErrorRate(["a b"], ["a b"]), 0);
  assert.equal(A.charErrorRate(["ab"], [""]), 1);
  assert.throws(() => A.asrScores(["a"], []), /1 references but 0 hypotheses/);
});

test("the alphabet encodes normalised transcripts and decodes labels", () => {
  assert.deepEqual(A.encodeTranscript("Don't  GO!"), [lab("d"), lab("o"), lab("n"), lab("'"), lab("t"), 1, lab("g"), lab("o")]);
  assert.equal(A.decodeLabels(A.encodeTranscript("turn left")), "turn left");
  assert.equal(C, 29);
});

test("greedy CTC decoding merges repeats and drops blanks", () => {
  // a a _ a b b ␣ ␣ c  →  "aab c"
  const seq = [lab("a"), lab("a"), 0, lab("a"), lab("b"), lab("b"), 1, 1, lab("c")];
  const lp = frames(seq.map((c) => ({ [c]: 0.9 })));
  assert.deepEqual(A.ctcGreedyLabels(lp, seq.length, C), [lab("a"), lab("a"), lab("b"), 1, lab("c")]);
  assert.equal(A.ctcGreedyDecode(lp, seq.length, C), "aab c");
  assert.throws(() => A.ctcGreedyDecode(new Float32Array(10), 3, C), /3 frames × 29 classes/);
});

test("prefix beam search: equals greedy with beam 1 and no LM; sums alignments with a wider beam", () => {
  // A peaky random fixture: each frame's best label (blank half the time) has most of the mass.
  const rng = new fl.data.Random(7);
  const rows: Record<number, number>[] = [];
  for (let t = 0; t < 60; t++) {
    const c = rng.nextFloat() < 0.5 ? 0 : 1 + rng.int(C - 1);
    const d = 1 + rng.int(C - 1);
    rows.push(c === d ? { [c]: 0.8 } : { [c]: 0.7, [d]: 0.2 });
  }
  const lp = frames(rows);
  const lm = A.CharNgramLM.train(["go left", "stop"]);
  const greedy = A.ctcGreedyDecode(lp, 60, C);
  assert.ok(greedy.length > 5);
  assert.equal(A.ctcBeamDecode(lp, 60, C, { beam: 1, lm, lmWeight: 0 }), greedy);
  // Two frames, blank 0.6 / "a" 0.4 each: the best path is blank-blank (""), but
  // P("a") = 0.4·0.4 + 0.4·0.6 + 0.6·0.4 = 0.64 > P("") = 0.36.
  const two = frames([
    { 0: 0.6, [lab("a")]: 0.4 },
    { 0: 0.6, [lab("a")]: 0.4 },
  ]);
  assert.equal(A.ctcGreedyDecode(two, 2, C), "");
  assert.equal(A.ctcBeamDecode(two, 2, C, { beam: 4 }), "a");
  assert.throws(() => A.ctcBeamDecode(two, 2, C, { beam: 0 }), /beam must be a positive integer/);
});

test("the character LM is a distribution and steers the beam search", () => {
  const lm = A.CharNgramLM.train(["go left", "go right", "go up", "stop"], { order: 4 });
  for (const ctx of ["", "go", "go l", "xyz"]) {
    let sum = 0;
    for (const ch of `${A.CTC_CHARS}${A.LM_EOS}`) sum += Math.exp(lm.logProb(ctx, ch));
    assert.ok(Math.abs(sum - 1) < 1e-9, `context ${JSON.stringify(ctx)}: ${sum}`);
  }
  assert.ok(lm.score("go left") > lm.score("qo left"));
  const back = A.CharNgramLM.fromJSON(JSON.parse(JSON.stringify(lm.toJSON())));
  assert.equal(back.score("go up"), lm.score("go up"));
  // Acoustically "q" is a little likelier than "g"; the LM knows only "go …".
  const lp = frames([{ [lab("q")]: 0.5, [lab("g")]: 0.45 }, { 0: 0.9 }, { [lab("o")]: 0.9 }]);
  assert.equal(A.ctcBeamDecode(lp, 3, C, { beam: 8 }), "qo");
  assert.equal(A.ctcBeamDecode(lp, 3, C, { beam: 8, lm, lmWeight: 0.5 }), "go");
  assert.throws(() => A.CharNgramLM.train(["a"], { order: 0 }), /order must be an integer/);
});

test("a tiny CTC BiLSTM overfits three utterances", () => {
  fl.manualSeed(0);
  const set = A.readTranscriptTsv(join(ASR, "train.tsv"));
  assert.deepEqual(set.texts, ["go left", "stop", "one two"]);
  const cfg = { ...A.DEFAULT_FRONTEND, mean: -40, std: 20 };
  const len = Math.max(...set.clips.map((c) => c.length));
  const flat = new Float32Array(3 * len);
  set.clips.forEach((c, i) => flat.set(c, i * len));
  const x = A.logMel(fl.tensor(flat, { shape: [3, len] }), cfg).keep();
  const lengths = set.clips.map((c) => Math.floor(c.length / 160) + 1);
  const targets = set.texts.map((t) => A.encodeTranscript(t));
  const y = fl.tensor(BigInt64Array.from(targets.flat(), BigInt)).keep();
  const model = new A.CtcBiLSTM({ nMels: cfg.nMels, numClasses: C, hidden: 48, layers: 1, dropout: 0 });
  const opt = new fl.optim.Adam(model.parameters(), { lr: 1e-2 });
  const ctc = new fl.nn.CTCLoss();
  const losses: number[] = [];
  for (let step = 0; step < 60; step++)
    losses.push(
      fl.tidy(() => {
        opt.zeroGrad();
        const out = model.forwardWithLengths(x, lengths);
        const loss = ctc.forward(
          out.logProbs,
          y,
          out.lengths,
          targets.map((t) => t.length),
        );
        loss.backward();
        opt.step();
        return loss.item();
      }),
    );
  assert.ok(losses[59]! < 0.3 * losses[0]!, `loss ${losses[0]} → ${losses[59]}`);
});

test("the transcript TSV reader names the file and line of each problem", () => {
  assert.throws(
    () => A.readTranscriptTsv(join(tmp, "nope.tsv")),
    (e: Error) => e instanceof fl.FlambeauError && /nope\.tsv does not exist/.test(e.message),
  );
  const bad = join(tmp, "bad.tsv");
  writeFileSync(bad, `${join(ASR, "stop.wav")}\tstop\nno tab here\n`);
  assert.throws(() => A.readTranscriptTsv(bad), /bad\.tsv:2: expected path<TAB>transcript/);
  const missing = join(tmp, "missing.tsv");
  writeFileSync(missing, "# comment\n\ngone.wav\thello\n");
  assert.throws(() => A.readTranscriptTsv(missing), /missing\.tsv:3: audio file .*gone\.wav does not exist/);
  const digits = join(tmp, "digits.tsv");
  writeFileSync(digits, `${join(ASR, "stop.wav")}\tcall 911\n`);
  assert.throws(() => A.readTranscriptTsv(digits), /digits\.tsv:1: .*spell numbers out/);
  const notWav = join(tmp, "notwav.tsv");
  writeFileSync(join(tmp, "x.wav"), "not a wav file at all");
  writeFileSync(notWav, "x.wav\thello\n");
  assert.throws(
    () => A.readTranscriptTsv(notWav),
    (e: Error) => e instanceof fl.FlambeauError && /notwav\.tsv:1:/.test(e.message),
  );
  const emptyTsv = join(tmp, "empty.tsv");
  writeFileSync(emptyTsv, "\n");
  assert.throws(() => A.readTranscriptTsv(emptyTsv), /lists no utterances/);
});

test("automatic-speech-recognition trains on a TSV, evaluates and transcribes a wav", async () => {
  const task = A.AUDIO_TASKS["automatic-speech-recognition"];
  const out = join(tmp, "model");
  const r = await task.train({ data: join(ASR, "train.tsv"), out, epochs: 3, batchSize: 3, seed: 0 });
  assert.ok(existsSync(join(out, "model.safetensors")) && existsSync(join(out, "config.json")));
  assert.equal(r.history.epochs.length, 3);
  const m = await task.evaluate(out, join(ASR, "train.tsv"));
  assert.equal(m.examples, 3);
  for (const k of ["wer", "cer", "greedyWer", "greedyCer"]) assert.ok((m[k] as number) >= 0, k);
  // Overriding the LM weight with 0 also drops the character bonus (it only balances the LM).
  const noLm = await task.evaluate(out, join(ASR, "train.tsv"), { lmWeight: 0, beam: 4 });
  assert.deepEqual([noLm.lmWeight, noLm.charBonus, noLm.beam], [0, 0, 4]);
  // Declared options are checked by the runtime before the task runs (synchronously).
  await assert.rejects(async () => task.evaluate(out, join(ASR, "train.tsv"), { lmWeight: -1 }), /lmWeight must be a number ≥ 0/);
  const [p] = (await task.predict(out, [join(ASR, "stop.wav")])) as { text: string; greedy: string }[];
  assert.equal(typeof p!.text, "string");
  assert.equal(typeof task.formatPrediction(p!), "string");
  await assert.rejects(task.train({ data: "pocketsphinx-testdata", out }), /evaluation-only/);
  await assert.rejects(task.evaluate(out, "no-such-set"), /speech data "no-such-set"/);
});

test("pocketsphinx-testdata: the transcribed real recordings", { skip: !existsSync(A.POCKETSPHINX_TESTDATA) }, () => {
  const s = A.pocketsphinxTestdata();
  assert.equal(s.clips.length, 12);
  assert.equal(s.texts[0], "ten of clubs");
  assert.ok(s.texts.includes("go forward ten meters"));
  for (const c of s.clips) assert.ok(c.length > 8000);
  // Each recording carries the grammar the package's tests decode it with; the LibriVox sentences have none.
  assert.match(s.grammars![0]!, /cards\/cards\.gram$/);
  assert.equal(s.grammars!.filter((g) => g === null).length, 5);
  assert.match(s.grammars![s.sources.indexOf("tidigits/dhd.2934z.raw")]!, /tidigits\.fsg$/);
});

test("automatic-speech-recognition --grammar: the package's grammars in eval, a grammar file in predict", {
  skip: !existsSync(A.POCKETSPHINX_TESTDATA),
}, async () => {
  const task = A.AUDIO_TASKS["automatic-speech-recognition"];
  const out = join(tmp, "model");
  const m = await task.evaluate(out, "pocketsphinx-testdata", { grammar: "testdata", limit: 6 });
  assert.deepEqual([m.examples, m.grammar, m.grammarUtterances], [6, "testdata", 5]);
  const gram = join(tmp, "stop.gram");
  writeFileSync(gram, "#JSGF V1.0; grammar s; public <s> = stop | go;");
  const [p] = (await task.predict(out, [join(ASR, "stop.wav")], { grammar: gram })) as { text: string }[];
  assert.ok(["stop", "go", "s", "st", "sto", "g", ""].includes(p!.text), p!.text);
  await assert.rejects(task.predict(out, [join(ASR, "stop.wav")], { grammar: "testdata" }), /predict takes a grammar file/);
  await assert.rejects(
    task.evaluate(out, join(ASR, "train.tsv"), { grammar: "testdata" }),
    /--grammar testdata needs a data set whose recordings come with grammars/,
  );
});
