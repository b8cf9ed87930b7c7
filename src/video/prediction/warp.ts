// Backward warping by a dense optical flow, the sampling step of flow-based frame
// interpolation (Super-SloMo, IFNet): out(y, x) = img(y + v, x + u), read bilinearly by
// gridSample with the border pixels repeated outside the frame. Flow is in pixels,
// channel 0 the horizontal (u) and channel 1 the vertical (v) displacement.
import { argError } from "../../core/errors.js";
import { arange, stack, type Tensor } from "../../core/index.js";
import { gridSample } from "../../nn/functional-spatial.js";

/** Samples `img` [N, C, H, W] at the pixel positions moved by `flow` [N, 2, H, W]. */
export function backwardWarp(img: Tensor, flow: Tensor): Tensor {
  if (img.ndim !== 4) argError("backwardWarp", `img must be [N, C, H, W], got [${img.shape.join(", ")}]`);
  const [n, , h, w] = img.shape as [number, number, number, number];
  if (flow.ndim !== 4 || flow.shape[0] !== n || flow.shape[1] !== 2 || flow.shape[2] !== h || flow.shape[3] !== w)
    argError("backwardWarp", `flow must be [${n}, 2, ${h}, ${w}] for img [${img.shape.join(", ")}], got [${flow.shape.join(", ")}]`);
  if (h < 2 || w < 2) argError("backwardWarp", `img must be at least 2×2, got ${h}×${w}`);
  // Pixel centres at -1 and +1 for the first and last pixel (alignCorners).
  const xs = arange(w, undefined, 1, { dtype: flow.dtype }).view([1, 1, w]).expand([n, h, w]);
  const ys = arange(h, undefined, 1, { dtype: flow.dtype }).view([1, h, 1]).expand([n, h, w]);
  const gx = xs
    .add(flow.select(1, 0))
    .mul(2 / (w - 1))
    .sub(1);
  const gy = ys
    .add(flow.select(1, 1))
    .mul(2 / (h - 1))
    .sub(1);
  return gridSample(img, stack([gx, gy], 3), { mode: "bilinear", paddingMode: "border", alignCorners: true });
}
