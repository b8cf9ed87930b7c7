// CLIP's contrastive loss (Radford et al. 2021): image i's positive is text i and every other
// text of the batch a negative, and the same from the texts' side; the two cross-entropies
// are averaged. Similarities are cosines scaled by e^{logitScale}, a learnt inverse
// temperature clipped at 100 as CLIP does.
import { FlambeauError } from "../../core/errors.js";
import { arange, type Tensor } from "../../core/index.js";
import { crossEntropy } from "../../core/ops/loss.js";

export const MAX_LOGIT_SCALE = Math.log(100);

/** Symmetric InfoNCE over unit embeddings image [B, D] and text [B, D]. */
export function clipLoss(image: Tensor, text: Tensor, logitScale: Tensor): Tensor {
  if (image.shape.length !== 2 || text.shape.length !== 2 || image.shape[0] !== text.shape[0] || image.shape[1] !== text.shape[1])
    throw new FlambeauError("E_SHAPE", `clipLoss: image [${image.shape}] and text [${text.shape}] must both be [B, D]`, "clipLoss");
  const b = image.shape[0]!;
  if (b < 2) throw new FlambeauError("E_ARG", `clipLoss: a batch needs 2+ pairs (in-batch negatives), got ${b}`, "clipLoss");
  const logits = image.matmul(text.t()).mul(logitScale.clamp(null, MAX_LOGIT_SCALE).exp());
  const labels = arange(b, undefined, 1, { dtype: "int64" });
  return crossEntropy(logits, labels).add(crossEntropy(logits.t(), labels)).mul(0.5);
}
