// The style classifier that judges generated pieces: a logistic regression on the standardised
// frequencies of event tokens (pitches struck and released, time shifts, velocities) in a
// window of tokens, trained on windows of the real training pieces. Its accuracy on held-out
// real pieces says how far style is recognisable at all; on generated pieces, whether the
// generator followed the style it was asked for.
import { noGrad, tensor, tidy } from "../../core/index.js";
import { crossEntropy } from "../../core/ops/loss.js";
import { Linear } from "../../nn/index.js";
import { AdamW } from "../../optim/index.js";
import { STYLE } from "./tokens.js";

const F = STYLE - 1;

/** Token frequencies of one window of event tokens (style and padding tokens ignored). */
export function tokenFeatures(tokens: readonly number[]): Float32Array {
  const f = new Float32Array(F);
  let n = 0;
  for (const id of tokens)
    if (id > 0 && id < STYLE) {
      f[id - 1]!++;
      n++;
    }
  if (n) for (let i = 0; i < F; i++) f[i]! /= n;
  return f;
}

export interface StyleClassifier {
  mean: Float32Array;
  std: Float32Array;
  weight: Float32Array;
  bias: Float32Array;
  styles: number;
}

/** Trains on windows (tokens, style); full-batch AdamW, deterministic given libtorch's seed. */
export function trainStyleClassifier(
  windows: readonly { tokens: readonly number[]; style: number }[],
  styles: number,
  steps = 300,
): StyleClassifier {
  const n = windows.length;
  const x = new Float32Array(n * F);
  windows.forEach((w, i) => x.set(tokenFeatures(w.tokens), i * F));
  const mean = new Float32Array(F);
  const std = new Float32Array(F);
  for (let i = 0; i < n; i++) for (let j = 0; j < F; j++) mean[j]! += x[i * F + j]! / n;
  for (let i = 0; i < n; i++) for (let j = 0; j < F; j++) std[j]! += (x[i * F + j]! - mean[j]!) ** 2 / n;
  for (let j = 0; j < F; j++) std[j] = Math.sqrt(std[j]!) + 1e-4;
  for (let i = 0; i < n; i++) for (let j = 0; j < F; j++) x[i * F + j] = (x[i * F + j]! - mean[j]!) / std[j]!;
  // Classes weighted by their inverse frequency: one style may have far more windows than another.
  const count = new Array<number>(styles).fill(0);
  for (const w of windows) count[w.style]!++;
  const lin = new Linear(F, styles);
  const opt = new AdamW(lin.parameters(), { lr: 0.01, weightDecay: 0.05 });
  const xs = tensor(x, { shape: [n, F] });
  const ys = tensor(
    BigInt64Array.from(windows, (w) => BigInt(w.style)),
    { shape: [n] },
  );
  const cw = tensor(Float32Array.from(count, (c) => (c ? n / (styles * c) : 0)));
  for (let s = 0; s < steps; s++)
    tidy(() => {
      opt.zeroGrad();
      crossEntropy(lin.forward(xs), ys, { weight: cw }).backward();
      opt.step();
    });
  const out = {
    mean,
    std,
    weight: (lin.weight.data() as Float32Array).slice(),
    bias: (lin.bias!.data() as Float32Array).slice(),
    styles,
  };
  xs.dispose();
  ys.dispose();
  cw.dispose();
  lin.dispose();
  return out;
}

/** The most likely style of a window of tokens. */
export function classifyStyle(c: StyleClassifier, tokens: readonly number[]): number {
  return noGrad(() => {
    const f = tokenFeatures(tokens);
    let best = 0;
    let bestScore = Number.NEGATIVE_INFINITY;
    for (let s = 0; s < c.styles; s++) {
      let z = c.bias[s]!;
      for (let j = 0; j < F; j++) z += c.weight[s * F + j]! * ((f[j]! - c.mean[j]!) / c.std[j]!);
      if (z > bestScore) {
        bestScore = z;
        best = s;
      }
    }
    return best;
  });
}

/** Fraction of windows classified as their style, and the mean per-style recall (balanced accuracy). */
export function styleAccuracy(c: StyleClassifier, windows: readonly { tokens: readonly number[]; style: number }[]) {
  const hit = new Array<number>(c.styles).fill(0);
  const tot = new Array<number>(c.styles).fill(0);
  for (const w of windows) {
    tot[w.style]!++;
    if (classifyStyle(c, w.tokens) === w.style) hit[w.style]!++;
  }
  const present = tot.map((t, s) => (t ? hit[s]! / t : -1)).filter((r) => r >= 0);
  return {
    accuracy: hit.reduce((a, b) => a + b, 0) / Math.max(1, windows.length),
    balancedAccuracy: present.reduce((a, b) => a + b, 0) / Math.max(1, present.length),
    windows: windows.length,
  };
}
