// A seeded random split of the labelled nodes into train/val/test masks.
import { FlambeauError } from "../../core/errors.js";
import { type Tensor, tensor } from "../../core/index.js";
import { Random } from "../../data/random.js";

export function randomNodeSplit(
  y: Tensor,
  fractions: { train: number; val: number },
  seed: number,
): { trainMask: Tensor; valMask: Tensor; testMask: Tensor } {
  const { train, val } = fractions;
  if (!(train > 0 && val >= 0 && train + val < 1))
    throw new FlambeauError("E_ARG", `randomNodeSplit: need 0 < train, 0 ≤ val, train + val < 1; got train ${train}, val ${val}`);
  const labels = y.data() as BigInt64Array;
  const labelled: number[] = [];
  labels.forEach((v, i) => {
    if (v >= 0n) labelled.push(i);
  });
  new Random(seed, 0x9e0).shuffle(labelled);
  const nTrain = Math.max(1, Math.round(train * labelled.length));
  const nVal = Math.round(val * labelled.length);
  const mask = (from: number, to: number) => {
    const m = new Uint8Array(labels.length);
    for (let k = from; k < to; k++) m[labelled[k]!] = 1;
    return tensor(m).to("bool");
  };
  return {
    trainMask: mask(0, nTrain),
    valMask: mask(nTrain, nTrain + nVal),
    testMask: mask(nTrain + nVal, labelled.length),
  };
}
