// The chat template: its text form, its token rows with next-token labels masked before the
// answer, passages cut to fit, and the answer-only loss checked against a hand computation.
import assert from "node:assert/strict";
import { test } from "node:test";
import { manualSeed, tensor } from "../../../src/core/index.js";
import { answerLoss, sftBatch } from "../../../src/text/chat/sft.js";
import { chatPrompt, encodeChat, encodeQuestionTurn, IGNORE } from "../../../src/text/chat/template.js";
import { CausalLM, generateTokens } from "../../../src/text/seq2seq/language-model.js";

const K = { bos: 1, eos: 2, user: 3, assistant: 4, context: 5 };
const M = IGNORE;

test("chatPrompt: context turns, then the user's question, then the assistant's cue", () => {
  assert.equal(
    chatPrompt({ question: "What is dpkg?", passages: ["dpkg: package manager.", "apt: front end."] }),
    "<|context|> dpkg: package manager.\n<|context|> apt: front end.\n<|user|> What is dpkg?\n<|assistant|> ",
  );
  assert.equal(chatPrompt({ question: "Hi?", passages: [] }), "<|user|> Hi?\n<|assistant|> ");
});

test("encodeChat: <s> <|context|> p₁ <|context|> p₂ <|user|> q <|assistant|> a </s>, labels only on the answer", () => {
  const { ids, labels } = encodeChat(
    {
      question: [30, 31],
      passages: [
        [10, 11, 12],
        [20, 21],
      ],
      answer: [40, 41],
    },
    K,
    100,
  );
  assert.deepEqual(ids, [1, 5, 10, 11, 12, 5, 20, 21, 3, 30, 31, 4, 40, 41, 2]);
  // Position i predicts ids[i + 1]: only the positions from <|assistant|> on predict answer tokens (and </s>).
  assert.deepEqual(labels, [M, M, M, M, M, M, M, M, M, M, M, 40, 41, 2]);
  // A prompt has no answer and no labels to learn.
  const p = encodeChat({ question: [30], passages: [[10]] }, K, 100);
  assert.deepEqual(p.ids, [1, 5, 10, 3, 30, 4]);
  assert.deepEqual(p.labels, [M, M, M, M, M]);
});

test("encodeChat: passages are cut to fit the model's length; a question and answer that cannot fit are an error", () => {
  const { ids, labels } = encodeChat(
    {
      question: [30, 31],
      passages: [
        [10, 11, 12, 13],
        [20, 21],
      ],
      answer: [40, 41],
    },
    K,
    12,
  );
  assert.deepEqual(ids, [1, 5, 10, 11, 12, 3, 30, 31, 4, 40, 41, 2]);
  assert.equal(ids.length, 12);
  assert.deepEqual(labels, [M, M, M, M, M, M, M, M, 40, 41, 2]);
  assert.throws(
    () => encodeChat({ question: [30, 31], passages: [], answer: [40, 41] }, K, 7),
    /a turn needs 8 tokens without its passages/,
  );
});

test("encodeQuestionTurn: <s> <|context|> passage <|user|> question </s>, labels only on the question; the passage cut to fit", () => {
  const { ids, labels } = encodeQuestionTurn([10, 11, 12], [30, 31], K, 100);
  assert.deepEqual(ids, [1, 5, 10, 11, 12, 3, 30, 31, 2]);
  assert.deepEqual(labels, [M, M, M, M, M, 30, 31, 2]);
  const cut = encodeQuestionTurn([10, 11, 12], [30, 31], K, 8);
  assert.deepEqual(cut.ids, [1, 5, 10, 11, 3, 30, 31, 2]);
  assert.throws(() => encodeQuestionTurn([10], [30, 31, 32, 33], K, 8), /a question of 4 tokens leaves no room for its passage in 8/);
});

test("answerLoss: mean cross-entropy over the answer positions only, as computed by hand", () => {
  // Position 0 is prompt (masked); position 1: logits (0, ln 2, 0) → p = (¼, ½, ¼), label 2 → −ln ¼;
  // position 2: logits (ln 3, 0, 0) → p = (⅗, ⅕, ⅕), label 0 → −ln ⅗. Mean: ½ ln(20/3).
  const logits = tensor([5, -5, 0, 0, Math.log(2), 0, Math.log(3), 0, 0], { shape: [1, 3, 3], requiresGrad: true });
  const labels = tensor(BigInt64Array.from([BigInt(M), 2n, 0n]), { shape: [1, 3] });
  const loss = answerLoss(logits, labels);
  assert.ok(Math.abs(Number(loss.item()) - 0.5 * Math.log(20 / 3)) < 1e-6, `loss ${loss.item()}`);
  assert.ok(Math.abs(Number(answerLoss(logits, labels, "sum").item()) - Math.log(20 / 3)) < 1e-6);
  // The masked prompt position gets no gradient.
  loss.backward();
  const g = Array.from(logits.grad!.data() as Float32Array);
  assert.deepEqual(g.slice(0, 3), [0, 0, 0]);
  // d/dz of ½(−log p₂) at position 1 is ½(p − onehot): (⅛, ¼, −⅜).
  const want = [1 / 8, 1 / 4, -3 / 8];
  want.forEach((w, i) => assert.ok(Math.abs(g[3 + i]! - w) < 1e-6, `${g[3 + i]} vs ${w}`));
});

test("sftBatch: inputs drop the last token and pad with <pad>; labels pad with IGNORE", () => {
  const a = encodeChat({ question: [30], passages: [], answer: [40] }, K, 50);
  const b = encodeChat({ question: [30, 31], passages: [[10]], answer: [40, 41] }, K, 50);
  const [x, y] = sftBatch([a, b], 0);
  assert.deepEqual(x.shape, [2, 9]);
  assert.deepEqual(Array.from(x.data() as BigInt64Array, Number).slice(0, 9), [1, 3, 30, 4, 40, 0, 0, 0, 0]);
  assert.deepEqual(Array.from(y.data() as BigInt64Array, Number).slice(0, 9), [M, M, M, 40, 2, M, M, M, M]);
  assert.deepEqual(Array.from(y.data() as BigInt64Array, Number).slice(9), [M, M, M, M, M, M, 40, 41, 2]);
});

test("generateTokens with noRepeatNgram: greedy decoding never repeats a trigram of what it produced", () => {
  manualSeed(0);
  const model = new CausalLM({ vocabSize: 6, padId: 0, dModel: 8, nhead: 2, layers: 1, dimFeedforward: 16, maxLength: 64 });
  model.eval();
  const out = generateTokens(model, [1, 2], { maxNewTokens: 40, temperature: 0, noRepeatNgram: 3 });
  const seen = new Set<string>();
  for (let i = 0; i + 3 <= out.length; i++) {
    const g = out.slice(i, i + 3).join(",");
    assert.ok(!seen.has(g), `trigram ${g} repeated in ${out.join(",")}`);
    seen.add(g);
  }
  // Six tokens allow 216 trigrams: all 40 tokens are produced.
  assert.equal(out.length, 40);
  model.dispose();
});
