// Embeds a uint8 image set in chunks (bounded memory), without gradients.
import { cat, noGrad, type Tensor, tidy } from "../../core/index.js";

export interface Embedder {
  eval(): unknown;
  forward(x: Tensor): Tensor;
}

export function embedImages(model: Embedder, images: Tensor, prep: (x: Tensor) => Tensor, chunk = 512): Tensor {
  model.eval();
  const n = images.shape[0]!;
  const parts: Tensor[] = [];
  for (let s = 0; s < n; s += chunk)
    parts.push(noGrad(() => tidy(() => model.forward(prep(images.narrow(0, s, Math.min(chunk, n - s)))).keep())));
  if (parts.length === 1) return parts[0]!;
  const out = cat(parts, 0);
  for (const p of parts) p.dispose();
  return out;
}
