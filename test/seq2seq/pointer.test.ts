// The pointer-generator: the copy mixture is a distribution with the right gradient (central
// finite differences in float64), cached decoding equals the teacher-forced pass, decoding
// constraints (minimum length, n-gram blocking), and a copy-only task learnt to near-perfect ROUGE.
import assert from "node:assert/strict";
import { test } from "node:test";
import * as fl from "flambeau";
import { softmax } from "../../src/core/ops/nn.js";
import { AdamW } from "../../src/optim/index.js";
import { beamSearch, constrainStep, greedyDecode, quotableNext } from "../../src/text/seq2seq/decode.js";
import { copyMixture, PointerSeq2Seq, seq2seqModel } from "../../src/text/seq2seq/pointer.js";
import { corpusRouge } from "../../src/text/seq2seq/rouge.js";
import { type Seq2SeqTransformer, tokenTensor } from "../../src/text/seq2seq/transformer.js";

const PAD = 0;
const BOS = 1;
const EOS = 2;
const F64 = { dtype: "float64" } as const;

function model(): PointerSeq2Seq {
  fl.manualSeed(5);
  const m = new PointerSeq2Seq({ vocabSize: 23, padId: PAD, dModel: 16, nhead: 2, encoderLayers: 2, decoderLayers: 2, dimFeedforward: 32 });
  m.eval();
  return m;
}

// B = 1, T = 2, S = 3 (token 2 twice: copy mass adds up), V = 4.
const SRC = [[2, 3, 2]];
function mixture(logits: number[], scores: number[], gate: number[], o: { grad?: boolean } = {}) {
  const l = fl.tensor(logits, { ...F64, shape: [1, 2, 4], requiresGrad: o.grad ?? false });
  const s = fl.tensor(scores, { ...F64, shape: [1, 2, 3], requiresGrad: o.grad ?? false });
  const g = fl.tensor(gate, { ...F64, shape: [1, 2, 1], requiresGrad: o.grad ?? false });
  const logp = copyMixture(l, softmax(s, -1), g.sigmoid(), tokenTensor(SRC, PAD));
  return { l, s, g, logp };
}

test("the copy mixture is a distribution: probabilities sum to 1, copied tokens get their attention mass", () => {
  fl.noGrad(() =>
    fl.tidy(() => {
      const { logp } = mixture([0, 1, 2, 3, 1, 1, 1, 1], [0, 0, 0, 5, -5, 0], [0, -30]);
      const p = logp.exp();
      const sums = p.sum(-1).data() as Float64Array;
      for (const v of sums) assert.ok(Math.abs(v - 1) < 1e-9, `row sums to ${v}`);
      // Row 2: p_gen ≈ 0, attention ≈ (1, 0, 0)·e^5-weighted: token 2 ≈ 1 − a_3, token 3 ≈ a_3.
      const row = Array.from(p.select(1, 1).select(0, 0).data() as Float64Array);
      const a = softmax(fl.tensor([5, -5, 0], F64), -1).data() as Float64Array;
      assert.ok(Math.abs(row[2]! - (a[0]! + a[2]!)) < 1e-9 && Math.abs(row[3]! - a[1]!) < 1e-9, `${row}`);
      assert.ok(row[0]! < 1e-9 && row[1]! < 1e-9, `tokens absent from the source get no mass when p_gen ≈ 0: ${row}`);
    }),
  );
});

test("the copy mixture's gradient (logits, attention scores, p_gen) matches central finite differences", () => {
  const x = { logits: [0.3, -1, 0.5, 2, 1, -0.2, 0.1, 0.7], scores: [0.5, -0.3, 1.2, -1, 0.4, 0.9], gate: [0.4, -0.8] };
  const weights = [0.7, -0.2, 1.1, 0.4, -0.9, 0.3, 0.5, 1.3];
  const loss = (logits: number[], scores: number[], gate: number[], grad = false) => {
    const m = mixture(logits, scores, gate, { grad });
    return { ...m, loss: m.logp.mul(fl.tensor(weights, { ...F64, shape: [1, 2, 4] })).sum() };
  };
  const { l, s, g, loss: out } = loss(x.logits, x.scores, x.gate, true);
  out.backward();
  const analytic = { logits: l.grad!, scores: s.grad!, gate: g.grad! };
  const h = 1e-6;
  for (const k of ["logits", "scores", "gate"] as const) {
    const got = Array.from(analytic[k].data() as Float64Array);
    x[k].forEach((v, i) => {
      const at = (d: number) => {
        const y = { ...x, [k]: x[k].map((w, j) => (j === i ? v + d : w)) };
        return fl.noGrad(() => loss(y.logits, y.scores, y.gate).loss.item());
      };
      const numeric = (at(h) - at(-h)) / (2 * h);
      assert.ok(Math.abs(numeric - got[i]!) < 1e-6, `d loss / d ${k}[${i}]: analytic ${got[i]}, numeric ${numeric}`);
    });
  }
});

