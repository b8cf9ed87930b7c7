// Helpers the text models share: padded-batch lengths and masked pooling over time.
import { cat, type Tensor } from "../../core/index.js";

/** Id 0 is padding in every Flambeau text vocabulary. */
export const PAD_ID = 0;

/** Valid length of each row of a padded [B, T] id batch (at least 1, so an all-padding row stays defined). */
export function lengthsOf(ids: Tensor): number[] {
  const n = ids.ne(PAD_ID).sum({ dim: 1 });
  const out = Array.from(n.data() as BigInt64Array, (v) => Math.max(1, Number(v)));
  n.dispose();
  return out;
}

/** Mean and max over time of [B, T, D] features with padding excluded: [B, 2D]. */
export function maskedMeanMax(h: Tensor, ids: Tensor): Tensor {
  const mask = ids.ne(PAD_ID).unsqueeze(2);
  const m = mask.to(h.dtype);
  const mean = h
    .mul(m)
    .sum({ dim: 1 })
    .div(m.sum({ dim: 1 }).clamp(1));
  const max = h.maskedFill(mask.logicalNot(), -1e4).amax(1);
  return cat([mean, max], 1);
}
