// Multinomial logistic regression on fixed features: the "model on top" of every shallow
// baseline. Features are standardised with the training statistics, the L2 strength is
// chosen on the validation split, and the convex loss is minimised with Adam on the engine.

import { FlambeauError } from "../core/errors.js";
import { manualSeed, noGrad, randperm, type Tensor, tidy, zeros } from "../core/index.js";
import { crossEntropy } from "../core/ops/loss.js";
import { Parameter } from "../nn/parameter.js";
import { Adam } from "../optim/index.js";

export interface LinearClassifierOptions {
  /** L2 strengths tried; the best on the validation split wins. */
  l2?: readonly number[];
  epochs?: number;
  batchSize?: number;
  lr?: number;
  seed?: number;
}

export interface Labelled {
  x: Tensor;
  y: Tensor;
}

export class LinearClassifier {
  private constructor(
    readonly weight: Tensor,
    readonly bias: Tensor,
    readonly mean: Tensor,
    readonly std: Tensor,
    readonly l2: number,
  ) {}

  /** Fits on `train`, picks the L2 strength by accuracy on `val`. */
  static fit(train: Labelled, val: Labelled, numClasses: number, o: LinearClassifierOptions = {}): LinearClassifier {
    const [n, f] = train.x.shape as [number, number];
    if (val.y.shape[0] === 0)
      throw new FlambeauError(
        "E_ARG",
        "LinearClassifier.fit: the validation split is empty, so no L2 strength can be chosen; pass the training split as validation to choose it there",
      );
    if (train.x.ndim !== 2 || train.y.shape[0] !== n)
      throw new FlambeauError(
        "E_SHAPE",
        `LinearClassifier.fit: features [N, F] and labels [N] expected, got [${train.x.shape}] and [${train.y.shape}]`,
      );
    if (val.x.shape[1] !== f)
      throw new FlambeauError("E_SHAPE", `LinearClassifier.fit: validation has ${val.x.shape[1]} features, training ${f}`);
    const mean = train.x.mean({ dim: 0, keepdim: true }).keep();
    const std = train.x.std({ dim: 0, keepdim: true }).clamp(1e-6).keep();
    let best: LinearClassifier | undefined;
    let bestAcc = -1;
    for (const l2 of o.l2 ?? [1e-4, 1e-3, 1e-2]) {
      const m = LinearClassifier.fitOne(train, numClasses, mean, std, l2, o);
      const acc = m.accuracy(val);
      if (acc > bestAcc) {
        best?.dispose(false);
        best = m;
        bestAcc = acc;
      } else m.dispose(false);
    }
    return best!;
  }

  private static fitOne(train: Labelled, k: number, mean: Tensor, std: Tensor, l2: number, o: LinearClassifierOptions): LinearClassifier {
    const [n, f] = train.x.shape as [number, number];
    manualSeed(o.seed ?? 0);
    const w = new Parameter(zeros([f, k]));
    const b = new Parameter(zeros([k]));
    const opt = new Adam([w, b], { lr: o.lr ?? 1e-2 });
    const bs = Math.min(o.batchSize ?? 256, n);
    const epochs = o.epochs ?? Math.min(200, Math.max(20, Math.ceil(300_000 / n)));
    const x = tidy(() => train.x.sub(mean).div(std));
    for (let e = 0; e < epochs; e++) {
      const perm = randperm(n);
      for (let i = 0; i < n; i += bs) {
        tidy(() => {
          const idx = perm.narrow(0, i, Math.min(bs, n - i));
          const logits = x.indexSelect(0, idx).matmul(w).add(b);
          const loss = crossEntropy(logits, train.y.indexSelect(0, idx)).add(w.square().sum().mul(l2));
          opt.zeroGrad();
          loss.backward();
          opt.step();
        });
      }
      perm.dispose();
    }
    x.dispose();
    return new LinearClassifier(w.detach().keep(), b.detach().keep(), mean, std, l2);
  }

  /** Class scores [N, K]. */
  logits(x: Tensor): Tensor {
    return noGrad(() => tidy(() => x.sub(this.mean).div(this.std).matmul(this.weight).add(this.bias)));
  }

  predict(x: Tensor): Tensor {
    return tidy(() => this.logits(x).argmax(1));
  }

  accuracy(d: Labelled): number {
    return tidy(() => this.predict(d.x).eq(d.y).float().mean().item());
  }

  dispose(withStats = true): void {
    this.weight.dispose();
    this.bias.dispose();
    if (withStats) {
      this.mean.dispose();
      this.std.dispose();
    }
  }
}
