// NT-Xent (Chen et al. 2020, SimCLR), the loss Chang et al. train the fingerprint with: a batch
// holds N clean segments and their N distorted replicas; each of the 2N embeddings must pick
// its partner out of the other 2N − 1 by cosine similarity over a temperature.
import { FlambeauError } from "../../core/errors.js";
import { arange, cat, eye, type Tensor, tidy } from "../../core/index.js";
import { crossEntropy } from "../../core/ops/loss.js";

/** za, zb: [N, d] unit-norm embeddings, row i of each a positive pair. */
export function ntXentLoss(za: Tensor, zb: Tensor, temperature: number): Tensor {
  const op = "ntXentLoss";
  if (za.ndim !== 2 || za.shape[0] !== zb.shape[0] || za.shape[1] !== zb.shape[1] || zb.ndim !== 2)
    throw new FlambeauError("E_SHAPE", `${op}: expected two [N, d] batches, got [${za.shape.join(", ")}] and [${zb.shape.join(", ")}]`, op);
  if (za.shape[0]! < 2) throw new FlambeauError("E_ARG", `${op}: a batch needs at least 2 pairs, got ${za.shape[0]}`, op);
  if (!(temperature > 0)) throw new FlambeauError("E_ARG", `${op}: temperature must be > 0, got ${temperature}`, op);
  const n = za.shape[0]!;
  return tidy(() => {
    const z = cat([za, zb], 0);
    // A row's similarity to itself is pushed far below every other logit, which removes it from the softmax.
    const logits = z
      .matmul(z.t())
      .div(temperature)
      .sub(eye(2 * n).mul(1e9));
    const partner = cat([arange(n, 2 * n, 1, { dtype: "int64" }), arange(0, n, 1, { dtype: "int64" })]);
    return crossEntropy(logits, partner);
  });
}
