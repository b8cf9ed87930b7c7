// Sinusoidal position encodings (Vaswani et al. 2017), shared by the text Transformer and the image captioner.
import { arange, cat, type Tensor, tidy } from "../core/index.js";

/** [maxLen, d] sinusoidal position encodings. */
export function sinusoidalPositions(maxLen: number, d: number): Tensor {
  return tidy(() => {
    const pos = arange(0, maxLen).float().unsqueeze(1);
    const freq = arange(0, d, 2)
      .float()
      .mul(-Math.log(10000) / d)
      .exp();
    const angles = pos.mul(freq);
    return cat([angles.sin().unsqueeze(2), angles.cos().unsqueeze(2)], 2).view([maxLen, d]);
  });
}
