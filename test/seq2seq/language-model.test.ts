// The causal language model: cached generation equals recomputation, prefill is causal,
// and generation frees its caches.
import assert from "node:assert/strict";
import { test } from "node:test";
import * as fl from "flambeau";
import { CausalLM, generateTokens } from "../../src/text/seq2seq/language-model.js";

function lm(): CausalLM {
  fl.manualSeed(5);
  const m = new CausalLM({ vocabSize: 31, padId: 0, dModel: 16, nhead: 2, layers: 2, dimFeedforward: 32, maxLength: 64 });
  m.eval();
  return m;
}

test("prefill + cached steps give the forward pass's logits at every position", () => {
  const m = lm();
  const ids = [1, 5, 9, 4, 22, 7, 3];
  fl.noGrad(() =>
    fl.tidy(() => {
      const full = m.forward(fl.tensor(BigInt64Array.from(ids, BigInt), { shape: [1, ids.length] })).select(0, 0);
      const caches: Parameters<CausalLM["extend"]>[0] = [];
      // Prefill the first 4 tokens in one pass, then one token at a time.
      const first = m.extend(caches, fl.tensor(BigInt64Array.from(ids.slice(0, 4), BigInt), { shape: [1, 4] }), 0);
      assert.ok(first.squeeze(0).sub(full.select(0, 3)).abs().max().item() < 1e-4);
      for (let t = 4; t < ids.length; t++) {
        const step = m.extend(caches, fl.tensor(BigInt64Array.from([ids[t]!], BigInt), { shape: [1, 1] }), t);
        assert.ok(step.squeeze(0).sub(full.select(0, t)).abs().max().item() < 1e-4, `position ${t}`);
      }
    }),
  );
});

test("greedy generation with and without the cache agree; the cache is freed", () => {
  const m = lm();
  const a = generateTokens(m, [1, 5, 9], { maxNewTokens: 12, temperature: 0 });
  const b = generateTokens(m, [1, 5, 9], { maxNewTokens: 12, temperature: 0, useCache: false });
  assert.deepEqual(a, b);
  assert.equal(a.length, 12);
  const before = fl.memory().liveTensors;
  const streamed: number[] = [];
  generateTokens(m, [1], { maxNewTokens: 8, temperature: 0.8, random: () => 0.3, onToken: (id) => streamed.push(id) });
  assert.equal(streamed.length, 8);
  // At most as many: garbage from earlier tests may be finalized meanwhile.
  assert.ok(fl.memory().liveTensors <= before, `live tensors ${fl.memory().liveTensors} > ${before}`);
  assert.throws(() => generateTokens(m, []), /the prompt is empty/);
});