test("pointer model: cached step-by-step log-probabilities equal the teacher-forced pass (padded batch)", () => {
  const m = model();
  const src = tokenTensor(
    [
      [5, 6, 7, 8, 9],
      [10, 11, 12],
    ],
    PAD,
  );
  const tgtIn = tokenTensor(
    [
      [BOS, 4, 5, 6],
      [BOS, 7, 8, 9],
    ],
    PAD,
  );
  fl.noGrad(() =>
    fl.tidy(() => {
      const full = m.forwardLogProbs(src, tgtIn);
      const sums = full.exp().sum(-1).sub(1).abs().max().item();
      assert.equal(m.forward(src, tgtIn).sub(full).abs().max().item(), 0, "forward gives the mixture's log-probabilities");
      assert.ok(sums < 1e-5, `teacher-forced rows sum to 1 ± ${sums}`);
      const s = m.startDecoding(src);
      for (let t = 0; t < 4; t++) {
        const lp = m.stepLogProbs(s, tgtIn.select(1, t));
        const diff = lp.sub(full.select(1, t)).abs().max().item();
        assert.ok(diff < 1e-4, `step ${t}: max difference ${diff}`);
      }
    }),
  );
  // A saved configuration with `pointer: true` loads as the pointer model.
  assert.ok(seq2seqModel({ vocabSize: 23, padId: PAD, dModel: 16, nhead: 2, pointer: true }) instanceof PointerSeq2Seq);
  assert.ok(!(seq2seqModel({ vocabSize: 23, padId: PAD, dModel: 16, nhead: 2 }) instanceof PointerSeq2Seq));
});

/** Greedy decoding without a cache: the whole prefix through the teacher-forced pass at each step. */
function greedyUncached(m: Seq2SeqTransformer, src: number[], max: number): number[] {
  const out: number[] = [];
  for (let t = 0; t < max; t++) {
    const next = fl.noGrad(() =>
      fl.tidy(() =>
        Number(
          m
            .forwardLogProbs(tokenTensor([src], PAD), tokenTensor([[BOS, ...out]], PAD))
            .select(1, t)
            .argmax(-1)
            .item(),
        ),
      ),
    );
    if (next === EOS) break;
    out.push(next);
  }
  return out;
}

test("pointer model: cached greedy equals uncached greedy, beam width 1 equals greedy, decoding frees its tensors", () => {
  const m = model();
  const srcs = [
    [5, 6, 7, 8],
    [9, 10, 11, 12, 13, 14],
  ];
  const got = greedyDecode(m, tokenTensor(srcs, PAD), { bos: BOS, eos: EOS, maxLength: 10 });
  srcs.forEach((s, i) => assert.deepEqual(got[i], greedyUncached(m, s, 10), `row ${i}`));
  const beam1 = beamSearch(m, tokenTensor([srcs[0]!], PAD), { bos: BOS, eos: EOS, maxLength: 10, beamSize: 1, lengthPenalty: 0 });
  assert.deepEqual(beam1, got[0]);
  const src = tokenTensor([srcs[1]!], PAD);
  const run = () => {
    greedyDecode(m, src, { bos: BOS, eos: EOS, maxLength: 8 });
    beamSearch(m, src, { bos: BOS, eos: EOS, maxLength: 8, beamSize: 3 });
  };
  run();
  const before = fl.memory().liveTensors;
  for (let i = 0; i < 3; i++) run();
  assert.ok(fl.memory().liveTensors <= before, `live tensors ${fl.memory().liveTensors} > ${before}`);
});

test("decoding constraints: no end before the minimum length, no repeated n-gram", () => {
  const lp = Float32Array.from([-1, -2, -0.1, -3, -4]);
  const eos = 2;
  assert.equal(constrainStep(lp, [0, 1], { eos }), lp, "nothing forbidden: the same array");
  assert.equal(constrainStep(lp, [0], { eos, minLength: 2 })[eos], Number.NEGATIVE_INFINITY);
  assert.equal(constrainStep(lp, [0, 1], { eos, minLength: 2 })[eos], lp[eos]);
  // Trigram blocking: "3 4" was followed by 1 before, so after "… 3 4" token 1 is banned.
  const blocked = constrainStep(lp, [3, 4, 1, 0, 3, 4], { eos, noRepeatNgram: 3 });
  assert.equal(blocked[1], Number.NEGATIVE_INFINITY);
  assert.deepEqual(
    Array.from(blocked).map((v, i) => (i === 1 ? 0 : v)),
    Array.from(lp).map((v, i) => (i === 1 ? 0 : v)),
  );
  // Unigram blocking: no token twice.
  assert.deepEqual(
    Array.from(constrainStep(lp, [0, 3], { eos, noRepeatNgram: 1 })).map((v) => v === Number.NEGATIVE_INFINITY),
    [true, false, false, true, false],
  );
  const m = model();
  const src = tokenTensor([[5, 6, 7]], PAD);
  for (const out of [
    greedyDecode(m, src, { bos: BOS, eos: EOS, maxLength: 12, minLength: 6, noRepeatNgram: 1 })[0]!,
    beamSearch(m, src, { bos: BOS, eos: EOS, maxLength: 12, beamSize: 3, minLength: 6, noRepeatNgram: 1 }),
  ]) {
    assert.ok(out.length >= 6, `length ${out.length} < 6: ${out}`);
    assert.equal(new Set(out).size, out.length, `a repeated token: ${out}`);
  }
  assert.throws(
    () => greedyDecode(m, src, { bos: BOS, eos: EOS, minLength: -1 }),
    /greedyDecode: minLength must be a non-negative integer, got -1/,
  );
});

