// torch.stft: the short-time Fourier transform with PyTorch's Python defaults (center=True,
// reflect padding, hop nFft/4), which ATen's stft.center overload implements.
import { aten } from "../aten.js";
import { callT } from "../dispatch.js";
import { isFloating } from "../dtype.js";
import { argError } from "../errors.js";
import type { Tensor } from "../tensor.js";
import { checkEnum, checkInt, checkOptTensor, checkTensor, optArgs, show } from "../validate.js";

export interface StftOptions {
  /** Default floor(nFft / 4). */
  hopLength?: number | null;
  /** Default nFft. */
  winLength?: number | null;
  /** A [winLength] window (default rectangular, all ones). */
  window?: Tensor | null;
  /** Pad nFft/2 on both sides so frame t is centred at t·hop (default true). */
  center?: boolean;
  padMode?: "reflect" | "constant" | "replicate" | "circular";
  normalized?: boolean;
  /** Only the non-negative frequencies (default true for real input). */
  onesided?: boolean | null;
  /** A complex result (true), or for real input the real view [..., 2] (null/false, PyTorch 1.13's deprecated default). */
  returnComplex?: boolean | null;
}
const STFT_ARGS = ["hopLength", "winLength", "window", "center", "padMode", "normalized", "onesided", "returnComplex"] as const;
type StftArg<T> = T | StftOptions;
const STFT_CENTER = aten("stft.center");
const CAP = 2 ** 24;

/** STFT of a [T] or [B, T] signal: [(B,) freq, frames(, 2)]; the optional arguments positionally (PyTorch's order) or in the options. */
export function stft(
  input: Tensor,
  nFft: number,
  hopLength?: StftArg<number | null>,
  winLength?: StftArg<number | null>,
  window?: StftArg<Tensor | null>,
  center?: StftArg<boolean>,
  padMode?: StftArg<StftOptions["padMode"]>,
  normalized?: StftArg<boolean>,
  onesided?: StftArg<boolean | null>,
  returnComplex?: StftArg<boolean | null>,
): Tensor {
  const op = "stft";
  checkTensor(op, "input", input);
  const o = optArgs<StftOptions>(op, STFT_ARGS, [hopLength, winLength, window, center, padMode, normalized, onesided, returnComplex]);
  if (input.ndim !== 1 && input.ndim !== 2)
    argError(op, `input must be a 1-D signal or a 2-D batch of signals, got [${input.shape.join(", ")}]`);
  if (!isFloating(input.dtype)) argError(op, `input must be floating point, got ${input.dtype}`);
  const n = checkInt(op, "nFft", nFft, 1, CAP);
  const win = o.winLength == null ? n : checkInt(op, "winLength", o.winLength, 1, n);
  const hop = o.hopLength == null ? null : checkInt(op, "hopLength", o.hopLength, 1, CAP);
  const w = checkOptTensor(op, "window", o.window ?? null);
  if (w && (w.ndim !== 1 || w.shape[0] !== win)) argError(op, `window must be [${win}] (winLength), got [${w.shape.join(", ")}]`);
  const c = o.center ?? true;
  const mode = checkEnum(op, "padMode", o.padMode ?? "reflect", ["reflect", "constant", "replicate", "circular"]);
  for (const [name, v] of [
    ["center", c],
    ["normalized", o.normalized ?? false],
    ["onesided", o.onesided ?? false],
    ["returnComplex", o.returnComplex ?? false],
  ] as const)
    if (typeof v !== "boolean") argError(op, `${name} must be a boolean, got ${show(v)}`);
  const t = input.shape[input.ndim - 1]!;
  const half = Math.floor(n / 2);
  if (c && mode === "reflect" && t <= half) argError(op, `reflect padding needs more than nFft/2 = ${half} samples, got ${t}`);
  if (t + (c ? 2 * half : 0) < n) argError(op, `a ${t}-sample signal is shorter than nFft = ${n}`);
  return callT(
    STFT_CENTER,
    input,
    n,
    hop,
    o.winLength == null ? null : win,
    w,
    c,
    mode,
    o.normalized ?? false,
    o.onesided ?? null,
    o.returnComplex ?? null,
  );
}
