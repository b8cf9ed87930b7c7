// Structured pruning that removes channels: a channel-pruned chain of layers (Conv2d →
// BatchNorm2d → ReLU/pooling → … → Flatten → Linear → …, in Sequentials run in registration
// order, as the zoo's small CNNs are) rebuilt with fewer channels. A pruned conv's output
// channel goes, with the BatchNorm2d entries after it, the next conv's input slice and, past a
// Flatten, the next Linear's columns for that channel (channel × spatial positions); a pruned
// Linear's row goes with the next Linear's column. The smaller net computes exactly what the
// masked one does when a removed channel's activation is exactly zero, which `maskFollowers`
// ensures by masking the pruned channels' biases and BatchNorm γ and β along with the weight
// (so fine-tuning keeps them at zero too).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { FlambeauError } from "../../core/errors.js";
import { noGrad, type Tensor, tensor, tidy } from "../../core/index.js";
import { writeTextAtomic } from "../../io/index.js";
import {
  AdaptiveAvgPool2d,
  AvgPool2d,
  BatchNorm2d,
  Conv2d,
  Dropout,
  Flatten,
  Identity,
  Linear,
  MaxPool2d,
  type Module,
  ReLU,
  Sequential,
} from "../../nn/index.js";
import { customFromMask } from "../../nn/utils/prune.js";

const OP = "shrink";
// Leaves that keep channels apart and map a zero activation to zero.
const PASS = [ReLU, MaxPool2d, AvgPool2d, AdaptiveAvgPool2d, Dropout, Identity];

/** The model's leaf layers in order; anything the channel bookkeeping cannot follow is an error naming it. */
function chain(model: Module): [string, Module][] {
  const leaves: [string, Module][] = [];
  for (const [n, m] of model.namedModules()) {
    const kids = m.namedChildren().length;
    if (n !== "" && kids > 0 && !(m instanceof Sequential))
      throw new FlambeauError(
        "E_ARG",
        `${OP}: layer "${n}" is a ${m.constructor.name}; removing channels follows chains of Sequential layers only`,
        OP,
      );
    if (kids > 0) continue;
    if (![Conv2d, BatchNorm2d, Linear, Flatten, ...PASS].some((C) => m instanceof C))
      throw new FlambeauError(
        "E_ARG",
        `${OP}: layer "${n}" (${m.constructor.name}) is not one removing channels can pass (Conv2d, BatchNorm2d, Linear, Flatten, ReLU, pooling, Dropout, Identity)`,
        OP,
      );
    if (m instanceof Conv2d && m.groups !== 1)
      throw new FlambeauError("E_ARG", `${OP}: layer "${n}" is a grouped convolution (groups ${m.groups})`, OP);
    leaves.push([n, m]);
  }
  return leaves;
}

/** Masks each structurally pruned layer's bias and the BatchNorm2d right after it where its weight's channel is pruned. */
export function maskFollowers(model: Module): void {
  const leaves = chain(model);
  noGrad(() => {
    leaves.forEach(([, m], i) => {
      if (!(m instanceof Conv2d || m instanceof Linear)) return;
      const mask = m.getBuffer("weight_mask");
      if (!mask) return;
      tidy(() => {
        const channel = mask.reshape([mask.shape[0]!, -1]).amax(1).float();
        if (channel.min().item() === 1) return;
        if (m.bias) customFromMask(m, "bias", channel);
        const next = leaves[i + 1]?.[1];
        if (next instanceof BatchNorm2d) {
          if (next.weight) customFromMask(next, "weight", channel);
          if (next.bias) customFromMask(next, "bias", channel);
        }
      });
    });
  });
}

/** The output channels of a layer whose activation is not identically zero (the BatchNorm after it included). */
function keptChannels(w: Tensor, bias: Tensor | null, bn: BatchNorm2d | undefined): number[] {
  return tidy(() => {
    const n = w.shape[0]!;
    let live = w.reshape([n, -1]).abs().amax(1).gt(0);
    if (bias) live = live.logicalOr(bias.ne(0));
    if (bn) {
      // A dead conv channel leaves BatchNorm's β − γ·mean/√(var + ε), which must be zero too.
      const mean = bn.getBuffer("running_mean")!;
      const k = bn.getBuffer("running_var")!.add(bn.eps).rsqrt();
      const gamma = bn.weight ?? k.mul(0).add(1);
      const beta = bn.bias ?? k.mul(0);
      const constant = beta.sub(gamma.mul(mean.sub(bias ?? 0)).mul(k));
      live = live.logicalOr(constant.ne(0));
    }
    return (live.toArray() as unknown[]).flatMap((b, i) => (b ? [i] : []));
  });
}

export interface ShrunkLayer {
  layer: string;
  kind: "conv2d" | "linear";
  /** Output channels (features) kept, of `of`. */
  out: number;
  of: number;
}