test("quoting: the output is a span of a source, opening it when asked, ending only at a stop or the source's end", () => {
  const eos = 2;
  const sources = [
    [5, 6, 7, 5, 8],
    [9, 5, 6, 4],
  ];
  const set = (xs: Iterable<number>) => [...xs].sort((a, b) => a - b);
  // Anywhere: any source token may start; after "5 6" come 7 (first source) and 4 (second).
  assert.deepEqual(set(quotableNext({ sources }, [], eos)), [4, 5, 6, 7, 8, 9]);
  assert.deepEqual(set(quotableNext({ sources }, [5, 6], eos)), [eos, 4, 7]);
  // Opening: only the first tokens; "5 6" then only continues the first source.
  assert.deepEqual(set(quotableNext({ sources, opening: true }, [], eos)), [5, 9]);
  assert.deepEqual(set(quotableNext({ sources, opening: true }, [5, 6], eos)), [eos, 7]);
  // Stops: end only after token 7 — or at a source's end, whatever the last token.
  const stops = new Set([7]);
  assert.deepEqual(set(quotableNext({ sources, stops }, [5, 6], eos)), [4, 7]);
  assert.deepEqual(set(quotableNext({ sources, stops }, [5, 6, 7], eos)), [eos, 5]);
  assert.deepEqual(set(quotableNext({ sources, stops }, [9, 5, 6, 4], eos)), [eos]);
  // A prefix found nowhere can only end.
  const lp = Float32Array.from({ length: 10 }, (_, i) => -i / 10);
  const off = constrainStep(lp, [3], { eos, quote: { sources } });
  assert.deepEqual(
    Array.from(off).map((v) => v > Number.NEGATIVE_INFINITY),
    Array.from(lp, (_, i) => i === eos),
  );
  // Greedy decoding under a quote reproduces a source span, whatever the untrained model prefers.
  const m = model();
  const src = tokenTensor([[5, 6, 7, 8]], PAD);
  const quote = {
    sources: [
      [10, 11, 12, 13, 14, 15],
      [16, 17, 18],
    ],
    opening: true,
  };
  for (const out of [
    greedyDecode(m, src, { bos: BOS, eos: EOS, maxLength: 12, quote })[0]!,
    beamSearch(m, src, { bos: BOS, eos: EOS, maxLength: 12, beamSize: 3, quote }),
  ]) {
    assert.ok(out.length > 0, "an empty quote");
    const from = quote.sources.find((s) => s[0] === out[0]);
    assert.ok(from, `${out} opens no source`);
    assert.deepEqual(out, from.slice(0, out.length));
  }
});

test("pointer model learns a copy-only task (target = the first 3 source tokens) to near-perfect ROUGE", () => {
  fl.manualSeed(0);
  const V = 40;
  let seed = 7;
  const rand = (n: number) => {
    seed = (seed * 16807) % 2147483647;
    return seed % n;
  };
  const source = () => Array.from({ length: 5 + rand(4) }, () => 3 + rand(V - 3));
  const m = new PointerSeq2Seq({
    vocabSize: V,
    padId: PAD,
    dModel: 32,
    nhead: 2,
    encoderLayers: 1,
    decoderLayers: 1,
    dimFeedforward: 64,
    dropout: 0,
  });
  const opt = new AdamW(m.parameters(), { lr: 3e-3 });
  for (let step = 0; step < 250; step++)
    fl.tidy(() => {
      const srcs = Array.from({ length: 32 }, source);
      const logp = m.forwardLogProbs(
        tokenTensor(
          srcs.map((s) => [...s, EOS]),
          PAD,
        ),
        tokenTensor(
          srcs.map((s) => [BOS, ...s.slice(0, 3)]),
          PAD,
        ),
      );
      const target = tokenTensor(
        srcs.map((s) => [...s.slice(0, 3), EOS]),
        PAD,
      );
      const loss = logp.gather(2, target.unsqueeze(2)).mean().neg();
      opt.zeroGrad();
      loss.backward();
      opt.step();
    });
  m.eval();
  const test = Array.from({ length: 40 }, source);
  const out = greedyDecode(
    m,
    tokenTensor(
      test.map((s) => [...s, EOS]),
      PAD,
    ),
    { bos: BOS, eos: EOS, maxLength: 6 },
  );
  const words = (ids: number[]) => ids.map((i) => `w${i}`).join(" ");
  const r = corpusRouge(
    out.map(words),
    test.map((s) => words(s.slice(0, 3))),
  );
  assert.ok(r.rougeL > 0.95 && r.rouge2 > 0.9, `ROUGE-2 ${r.rouge2}, ROUGE-L ${r.rougeL}`);
});
