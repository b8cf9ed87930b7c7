// Analysis windows, computed in float64 and stored as float32 (torch's periodic defaults).
import { FlambeauError } from "../../core/errors.js";
import { type Tensor, tensor } from "../../core/index.js";

export type WindowName = "hann" | "hamming" | "rect";
export const WINDOWS: readonly WindowName[] = ["hann", "hamming", "rect"];

/** torch.hann_window / hamming_window (periodic by default) or a rectangular window. */
export function makeWindow(name: WindowName, length: number, periodic = true): Tensor {
  if (!WINDOWS.includes(name))
    throw new FlambeauError("E_ARG", `window: unknown window ${JSON.stringify(name)}; expected one of ${WINDOWS.join(", ")}`, "window");
  if (!Number.isInteger(length) || length < 1 || length > 1 << 24)
    throw new FlambeauError("E_ARG", `window: length must be an integer in [1, 2^24], got ${length}`, "window");
  const w = new Float32Array(length);
  const n = periodic ? length : length - 1;
  for (let i = 0; i < length; i++) {
    if (name === "rect" || length === 1) w[i] = 1;
    else if (name === "hann") w[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / n);
    else w[i] = 0.54 - 0.46 * Math.cos((2 * Math.PI * i) / n);
  }
  return tensor(w);
}
