// Training the FAQ retriever. 530 FAQ pairs are too few to learn word meanings from, so both
// models are pre-trained on a larger real signal first: Debian's package synopses → their long
// descriptions (ddtp-summaries' training split: all 55,637 pairs by default, a seeded sample with --limit; a synopsis is a short question-like
// text, the description the passage that answers it), then fine-tuned on the FAQ's training
// pairs. The bi-encoder learns with in-batch negatives plus one BM25 hard negative per query
// (as information-retrieval trains it); the re-ranker starts from the bi-encoder's word
// embeddings and learns listwise over the positive and 5 hard negatives: BM25's on the
// synopses, the hybrid's top 20 on the FAQ. The hybrid and re-rank weights are chosen on the
// validation questions last.
import { join } from "node:path";
import { manualSeed, noGrad, type Tensor, tensor } from "../../core/index.js";
import { chunks, epochBatches } from "../../data/epoch-batches.js";
import { permutation, Random } from "../../data/random.js";
import { AdamW } from "../../optim/index.js";
import { plural } from "../../tasks/format.js";
import type { TaskTrainResult, TrainInput } from "../../tasks/task.js";
import { saveModelDir } from "../../train/model-dir.js";
import { type History, Trainer } from "../../train/trainer.js";
import { encodeBag, NGRAM_BUCKETS } from "../retrieval/bag-encoding.js";
import { type Collection, collectionOf } from "../retrieval/collection.js";
import { inBatchContrastiveLoss } from "../retrieval/dual-encoder.js";
import { bm25Candidates, hardCandidates, type PairBatch, pairBatches } from "../retrieval/training-pairs.js";
import { loadDdtp } from "../seq2seq/ddtp.js";
import { padIds } from "../text-data.js";
import { WordLevelTokenizer } from "../tokenizers/word-level.js";
import { Vocab } from "../vocab.js";
import { type FaqCollection, faqCollection, faqPairs } from "./faq-data.js";
import {
  FaqRetriever,
  faqReport,
  faqScores,
  hybridScores,
  questionIdf,
  RETRIEVER_ARCHITECTURE,
  type Retriever,
  type RetrieverHyper,
  type RetrieverPreprocessing,
} from "./faq-retrieval.js";
import { idfTable, KernelReranker, listwiseLoss } from "./reranker.js";

const T = "question-answering";
const SPECIALS = ["<pad>", "<unk>"];
const GRID = Array.from({ length: 21 }, (_, i) => i / 20);
/** Hard negatives per question in a re-ranker batch (with the positive, 6 candidates). */
const NEGATIVES = 5;
/** The re-ranker head's learning rate over its embeddings' in pre-training (a few hundred weights against millions); on the FAQ's ~120 questions one rate for all overfits less. */
const HEAD_LR = 10;

export interface RetrieverTrainOptions {
  /** The bi-encoder's epochs over them (default 2). */
  pretrainEpochs?: number;
  /** Of them, the queries the re-ranker pre-trains on, one epoch (default 3,000). */
  rerankPairs?: number;
  /** The hybrid depth re-ranked (default 20). */
  depth?: number;
  question?: string;
  answer?: string;
}

/** The FAQ's training answers alone, as a collection: nothing held out is seen in training. */
function trainCollection(c: FaqCollection): Collection {
  return collectionOf(c.questions.map((query, i) => ({ query, document: c.answers[c.positive[i]!]! })));
}

interface RerankBatch {
  q: Tensor;
  idf: Tensor;
  d: Tensor;
}

/** Re-ranker batches: each query with its positive first and NEGATIVES of its hard candidates, drawn afresh each epoch. */
function rerankBatches(qIds: number[][], dIds: number[][], p: Collection, hard: number[][], idf: Float32Array, size: number, seed: number) {
  let epoch = 0;
  return epochBatches(
    (e) => {
      epoch = e;
      return chunks(permutation(p.queries.length, seed + 7 + e), size);
    },
    (b): RerankBatch => {
      const rng = new Random(seed, 43, epoch, b[0]!);
      const docs: number[][] = [];
      for (const i of b) {
        const h = [...hard[i]!];
        const pick: number[] = [];
        for (let k = 0; k < NEGATIVES; k++) pick.push(h.length ? h.splice(rng.int(h.length), 1)[0]! : p.positive[i]!);
        for (const d of [p.positive[i]!, ...pick]) docs.push(dIds[d]!);
      }
      const q = padIds(Array.from(b, (i) => qIds[i]!));
      const L = q.shape[1]!;
      const qi = Float32Array.from(
        Array.from(b).flatMap((i) => [...questionIdf(qIds[i]!, idf), ...new Array(L - qIds[i]!.length).fill(0)]),
      );
      const flat = padIds(docs);
      return { q, idf: tensor(qi, { shape: [b.length, L] }), d: flat.reshape(b.length, NEGATIVES + 1, flat.shape[1]!) };
    },
  );
}

