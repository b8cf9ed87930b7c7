// relation-extraction (text → knowledge graph): which relation a text states between two named
// entities. Distant supervision (Mintz et al. 2009) on Debian: package descriptions that name
// another package, labelled with the Packages index's relation between the two
// (relations/debian-relations.ts); a Transformer encoder over the sentence with entity markers,
// classifying from the [E1] and [E2] states (Baldini Soares et al. 2019). Held-out packages'
// candidate pairs are ranked by confidence: precision@100/@500 as Mintz and Riedel report,
// and macro-F1 over the relations, beside the majority class and a bag-of-words logistic
// regression on the same marked sentences. A second built-in set, wordnet-hypernyms
// (relations/wordnet-hypernyms.ts), asks the same model which nouns of a WordNet gloss are the
// defined term's hypernyms ("a dog is a domesticated carnivore"), scored as extracted
// (term, hypernym) pairs and per-synset P@1 beside the genus-term heuristic.
import { join } from "node:path";
import { FlambeauError } from "../../core/errors.js";
import { manualSeed, noGrad, type Tensor, tensor, tidy } from "../../core/index.js";
import { crossEntropy } from "../../core/ops/loss.js";
import { chunks, epochBatches } from "../../data/epoch-batches.js";
import { permutation, seededSample } from "../../data/random.js";
import { writeTextAtomic } from "../../io/index.js";
import { AdamW } from "../../optim/index.js";
import { plural } from "../../tasks/format.js";
import { escapeHtml } from "../../tasks/html.js";
import { opt } from "../../tasks/options.js";
import {
  type DemoOptions,
  type DemoSection,
  defineTask,
  type EvalArgs,
  type Predictor,
  type TaskTrainResult,
  type TrainInput,
} from "../../tasks/task.js";
import { loadModelDir, saveModelDir } from "../../train/model-dir.js";
import { claimRunDistill } from "../../train/run-settings.js";
import { Trainer } from "../../train/trainer.js";
import { BowLogistic } from "../models/bow-logistic.js";
import { loadRelations, pairsOf, RELATION_DATA, RELATIONS, type RelationExample, relationSplit } from "../relations/debian-relations.js";
import { triplesSvg } from "../relations/graph-svg.js";
import { EntityMarkerClassifier, type MarkerClassifierOptions } from "../relations/marker-classifier.js";
import { findMention, MARKERS, type Mention, markEntities, parseInlineMentions } from "../relations/markers.js";
import { type PairScore, type RelationScores, rankTriples, relationScores } from "../relations/metrics.js";
import {
  formatExtraction,
  HYPERNYM_DATA,
  HYPERNYM_RELATIONS,
  type HypernymExample,
  hypernymScores,
  loadHypernyms,
  topHypernyms,
} from "../relations/wordnet-hypernyms.js";
import { padIds } from "../text-data.js";
import { Vocab } from "../vocab.js";

export const RELATION_EXTRACTION = "relation-extraction";
const T = RELATION_EXTRACTION;
/** Updates the default schedule aims at. */
const UPDATES = 12000;
const SPECIALS = ["<pad>", "<unk>", ...MARKERS];
const WINDOW = 24;
const MAX_LENGTH = 96;

const OPTIONS = {
  noneRatio: opt.number("training examples of the none class kept per related example (distant supervision is mostly none)", {
    phases: ["train"],
    positive: true,
    default: 3,
  }),
  dModel: opt.int("width of the Transformer encoder", { phases: ["train"], default: 64 }),
  layers: opt.int("Transformer encoder layers", { phases: ["train"], default: 2 }),
  head: opt.string("the head entity (the package the text describes); else mark both inline: [[head]] … [[tail]]", {
    phases: ["predict"],
  }),
  tail: opt.string("the tail entity, a word of the text", { phases: ["predict"] }),
};

interface Preprocessing {
  vocab: string;
  window: number;
  relations: string[];
  /** Training class frequencies (the majority baseline's probabilities). */
  prior: number[];
}

interface Encoded {
  ids: number[];
  e1: number;
  e2: number;
}

interface RelBatch {
  ids: Tensor;
  e1: Tensor;
  e2: Tensor;
  y: Tensor;
}

