// The README's multi-task figure: Brown POS tagging (universal tags) and entity tagging (silver
// BIO spans over proper-noun runs) learnt apart — two BiLSTM + char-CNN taggers — or jointly —
// one shared tagger body with a head per task, the two losses summed (FixedWeighting 1:1) or
// weighted by GradNorm on the body's last layer. Each model sees the same sentences for the
// same number of steps: the joint network costs one model's compute for both tasks, apart
// costs two. Test: POS token accuracy and entity F1 (seqeval rules) on held-out Brown files.
// usage (after the build): node scripts/multitask-brown.mjs [trainSentences] [testSentences] [epochs] [seed] [runs]
import * as fl from "../dist/src/index.js";
import { brownEntities, brownPos } from "../dist/src/text/datasets/brown.js";
import { entityScores } from "../dist/src/text/entities.js";
import { BiLstmTagger } from "../dist/src/text/models/bilstm-tagger.js";
import { encodeSentences, IGNORE_TAG, normWord, packSentences, wordChars } from "../dist/src/text/tag-data.js";
import { Vocab } from "../dist/src/text/vocab.js";

const [nTrain, nTest, epochs, seed] = [3000, 1000, 2, 0].map((d, i) => Number(process.argv[2 + i] ?? d));
const runs = (process.argv[6] ?? "apart,joint,gradnorm").split(",");
const { multitask } = fl.learn;
const BATCH = 32;
const FEAT = 128;

// The two tag sets label the same sentences in the same order.
const pick = (n, split) => {
  const pos = brownPos(split);
  const ent = brownEntities(split);
  const order = Array.from(fl.data.permutation(pos.length, seed)).slice(0, n);
  return { pos: order.map((i) => pos[i]), ent: order.map((i) => ent[i]) };
};
const train = pick(nTrain, "train");
const test = pick(nTest, "test");
const words = Vocab.build(
  train.pos.map((s) => s.tokens.map(normWord)),
  { minFreq: 2, maxSize: 50000 },
);
const chars = Vocab.build(
  train.pos.map((s) => s.tokens.flatMap(wordChars)),
  { minFreq: 1, maxSize: 500 },
);
const tagsOf = (ss) => [...new Set(ss.flatMap((s) => s.tags))].sort();
const TAGS = { pos: tagsOf(train.pos), ent: tagsOf(train.ent) };
const enc = (ss, t) => encodeSentences(ss, words, chars, new Map(TAGS[t].map((x, i) => [x, i])));
const data = {
  train: { pos: enc(train.pos, "pos"), ent: enc(train.ent, "ent") },
  test: { pos: enc(test.pos, "pos"), ent: enc(test.ent, "ent") },
};

/** The tagger body: embeddings, char-CNN, BiLSTM and a linear layer to FEAT features per token. */
const body = () => new BiLstmTagger({ wordVocab: words.size, charVocab: chars.size, numTags: FEAT });
const head = (t) => new fl.nn.Linear(FEAT, TAGS[t].length);
const ce = (out, y) => fl.nn.functional.crossEntropy(out.reshape([-1, out.shape[2]]), y.reshape([-1]), { ignoreIndex: IGNORE_TAG });

function* batches(split, epoch) {
  const n = data[split].pos.length;
  const order = split === "train" ? Array.from(fl.data.permutation(n, seed + 1000 * epoch)) : [...Array(n).keys()];
  for (let s = 0; s < n; s += BATCH) {
    const ids = order.slice(s, s + BATCH);
    const [x, yPos] = packSentences(ids.map((i) => data[split].pos[i]));
    const [, yEnt] = packSentences(ids.map((i) => data[split].ent[i]));
    yield { x, y: { pos: yPos, ent: yEnt } };
  }
}

/** Trains `model` (x → { task: logits }) on `tasks`, combining their losses with `weighting`. */
function fit(model, tasks, weighting) {
  fl.manualSeed(seed);
  const opt = new fl.optim.Adam(model.parameters(), { lr: 3e-3 });
  model.train();
  for (let e = 0; e < epochs; e++)
    for (const b of batches("train", e))
      fl.tidy(() => {
        const out = model.forward(b.x);
        const losses = Object.fromEntries(tasks.map((t) => [t, ce(out[t], b.y[t])]));
        const loss = weighting.combine(losses);
        opt.zeroGrad();
        loss.backward();
        fl.nn.utils.clipGradNorm_(model.parameters(), 5);
        opt.step();
      });
}

function score(model, tasks) {
  model.eval();
  const truth = { pos: [], ent: [] };
  const pred = { pos: [], ent: [] };
  fl.noGrad(() => {
    for (const b of batches("test", 0))
      fl.tidy(() => {
        const out = model.forward(b.x);
        for (const t of tasks) {
          const p = out[t].argmax(2).toArray();
          const y = b.y[t].toArray();
          y.forEach((row, i) => {
            const keep = row.map((v, k) => [v, k]).filter(([v]) => v !== IGNORE_TAG);
            truth[t].push(keep.map(([v]) => TAGS[t][v]));
            pred[t].push(keep.map(([, k]) => TAGS[t][p[i][k]]));
          });
        }
      });
  });
  const r = {};
  if (tasks.includes("pos")) {
    const flat = truth.pos.flat();
    const hit = pred.pos.flat().filter((v, i) => v === flat[i]).length;
    r.posAccuracy = hit / flat.length;
  }
  if (tasks.includes("ent")) r.entityF1 = entityScores(truth.ent, pred.ent).f1;
  return r;
}

class Net extends fl.nn.Module {
  constructor(tasks) {
    super();
    this.body = body();
    this.heads = new fl.nn.ModuleDict(Object.fromEntries(tasks.map((t) => [t, head(t)])));
    this.tasks = tasks;
  }
  forward(x) {
    const z = this.body.forward(x);
    return Object.fromEntries(this.tasks.map((t) => [t, this.heads.get(t).forward(z)]));
  }
}

console.log(
  JSON.stringify({ trainSentences: nTrain, testSentences: nTest, epochs, seed, posTags: TAGS.pos.length, entTags: TAGS.ent.length }),
);
for (const run of runs) {
  const t0 = Date.now();
  let r;
  if (run === "apart") {
    r = {};
    for (const t of ["pos", "ent"]) {
      const m = new Net([t]);
      fit(m, [t], new multitask.FixedWeighting({ [t]: 1 }));
      Object.assign(r, score(m, [t]));
    }
  } else {
    const m = new Net(["pos", "ent"]);
    const w =
      run === "gradnorm"
        ? new multitask.GradNorm(["pos", "ent"], () => m.body.fc.parameters(), { alpha: 1.5, lr: 0.025 })
        : new multitask.FixedWeighting({ pos: 1, ent: 1 });
    fit(m, ["pos", "ent"], w);
    r = score(m, ["pos", "ent"]);
    if (run === "gradnorm") r.finalWeights = w.weights();
  }
  console.log(JSON.stringify({ run, ...r, seconds: (Date.now() - t0) / 1000 }));
}
