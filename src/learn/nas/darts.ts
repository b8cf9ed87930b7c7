// DARTS, first order (Liu et al. 2019, §2.3 with ξ = 0): the search data is halved, one half
// trains the network's weights w (SGD with momentum, cosine schedule), the other the mixture
// weights α (Adam); the two take alternate steps, α on a batch of its half, then w on a batch
// of its own. The derived cell (derive in src/vision/models/nas/genotype.ts) is then retrained
// from scratch. Against DARTS's collapse to parameter-free cells (Zela et al. 2020), two cheap
// remedies: α is frozen for the first `warmupEpochs` (the weights of the convolutions learn
// before α compares them with pools and skips that need no learning, as P-DARTS and DARTS+ do)
// and the derived cell keeps at most `maxSkip` skip-connections (P-DARTS).

import { FlambeauError } from "../../core/errors.js";
import { manualSeed, noGrad, type Tensor, tensor, tidy } from "../../core/index.js";
import { crossEntropy } from "../../core/ops/loss.js";
import { mulberry32, shuffleInPlace } from "../../data/random.js";
import type { Module } from "../../nn/module.js";
import { Adam } from "../../optim/adam.js";
import { SGD } from "../../optim/sgd.js";
import { derive, type Genotype } from "../../vision/models/nas/genotype.js";
import { SearchNetwork } from "../../vision/models/nas/network.js";

/** Images as float [N, C, H, W] (normalised) and labels int64 [N]. */
export interface ImageSet {
  x: Tensor;
  y: Tensor;
}

export interface DartsOptions {
  numClasses: number;
  /** Channels per node during the search (default 8). */
  channels?: number;
  /** Intermediate nodes per cell (default 3). */
  nodes?: number;
  cells?: number;
  epochs?: number;
  batchSize?: number;
  /** Peak learning rate of the weights (SGD, momentum 0.9, weight decay 3e-4; default 0.05). */
  lr?: number;
  /**
   * α's learning rate (Adam, betas (0.5, 0.999), weight decay 1e-3, as DARTS). Default 3e-3:
   * ten times DARTS's 3e-4, because a budget of a few hundred steps would leave α at its start.
   */
  alphaLr?: number;
  /** Epochs at the start that train the weights only, α frozen (default: 1 when epochs ≥ 2, else 0). */
  warmupEpochs?: number;
  /** Most skip-connections in the derived cell (default 2). */
  maxSkip?: number;
  seed?: number;
  log?: (line: string) => void;
}

export interface DartsResult {
  genotype: Genotype;
  /** softmax(α), [edges][ops]. */
  alpha: number[][];
  /** Per epoch: the weights' training loss and the accuracy on α's half. */
  history: { epoch: number; loss: number; archAccuracy: number }[];
  seconds: number;
}

type Classifier = Module & { forward(x: Tensor): Tensor };

const positive = (name: string, v: number | undefined): void => {
  if (v !== undefined && !(Number.isSafeInteger(v) && v >= 1))
    throw new FlambeauError("E_ARG", `nas: ${name} must be a positive integer, got ${v}`);
};

/** Rows `idx` of a set. */
const rows = (d: ImageSet, idx: readonly number[]): ImageSet => {
  const i = tensor([...idx], { dtype: "int64" });
  return { x: d.x.indexSelect(0, i), y: d.y.indexSelect(0, i) };
};

/** Accuracy of `model` on `d`, in batches. */
export function accuracy(model: Classifier, d: ImageSet, batchSize = 256): number {
  const n = d.y.shape[0]!;
  model.eval();
  let right = 0;
  for (let b = 0; b < n; b += batchSize)
    right += tidy(() =>
      noGrad(() => {
        const m = Math.min(batchSize, n - b);
        const pred = (model.forward(d.x.narrow(0, b, m)) as Tensor).argmax(1);
        return Number(
          pred
            .eq(d.y.narrow(0, b, m))
            .sum()
            .item(),
        );
      }),
    );
  return right / n;
}