interface Loaded {
  model: EntityMarkerClassifier;
  vocab: Vocab;
  pre: Preprocessing;
}

const mentionOf = (x: RelationExample): Mention => ({ head: x.head, text: x.text, start: x.at, end: x.at + x.tail.length });

function encode(vocab: Vocab, m: Mention): Encoded {
  const { tokens, e1, e2 } = markEntities(m, WINDOW);
  return { ids: vocab.encode(tokens.slice(0, MAX_LENGTH)), e1, e2: Math.min(e2, MAX_LENGTH - 1) };
}

const longs = (xs: readonly number[]) =>
  tensor(
    BigInt64Array.from(xs, (v) => BigInt(v)),
    { shape: [xs.length] },
  );

function batchOf(enc: readonly Encoded[], labels: readonly number[]): RelBatch {
  return {
    ids: padIds(enc.map((e) => e.ids)),
    e1: longs(enc.map((e) => e.e1)),
    e2: longs(enc.map((e) => e.e2)),
    y: longs(labels),
  };
}

/** Class probabilities [n × classes] of encoded examples, from logits(batch). */
function probabilities(enc: readonly Encoded[], classes: number, logits: (b: RelBatch) => Tensor): Float32Array {
  const out = new Float32Array(enc.length * classes);
  for (let i = 0; i < enc.length; i += 128) {
    const part = enc.slice(i, i + 128);
    const p = noGrad(() =>
      tidy(
        () =>
          logits(batchOf(part, new Array(part.length).fill(0)))
            .softmax(1)
            .data() as Float32Array,
      ),
    );
    out.set(p, i * classes);
  }
  return out;
}

/** Candidate pairs with their sentences' mean probabilities. */
function pairScores(xs: readonly RelationExample[], probs: Float32Array, classes: number): PairScore[] {
  return pairsOf(xs).map((p) => {
    const mean = new Float64Array(classes);
    for (const i of p.examples) for (let c = 0; c < classes; c++) mean[c]! += probs[i * classes + c]! / p.examples.length;
    return { probs: mean, gold: p.gold };
  });
}

const modelLogits = (m: EntityMarkerClassifier) => (b: RelBatch) => m.forward(b.ids, b.e1, b.e2);

function modelScores(l: Loaded, xs: readonly RelationExample[]): { scores: RelationScores; pairs: PairScore[]; probs: Float32Array } {
  const C = l.pre.relations.length;
  const probs = probabilities(
    xs.map((x) => encode(l.vocab, mentionOf(x))),
    C,
    modelLogits(l.model),
  );
  const pairs = pairScores(xs, probs, C);
  return { scores: relationScores(pairs, l.pre.relations), pairs, probs };
}

/** The majority baseline: every pair gets the training prior (none wins; its triples are the likeliest relation, in data order). */
function majorityScores(xs: readonly RelationExample[], prior: readonly number[], relations: readonly string[]): RelationScores {
  return relationScores(
    pairsOf(xs).map((p) => ({ probs: prior, gold: p.gold })),
    relations,
  );
}

/** The relations of a data set: none and hypernym for wordnet-hypernyms, RELATIONS for Debian's and a user's .jsonl. */
const relationsOf = (data: string): string[] => [...(data === HYPERNYM_DATA ? HYPERNYM_RELATIONS : RELATIONS)];

/** The examples of a built-in set's split, or every row of a user's .jsonl. */
const loadExamples = (data: string, split: "train" | "val" | "test"): Promise<RelationExample[]> =>
  data === HYPERNYM_DATA ? loadHypernyms(split) : loadRelations(data, split);

/** The first `n` examples, extended to the end of the last one's synset (P@1 needs whole synsets). */
function firstExamples(xs: readonly RelationExample[], n: number): RelationExample[] {
  let k = Math.min(n, xs.length);
  while (k > 0 && k < xs.length && xs[k]!.group !== undefined && xs[k]!.group === xs[k - 1]!.group) k++;
  return xs.slice(0, k);
}