/**
 * The smaller network's state dict (every key of `model`'s, sliced) and each Conv2d's and
 * Linear's kept width, in order. The last Conv2d/Linear keeps all its outputs (the classes).
 * The model must hold no pruning masks (removePruning first).
 */
export function shrinkStateDict(model: Module): { weights: Map<string, Tensor>; layers: ShrunkLayer[] } {
  const leaves = chain(model);
  const lastWeighted = leaves.findLastIndex(([, m]) => m instanceof Conv2d || m instanceof Linear);
  if (lastWeighted < 0) throw new FlambeauError("E_ARG", `${OP}: ${model.constructor.name} has no Conv2d or Linear layer`, OP);
  const weights = model.stateDict();
  const key = (layer: string, k: string) => (layer ? `${layer}.${k}` : k);
  const slice = (k: string, dim: number, idx: number[]) => {
    const t = weights.get(k);
    if (!t) return;
    if (idx.length === t.shape[dim]) return;
    const i = tensor(BigInt64Array.from(idx, BigInt));
    weights.set(
      k,
      noGrad(() => t.indexSelect(dim, i).contiguous()),
    );
    i.dispose();
    t.dispose();
  };
  const layers: ShrunkLayer[] = [];
  // The live channels of the activation flowing down the chain, of `width`; and whether a Flatten came since.
  let keep: number[] | null = null;
  let width = 0;
  let flat = false;
  noGrad(() =>
    leaves.forEach(([n, m], i) => {
      if (m instanceof Flatten) flat = keep !== null;
      if (m instanceof BatchNorm2d && keep) for (const k of ["weight", "bias", "running_mean", "running_var"]) slice(key(n, k), 0, keep);
      if (!(m instanceof Conv2d || m instanceof Linear)) return;
      const w = weights.get(key(n, "weight"))!;
      const [full, fanIn] = w.shape as [number, number];
      if (keep) {
        let cols = keep;
        if (flat && m instanceof Linear) {
          const per = fanIn / width;
          if (!Number.isInteger(per))
            throw new FlambeauError(
              "E_ARG",
              `${OP}: layer "${n}" takes ${fanIn} features, not a multiple of the ${width} channels before it`,
              OP,
            );
          cols = keep.flatMap((c) => Array.from({ length: per }, (_, s) => c * per + s));
        } else if (fanIn !== width)
          throw new FlambeauError("E_ARG", `${OP}: layer "${n}" takes ${fanIn} channels but the layer before it gives ${width}`, OP);
        slice(key(n, "weight"), 1, cols);
      }
      flat = false;
      const bn = leaves[i + 1]?.[1];
      const kept =
        i === lastWeighted
          ? Array.from({ length: full }, (_, c) => c)
          : keptChannels(weights.get(key(n, "weight"))!, weights.get(key(n, "bias")) ?? null, bn instanceof BatchNorm2d ? bn : undefined);
      if (kept.length === 0) throw new FlambeauError("E_ARG", `${OP}: every output channel of layer "${n}" is pruned`, OP);
      slice(key(n, "weight"), 0, kept);
      slice(key(n, "bias"), 0, kept);
      layers.push({ layer: n, kind: m instanceof Conv2d ? "conv2d" : "linear", out: kept.length, of: full });
      keep = kept;
      width = full;
    }),
  );
  return { weights, layers };
}

/** Architectures that take per-layer widths: the hyper-parameters that rebuild the smaller net. */
const WIDTHS: Record<string, (layers: ShrunkLayer[]) => Record<string, unknown>> = {
  "small-cnn": (layers) => {
    const convs = layers.filter((l) => l.kind === "conv2d").map((l) => l.out);
    const linears = layers.filter((l) => l.kind === "linear").map((l) => l.out);
    return { channels: convs, depth: convs.length, hidden: linears[0] };
  },
};

/** Whether `flambeau compress --shrink` can rebuild this architecture with fewer channels. */
export const canShrink = (architecture: string): boolean => Object.hasOwn(WIDTHS, architecture);

/** Records the smaller widths in a model directory's config.json hyper-parameters, so every loader builds the smaller net. */
export async function writeShrunkConfig(dir: string, layers: ShrunkLayer[]): Promise<void> {
  const path = join(dir, "config.json");
  const config = JSON.parse(readFileSync(path, "utf8")) as { architecture: string; hyper?: Record<string, unknown> };
  const widths = WIDTHS[config.architecture];
  if (!widths)
    throw new FlambeauError(
      "E_ARG",
      `${OP}: architecture "${config.architecture}" takes no per-layer widths; ones that do: ${Object.keys(WIDTHS).join(", ")}`,
      OP,
    );
  const hyper = { ...config.hyper, ...widths(layers) };
  await writeTextAtomic(OP, path, `${JSON.stringify({ ...config, hyper }, null, 2)}\n`);
}
