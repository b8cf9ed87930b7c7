import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { describe, test } from "node:test";
import * as fl from "flambeau";
import { placeNames, simplifyBrownTag, universalTag } from "../../src/text/datasets/brown.js";
import {
  BertClassifier,
  BertForMaskedLM,
  BiLstmTagger,
  BowLogistic,
  RnnClassifier,
  TextCnn,
  WideDeepText,
} from "../../src/text/models/index.js";

const ids = (rows: number[][]) => {
  const L = Math.max(...rows.map((r) => r.length));
  return fl.tensor(BigInt64Array.from(rows.flatMap((r) => [...r, ...Array(L - r.length).fill(0)]).map(BigInt)), {
    shape: [rows.length, L],
  });
};
const close = (a: number[], b: number[], tol = 1e-5) => a.forEach((v, i) => assert.ok(Math.abs(v - b[i]!) < tol, `${i}: ${v} vs ${b[i]}`));

describe("text classifiers", () => {
  fl.manualSeed(0);
  const x = ids([
    [5, 6, 7, 8],
    [9, 3],
  ]);
  const models = {
    textcnn: new TextCnn({ vocabSize: 20, numClasses: 3, embedDim: 8, filters: 4 }),
    bilstm: new RnnClassifier({ vocabSize: 20, numClasses: 3, embedDim: 8, hiddenSize: 6 }),
    bigru: new RnnClassifier({ vocabSize: 20, numClasses: 3, embedDim: 8, hiddenSize: 6, cell: "gru" }),
    bert: new BertClassifier({ vocabSize: 20, numClasses: 3, dModel: 16, numHeads: 2, numLayers: 1, maxLength: 8 }),
    bow: new BowLogistic({ vocabSize: 20, numClasses: 3 }),
    "wide-deep": new WideDeepText({ vocabSize: 20, numClasses: 3, embedDim: 8, filters: 4, deepTokens: 3 }),
  };
  for (const [name, m] of Object.entries(models))
    test(`${name}: logits [B, C]; extra padding does not change a row's output`, () => {
      m.eval();
      const a = fl.noGrad(() => m.forward(x).toArray() as number[][]);
      assert.equal(a.length, 2);
      assert.equal(a[0]!.length, 3);
      const padded = ids([
        [5, 6, 7, 8, 0, 0, 0],
        [9, 3, 0, 0, 0, 0, 0],
      ]);
      const b = fl.noGrad(() => m.forward(padded).toArray() as number[][]);
      close(a.flat(), b.flat(), 1e-4);
    });
  test("TF-IDF features match a hand computation", () => {
    const m = new BowLogistic({ vocabSize: 5, numClasses: 2 });
    m.fitIdf([[1, 2], [1], [3, 3]]);
    // smooth idf: log((1+3)/(1+df)) + 1 → df = [0, 2, 1, 1, 0]
    const idf = [Math.log(4) + 1, Math.log(4 / 3) + 1, Math.log(2) + 1, Math.log(2) + 1, Math.log(4) + 1];
    const f = m.features(ids([[3, 3, 1]])).toArray() as number[][];
    const raw = [0, Math.log(2) * idf[1]!, 0, Math.log(3) * idf[3]!, 0];
    const n = Math.hypot(...raw);
    close(
      f[0]!,
      raw.map((v) => v / n),
    );
  });
  test("masked-LM head gives vocabulary logits per position; head() on chosen positions agrees", () => {
    const m = new BertForMaskedLM({ vocabSize: 20, dModel: 16, numHeads: 2, numLayers: 1, maxLength: 8 });
    m.eval();
    const full = fl.noGrad(() => m.forward(x));
    assert.deepEqual(full.shape, [2, 4, 20]);
    const h = fl.noGrad(() => m.head(m.bert.forward(x).select(0, 0).narrow(0, 2, 1)));
    close((h.toArray() as number[][]).flat(), full.select(0, 0).select(0, 2).toArray() as number[]);
  });
  test("wide & deep: TF-IDF logits over all tokens + TextCNN logits over the first deepTokens", () => {
    const m = new WideDeepText({ vocabSize: 20, numClasses: 3, embedDim: 8, filters: 4, deepTokens: 2 });
    m.fitIdf([[5, 6], [7], [9, 3, 3]]);
    m.eval();
    const got = fl.noGrad(() => m.forward(x).toArray() as number[][]).flat();
    const wide = fl.noGrad(() => m.wide.forward(x).toArray() as number[][]).flat();
    const deep = fl.noGrad(() => m.deep.forward(x.narrow(1, 0, 2)).toArray() as number[][]).flat();
    close(
      got,
      wide.map((w, i) => w + deep[i]!),
    );
    // The deep branch must not see token 3 onwards: changing it moves only the wide logits.
    const y = ids([
      [5, 6, 9, 9],
      [9, 3],
    ]);
    const deep2 = fl.noGrad(() => m.deep.forward(y.narrow(1, 0, 2)).toArray() as number[][]).flat();
    close(deep2, deep);
  });
});

