// Delta (time-derivative) features by the regression formula, as torchaudio.functional.compute_deltas.
import { FlambeauError } from "../../core/errors.js";
import { arange, type Tensor, tidy } from "../../core/index.js";
import { conv1d, pad } from "../../nn/functional.js";

/** d_t = Σ_{n=1..N} n (c_{t+n} − c_{t−n}) / (2 Σ n²), N = (winLength − 1) / 2, edges replicated. x: [..., freq, time]. */
export function computeDeltas(x: Tensor, winLength = 5, mode: "replicate" | "reflect" | "constant" = "replicate"): Tensor {
  if (!Number.isInteger(winLength) || winLength < 3 || winLength > 1001)
    throw new FlambeauError("E_ARG", `computeDeltas: winLength must be an integer in [3, 1001], got ${winLength}`, "computeDeltas");
  if (x.ndim < 1) throw new FlambeauError("E_SHAPE", "computeDeltas: expected [..., time], got a scalar", "computeDeltas");
  return tidy(() => {
    const shape = x.shape;
    const t = shape[shape.length - 1]!;
    const n = Math.floor((winLength - 1) / 2);
    const denom = (n * (n + 1) * (2 * n + 1)) / 3;
    const flat = x.reshape([1, -1, t]);
    const c = flat.shape[1]!;
    const padded = pad(flat, [n, n], mode);
    const kernel = arange(-n, n + 1, 1, { dtype: x.dtype })
      .reshape([1, 1, -1])
      .expand([c, 1, 2 * n + 1])
      .contiguous();
    return conv1d(padded, kernel, null, { groups: c }).div(denom).reshape(shape);
  });
}
