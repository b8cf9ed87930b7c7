// fill-mask: masked-language-model pre-training of a small BERT-style encoder on unlabelled
// text (built-in sets, .txt, .jsonl/.csv with a text field), saved with its word vocabulary
// so `text-classification --init <dir>` can fine-tune it; `predict` fills <mask> / [MASK].
import { join } from "node:path";
import { FlambeauError } from "../../core/errors.js";
import { manualSeed, noGrad, type Tensor, tensor, tidy } from "../../core/index.js";
import { nonzero } from "../../core/ops/indexing.js";
import { crossEntropy } from "../../core/ops/loss.js";
import { permutation } from "../../data/random.js";
import { AdamW, clipGradNorm_, OneCycleLR } from "../../optim/index.js";
import type { Task, TaskEvalOptions, TaskPredictOptions, TaskTrainOptions, TaskTrainResult } from "../../tasks/legacy.js";
import type { Logs } from "../../train/callbacks.js";
import { loadModelDir, saveModelDir } from "../../train/model-dir.js";
import { maskTokens } from "../mlm.js";
import { BertForMaskedLM, type BertOptions } from "../models/transformer-encoder.js";
import { padIds, textBatches } from "../text-data.js";
import { readUnlabelledTexts } from "../unlabelled.js";
import { Vocab, wordTokenize } from "../vocab.js";

export const FILL_MASK = "fill-mask";
export const MASK_TOKEN = "<mask>";
export const CLS_TOKEN = "<cls>";
/** Ids 0–3 of every pre-training vocabulary. */
export const MLM_SPECIALS = ["<pad>", "<unk>", CLS_TOKEN, MASK_TOKEN] as const;

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

/** Lowercased word tokens of a whole text (the classifiers' tokenization, untruncated). */
const tokensOf = (text: string): string[] => wordTokenize(text.toLowerCase());

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
  maxLength: number;
}

/** Masked-token loss and accuracy over `ids` (masking drawn from the current generator). */
function mlmStep(model: BertForMaskedLM, x: Tensor, vocab: Vocab): { loss: Tensor; n: number; correct: number } | null {
  const { input, labels } = maskTokens(x, { maskId: vocab.id(MASK_TOKEN), vocabSize: vocab.size, specialIds: [vocab.id(CLS_TOKEN)] });
  const flat = labels.reshape([-1]);
  const idx = nonzero(flat.ne(-100)).reshape([-1]);
  const n = idx.shape[0]!;
  if (n === 0) return null;
  const h = model.bert.forward(input);
  const logits = model.head(h.reshape([-1, h.shape[2]!]).indexSelect(0, idx));
  const target = flat.indexSelect(0, idx);
  const correct = Number(logits.argmax(1).eq(target).sum().item());
  return { loss: crossEntropy(logits, target), n, correct };
}

function encodeCorpus(texts: readonly string[], vocab: Vocab, maxLength: number): number[][] {
  const cls = vocab.id(CLS_TOKEN);
  return texts.flatMap((t) => windows(vocab.encode(tokensOf(t)), maxLength - 1, cls, WINDOWS_PER_TEXT));
}

function evaluateMlm(
  model: BertForMaskedLM,
  ids: number[][],
  vocab: Vocab,
  seed: number,
): { loss: number; accuracy: number; masked: number } {
  model.eval();
  manualSeed(seed + 12345); // the same masks for every evaluation of a set
  let loss = 0;
  let n = 0;
  let correct = 0;
  noGrad(() => {
    for (const b of textBatches(ids, new Array(ids.length).fill(0), { batchSize: 64, shuffle: false, seed })) {
      const [x, y] = b as readonly [Tensor, Tensor];
      tidy(() => {
        const r = mlmStep(model, x, vocab);
        if (!r) return;
        loss += (r.loss.item() as number) * r.n;
        n += r.n;
        correct += r.correct;
      });
      x.dispose();
      y.dispose();
    }
  });
  model.train();
  return { loss: n ? loss / n : Number.NaN, accuracy: n ? correct / n : Number.NaN, masked: n };
}

