// The three standard measures of style transfer on held-out sentences (Li et al. 2018;
// Lample et al. 2019; Krishna et al. 2020): style accuracy (a classifier's share of outputs in
// the target style), content preservation (self-BLEU of the output against its source,
// sacreBLEU's algorithm on the task's tokens) and fluency (perplexity under a language model of
// the target style), with two single numbers: GM = √(accuracy × self-BLEU) (Xu et al. 2018) and
// J = mean over sentences of ACC · SIM · FL (Krishna et al.), SIM = sentence BLEU / 100 and FL = 1
// when the sentence's perplexity is within the 90th percentile of real target-style sentences.
import { FlambeauError } from "../../core/errors.js";
import { corpusBleu } from "../seq2seq/bleu.js";
import type { Style } from "./corpora.js";

const OP = "style measures";

const join = (t: readonly string[]) => t.join(" ");

/** Corpus BLEU (0–100) of outputs against their sources, on the tokens as given. */
export function selfBleu(outputs: readonly (readonly string[])[], sources: readonly (readonly string[])[]): number {
  return corpusBleu(outputs.map(join), [sources.map(join)], { tokenize: "none" }).score;
}

/** Sentence BLEU (0–100, sacreBLEU's exp smoothing) of one output against its source. */
export const sentenceBleu = (output: readonly string[], source: readonly string[]): number =>
  corpusBleu([join(output)], [[join(source)]], { tokenize: "none" }).score;

/** Percentage of `predicted` equal to `target`. */
export function styleAccuracy(predicted: readonly Style[], target: Style): number {
  if (predicted.length === 0) throw new FlambeauError("E_ARG", `${OP}: no predictions to score`, OP);
  return (100 * predicted.filter((s) => s === target).length) / predicted.length;
}

/** exp(total negative log-likelihood / tokens). */
export function perplexity(totalNll: number, tokens: number): number {
  if (!(tokens > 0)) throw new FlambeauError("E_ARG", `${OP}: perplexity needs at least one token, got ${tokens}`, OP);
  return Math.exp(totalNll / tokens);
}

/** The q-quantile (0–1) of `values`, linear between order statistics (numpy's default). */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) throw new FlambeauError("E_ARG", `${OP}: quantile of no values`, OP);
  const s = [...values].sort((a, b) => a - b);
  const pos = q * (s.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, s.length - 1);
  return s[lo]! + (s[hi]! - s[lo]!) * (pos - lo);
}

/** √(accuracy × self-BLEU), both 0–100. */
export const geometricMean = (accuracy: number, bleu: number): number => Math.sqrt(Math.max(0, accuracy) * Math.max(0, bleu));

/** Krishna et al.'s J (0–100): the mean over sentences of ACC · SIM · FL. */
export function jScore(correct: readonly boolean[], similarity: readonly number[], fluent: readonly boolean[]): number {
  const n = correct.length;
  if (n === 0 || similarity.length !== n || fluent.length !== n)
    throw new FlambeauError("E_ARG", `${OP}: J needs equal, non-empty lists, got ${n}, ${similarity.length}, ${fluent.length}`, OP);
  let s = 0;
  for (let i = 0; i < n; i++) if (correct[i] && fluent[i]) s += similarity[i]!;
  return (100 * s) / n;
}

/** What one system scores in one direction. */
export interface TransferScores {
  /** % of outputs the classifier puts in the target style. */
  accuracy: number;
  /** Corpus BLEU of outputs against sources. */
  selfBleu: number;
  /** Perplexity of the outputs under the target style's language model. */
  perplexity: number;
  gm: number;
  j: number;
}

/** The inputs of `scoreTransfer`: outputs and sources as tokens, and per-output judgements. */
export interface TransferJudgements {
  target: Style;
  outputs: readonly (readonly string[])[];
  sources: readonly (readonly string[])[];
  /** The classifier's style for each output. */
  predicted: readonly Style[];
  /** Each output's total NLL and token count under the target LM. */
  nll: readonly { total: number; tokens: number }[];
  /** The perplexity at or below which a sentence counts as fluent (FL of J). */
  fluencyThreshold: number;
}

export function scoreTransfer(t: TransferJudgements): TransferScores {
  const n = t.outputs.length;
  if (t.sources.length !== n || t.predicted.length !== n || t.nll.length !== n)
    throw new FlambeauError(
      "E_ARG",
      `${OP}: ${n} outputs, ${t.sources.length} sources, ${t.predicted.length} labels, ${t.nll.length} NLLs`,
      OP,
    );
  const accuracy = styleAccuracy(t.predicted, t.target);
  const bleu = selfBleu(t.outputs, t.sources);
  const total = t.nll.reduce((a, x) => a + x.total, 0);
  const tokens = t.nll.reduce((a, x) => a + x.tokens, 0);
  const j = jScore(
    t.predicted.map((s) => s === t.target),
    t.outputs.map((o, i) => sentenceBleu(o, t.sources[i]!) / 100),
    t.nll.map((x) => perplexity(x.total, x.tokens) <= t.fluencyThreshold),
  );
  return { accuracy, selfBleu: bleu, perplexity: perplexity(total, tokens), gm: geometricMean(accuracy, bleu), j };
}
