// Full-batch transductive training of a node model: every epoch is one forward over the
// whole graph, the loss on the training nodes, and validation accuracy on the val nodes; the
// weights of the best validation epoch are kept (the last epoch when there is no val set).
import { noGrad, type Tensor, tidy } from "../../core/index.js";
import { nonzero } from "../../core/ops/indexing.js";
import { crossEntropy } from "../../core/ops/loss.js";
import { AdamW } from "../../optim/index.js";
import { KeepBestModel, type Logs } from "../../train/callbacks.js";
import type { ProgressSink } from "../../train/progress.js";
import type { Graph } from "../graph.js";
import type { NodeModel } from "../models/node-models.js";

export interface NodeFitOptions {
  epochs: number;
  lr: number;
  weightDecay?: number;
  progress?: ProgressSink;
}

export interface NodeFitResult {
  epochs: Logs[];
  bestEpoch: number;
  seconds: number;
}

/** Indices of the true entries of a bool mask. */
export const maskIndex = (mask: Tensor): Tensor => tidy(() => nonzero(mask).view(-1));

/** Accuracy of argmax(logits) on the masked nodes. */
export function maskedAccuracy(logits: Tensor, y: Tensor, idx: Tensor): number {
  if (idx.shape[0] === 0) return Number.NaN;
  return tidy(() => Number(logits.indexSelect(0, idx).argmax(1).eq(y.indexSelect(0, idx)).float().mean().item()));
}

export function fitNodeModel(model: NodeModel, g: Graph, o: NodeFitOptions): NodeFitResult {
  const t0 = performance.now();
  const x = g.x!;
  const y = g.y!;
  const trainIdx = maskIndex(g.trainMask!).keep();
  const valIdx = maskIndex(g.valMask!).keep();
  const yTrain = y.indexSelect(0, trainIdx).keep();
  const opt = new AdamW(model.parameters(), { lr: o.lr, weightDecay: o.weightDecay ?? 5e-4 });
  const epochs: Logs[] = [];
  const best = new KeepBestModel({ monitor: "valAccuracy" });
  o.progress?.start("epochs", o.epochs);
  for (let epoch = 1; epoch <= o.epochs; epoch++) {
    const loss = tidy(() => {
      model.train();
      opt.zeroGrad();
      const l = crossEntropy(model.forward(x, g.edgeIndex).indexSelect(0, trainIdx), yTrain);
      l.backward();
      opt.step();
      return Number(l.item());
    });
    const logs: Logs = { epoch, loss };
    if (valIdx.shape[0]! > 0) {
      noGrad(() =>
        tidy(() => {
          model.eval();
          const out = model.forward(x, g.edgeIndex);
          logs.valLoss = Number(crossEntropy(out.indexSelect(0, valIdx), y.indexSelect(0, valIdx)).item());
          logs.valAccuracy = maskedAccuracy(out, y, valIdx);
        }),
      );
      best.onEpochEnd({ epoch, step: epoch, stopTraining: false, model }, logs);
    }
    epochs.push(logs);
    o.progress?.update(epoch, logs);
  }
  // Without validation nodes the last epoch's weights are kept.
  const bestEpoch = best.restore(model) ? best.bestEpoch : o.epochs;
  model.eval();
  o.progress?.end(`best epoch ${bestEpoch}`);
  for (const t of [trainIdx, valIdx, yTrain]) t.dispose();
  return { epochs, bestEpoch, seconds: (performance.now() - t0) / 1000 };
}
