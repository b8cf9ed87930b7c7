// A decoder-only Transformer language model (GPT-style): pre-norm causal self-attention
// blocks over tied token embeddings and sinusoidal positions, and generation through a
// key/value cache (the prompt is prefilled in one pass, then one token per step).

import { FlambeauError } from "../../core/errors.js";
import { full, noGrad, type Tensor, tensor, tidy } from "../../core/index.js";
import { gelu } from "../../core/ops/elementwise.js";
import { linear } from "../../core/ops/nn.js";
import { Dropout, Embedding, LayerNorm, Module, ModuleList, TransformerEncoderLayer } from "../../nn/index.js";
import { constrainStep, type Quote, sampleFrom } from "./decode.js";
import { attendCached, extendKV, type KV, projectKV } from "./kv-cache.js";
import { sinusoidalPositions } from "./transformer.js";

export interface CausalLMOptions {
  vocabSize: number;
  padId: number;
  dModel?: number;
  nhead?: number;
  layers?: number;
  dimFeedforward?: number;
  dropout?: number;
  maxLength?: number;
}

/** The named sizes of the GPT-style model that text-generation and chat train (`--model`). */
export const CAUSAL_LM_SIZES: Readonly<Record<string, Partial<CausalLMOptions>>> = {
  tiny: { dModel: 128, nhead: 4, layers: 2, dimFeedforward: 512 },
  small: { dModel: 256, nhead: 4, layers: 4, dimFeedforward: 1024 },
};

/** The options of a named size; an unknown name is an error naming the task and the sizes. */
export function causalLmSize(task: string, size: string): Partial<CausalLMOptions> {
  const s = Object.hasOwn(CAUSAL_LM_SIZES, size) ? CAUSAL_LM_SIZES[size] : undefined;
  if (!s) throw new FlambeauError("E_ARG", `${task}: unknown model "${size}"; models: ${Object.keys(CAUSAL_LM_SIZES).join(", ")}`);
  return s;
}

export class CausalLM extends Module {
  readonly options: Required<CausalLMOptions>;
  readonly embed: Embedding;
  readonly layers: ModuleList;
  readonly norm: LayerNorm;
  readonly dropout: Dropout;

  constructor(o: CausalLMOptions) {
    super();
    this.options = { dModel: 256, nhead: 4, layers: 4, dimFeedforward: 1024, dropout: 0.1, maxLength: 256, ...o };
    const { vocabSize, padId, dModel, nhead, dimFeedforward, dropout } = this.options;
    if (dModel % nhead || dModel % 2)
      throw new FlambeauError("E_ARG", `CausalLM: dModel ${dModel} must be even and divisible by nhead ${nhead}`);
    this.embed = new Embedding(vocabSize, dModel, { paddingIdx: padId });
    noGrad(() => {
      this.embed.weight.normal_(0, dModel ** -0.5);
      this.embed.weight.select(0, padId).zero_();
    });
    const cfg = { dimFeedforward, dropout, activation: "gelu" as const, batchFirst: true, normFirst: true };
    this.layers = new ModuleList(Array.from({ length: this.options.layers }, () => new TransformerEncoderLayer(dModel, nhead, cfg)));
    this.norm = new LayerNorm([dModel]);
    this.dropout = new Dropout(dropout);
    this.registerBuffer("positions", sinusoidalPositions(this.options.maxLength, dModel), false);
  }

  private embedTokens(ids: Tensor, offset: number): Tensor {
    const t = ids.shape[1]!;
    if (offset + t > this.options.maxLength)
      throw new FlambeauError("E_SHAPE", `CausalLM: position ${offset + t} exceeds maxLength ${this.options.maxLength}`);
    return this.dropout.forward(
      this.embed
        .forward(ids)
        .mul(Math.sqrt(this.options.dModel))
        .add(this.getBuffer("positions")!.narrow(0, offset, t)),
    );
  }

  private blocks(): TransformerEncoderLayer[] {
    return this.layers.children() as TransformerEncoderLayer[];
  }

  /** Next-token logits [B, T, V] for every position (causal). */
  forward(ids: Tensor): Tensor {
    const t = ids.shape[1]!;
    const causal = full([t, t], Number.NEGATIVE_INFINITY).triu(1);
    let x = this.embedTokens(ids, 0);
    const padding = ids.eq(this.options.padId);
    for (const l of this.blocks()) x = l.forward(x, { srcMask: causal, srcKeyPaddingMask: padding });
    return linear(this.norm.forward(x), this.embed.weight);
  }