/** Tasks whose model directories hold a pre-trained encoder (feature-extraction trains the same way). */
export const ENCODER_TASKS = [FILL_MASK, "feature-extraction"] as const;

/** Masked-LM pre-training; `task` names the saved directory (fill-mask or feature-extraction) for eval/predict. */
export async function trainFillMask(o: TaskTrainOptions, task: (typeof ENCODER_TASKS)[number] = FILL_MASK): Promise<TaskTrainResult> {
  const seed = o.seed ?? 0;
  manualSeed(seed);
  const log = o.log ?? (() => {});
  const t0 = performance.now();
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
  const hyper = { ...SMALL_BERT };
  const vocab = Vocab.build(
    texts.map((t) => tokensOf(t).slice(0, WINDOWS_PER_TEXT * hyper.maxLength)),
    { minFreq: 2, maxSize: 20000, specials: MLM_SPECIALS },
  );
  const trainIds = encodeCorpus(texts, vocab, hyper.maxLength);
  const valIds = encodeCorpus(valTexts, vocab, hyper.maxLength);
  if (trainIds.length === 0)
    throw new FlambeauError("E_ARG", `${FILL_MASK}: ${o.data} holds no text of at least 2 words to pre-train on`, FILL_MASK);
  const model = new BertForMaskedLM({ vocabSize: vocab.size, ...hyper });
  model.train();
  const batchSize = o.batchSize ?? 32;
  const epochs = o.epochs ?? 10;
  const lr = o.lr ?? 2e-3;
  const stepsPerEpoch = Math.ceil(trainIds.length / batchSize);
  log(
    `${FILL_MASK}: ${texts.length} texts → ${trainIds.length} windows of ≤ ${hyper.maxLength} tokens (${valIds.length} validation), vocabulary ${vocab.size}; ${epochs} epochs, batch ${batchSize}, lr ${lr}`,
  );
  const opt = new AdamW(model.parameters(), { lr, weightDecay: 1e-2 });
  const sched = new OneCycleLR(opt, { maxLr: lr, epochs, stepsPerEpoch, pctStart: 0.1 });
  const batches = textBatches(trainIds, new Array(trainIds.length).fill(0), { batchSize, shuffle: true, seed });
  const history: Logs[] = [];
  for (let epoch = 0; epoch < epochs; epoch++) {
    const e0 = performance.now();
    let sum = 0;
    let n = 0;
    o.progress?.start(`epoch ${epoch + 1}/${epochs}`, stepsPerEpoch);
    let step = 0;
    for (const b of batches) {
      const [x, y] = b as readonly [Tensor, Tensor];
      tidy(() => {
        opt.zeroGrad(true);
        const r = mlmStep(model, x, vocab);
        if (!r) return;
        r.loss.backward();
        clipGradNorm_(model.parameters(), 1);
        opt.step();
        sum += r.loss.item() as number;
        n++;
      });
      sched.step();
      x.dispose();
      y.dispose();
      o.progress?.update(++step, { loss: n ? sum / n : 0 });
    }
    const v = evaluateMlm(model, valIds, vocab, seed);
    manualSeed(seed + 1000 * (epoch + 1)); // evaluation reseeded the generator: fresh masks for the next epoch
    const logs = { epoch, loss: sum / Math.max(1, n), valLoss: v.loss, valAccuracy: v.accuracy, seconds: (performance.now() - e0) / 1000 };
    history.push(logs);
    o.progress?.end(`loss ${logs.loss.toFixed(3)}  valLoss ${v.loss.toFixed(3)}  valAccuracy ${v.accuracy.toFixed(3)}`);
    if (!o.progress)
      log(
        `epoch ${epoch + 1}/${epochs} loss ${logs.loss.toFixed(4)} valLoss ${v.loss.toFixed(4)} masked-token accuracy ${v.accuracy.toFixed(4)} (${logs.seconds.toFixed(1)}s)`,
      );
  }
  const last = history[history.length - 1]!;
  const metrics = { loss: last.valLoss, maskedAccuracy: last.valAccuracy, perplexity: Math.exp(last.valLoss as number) };
  await saveModelDir(
    o.out,
    {
      task,
      architecture: "bert-mlm",
      hyper: { vocabSize: vocab.size, ...hyper },
      preprocessing: { vocab: "vocab.json", tokenization: "lowercased words", source: o.data },
      metrics: { validation: metrics, epochs, batchSize, lr, seed, trainWindows: trainIds.length },
    },
    model.stateDict(),
  );
  await vocab.save(join(o.out, "vocab.json"));
  const seconds = (performance.now() - t0) / 1000;
  return { dir: o.out, metrics, history: { epochs: history, seconds, samplesPerSecond: (epochs * trainIds.length) / seconds } };
}