/** The bag-of-words logistic regression (TF-IDF of the marked sentence) trained on the same examples; its test scores. */
function bowBaseline(
  vocab: Vocab,
  train: readonly Encoded[],
  labels: readonly number[],
  test: readonly RelationExample[],
  seed: number,
  relations: readonly string[],
): { scores: RelationScores; probs: Float32Array } {
  const C = relations.length;
  const model = new BowLogistic({ vocabSize: vocab.size, numClasses: C });
  try {
    model.fitIdf(train.map((e) => e.ids));
    const optimizer = new AdamW(model.parameters(), { lr: 0.02, weightDecay: 1e-4 });
    for (let epoch = 0; epoch < 5; epoch++)
      for (const idx of chunks(permutation(train.length, seed, 7, epoch), 64)) {
        tidy(() => {
          const b = batchOf(
            Array.from(idx, (k) => train[k]!),
            Array.from(idx, (k) => labels[k]!),
          );
          optimizer.zeroGrad();
          const loss = crossEntropy(model.forward(b.ids), b.y);
          loss.backward();
          optimizer.step();
        });
      }
    model.eval();
    const probs = probabilities(
      test.map((x) => encode(vocab, mentionOf(x))),
      C,
      (b) => model.forward(b.ids),
    );
    return { scores: relationScores(pairScores(test, probs, C), relations), probs };
  } finally {
    model.dispose();
  }
}

/** All related examples and `ratio` × as many none examples drawn with the seed (all of them when fewer). */
function sampleTraining(xs: readonly RelationExample[], ratio: number, seed: number): RelationExample[] {
  const related = xs.filter((x) => x.relation !== 0);
  const none = xs.filter((x) => x.relation === 0);
  const keep = Math.min(none.length, Math.ceil(ratio * Math.max(1, related.length)));
  const picked = Array.from(permutation(none.length, seed, 3).subarray(0, keep), (i) => none[i]!);
  return [...related, ...picked];
}

async function splits(o: TrainInput): Promise<{ train: RelationExample[]; val: RelationExample[]; test: RelationExample[] }> {
  if (o.data === RELATION_DATA || o.data === HYPERNYM_DATA)
    return {
      train: await loadExamples(o.data, "train"),
      val: await loadExamples(o.data, "val"),
      test: await loadExamples(o.data, "test"),
    };
  const all = await loadRelations(o.data, "train");
  if (o.val) return { train: all, val: await loadRelations(o.val, "val"), test: await loadRelations(o.val, "val") };
  const train = all.filter((x) => relationSplit(x.head) === "train");
  const held = all.filter((x) => relationSplit(x.head) !== "train");
  return { train, val: held, test: held };
}

const fmt = (s: RelationScores) => `P@100 ${s.p100.toFixed(1)}, P@500 ${s.p500.toFixed(1)}, macro-F1 ${s.macroF1.toFixed(1)}`;