  /** Runs new tokens [B, L] through the blocks with per-layer caches; returns the last position's logits [B, V]. */
  extend(caches: (KV | undefined)[], ids: Tensor, offset: number): Tensor {
    const l = ids.shape[1]!;
    let x = this.embedTokens(ids, offset);
    // Queries may see every cached position and the new ones up to themselves.
    const bias =
      l > 1
        ? full([l, offset + l], Number.NEGATIVE_INFINITY)
            .triu(offset + 1)
            .view([1, 1, l, offset + l])
        : null;
    this.blocks().forEach((b, i) => {
      const h = b.norm1.forward(x);
      caches[i] = extendKV(caches[i], projectKV(b.selfAttn, h));
      x = x.add(attendCached(b.selfAttn, h, caches[i]!, bias));
      x = x.add(b.linear2.forward(gelu(b.linear1.forward(b.norm2.forward(x)))));
    });
    return linear(this.norm.forward(x.select(1, l - 1)), this.embed.weight);
  }
}

export interface GenerateOptions {
  maxNewTokens?: number;
  temperature?: number;
  topK?: number;
  topP?: number;
  /** Stop when this token is produced. */
  eos?: number;
  random?: () => number;
  onToken?: (id: number) => void;
  /** No n-gram of this size twice in the produced tokens (0 = off, the default). */
  noRepeatNgram?: number;
  /** The produced tokens must be one contiguous span of one of these sequences (decode.ts's quoting). */
  quote?: Quote;
  /** false recomputes the whole prefix at every step (the baseline the cache is measured against). */
  useCache?: boolean;
}

/** A generation in progress: `next()` samples one more token (or null at the end); `dispose()` frees the cache. */
export interface Generation {
  next(): number | null;
  dispose(): void;
}

export function startGeneration(model: CausalLM, prompt: readonly number[], o: Omit<GenerateOptions, "onToken"> = {}): Generation {
  if (prompt.length === 0) throw new FlambeauError("E_ARG", "generateTokens: the prompt is empty (start it with a begin-of-text token)");
  const max = Math.min(o.maxNewTokens ?? 100, model.options.maxLength - prompt.length);
  const temp = o.temperature ?? 1;
  const random = o.random ?? Math.random;
  const ids = [...prompt];
  const caches: (KV | undefined)[] = [];
  let produced = 0;
  let ended = false;
  const choose = (logits: Tensor): number => {
    let lp = logits.logSoftmax(-1).data() as Float32Array;
    if (o.noRepeatNgram || o.quote?.sources.length)
      lp = constrainStep(lp, ids.slice(prompt.length), { eos: o.eos ?? -1, noRepeatNgram: o.noRepeatNgram, quote: o.quote });
    if (temp === 0) return lp.indexOf(Math.max(...lp));
    return sampleFrom(lp, temp, o.topK ?? lp.length, o.topP ?? 1, random);
  };
  const row = (r: readonly number[]) => tensor(BigInt64Array.from(r, BigInt), { shape: [1, r.length] });
  const dispose = () => {
    for (const c of caches) {
      c?.k.dispose();
      c?.v.dispose();
    }
    caches.length = 0;
  };
  return {
    next() {
      if (ended || produced >= max) return null;
      const old = [...caches];
      const id = noGrad(() =>
        tidy(() => {
          if (o.useCache === false)
            return choose(
              model
                .forward(row(ids))
                .select(1, ids.length - 1)
                .squeeze(0),
            );
          const fresh = produced === 0 ? ids : ids.slice(-1);
          const next = choose(model.extend(caches, row(fresh), ids.length - fresh.length).squeeze(0));
          for (const c of caches) {
            c?.k.keep();
            c?.v.keep();
          }
          return next;
        }),
      );
      old.forEach((c, i) => {
        if (c && c !== caches[i]) {
          c.k.dispose();
          c.v.dispose();
        }
      });
      produced++;
      if (id === o.eos) {
        ended = true;
        return null;
      }
      ids.push(id);
      return id;
    },
    dispose,
  };
}

/** Continues one prompt; greedy when temperature is 0. */
export function generateTokens(model: CausalLM, prompt: readonly number[], o: GenerateOptions = {}): number[] {
  const g = startGeneration(model, prompt, o);
  const out: number[] = [];
  try {
    for (let id = g.next(); id !== null; id = g.next()) {
      out.push(id);
      o.onToken?.(id);
    }
  } finally {
    g.dispose();
  }
  return out;
}

/** Like generateTokens, but awaits `onToken` between steps, so output can be streamed as it is produced. */
export async function streamTokens(
  model: CausalLM,
  prompt: readonly number[],
  onToken: (id: number) => void | Promise<void>,
  o: Omit<GenerateOptions, "onToken"> = {},
): Promise<number[]> {
  const g = startGeneration(model, prompt, o);
  const out: number[] = [];
  try {
    for (let id = g.next(); id !== null; id = g.next()) {
      out.push(id);
      await onToken(id);
    }
  } finally {
    g.dispose();
  }
  return out;
}
