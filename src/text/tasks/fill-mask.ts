// fill-mask: masked-language-model pre-training of a small BERT-style encoder on unlabelled
// text (built-in sets, .txt, .jsonl/.csv with a text field), saved with its word vocabulary
// so `text-classification --init <dir>` can fine-tune it; `predict` fills <mask> / [MASK].
import { join } from "node:path";
import { FlambeauError } from "../../core/errors.js";
import { manualSeed, noGrad, type Tensor, tensor, tidy, zeros } from "../../core/index.js";
import { nonzero } from "../../core/ops/indexing.js";
import { crossEntropy } from "../../core/ops/loss.js";
import { permutation } from "../../data/random.js";
import { AdamW, OneCycleLR } from "../../optim/index.js";
import { plural } from "../../tasks/format.js";
import { type OptionValues, opt } from "../../tasks/options.js";
import { defineTask, type EvalArgs, type Predictor, type TaskTrainResult, type TrainInput } from "../../tasks/task.js";
import { loadModelDir, saveModelDir } from "../../train/model-dir.js";
import { evaluator, type Meter, Trainer } from "../../train/trainer.js";
import { maskTokens } from "../mlm.js";
import { BertForMaskedLM, type BertOptions } from "../models/transformer-encoder.js";
import { padIds, textBatches } from "../text-data.js";
import { loadDirTokenizer, WordLevelTokenizer } from "../tokenizers/word-level.js";
import { readUnlabelledTexts } from "../unlabelled.js";
import { Vocab } from "../vocab.js";

export const FILL_MASK = "fill-mask";
export const MASK_TOKEN = "<mask>";
export const CLS_TOKEN = "<cls>";
/** Ids 0–3 of every pre-training vocabulary. */
export const MLM_SPECIALS = ["<pad>", "<unk>", CLS_TOKEN, MASK_TOKEN] as const;

const OPTIONS = {
  topK: opt.int("candidate words to show per mask", { phases: ["predict"], default: 5 }),
};

/** The small encoder both the pre-trained and the from-scratch `bert` classifier use. */
export const SMALL_BERT: Required<Omit<BertOptions, "vocabSize" | "numClasses">> = {
  dModel: 64,
  numHeads: 4,
  numLayers: 2,
  dimFeedforward: 256,
  maxLength: 64,
  dropout: 0.1,
};

/** Long texts contribute their first windows only, so one long document cannot dominate an epoch. */
const WINDOWS_PER_TEXT = 2;

/** The tokenizer of a pre-training vocabulary: lowercased words, <cls> first, at most maxLength ids. */
export const encoderTokenizer = (vocab: Vocab, maxLength: number): WordLevelTokenizer =>
  new WordLevelTokenizer(vocab, { normalize: "lowercase", split: "words", specials: MLM_SPECIALS, prefix: CLS_TOKEN, maxLength });

/** A document as windows of at most `len` tokens (at most `maxWindows` of them), each led by <cls>. */
function windows(ids: readonly number[], len: number, cls: number, maxWindows: number): number[][] {
  const out: number[][] = [];
  for (let s = 0; s < ids.length && out.length < maxWindows; s += len) {
    const w = ids.slice(s, s + len);
    if (w.length >= 2) out.push([cls, ...w]);
  }
  return out;
}

interface Mlm {
  model: BertForMaskedLM;
  vocab: Vocab;
  tokenizer: WordLevelTokenizer;
  maxLength: number;
}

/** What a pre-trained encoder's directory holds besides the weights. */
interface EncoderPreprocessing {
  /** tokenizer.json (vocab.json in directories saved before). */
  tokenizer?: string;
  vocab?: string;
  tokenization: string;
  source: string;
}

/** Windows masked BERT's way: the masked inputs and the labels (-100 where nothing is asked). */
interface MaskedBatch {
  input: Tensor;
  labels: Tensor;
}

/**
 * Batches of windows, each masked from the current generator as it is drawn (so masks and
 * dropout draw in turn, as one loop would); with `maskSeed`, the generator is reseeded first
 * (the same masks for every evaluation of a set).
 */
function maskedBatches(ids: number[][], vocab: Vocab, o: { batchSize: number; shuffle: boolean; seed: number; maskSeed?: number }) {
  const batches = textBatches(ids, new Array(ids.length).fill(0), o);
  const mask = { maskId: vocab.id(MASK_TOKEN), vocabSize: vocab.size, specialIds: [vocab.id(CLS_TOKEN)] };
  return {
    length: batches.length,
    *[Symbol.iterator](): Generator<MaskedBatch> {
      if (o.maskSeed !== undefined) manualSeed(o.maskSeed);
      for (const b of batches) {
        const [x, y] = b as readonly [Tensor, Tensor];
        const m = maskTokens(x, mask);
        x.dispose();
        y.dispose();
        yield m;
      }
    },
  };
}

