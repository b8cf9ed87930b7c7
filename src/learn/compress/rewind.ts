// Lottery-ticket rewinding (Frankle & Carbin 2019; Frankle et al. 2020): after a pruning step,
// the weights that survive are reset to their values at an earlier point of training — the
// initialization, or (rewinding) a few epochs in — and the masked net is retrained from there,
// instead of fine-tuned from its trained values. The earlier weights come from a model
// directory (or a .safetensors file) of the same architecture: for example the same recipe
// stopped after its first epoch (`flambeau train … --epochs 1 --out early`).
import { FlambeauError } from "../../core/errors.js";
import { noGrad, type Tensor } from "../../core/index.js";
import { load } from "../../io/index.js";
import { weightsFile } from "../../io/load-weights.js";

const OP = "compress --rewind";

/** The weights to rewind to, read from a model directory's model.safetensors or a .safetensors file. */
export async function loadRewindPoint(path: string): Promise<Map<string, Tensor>> {
  return await load(weightsFile(path, OP));
}

/**
 * The state dict a masked model restarts from: every entry of `current` (plain keys, masks
 * folded) replaced by the rewind point's value, times the mask where the entry is pruned.
 * A key the rewind point lacks, or holds with another shape, is an error naming it.
 */
export function rewound(
  current: ReadonlyMap<string, Tensor>,
  point: ReadonlyMap<string, Tensor>,
  masks: ReadonlyMap<string, Tensor>,
): Map<string, Tensor> {
  const out = new Map<string, Tensor>();
  for (const [key, value] of current) {
    const early = point.get(key);
    if (early === undefined)
      throw new FlambeauError("E_ARG", `${OP}: the rewind point has no "${key}"; it must be a model of the same architecture`, OP);
    if (early.shape.join(",") !== value.shape.join(","))
      throw new FlambeauError(
        "E_ARG",
        `${OP}: "${key}" is [${early.shape.join(", ")}] at the rewind point but [${value.shape.join(", ")}] in the model; it must be the same architecture`,
        OP,
      );
    const mask = masks.get(key);
    out.set(
      key,
      noGrad(() => (mask ? early.mul(mask) : early.clone())),
    );
  }
  return out;
}
