// Scores copy, word substitution and the trained model in both directions on held-out
// sentences, with the measures of measures.ts, and collects a few examples.

import type { Vocab } from "../vocab.js";
import { STYLES, type Style, type StyleSentence } from "./corpora.js";
import { quantile, scoreTransfer, type TransferScores } from "./measures.js";
import { type Dictionary, substitute } from "./substitution.js";
import { classify, lmNll, replaceUnknowns, type StyleSystem, styleClass, transferIds } from "./system.js";

export const SYSTEMS = ["copy", "substitution", "model"] as const;
export type SystemName = (typeof SYSTEMS)[number];

export interface StyleReport {
  /** The classifier's accuracy (%) on the real held-out sentences of both styles. */
  classifierAccuracy: number;
  /** Perplexity of real held-out sentences under their own style's LM, and the FL threshold (90th percentile). */
  reference: Record<Style, { perplexity: number; fluencyThreshold: number }>;
  /** scores[system][direction], direction "toModern" (kjv sources) or "toKjv". */
  scores: Record<SystemName, Record<"toModern" | "toKjv", TransferScores>>;
  /** Means over both directions, per system. */
  mean: Record<SystemName, TransferScores>;
  examples: { source: string; from: Style; substitution: string; model: string }[];
}

const other = (s: Style): Style => (s === "kjv" ? "modern" : "kjv");
const dir = (to: Style) => (to === "modern" ? "toModern" : "toKjv");

export function evaluateStyle(sys: StyleSystem, vocab: Vocab, dict: Dictionary, test: readonly StyleSentence[], examples = 4): StyleReport {
  const all = test.map((s) => vocab.encode(s.tokens));
  const predicted = classify(sys.classifier, all);
  const classifierAccuracy = (100 * predicted.filter((p, i) => p === test[i]!.style).length) / test.length;
  const reference = {} as StyleReport["reference"];
  for (const s of STYLES) {
    const ids = all.filter((_, i) => test[i]!.style === s);
    const nll = lmNll(sys.lm(s), ids);
    const ppl = nll.map((x) => Math.exp(x.total / x.tokens));
    reference[s] = {
      perplexity: Math.exp(nll.reduce((a, x) => a + x.total, 0) / nll.reduce((a, x) => a + x.tokens, 0)),
      fluencyThreshold: quantile(ppl, 0.9),
    };
  }
  const scores = { copy: {}, substitution: {}, model: {} } as StyleReport["scores"];
  const ex: StyleReport["examples"] = [];
  for (const from of STYLES) {
    const to = other(from);
    const src = test.filter((s) => s.style === from).map((s) => s.tokens);
    const model = transferIds(
      sys.transfer,
      src.map((t) => vocab.encode(t)),
      to,
      3,
    ).map((ids, i) => replaceUnknowns(vocab.decode(ids), src[i]!, vocab));
    const outputs: Record<SystemName, string[][]> = { copy: src, substitution: src.map((t) => substitute(t, dict, to)), model };
    for (const name of SYSTEMS) {
      const ids = outputs[name].map((t) => vocab.encode(t));
      scores[name][dir(to)] = scoreTransfer({
        target: to,
        outputs: outputs[name],
        sources: src,
        predicted: classify(sys.classifier, ids),
        nll: lmNll(sys.lm(to), ids),
        fluencyThreshold: reference[to].fluencyThreshold,
      });
    }
    for (let i = 0; i < Math.min(examples, src.length); i++)
      ex.push({ source: src[i]!.join(" "), from, substitution: outputs.substitution[i]!.join(" "), model: model[i]!.join(" ") });
  }
  const mean = {} as StyleReport["mean"];
  for (const name of SYSTEMS) {
    const a = scores[name].toModern;
    const b = scores[name].toKjv;
    mean[name] = {
      accuracy: (a.accuracy + b.accuracy) / 2,
      selfBleu: (a.selfBleu + b.selfBleu) / 2,
      perplexity: Math.sqrt(a.perplexity * b.perplexity),
      gm: (a.gm + b.gm) / 2,
      j: (a.j + b.j) / 2,
    };
  }
  return { classifierAccuracy, reference, scores, mean, examples: ex };
}

/** Class index of each sentence's style (classifier targets). */
export const styleLabels = (s: readonly StyleSentence[]): number[] => s.map((x) => styleClass(x.style));