describe("tagger", () => {
  test("emissions [B, T, tags] from words + characters", () => {
    const m = new BiLstmTagger({
      wordVocab: 10,
      charVocab: 10,
      numTags: 4,
      crf: true,
      wordDim: 8,
      charDim: 4,
      charFilters: 4,
      hiddenSize: 5,
    });
    const x = fl.randint(1, 10, [2, 3, 5]);
    assert.deepEqual(m.forward(x).shape, [2, 3, 4]);
    assert.ok(m.crf);
    assert.ok([...m.stateDict().keys()].includes("crf.transitions"));
  });
  test("place gazetteer from iso-codes", {
    skip: !existsSync("/usr/share/iso-codes/json") && "Debian's iso-codes is not installed",
  }, () => {
    const g = placeNames();
    for (const n of ["france", "georgia", "washington", "texas"]) assert.ok(g.has(n), n);
    assert.ok(!g.has("smith"));
  });
  test("Brown tags: simplified and universal", () => {
    assert.equal(simplifyBrownTag("nn-tl-hl"), "nn");
    assert.equal(simplifyBrownTag("fw-in"), "in");
    assert.deepEqual(["np$", "ppss+md", "bez*", "*", "fw-nn", "at", "in", "cs", "cc", "to", "cd", "jjr", "``", "uh"].map(universalTag), [
      "NOUN",
      "PRON",
      "VERB",
      "ADV",
      "X",
      "DET",
      "ADP",
      "ADP",
      "CONJ",
      "PRT",
      "NUM",
      "ADJ",
      ".",
      "X",
    ]);
  });
});

describe("masked-LM pre-training helpers", () => {
  test("maskTokens: only real, non-special tokens are chosen; labels -100 elsewhere", async () => {
    const { maskTokens, mlmLoss, transferEncoder } = await import("../../src/text/mlm.js");
    fl.manualSeed(1);
    const rows = Array.from({ length: 64 }, () => [2, ...Array.from({ length: 30 }, (_, k) => 5 + (k % 10)), 3, 0, 0]);
    const x = ids(rows);
    const { input, labels } = maskTokens(x, { maskId: 4, vocabSize: 20, specialIds: [2, 3] });
    const xi = x.toArray() as number[][];
    const ii = input.toArray() as number[][];
    const li = labels.toArray() as number[][];
    let chosen = 0;
    let masked = 0;
    xi.forEach((r, b) =>
      r.forEach((v, t) => {
        const l = li[b]![t]!;
        if (v === 0 || v === 2 || v === 3) {
          assert.equal(l, -100);
          assert.equal(ii[b]![t], v);
        }
        if (l !== -100) {
          chosen++;
          assert.equal(l, v);
          if (ii[b]![t] === 4) masked++;
        } else assert.equal(ii[b]![t], v);
      }),
    );
    const frac = chosen / (64 * 30);
    assert.ok(frac > 0.12 && frac < 0.18, `chose ${frac}`);
    assert.ok(masked / chosen > 0.7 && masked / chosen < 0.9, `masked ${masked / chosen}`);
    const mlm = new BertForMaskedLM({ vocabSize: 20, dModel: 16, numHeads: 2, numLayers: 1, maxLength: 40 });
    const loss = mlmLoss(mlm.forward(input), labels).item();
    assert.ok(Math.abs(loss - Math.log(20)) < 1.5, `initial loss ${loss} ≈ ln 20`);
    const clf = new BertClassifier({ vocabSize: 20, numClasses: 2, dModel: 16, numHeads: 2, numLayers: 1, maxLength: 40 });
    transferEncoder(mlm, clf);
    assert.deepEqual(clf.bert.tokEmbed.weight.toArray(), mlm.bert.tokEmbed.weight.toArray());
  });
});