/** A saved pre-trained encoder: the model, its vocabulary and its hyper-parameters. */
export async function loadFillMask(dir: string): Promise<Mlm & { hyper: BertOptions; weights: Map<string, Tensor> }> {
  const { config, weights } = await loadModelDir(dir);
  if (!(ENCODER_TASKS as readonly string[]).includes(config.task)) {
    for (const t of weights.values()) t.dispose();
    throw new FlambeauError(
      "E_ARG",
      `${dir} holds a ${config.task} model, not a pre-trained encoder (train one with \`flambeau train fill-mask\`)`,
      FILL_MASK,
    );
  }
  const hyper = config.hyper as unknown as BertOptions;
  const vocab = Vocab.load(join(dir, "vocab.json"));
  if (vocab.size !== hyper.vocabSize)
    throw new FlambeauError("E_FORMAT", `${dir}: vocab.json has ${vocab.size} tokens but the model expects ${hyper.vocabSize}`, FILL_MASK);
  const model = new BertForMaskedLM(hyper);
  model.loadStateDict(weights);
  model.eval();
  return { model, vocab, maxLength: hyper.maxLength ?? SMALL_BERT.maxLength, hyper, weights };
}

async function evaluateFillMask(dir: string, data: string, o: TaskEvalOptions = {}): Promise<Record<string, unknown>> {
  const { model, vocab, maxLength } = await loadFillMask(dir);
  let texts = await readUnlabelledTexts(data, "test");
  if (o.limit !== undefined) texts = texts.slice(0, o.limit);
  const ids = encodeCorpus(texts, vocab, maxLength);
  const m = evaluateMlm(model, ids, vocab, 0);
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

async function predictFillMask(dir: string, inputs: readonly string[], o: TaskPredictOptions = {}): Promise<FillMaskPrediction[]> {
  const { model, vocab, maxLength } = await loadFillMask(dir);
  const maskId = vocab.id(MASK_TOKEN);
  const k = o.topK ?? 5;
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
      ids.push(...vocab.encode(tokensOf(p)));
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

export const formatFillMask = (p: unknown): string => {
  const q = p as FillMaskPrediction;
  return `${q.filled}  [${q.masks.map((c) => c.map((t) => `${t.token} ${(100 * t.probability).toFixed(1)}%`).join(", ")).join(" | ")}]`;
};

export const fillMask: Task = Object.freeze({
  name: FILL_MASK,
  description:
    "masked-language-model pre-training of a small BERT encoder on unlabelled text; predict fills <mask>; fine-tune with text-classification --init",
  dataFormat:
    "comma-separated sources: .txt files (a document per blank-line-separated paragraph), .jsonl/.csv/.tsv with a `text` field, or built-in sets (spam-assassin, sotu, fortunes: their training texts, labels unused)",
  models: ["bert-mlm"],
  defaultModel: "bert-mlm",
  train: (o: TaskTrainOptions) => trainFillMask(o),
  evaluate: evaluateFillMask,
  predict: predictFillMask,
  formatPrediction: formatFillMask,
});