export async function trainRetriever(o: TrainInput & RetrieverTrainOptions): Promise<TaskTrainResult> {
  const { seed, log } = o;
  manualSeed(seed);
  const t0 = performance.now();
  const pairs = await faqPairs(o.data, { question: o.question, answer: o.answer });
  const faqTrain = faqCollection(pairs, "train");
  const faqVal = faqCollection(pairs, "val");
  const faq = trainCollection(faqTrain);
  const ddtpAll = await loadDdtp("summaries", "train");
  // `--limit` caps the synopsis → description pairs pre-trained on (a seeded sample; default all 55,637:
  // with 20,000 the bi-encoder transferred too little for validation to give it any weight).
  const nPre = Math.min(o.limit ?? ddtpAll.length, ddtpAll.length);
  const ddtp = collectionOf(
    Array.from(permutation(ddtpAll.length, seed + 3).subarray(0, nPre), (i) => ({
      query: ddtpAll[i]!.target,
      document: ddtpAll[i]!.source,
    })),
  );
  const pre: RetrieverPreprocessing = {
    tokenizer: "tokenizer.json",
    queryLength: 32,
    answerLength: 256,
    rerankLength: 160,
    depth: o.depth ?? 20,
    hybridWeight: 0.5,
    rerankWeight: 1,
    ngramBuckets: NGRAM_BUCKETS,
  };
  const probe = new WordLevelTokenizer(new Vocab(SPECIALS), { normalize: "lowercase", split: "words", specials: SPECIALS });
  const vocab = Vocab.build(
    [...ddtp.queries, ...ddtp.documents, ...faq.queries, ...faq.documents].map((t) => probe.tokenize(t).slice(0, pre.answerLength)),
    { minFreq: 2, maxSize: 30000, specials: SPECIALS },
  );
  const tk = new WordLevelTokenizer(vocab, { normalize: "lowercase", split: "words", specials: SPECIALS, maxLength: pre.answerLength });
  const hyper: RetrieverHyper = {
    dense: { kind: "bow", vocabSize: vocab.size + NGRAM_BUCKETS, dModel: 256, dim: 256, maxLength: pre.answerLength },
    reranker: { vocabSize: vocab.size, embedDim: 256 },
  };
  const model = new FaqRetriever(hyper);
  const l: Retriever = { model, tk, pre };
  const enc = (texts: readonly string[], n: number) => encodeBag(tk, texts, n);
  // The bi-encoder's bags also hold each word's character n-grams.
  const bag = (texts: readonly string[], n: number) => encodeBag(tk, texts, n, NGRAM_BUCKETS);
  const ddtpHard = bm25Candidates(ddtp, 8);
  log(
    `${T}: retrieval QA; ${faq.queries.length} FAQ training questions (${faq.documents.length} answers), ${faqVal.questions.length} validation, pool ${faqTrain.answers.length} answers; pre-training on ${nPre} synopsis → description pairs (${ddtp.documents.length} descriptions), vocabulary ${vocab.size}; BM25 negatives mined in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
  );
  const epochsPre = o.pretrainEpochs ?? 2;
  const epochsFaq = o.epochs ?? 10;
  const fit = async <B>(
    name: string,
    m: FaqRetriever["dense"] | FaqRetriever["reranker"],
    /** One rate, or the re-ranker's embeddings' and its head's. */
    lr: number | [number, number],
    batches: Iterable<B> & { length: number },
    epochs: number,
    step: (b: B) => Tensor,
    validate?: () => Record<string, number>,
  ) => {
    const tr = new Trainer<B>({
      name: `${T} (${name})`,
      model: m,
      optimizer: new AdamW(
        m instanceof KernelReranker && Array.isArray(lr)
          ? [{ params: m.embed.parameters() }, { params: m.headParameters(), lr: lr[1] }]
          : m.parameters(),
        { lr: Array.isArray(lr) ? lr[0] : lr, weightDecay: 0.01 },
      ),
      step,
      gradClipNorm: 1,
      ...(validate ? { validate, keepBest: { monitor: "valMrr10", mode: "max" as const } } : {}),
      progress: o.progress,
      seed,
    });
    const h = await tr.fit(batches, { epochs });
    m.eval();
    const last = h.epochs.at(-1);
    log(
      `${T}: ${name}: ${plural(epochs, "epoch")} of ${batches.length} batches, loss ${Number(last?.loss).toFixed(3)}${validate ? `, best validation MRR@10 ${Math.max(...h.epochs.map((e) => Number(e.valMrr10))).toFixed(3)} (epoch ${h.bestEpoch})` : ""}, ${h.seconds.toFixed(0)} s`,
    );
    return h;
  };
  const valMrr = () => {
    const r = faqReport(l, faqVal, [pre.hybridWeight], [1]);
    return { valMrr10: r.dense.mrr10, valHybrid: r.hybrid.mrr10 };
  };
  // 1. The bi-encoder: synopses, then the FAQ (batches of 32: the FAQ training set is ~110 pairs).
  const dense = model.dense;
  const denseStep = (b: PairBatch) => inBatchContrastiveLoss(dense.forward(b.q), dense.forward(b.d), 0.05);
  const h1 = await fit(
    "bi-encoder pre-training",
    dense,
    3e-3,
    pairBatches(bag(ddtp.queries, pre.queryLength), bag(ddtp.documents, pre.answerLength), ddtp.positive, ddtpHard, 64, seed),
    epochsPre,
    denseStep,
  );
  const h2 = await fit(
    "bi-encoder on the FAQ",
    dense,
    1e-3,
    pairBatches(bag(faq.queries, pre.queryLength), bag(faq.documents, pre.answerLength), faq.positive, bm25Candidates(faq, 8), 32, seed),
    epochsFaq,
    denseStep,
    valMrr,
  );
  // The hybrid weight the re-ranker's FAQ candidates come from.
  pre.hybridWeight = faqReport(l, faqVal, GRID, [1]).hybridWeight;
  // 2. The re-ranker, from the bi-encoder's embeddings.
  noGrad(() => model.reranker.embed.weight.copy_(dense.embed!.weight.narrow(0, 0, vocab.size)));
  const rr = model.reranker;
  const rerankStep = (b: RerankBatch) => listwiseLoss(rr.forward(b.q, b.idf, b.d));
  const nRerank = Math.min(o.rerankPairs ?? 3000, ddtp.queries.length);
  const sub: Collection = {
    ...ddtp,
    queries: ddtp.queries.slice(0, nRerank),
    positive: ddtp.positive.slice(0, nRerank),
    qrels: ddtp.qrels.slice(0, nRerank),
  };
  const ddtpDocIds = enc(ddtp.documents, pre.rerankLength);
  const h3 = await fit(
    "re-ranker pre-training",
    rr,
    [1e-3, 1e-3 * HEAD_LR],
    rerankBatches(
      enc(sub.queries, pre.queryLength),
      ddtpDocIds,
      sub,
      ddtpHard.slice(0, nRerank),
      idfTable(ddtpDocIds, vocab.size),
      16,
      seed,
    ),
    1,
    rerankStep,
  );
  const faqDocIds = enc(faq.documents, pre.rerankLength);
  // The FAQ candidates: the hybrid's best training answers for each training question.
  const faqHybrid = hybridScores(
    faqScores(l, { answers: faq.documents, answerSplit: [], questions: faq.queries, positive: faq.positive }),
    pre.hybridWeight,
  );
  const faqHard = hardCandidates(faq, pre.depth, (i) => faqHybrid[i]!);
  const rerankVal = () => {
    const r = faqReport(l, faqVal, [pre.hybridWeight], [1]);
    return { valMrr10: r.rerankerAlone.mrr10 };
  };
  const h4 = await fit(
    "re-ranker on the FAQ",
    rr,
    5e-4,
    rerankBatches(enc(faq.queries, pre.queryLength), faqDocIds, faq, faqHard, idfTable(faqDocIds, vocab.size), 8, seed),
    epochsFaq,
    rerankStep,
    rerankVal,
  );
  model.eval();
  // 3. The weights, on the validation questions.
  const metrics = faqReport(l, faqVal, GRID, GRID);
  pre.hybridWeight = metrics.hybridWeight;
  pre.rerankWeight = metrics.rerankWeight;
  const f = (r: { mrr10: number }) => r.mrr10.toFixed(3);
  log(
    `${T}: validation MRR@10 BM25 ${f(metrics.bm25)}, dense ${f(metrics.dense)}, hybrid ${f(metrics.hybrid)} (dense weight ${metrics.hybridWeight}), re-ranker alone ${f(metrics.rerankerAlone)}, re-ranked ${f(metrics.reranked)} (re-ranker weight ${metrics.rerankWeight}); ${((performance.now() - t0) / 1000).toFixed(0)} s in all`,
  );
  const stages: History[] = [h1, h2, h3, h4];
  await saveModelDir<RetrieverHyper, RetrieverPreprocessing>(
    o.out,
    {
      task: T,
      architecture: RETRIEVER_ARCHITECTURE,
      hyper,
      preprocessing: pre,
      metrics: {
        trainQuestions: faq.queries.length,
        pretrainPairs: nPre,
        rerankPairs: nRerank,
        pretrainEpochs: epochsPre,
        epochs: epochsFaq,
        seed,
        seconds: (performance.now() - t0) / 1000,
        stageSeconds: stages.map((h) => h.seconds),
        validation: metrics,
      },
    },
    model.stateDict(),
  );
  await tk.save(join(o.out, pre.tokenizer));
  return { dir: o.out, metrics: metrics as unknown as Record<string, unknown>, history: h4 };
}
