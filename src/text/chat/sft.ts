// Supervised fine-tuning batches of chat turns: inputs are every token but the last, targets
// the next-token labels with the prompt masked (IGNORE), so the loss is the mean cross-entropy
// over the answer tokens only.
import type { Tensor } from "../../core/index.js";
import { crossEntropy } from "../../core/ops/loss.js";
import { tokenTensor } from "../seq2seq/transformer.js";
import { IGNORE } from "./template.js";

export interface SftRow {
  ids: number[];
  labels: number[];
}

/** [x, y]: x [B, T] token ids (padded with `pad`), y [B, T] labels (padded with IGNORE). */
export function sftBatch(rows: readonly SftRow[], pad: number): [Tensor, Tensor] {
  return [
    tokenTensor(
      rows.map((r) => r.ids.slice(0, -1)),
      pad,
    ),
    tokenTensor(
      rows.map((r) => r.labels),
      IGNORE,
    ),
  ];
}

/** Mean cross-entropy of logits [B, T, V] over the positions whose label is not IGNORE. */
export function answerLoss(logits: Tensor, labels: Tensor, reduction: "mean" | "sum" = "mean"): Tensor {
  return crossEntropy(logits.reshape([-1, logits.shape[2]!]), labels.reshape([-1]), { ignoreIndex: IGNORE, reduction });
}