async function train(o: TrainInput & { noneRatio?: number; dModel?: number; layers?: number }): Promise<TaskTrainResult> {
  const { seed, log } = o;
  manualSeed(seed);
  const data = await splits(o);
  const trainXs = seededSample(sampleTraining(data.train, o.noneRatio ?? 3, seed), o.limit, seed, 1);
  if (!trainXs.length) throw new FlambeauError("E_FORMAT", `${T}: no training examples in ${o.data}`, T);
  const val = data.val.slice(0, o.limit !== undefined ? 1000 : 8000);
  const vocab = Vocab.build(
    trainXs.map((x) => markEntities(mentionOf(x), WINDOW).tokens),
    { minFreq: 2, maxSize: 30000, specials: SPECIALS },
  );
  const relations = relationsOf(o.data);
  const C = relations.length;
  const counts = new Array<number>(C).fill(0);
  for (const x of data.train) counts[x.relation]!++;
  const prior = counts.map((c) => c / Math.max(1, data.train.length));
  const hyper: MarkerClassifierOptions = {
    vocabSize: vocab.size,
    numClasses: C,
    dModel: o.dModel ?? 64,
    numHeads: 4,
    numLayers: o.layers ?? 2,
    maxLength: MAX_LENGTH,
    dropout: 0.1,
  };
  const model = new EntityMarkerClassifier(hyper);
  const pre: Preprocessing = { vocab: "vocab.json", window: WINDOW, relations, prior };
  const loaded: Loaded = { model, vocab, pre };
  const enc = trainXs.map((x) => encode(vocab, mentionOf(x)));
  const labels = trainXs.map((x) => x.relation);
  const batchSize = o.batchSize ?? 32;
  // The schedule is sized to about 12,000 updates (16 epochs on debian-relations, where 4 left
  // the model behind the bag-of-words baseline and 16 put it ahead), between 4 and 50 epochs.
  const epochs = o.epochs ?? Math.min(50, Math.max(4, Math.round(UPDATES / Math.ceil(enc.length / batchSize))));
  const lr = o.lr ?? 1e-3;
  const batches = epochBatches(
    (e) => chunks(permutation(enc.length, seed + e), batchSize),
    (idx) =>
      batchOf(
        Array.from(idx, (k) => enc[k]!),
        Array.from(idx, (k) => labels[k]!),
      ),
  );
  log(
    `${T}: ${trainXs.length} training sentences (${labels.filter((y) => y !== 0).length} related, none kept ${o.noneRatio ?? 3}:1), ${val.length} validation; vocabulary ${vocab.size}; entity-marker Transformer d=${hyper.dModel} × ${hyper.numLayers}, ${plural(epochs, "epoch")} of ${batches.length} batches of ${batchSize}, lr ${lr}`,
  );
  // `flambeau compress --distill-to`: the teacher reads the same marked sentences.
  const distill = claimRunDistill();
  const trainer = new Trainer<RelBatch>({
    name: T,
    model,
    optimizer: new AdamW(model.parameters(), { lr, weightDecay: 0.01 }),
    step: (b) => {
      const out = model.forward(b.ids, b.e1, b.e2);
      if (!distill) return crossEntropy(out, b.y);
      return distill((m) => (m as EntityMarkerClassifier).forward(b.ids, b.e1, b.e2), out, b.y);
    },
    batchSize: (b) => b.ids.shape[0]!,
    gradClipNorm: 1,
    validate: () => {
      const s = modelScores(loaded, val).scores;
      return { valMacroF1: Number.isNaN(s.macroF1) ? 0 : s.macroF1, valP100: s.p100 };
    },
    keepBest: { monitor: "valMacroF1", mode: "max" },
    progress: o.progress,
    seed,
  });
  const history = await trainer.fit(batches, { epochs });
  model.eval();
  // A limited (demo) run scores the first pairs of the held-out set only.
  const heldOut = o.limit !== undefined ? firstExamples(data.test, Math.max(3000, o.limit)) : data.test;
  const scored = modelScores(loaded, heldOut);
  const test = scored.scores;
  const majority = majorityScores(heldOut, prior, relations);
  const bowRun = bowBaseline(vocab, enc, labels, heldOut, seed, relations);
  const bow = bowRun.scores;
  log(
    `${T}: held-out (${test.pairs} pairs, ${test.related} related) model ${fmt(test)}; bag-of-words logistic ${fmt(bow)}; majority ${fmt(majority)}`,
  );
  const hypernyms = o.data === HYPERNYM_DATA ? hypernymScores(heldOut as HypernymExample[], scored.probs, bowRun.probs) : undefined;
  if (hypernyms) {
    log(
      `${T}: held-out hypernym pairs (${hypernyms.model.synsets} synsets, ${hypernyms.model.answerable} whose gloss names a hypernym, ${hypernyms.model.goldPairs} gold pairs): model ${formatExtraction(hypernyms.model)}; genus term ${formatExtraction(hypernyms.genus)}; genus term past empty heads ${formatExtraction(hypernyms.genusEmptyHeads)}; bag-of-words ${formatExtraction(hypernyms.bagOfWords!)}; majority ${formatExtraction(hypernyms.majority)}`,
    );
  }
  await saveModelDir<MarkerClassifierOptions, Preprocessing>(
    o.out,
    {
      task: T,
      architecture: "entity-marker-transformer",
      hyper,
      labels: relations,
      preprocessing: pre,
      metrics: { trainSentences: trainXs.length, epochs, bestEpoch: history.bestEpoch, seed, test, bagOfWords: bow, majority, hypernyms },
    },
    model.stateDict(),
  );
  await vocab.save(join(o.out, "vocab.json"));
  // The most confident extracted held-out hypernym pairs, drawn as the demo draws Debian's triples.
  if (hypernyms)
    await writeTextAtomic(T, join(o.out, "hypernyms.svg"), triplesSvg(topHypernyms(heldOut as HypernymExample[], scored.probs, 24)));
  // The best validation macro-F1 (in %, as the epochs log it) at the top level, for `flambeau tune --metric macroF1`.
  const bestVal = history.epochs[(history.bestEpoch ?? history.epochs.length) - 1]?.valMacroF1;
  return {
    dir: o.out,
    metrics: { macroF1: bestVal, test, bagOfWords: bow, majority, hypernyms } as unknown as Record<string, unknown>,
    history,
  };
}

