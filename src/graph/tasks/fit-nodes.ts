// Full-batch transductive training of a node model on the Trainer: every epoch is one step —
// a forward over the whole graph and the loss on the training nodes — then validation
// accuracy on the val nodes; the weights of the best validation epoch are kept (the last
// epoch when there is no val set). Data parallel: each rank takes its part of the training nodes.
import { noGrad, type Tensor, tidy } from "../../core/index.js";
import { fullLike } from "../../core/ops/creation.js";
import { nonzero } from "../../core/ops/indexing.js";
import { crossEntropy, IGNORE_INDEX } from "../../core/ops/loss.js";
import type { Module } from "../../nn/module.js";
import { AdamW } from "../../optim/index.js";
import type { Logs } from "../../train/callbacks.js";
import { shardRows } from "../../train/distributed/shard.js";
import type { ProgressSink } from "../../train/progress.js";
import { claimRunDistill } from "../../train/run-settings.js";
import { Trainer } from "../../train/trainer.js";
import { epochProgress } from "../full-graph.js";
import type { Graph } from "../graph.js";
import type { NodeModel } from "../models/node-models.js";

export interface NodeFitOptions {
  epochs: number;
  lr: number;
  weightDecay?: number;
  progress?: ProgressSink;
  /** Names the run in the divergence error. */
  name?: string;
  /** The logits of every node; default model.forward(g.x, g.edgeIndex) (typed models read more). */
  forward?: () => Tensor;
}

export interface NodeFitResult {
  epochs: Logs[];
  bestEpoch: number;
  seconds: number;
}

/** The nodes one step's loss is taken on, and their labels. */
interface NodeBatch {
  nodes: Tensor;
  y: Tensor;
}

/** Indices of the true entries of a bool mask. */
export const maskIndex = (mask: Tensor): Tensor => tidy(() => nonzero(mask).view(-1));

/** Accuracy of argmax(logits) on the masked nodes. */
export function maskedAccuracy(logits: Tensor, y: Tensor, idx: Tensor): number {
  if (idx.shape[0] === 0) return Number.NaN;
  return tidy(() => logits.indexSelect(0, idx).argmax(1).eq(y.indexSelect(0, idx)).float().mean().item());
}

/** `model` is a NodeModel, or any module whose logits `o.forward` computes. */
export async function fitNodeModel(model: Module, g: Graph, o: NodeFitOptions): Promise<NodeFitResult> {
  const x = g.x!;
  const y = g.y!;
  const logits = o.forward ?? (() => (model as NodeModel).forward(x, g.edgeIndex));
  const valIdx = maskIndex(g.valMask!).keep();
  const withVal = valIdx.shape[0]! > 0;
  // `flambeau compress --distill-to`: the teacher's softened logits on every node (the unlabelled
  // ones too, as GNN distillation does: Yang et al. 2021, Zhang et al. 2022's GLNN) and the labels
  // on the training nodes (every other target is the ignore index).
  const distill = claimRunDistill();
  const distilled = (b: NodeBatch): Tensor => {
    const target = fullLike(y, IGNORE_INDEX).scatter(0, b.nodes, b.y);
    return distill!((m) => (m as NodeModel).forward(x, g.edgeIndex), logits(), target);
  };
  const trainer = new Trainer<NodeBatch>({
    name: o.name ?? "node-classification",
    model,
    optimizer: new AdamW(model.parameters(), { lr: o.lr, weightDecay: o.weightDecay ?? 5e-4 }),
    step: (b) => (distill ? distilled(b) : crossEntropy(logits().indexSelect(0, b.nodes), b.y)),
    // Each rank takes training nodes rank, rank + N, … (the graph is whole on every rank).
    shard: (b, rank, world) =>
      b.nodes.shape[0]! < world ? null : { nodes: shardRows(b.nodes, rank, world), y: shardRows(b.y, rank, world) },
    validate: withVal
      ? () =>
          noGrad(() =>
            tidy(() => {
              const out = logits();
              return {
                valLoss: crossEntropy(out.indexSelect(0, valIdx), y.indexSelect(0, valIdx)).item(),
                valAccuracy: maskedAccuracy(out, y, valIdx),
              };
            }),
          )
      : undefined,
    keepBest: { monitor: "valAccuracy" },
    callbacks: [epochProgress(o.progress, o.epochs)],
  });
  // One batch per epoch: the training nodes (made afresh, the trainer frees each batch).
  const epoch = {
    length: 1,
    *[Symbol.iterator](): Generator<NodeBatch> {
      const nodes = maskIndex(g.trainMask!);
      yield { nodes, y: y.indexSelect(0, nodes) };
    },
  };
  try {
    const h = await trainer.fit(epoch, { epochs: o.epochs });
    model.eval();
    // Without validation nodes the last epoch's weights are kept.
    return { epochs: h.epochs, bestEpoch: h.bestEpoch!, seconds: h.seconds };
  } finally {
    valIdx.dispose();
  }
}