/** Masked tokens in a batch (a batch without any is skipped: no update, no loss). */
const maskedCount = (b: MaskedBatch): number => tidy(() => b.labels.ne(-100).sum().item());

/** The vocabulary logits at the masked positions and their targets, or null when nothing is masked. */
function maskedLogits(model: BertForMaskedLM, b: MaskedBatch): { logits: Tensor; target: Tensor } | null {
  const flat = b.labels.reshape([-1]);
  const idx = nonzero(flat.ne(-100)).reshape([-1]);
  if (idx.shape[0] === 0) return null;
  const h = model.bert.forward(b.input);
  return { logits: model.head(h.reshape([-1, h.shape[2]!]).indexSelect(0, idx)), target: flat.indexSelect(0, idx) };
}

/** The masked-token loss of a batch; a batch with nothing masked gives a loss that moves no weight. */
function mlmLoss(model: BertForMaskedLM, b: MaskedBatch): Tensor {
  const r = maskedLogits(model, b);
  return r ? crossEntropy(r.logits, r.target) : zeros([], { requiresGrad: true });
}

/** Masked-token loss (mean over masked tokens), accuracy and count. */
class MlmMeter implements Meter {
  #loss = 0;
  #n = 0;
  #correct = 0;
  update(logits: Tensor, target: Tensor): void {
    const n = target.shape[0]!;
    this.#loss += crossEntropy(logits, target).item() * n;
    this.#n += n;
    this.#correct += logits.argmax(1).eq(target).sum().item();
  }
  compute(): { loss: number; accuracy: number; masked: number } {
    const n = this.#n;
    return { loss: n ? this.#loss / n : Number.NaN, accuracy: n ? this.#correct / n : Number.NaN, masked: n };
  }
}

function encodeCorpus(texts: readonly string[], tk: WordLevelTokenizer, maxLength: number): number[][] {
  const cls = tk.vocab.id(CLS_TOKEN);
  return texts.flatMap((t) => windows(tk.vocab.encode(tk.tokenize(t)), maxLength - 1, cls, WINDOWS_PER_TEXT));
}

/** Masked-LM loss and accuracy over windows, with the same masks every time (seed + 12345). */
async function evaluateMlm(
  model: BertForMaskedLM,
  ids: number[][],
  vocab: Vocab,
  seed: number,
): Promise<{ loss: number; accuracy: number; masked: number }> {
  const r = await evaluator<MaskedBatch>({
    model,
    evalStep: (b, meter) => {
      const m = maskedLogits(model, b);
      if (m) meter!.update(m.logits, m.target);
      return undefined;
    },
    meter: () => new MlmMeter(),
  }).evaluate(maskedBatches(ids, vocab, { batchSize: 64, shuffle: false, seed, maskSeed: seed + 12345 }));
  return r as { loss: number; accuracy: number; masked: number };
}

/** Tasks whose model directories hold a pre-trained encoder (feature-extraction trains the same way). */
export const ENCODER_TASKS = [FILL_MASK, "feature-extraction"] as const;

/** Masked-LM pre-training; `task` names the saved directory (fill-mask or feature-extraction) for eval/predict. */
export async function trainFillMask(o: TrainInput, task: (typeof ENCODER_TASKS)[number] = FILL_MASK): Promise<TaskTrainResult> {
  const { seed, log } = o;
  manualSeed(seed);
  let texts = await readUnlabelledTexts(o.data);
  let valTexts: string[];
  if (o.val) valTexts = await readUnlabelledTexts(o.val, "test");
  else {
    const perm = permutation(texts.length, seed);
    const nVal = Math.max(1, Math.round(texts.length * 0.05));
    valTexts = Array.from(perm.subarray(0, nVal), (i) => texts[i]!);
    texts = Array.from(perm.subarray(nVal), (i) => texts[i]!);
  }
  if (o.limit !== undefined) texts = texts.slice(0, o.limit);
  const hyper: BertOptions = { vocabSize: 0, ...SMALL_BERT };
  const probe = encoderTokenizer(new Vocab([...MLM_SPECIALS]), SMALL_BERT.maxLength);
  const vocab = Vocab.build(
    texts.map((t) => probe.tokenize(t).slice(0, WINDOWS_PER_TEXT * SMALL_BERT.maxLength)),
    { minFreq: 2, maxSize: 20000, specials: MLM_SPECIALS },
  );
  hyper.vocabSize = vocab.size;
  const tk = encoderTokenizer(vocab, SMALL_BERT.maxLength);
  const trainIds = encodeCorpus(texts, tk, SMALL_BERT.maxLength);
  const valIds = encodeCorpus(valTexts, tk, SMALL_BERT.maxLength);
  if (trainIds.length === 0)
    throw new FlambeauError("E_ARG", `${FILL_MASK}: ${o.data} holds no text of at least 2 words to pre-train on`, FILL_MASK);
  const model = new BertForMaskedLM(hyper);
  const batchSize = o.batchSize ?? 32;
  const epochs = o.epochs ?? 10;
  const lr = o.lr ?? 2e-3;
  const stepsPerEpoch = Math.ceil(trainIds.length / batchSize);
  log(
    `${FILL_MASK}: ${texts.length} texts → ${trainIds.length} windows of ≤ ${SMALL_BERT.maxLength} tokens (${valIds.length} validation), vocabulary ${vocab.size}; ${plural(epochs, "epoch")}, batch ${batchSize}, lr ${lr}`,
  );
  const optimizer = new AdamW(model.parameters(), { lr, weightDecay: 1e-2 });
  // OneCycleLR divides by its warm-up's length, pctStart × steps − 1 (as PyTorch does): at exactly
  // 10 steps that is 0 and every lr NaN, so that one budget warms up over 15% of the steps instead.
  const pctStart = epochs * stepsPerEpoch === 10 ? 0.15 : 0.1;
  const trainer: Trainer<MaskedBatch> = new Trainer<MaskedBatch>({
    name: task,
    model,
    optimizer,
    step: (b) => mlmLoss(model, b),
    // The epoch's loss is the mean of its batches' losses; a batch with nothing masked does not count.
    batchSize: (b) => (maskedCount(b) > 0 ? 1 : 0),
    scheduler: new OneCycleLR(optimizer, { maxLr: lr, epochs, stepsPerEpoch, pctStart }),
    gradClipNorm: 1,
    progress: o.progress,
    validate: async () => {
      const v = await evaluateMlm(model, valIds, vocab, seed);
      manualSeed(seed + 1000 * trainer.state.epoch); // evaluation reseeded the generator: fresh masks for the next epoch
      return { valLoss: v.loss, valAccuracy: v.accuracy };
    },
    callbacks: o.progress
      ? []
      : [
          {
            onEpochEnd: (s, l) =>
              log(
                `epoch ${s.epoch}/${epochs} loss ${l.loss!.toFixed(4)} valLoss ${l.valLoss!.toFixed(4)} masked-token accuracy ${l.valAccuracy!.toFixed(4)} (${l.seconds!.toFixed(1)}s)`,
              ),
          },
        ],
  });
  const history = await trainer.fit(maskedBatches(trainIds, vocab, { batchSize, shuffle: true, seed }), { epochs });
  const last = history.epochs[history.epochs.length - 1]!;
  const metrics = { loss: last.valLoss, maskedAccuracy: last.valAccuracy, perplexity: Math.exp(last.valLoss as number) };
  await saveModelDir<BertOptions, EncoderPreprocessing>(
    o.out,
    {
      task,
      architecture: "bert-mlm",
      hyper,
      preprocessing: { tokenizer: "tokenizer.json", tokenization: "lowercased words", source: o.data },
      metrics: { validation: metrics, epochs, batchSize, lr, seed, trainWindows: trainIds.length },
    },
    model.stateDict(),
  );
  await tk.save(join(o.out, "tokenizer.json"));
  return { dir: o.out, metrics, history: { ...history, samplesPerSecond: (epochs * trainIds.length) / history.seconds } };
}

/** A saved pre-trained encoder: the model, its vocabulary and its hyper-parameters. */
export async function loadFillMask(dir: string): Promise<Mlm & { hyper: BertOptions; weights: Map<string, Tensor> }> {
  const { config, weights } = await loadModelDir<BertOptions, EncoderPreprocessing>(dir);
  if (!(ENCODER_TASKS as readonly string[]).includes(config.task)) {
    for (const t of weights.values()) t.dispose();
    throw new FlambeauError(
      "E_ARG",
      `${dir} holds a ${config.task} model, not a pre-trained encoder (train one with \`flambeau train fill-mask\`)`,
      FILL_MASK,
    );
  }
  const hyper = config.hyper;
  const maxLength = hyper.maxLength ?? SMALL_BERT.maxLength;
  let tokenizer: WordLevelTokenizer;
  try {
    tokenizer = loadDirTokenizer(dir, "tokenizer.json", {
      vocabFile: "vocab.json",
      spec: { normalize: "lowercase", split: "words", prefix: CLS_TOKEN, maxLength },
    });
  } catch (e) {
    for (const t of weights.values()) t.dispose();
    throw e;
  }
  const vocab = tokenizer.vocab;
  if (vocab.size !== hyper.vocabSize) {
    for (const t of weights.values()) t.dispose();
    throw new FlambeauError(
      "E_FORMAT",
      `${dir}: tokenizer.json has ${vocab.size} tokens but the model expects ${hyper.vocabSize}`,
      FILL_MASK,
    );
  }
  const model = new BertForMaskedLM(hyper);
  model.loadStateDict(weights);
  model.eval();
  return { model, vocab, tokenizer, maxLength, hyper, weights };
}

/** Loads an encoder for predicting: its weights map is freed once they are in the model. */
export async function loadEncoder(dir: string): Promise<Mlm> {
  const { weights, ...l } = await loadFillMask(dir);
  for (const t of weights.values()) t.dispose();
  return l;
}

async function evaluate(dir: string, data: string, o: EvalArgs = {}): Promise<Record<string, unknown>> {
  const { model, vocab, tokenizer, maxLength } = await loadEncoder(dir);
  let texts = await readUnlabelledTexts(data, "test");
  if (o.limit !== undefined) texts = texts.slice(0, o.limit);
  const ids = encodeCorpus(texts, tokenizer, maxLength);
  const m = await evaluateMlm(model, ids, vocab, 0);
  model.dispose();
  return {
    texts: texts.length,
    windows: ids.length,
    maskedTokens: m.masked,
    loss: m.loss,
    maskedAccuracy: m.accuracy,
    perplexity: Math.exp(m.loss),
  };
}

export interface FillMaskPrediction {
  input: string;
  /** One entry per mask, left to right: the likeliest words. */
  masks: { token: string; probability: number }[][];
  /** The input with each mask replaced by its likeliest word. */
  filled: string;
}

const MASK_RE = /<mask>|\[MASK\]/gi;

async function load(dir: string): Promise<Predictor<FillMaskPrediction, OptionValues<typeof OPTIONS>>> {
  const l = await loadEncoder(dir);
  return { task: FILL_MASK, predict: async (inputs, o = {}) => fillMasks(l, inputs, o.topK ?? 5), dispose: () => l.model.dispose() };
}

function fillMasks({ model, vocab, tokenizer, maxLength }: Mlm, inputs: readonly string[], k: number): FillMaskPrediction[] {
  const maskId = vocab.id(MASK_TOKEN);
  return inputs.map((input, i) => {
    const parts = input.split(MASK_RE);
    if (parts.length < 2)
      throw new FlambeauError(
        "E_ARG",
        `${FILL_MASK}: input ${i + 1} has no <mask> (or [MASK]) to fill: ${JSON.stringify(input.slice(0, 60))}`,
        FILL_MASK,
      );
    const ids = [vocab.id(CLS_TOKEN)];
    const at: number[] = [];
    parts.forEach((p, j) => {
      ids.push(...vocab.encode(tokenizer.tokenize(p)));
      if (j < parts.length - 1) {
        at.push(ids.length);
        ids.push(maskId);
      }
    });
    if (ids.length > maxLength)
      throw new FlambeauError(
        "E_ARG",
        `${FILL_MASK}: input ${i + 1} has ${ids.length - 1} tokens; the encoder reads at most ${maxLength - 1}`,
        FILL_MASK,
      );
    const probs = noGrad(() =>
      tidy(() => {
        const h = model.bert.forward(padIds([ids])).select(0, 0);
        const p = model.head(h.indexSelect(0, tensor(BigInt64Array.from(at, BigInt)))).softmax(1);
        return p.data() as Float32Array;
      }),
    ) as Float32Array;
    const V = vocab.size;
    const masks = at.map((_, m) => {
      const row = probs.subarray(m * V, (m + 1) * V);
      // Special tokens are never an answer.
      const order = [...row.keys()].filter((t) => t >= MLM_SPECIALS.length).sort((a, b) => row[b]! - row[a]!);
      return order.slice(0, k).map((t) => ({ token: vocab.itos[t]!, probability: row[t]! }));
    });
    let m = 0;
    const filled = input.replace(MASK_RE, () => masks[m++]![0]?.token ?? "?");
    return { input, masks, filled };
  });
}

const formatPrediction = (q: FillMaskPrediction): string =>
  `${q.filled}  [${q.masks.map((c) => c.map((t) => `${t.token} ${(100 * t.probability).toFixed(1)}%`).join(", ")).join(" | ")}]`;

export const fillMask = defineTask({
  name: FILL_MASK,
  description:
    "masked-language-model pre-training of a small BERT encoder on unlabelled text; predict fills <mask>; fine-tune with text-classification --init",
  dataFormat:
    "comma-separated sources: .txt files (a document per blank-line-separated paragraph), .jsonl/.csv/.tsv with a `text` field, or built-in sets (spam-assassin, sotu, fortunes: their training texts, labels unused)",
  models: ["bert-mlm"],
  defaultModel: "bert-mlm",
  options: OPTIONS,
  train: (o) => trainFillMask(o),
  evaluate,
  load,
  formatPrediction,
});