async function loadModel(dir: string): Promise<Loaded> {
  const { config, weights } = await loadModelDir<MarkerClassifierOptions, Preprocessing>(dir, T);
  const model = new EntityMarkerClassifier(config.hyper);
  model.loadStateDict(weights);
  model.eval();
  const pre = config.preprocessing!;
  return { model, vocab: Vocab.load(join(dir, pre.vocab)), pre };
}

async function evaluate(dir: string, data: string, o: EvalArgs = {}): Promise<Record<string, unknown>> {
  const l = await loadModel(dir);
  try {
    const wanted = relationsOf(data);
    if (wanted.join() !== l.pre.relations.join())
      throw new FlambeauError(
        "E_ARG",
        `${T}: ${dir} classifies ${l.pre.relations.join(", ")} but ${data} is labelled ${wanted.join(", ")}: evaluate it on the data it was trained for`,
        T,
      );
    const all = await loadExamples(data, "test");
    const xs = o.limit !== undefined ? firstExamples(all, o.limit) : all;
    const scored = modelScores(l, xs);
    return {
      model: scored.scores,
      majority: majorityScores(xs, l.pre.prior, l.pre.relations),
      ...(data === HYPERNYM_DATA ? { hypernyms: hypernymScores(xs as HypernymExample[], scored.probs) } : {}),
    };
  } finally {
    l.model.dispose();
  }
}

export interface RelationPrediction {
  head: string;
  tail: string;
  relation: string;
  probability: number;
  probabilities: Record<string, number>;
}

function parseInput(input: string, i: number, o: { head?: string; tail?: string }): { head: string; tail: string; mention: Mention } {
  if (o.head !== undefined || o.tail !== undefined) {
    if (!o.head || !o.tail)
      throw new FlambeauError("E_ARG", `${T}: give both --head and --tail (or mark [[head]] … [[tail]] in the text)`, T);
    const at = findMention(input, o.tail);
    if (at < 0) throw new FlambeauError("E_ARG", `${T}: input ${i + 1}: the tail "${o.tail}" is not a word of the text`, T);
    return { head: o.head, tail: o.tail, mention: { head: o.head, text: input, start: at, end: at + o.tail.length } };
  }
  const inline = typeof input === "string" ? parseInlineMentions(input) : null;
  if (!inline)
    throw new FlambeauError("E_ARG", `${T}: input ${i + 1} must mark two entities as [[head]] … [[tail]], or give --head and --tail`, T);
  return inline;
}

async function load(dir: string): Promise<Predictor<RelationPrediction, { head?: string; tail?: string }>> {
  const l = await loadModel(dir);
  return {
    task: T,
    predict: async (inputs, o = {}) => {
      const parsed = inputs.map((s, i) => parseInput(s, i, o));
      const C = l.pre.relations.length;
      const probs = probabilities(
        parsed.map((p) => encode(l.vocab, p.mention)),
        C,
        modelLogits(l.model),
      );
      return parsed.map((p, i) => {
        const row = Array.from(probs.subarray(i * C, (i + 1) * C));
        const best = row.indexOf(Math.max(...row));
        return {
          head: p.head,
          tail: p.tail,
          relation: l.pre.relations[best]!,
          probability: row[best]!,
          probabilities: Object.fromEntries(l.pre.relations.map((r, c) => [r, row[c]!])),
        };
      });
    },
    dispose: () => l.model.dispose(),
  };
}

