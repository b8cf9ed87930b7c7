// The seq2seq Transformer: cached incremental decoding equals the teacher-forced pass,
// beam search of width 1 equals greedy, sampling truncation rules, no leaks while decoding.
import assert from "node:assert/strict";
import { test } from "node:test";
import * as fl from "flambeau";
import { beamSearch, greedyDecode, sampleDecode, sampleFrom } from "../../src/text/seq2seq/decode.js";
import { Seq2SeqTransformer, tokenTensor } from "../../src/text/seq2seq/transformer.js";

const PAD = 0;
const BOS = 1;
const EOS = 2;

function model(): Seq2SeqTransformer {
  fl.manualSeed(3);
  const m = new Seq2SeqTransformer({
    vocabSize: 23,
    padId: PAD,
    dModel: 16,
    nhead: 2,
    encoderLayers: 2,
    decoderLayers: 2,
    dimFeedforward: 32,
  });
  m.eval();
  return m;
}

test("cached step-by-step logits equal the teacher-forced forward pass (padded batch)", () => {
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
      const full = m.forward(src, tgtIn);
      const s = m.startDecoding(src);
      for (let t = 0; t < 4; t++) {
        const logits = m.step(s, tgtIn.select(1, t));
        const ref = full.select(1, t);
        const diff = logits.sub(ref).abs().max().item();
        assert.ok(diff < 1e-4, `step ${t}: max difference ${diff}`);
      }
    }),
  );
});

/** Greedy decoding without a cache: the whole prefix through forward at each step. */
function greedyUncached(m: Seq2SeqTransformer, src: number[], max: number): number[] {
  const out: number[] = [];
  for (let t = 0; t < max; t++) {
    const next = fl.noGrad(() =>
      fl.tidy(() =>
        Number(
          m
            .forward(tokenTensor([src], PAD), tokenTensor([[BOS, ...out]], PAD))
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

test("greedy decoding with the cache equals decoding without it; beam width 1 equals greedy", () => {
  const m = model();
  const srcs = [
    [5, 6, 7, 8],
    [9, 10, 11, 12, 13, 14],
  ];
  const got = greedyDecode(m, tokenTensor(srcs, PAD), { bos: BOS, eos: EOS, maxLength: 12 });
  // Row 1 is padded in the batch; the padding must not change its result.
  srcs.forEach((s, i) => assert.deepEqual(got[i], greedyUncached(m, s, 12), `row ${i}`));
  const beam1 = beamSearch(m, tokenTensor([srcs[0]!], PAD), { bos: BOS, eos: EOS, maxLength: 12, beamSize: 1, lengthPenalty: 0 });
  assert.deepEqual(beam1, got[0]);
  const streamed: number[] = [];
  greedyDecode(m, tokenTensor([srcs[0]!], PAD), { bos: BOS, eos: EOS, maxLength: 12, onToken: (id) => streamed.push(id) });
  assert.deepEqual(streamed, got[0]);
});

test("beam search finds a higher-scoring hypothesis than greedy, or the same one", () => {
  const m = model();
  const src = tokenTensor([[5, 6, 7]], PAD);
  const score = (ys: number[]) =>
    fl.noGrad(() =>
      fl.tidy(() => {
        const lp = m
          .forward(src, tokenTensor([[BOS, ...ys]], PAD))
          .logSoftmax(-1)
          .select(0, 0);
        const target = [...ys, EOS];
        return target.reduce((a, y, t) => a + lp.select(0, t).select(0, y).item(), 0);
      }),
    );
  const g = greedyDecode(m, src, { bos: BOS, eos: EOS, maxLength: 8 })[0]!;
  const b = beamSearch(m, src, { bos: BOS, eos: EOS, maxLength: 8, beamSize: 5, lengthPenalty: 0 });
  if (g.length < 8 && b.length < 8) assert.ok(score(b) >= score(g) - 1e-4, `beam ${score(b)} < greedy ${score(g)}`);
});

test("sampling: top-k 1 and a tiny top-p are greedy; frequencies follow the tempered softmax", () => {
  const lp = [Math.log(0.5), Math.log(0.3), Math.log(0.2)];
  let seed = 1;
  const random = () => {
    seed = (seed * 16807) % 2147483647;
    return (seed - 1) / 2147483646;
  };
  for (let i = 0; i < 20; i++) {
    assert.equal(sampleFrom(lp, 1, 1, 1, random), 0);
    assert.equal(sampleFrom(lp, 1, 3, 0.1, random), 0);
    assert.ok(sampleFrom(lp, 1, 3, 0.75, random) < 2, "top-p 0.75 keeps {0, 1}");
  }
  const counts = [0, 0, 0];
  for (let i = 0; i < 20000; i++) counts[sampleFrom(lp, 1, 3, 1, random)]!++;
  assert.ok(Math.abs(counts[0]! / 20000 - 0.5) < 0.02 && Math.abs(counts[2]! / 20000 - 0.2) < 0.02, `${counts}`);
  const m = model();
  assert.throws(() => sampleDecode(m, tokenTensor([[5]], PAD), { bos: BOS, eos: EOS, temperature: 0 }), /temperature must be > 0/);
  assert.throws(() => greedyDecode(m, fl.zeros([1, 3]), { bos: BOS, eos: EOS }), /source token ids must be int64 \[B, S\], got float32/);
});

test("decoding frees its caches (native memory flat across repeated decodes)", () => {
  const m = model();
  const src = tokenTensor([[5, 6, 7, 8]], PAD);
  const run = () => {
    greedyDecode(m, src, { bos: BOS, eos: EOS, maxLength: 10 });
    beamSearch(m, src, { bos: BOS, eos: EOS, maxLength: 10, beamSize: 3 });
    sampleDecode(m, src, { bos: BOS, eos: EOS, maxLength: 10, random: () => 0.5 });
  };
  run();
  const before = fl.memory().liveTensors;
  for (let i = 0; i < 5; i++) run();
  // At most as many: garbage from earlier tests may be finalized meanwhile.
  assert.ok(fl.memory().liveTensors <= before, `live tensors ${fl.memory().liveTensors} > ${before}`);
});
