// torch.backends.quantized.engine: which library runs the quantized kernels (Debian's
// libtorch 1.13 has onednn, the default, and qnnpack; fbgemm is not built). Weights are packed
// for the engine current when packing, so choose it before quantizing or loading a model.
import { FlambeauError } from "../core/errors.js";
import { native } from "../core/native.js";

export const quantizedEngine = (): string => native.quantizedEngine();
export const supportedQuantizedEngines = (): string[] => native.supportedQuantizedEngines().filter((e) => e !== "none");

export function setQuantizedEngine(name: string): void {
  try {
    native.setQuantizedEngine(name);
  } catch (e) {
    throw new FlambeauError("E_ARG", (e as Error).message, "setQuantizedEngine");
  }
}

/**
 * Whether activations must keep 7 bits for the current engine. onednn on a CPU without AVX-512
 * VNNI (this project's AMD EPYC has AVX2 only) saturates int16 sums with 8-bit activations:
 * measured errors of 2-4 on outputs of magnitude 20 in Debian's libtorch 1.13, for PyTorch's
 * own calls too. qnnpack takes the full range.
 */
export const reduceRangeFor = (engine: string): boolean => engine === "onednn" || engine === "x86" || engine === "fbgemm";