async function demo(o: DemoOptions): Promise<DemoSection> {
  const t0 = performance.now();
  const budget = o.full ? { epochs: 3, limit: 6000 } : { epochs: 3, limit: 2000 };
  const evalLimit = o.full ? undefined : 3000;
  const r = await train({ data: RELATION_DATA, out: o.out, seed: 0, progress: o.progress, log: o.log ?? (() => {}), ...budget });
  const l = await loadModel(o.out);
  const all = await loadRelations(RELATION_DATA, "test");
  const test = evalLimit !== undefined ? all.slice(0, evalLimit) : all;
  const { scores, pairs } = modelScores(l, test);
  l.model.dispose();
  const named = pairsOf(test);
  const top = rankTriples(pairs)
    .slice(0, 16)
    .map((t) => ({
      head: named[t.pair]!.head,
      relation: RELATIONS[t.relation]!,
      tail: named[t.pair]!.tail,
      confidence: t.confidence,
      correct: t.correct,
    }));
  const rows = top
    .map(
      (t) =>
        `<tr><td>${escapeHtml(t.head)}</td><td style="color:${t.correct ? "#1a7f37" : "#cf222e"}">${t.relation}</td><td>${escapeHtml(t.tail)}</td><td>${(100 * t.confidence).toFixed(0)}%</td></tr>`,
    )
    .join("");
  const majority = majorityScores(test, l.pre.prior, RELATIONS);
  const flags = `--epochs ${budget.epochs} --limit ${budget.limit}`;
  return {
    task: T,
    dataset: "Debian package descriptions naming other packages, labelled by the Packages index (distant supervision), held-out packages",
    commands: [
      `flambeau train ${T} --data ${RELATION_DATA} ${flags} --out ${o.out}`,
      `flambeau eval ${o.out} --data ${RELATION_DATA}${evalLimit ? ` --limit ${evalLimit}` : ""} --json`,
    ],
    metrics: {
      p100: scores.p100,
      p500: scores.p500,
      macroF1: scores.macroF1,
      majorityP100: majority.p100,
      bagOfWordsP100: (r.metrics.bagOfWords as RelationScores).p100,
    },
    history: r.history.epochs.map((e) => ({ loss: e.loss! })),
    seconds: (performance.now() - t0) / 1000,
    extraHtml: `<p>The ${top.length} most confident triples extracted from held-out descriptions (solid: the Packages index holds it; dashed: it does not).</p>${triplesSvg(top)}<table class="text-preds"><tr><th>package</th><th>relation</th><th>named package</th><th>confidence</th></tr>${rows}</table>`,
  };
}

export const relationExtraction = defineTask({
  name: T,
  description:
    "relation extraction (text → knowledge graph): an entity-marker Transformer (Baldini Soares et al. 2019) trained by distant supervision on Debian descriptions; P@100/P@500 of extracted triples and macro-F1 beside majority and bag-of-words baselines; WordNet hypernyms from glosses (wordnet-hypernyms) beside the genus-term heuristic",
  dataFormat: `${RELATION_DATA} (package descriptions naming other packages, labelled with the Packages index's Depends/Recommends/Suggests/Provides/Replaces or none, split by package), ${HYPERNYM_DATA} (WordNet noun glosses: is a noun of the definition a hypernym of the defined term; split by synset), or .jsonl with head,tail,text,relation; predict: "[[head]] … [[tail]] …" or the text with --head and --tail`,
  models: ["transformer"],
  defaultModel: "transformer",
  options: OPTIONS,
  baseline:
    "the majority (none) class and a bag-of-words logistic regression on the same sentences; on wordnet-hypernyms also the genus term (the gloss's first noun WordNet knows)",
  train,
  evaluate,
  load,
  loadModule: async (dir) => (await loadModel(dir)).model,
  formatPrediction: (p: RelationPrediction) => `${p.head} ${p.relation} ${p.tail} (${(100 * p.probability).toFixed(1)}%)`,
  demo,
});
