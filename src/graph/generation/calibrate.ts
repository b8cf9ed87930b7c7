// Calibration of the condition: the model's samples miss the asked value by a systematic
// amount (sampling drifts towards long carbon chains, which raise logP and weight). After
// training, samples at a few asked values (the training set's deciles) give the achieved
// median per value; a least-squares line through them, inverted, turns a wanted value into
// the value to ask for. Without a clear response (slope < 0.2) the condition is left as is.
import type { Standardizer } from "./fit.js";
import type { SmilesLM } from "./model.js";
import { type SampleOptions, sampleSmiles } from "./sample.js";
import { scoreSmiles } from "./score.js";
import type { SmilesVocabulary } from "./tokens.js";

export interface Calibration {
  /** achieved ≈ slope · asked + intercept */
  slope: number;
  intercept: number;
  /** Asked values are kept inside the training set's range. */
  min: number;
  max: number;
}

export const IDENTITY_CALIBRATION = (min: number, max: number): Calibration => ({ slope: 1, intercept: 0, min, max });

const median = (v: number[]) => {
  const s = [...v].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

export function calibrateCondition(
  model: SmilesLM,
  vocab: SmilesVocabulary,
  norm: Standardizer,
  property: string,
  training: readonly number[],
  o: SampleOptions & { perPoint?: number } = {},
): Calibration {
  const sorted = [...training].sort((a, b) => a - b);
  const min = sorted[0]!;
  const max = sorted[sorted.length - 1]!;
  const asked = [0.1, 0.25, 0.5, 0.75, 0.9].map((q) => sorted[Math.floor(q * (sorted.length - 1))]!);
  const per = o.perPoint ?? 40;
  const smiles = sampleSmiles(
    model,
    vocab,
    norm,
    asked.flatMap((a) => new Array<number>(per).fill(a)),
    o,
  );
  const xs: number[] = [];
  const ys: number[] = [];
  asked.forEach((a, k) => {
    const got = smiles
      .slice(k * per, (k + 1) * per)
      .map((s) => scoreSmiles(s, property)?.value)
      .filter((v): v is number => v !== undefined);
    if (got.length >= per / 4) {
      xs.push(a);
      ys.push(median(got));
    }
  });
  if (xs.length < 3) return IDENTITY_CALIBRATION(min, max);
  const mx = xs.reduce((s, x) => s + x, 0) / xs.length;
  const my = ys.reduce((s, y) => s + y, 0) / ys.length;
  const sxy = xs.reduce((s, x, i) => s + (x - mx) * (ys[i]! - my), 0);
  const sxx = xs.reduce((s, x) => s + (x - mx) ** 2, 0);
  const slope = sxx > 0 ? sxy / sxx : 0;
  if (!(slope >= 0.2)) return IDENTITY_CALIBRATION(min, max);
  return { slope, intercept: my - slope * mx, min, max };
}

/** The value to ask for so that samples land near `wanted`. */
export function askFor(c: Calibration, wanted: number): number {
  return Math.min(c.max, Math.max(c.min, (wanted - c.intercept) / c.slope));
}