export function dartsSearch(data: ImageSet, o: DartsOptions): DartsResult {
  const t0 = performance.now();
  const epochs = o.epochs ?? 3;
  const batchSize = o.batchSize ?? 64;
  positive("epochs", epochs);
  positive("batchSize", batchSize);
  const warmup = o.warmupEpochs ?? (epochs >= 2 ? 1 : 0);
  if (!Number.isSafeInteger(warmup) || warmup < 0 || warmup >= epochs)
    throw new FlambeauError("E_ARG", `nas: warmupEpochs must be an integer in [0, epochs − 1 = ${epochs - 1}], got ${warmup}`);
  const n = data.y.shape[0]!;
  if (n < 2 * batchSize)
    throw new FlambeauError("E_ARG", `nas: the search needs at least 2 × batchSize = ${2 * batchSize} images (two halves), got ${n}`);
  const seed = o.seed ?? 0;
  const log = o.log ?? (() => {});
  manualSeed(seed);
  const rand = mulberry32(seed);
  const order = shuffleInPlace(
    Array.from({ length: n }, (_, i) => i),
    rand,
  );
  const half = Math.floor(n / 2);
  const wSet = rows(data, order.slice(0, half));
  const aSet = rows(data, order.slice(half, 2 * half));
  const net = new SearchNetwork({
    inChannels: data.x.shape[1]!,
    numClasses: o.numClasses,
    channels: o.channels ?? 8,
    nodes: o.nodes,
    cells: o.cells,
  });
  const lr = o.lr ?? 0.05;
  const wOpt = new SGD(net.weights(), { lr, momentum: 0.9, weightDecay: 3e-4 });
  const aOpt = new Adam([net.alpha], { lr: o.alphaLr ?? 3e-3, betas: [0.5, 0.999], weightDecay: 1e-3 });
  const steps = Math.floor(half / batchSize);
  const total = epochs * steps;
  const history: DartsResult["history"] = [];
  const step = (opt: SGD | Adam, d: ImageSet, idx: readonly number[]): number =>
    tidy(() => {
      wOpt.zeroGrad();
      aOpt.zeroGrad();
      const b = rows(d, idx);
      const loss = crossEntropy(net.forward(b.x), b.y);
      loss.backward();
      opt.step();
      return loss.item() as number;
    });
  for (let e = 1; e <= epochs; e++) {
    net.train();
    const wOrder = shuffleInPlace(
      Array.from({ length: half }, (_, i) => i),
      rand,
    );
    const aOrder = shuffleInPlace(
      Array.from({ length: half }, (_, i) => i),
      rand,
    );
    let sum = 0;
    for (let s = 0; s < steps; s++) {
      // Cosine annealing of the weights' rate over the whole search, as DARTS.
      const t = (e - 1) * steps + s;
      for (const g of wOpt.paramGroups) g.lr = 0.5 * lr * (1 + Math.cos((Math.PI * t) / total));
      if (e > warmup) step(aOpt, aSet, aOrder.slice(s * batchSize, (s + 1) * batchSize));
      sum += step(wOpt, wSet, wOrder.slice(s * batchSize, (s + 1) * batchSize));
    }
    const archAccuracy = accuracy(net, aSet);
    history.push({ epoch: e, loss: sum / steps, archAccuracy });
    log(
      `nas search epoch ${e}/${epochs}${e <= warmup ? " (warm-up, α frozen)" : ""}: loss ${(sum / steps).toFixed(4)}, accuracy on α's half ${archAccuracy.toFixed(4)}`,
    );
  }
  const alpha = noGrad(() => {
    const w = net.alpha.softmax(1);
    const flat = Array.from(w.data() as Float32Array);
    w.dispose();
    const k = net.alpha.shape[1]!;
    return Array.from({ length: net.alpha.shape[0]! }, (_, r) => flat.slice(r * k, (r + 1) * k));
  });
  const genotype = derive(alpha, net.nodes, { maxSkip: o.maxSkip });
  for (const t of [wSet.x, wSet.y, aSet.x, aSet.y]) t.dispose();
  return { genotype, alpha, history, seconds: (performance.now() - t0) / 1000 };
}
