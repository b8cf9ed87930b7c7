// Decoding a sequence-to-sequence model one token at a time through its key/value cache:
// greedy, beam search with a length penalty (Wu et al. 2016's ((5 + |y|) / 6)^α), and
// sampling with temperature, top-k and top-p (nucleus) truncation.

import { FlambeauError } from "../../core/errors.js";
import { noGrad, type Tensor, tensor, tidy } from "../../core/index.js";
import type { KV } from "./kv-cache.js";
import { type DecoderState, Seq2SeqTransformer, stateTensors } from "./transformer.js";

export interface DecodeOptions {
  bos: number;
  eos: number;
  maxLength?: number;
  /** No end of sequence before this many tokens (default 0). */
  minLength?: number;
  /** No n-gram of this size twice in one output (0 = off; 3 is trigram blocking, Paulus et al. 2018). */
  noRepeatNgram?: number;
  /** Called with each new token of the first sequence as it is chosen (streaming). */
  onToken?: (id: number) => void;
  /** Quoting: the output must be a span of one of the quote's sources (absent: unconstrained). */
  quote?: Quote;
}

/**
 * A quoting constraint: the output is one contiguous span of one of `sources`; the model
 * still chooses which span and where it ends. `opening` makes every span start a source;
 * `stops` lets a span end only after one of these tokens (a sentence end) or at its source's end.
 */
export interface Quote {
  sources: readonly (readonly number[])[];
  opening?: boolean;
  stops?: ReadonlySet<number>;
}

export interface BeamOptions extends DecodeOptions {
  beamSize?: number;
  /** α of the length penalty; 0 = raw log-probability (default 0.6). */
  lengthPenalty?: number;
}

export interface SampleOptions extends DecodeOptions {
  temperature?: number;
  topK?: number;
  topP?: number;
  /** A uniform random number source in [0, 1) (seed it for reproducible samples). */
  random?: () => number;
}

const kvTensors = (caches: readonly (KV | undefined)[]): Tensor[] => caches.flatMap((c) => (c ? [c.k, c.v] : []));

function keepState(s: DecoderState): DecoderState {
  for (const t of stateTensors(s)) t.keep();
  return s;
}

function disposeState(s: DecoderState): void {
  for (const t of stateTensors(s)) t.dispose();
}

/** Runs `fn` with a kept decoding state, stepping it in tidy scopes; frees the state after. */
function withState<T>(model: Seq2SeqTransformer, src: Tensor, fn: (s: { state: DecoderState }) => T): T {
  return noGrad(() => {
    const box = { state: keepState(tidy(() => model.startDecoding(src))) };
    try {
      return fn(box);
    } finally {
      disposeState(box.state);
    }
  });
}

/** One cached step in its own scope: the logits come back as a plain Float32Array [B·V]. */
function stepLogProbs(model: Seq2SeqTransformer, box: { state: DecoderState }, ids: readonly number[]): Float32Array {
  const old = box.state;
  let out: Float32Array | undefined;
  tidy(() => {
    const next = { ...old, self: [...old.self] };
    const lp = model.stepLogProbs(next, tensor(BigInt64Array.from(ids, BigInt)));
    out = lp.data() as Float32Array;
    for (const t of kvTensors(next.self)) t.keep();
    box.state = next;
  });
  const stale = old.self.filter((c, i) => c !== box.state.self[i]);
  for (const t of kvTensors(stale)) t.dispose();
  return out!;
}

function checkSource(op: string, src: Tensor): void {
  if (src.ndim !== 2 || src.dtype !== "int64")
    throw new FlambeauError("E_ARG", `${op}: source token ids must be int64 [B, S], got ${src.dtype} [${src.shape.join(", ")}]`);
}

/** Step-by-step decoding of a batch, each row's next token picked by `choose` from its log-probabilities. */
function decodeRows(model: Seq2SeqTransformer, src: Tensor, o: DecodeOptions, choose: (logp: Float32Array) => number): number[][] {
  const b = src.shape[0]!;
  const max = o.maxLength ?? 128;
  return withState(model, src, (box) => {
    const out: number[][] = Array.from({ length: b }, () => []);
    const done = new Array<boolean>(b).fill(false);
    let ids = new Array<number>(b).fill(o.bos);
    for (let t = 0; t < max && done.includes(false); t++) {
      const lp = stepLogProbs(model, box, ids);
      const v = lp.length / b;
      ids = ids.map((_, i) => {
        if (done[i]) return o.eos;
        const id = choose(constrainStep(lp.subarray(i * v, (i + 1) * v), out[i]!, o));
        if (id === o.eos) done[i] = true;
        else {
          out[i]!.push(id);
          if (i === 0) o.onToken?.(id);
        }
        return id;
      });
    }
    return out;
  });
}

/**
 * The tokens that may follow `prefix` under a quote: every token found right after an
 * occurrence of `prefix` in a source (where a span may start), and end of sequence where the
 * quoted span may end.
 */
export function quotableNext(q: Quote, prefix: readonly number[], eos: number): Set<number> {
  const next = new Set<number>();
  const last = prefix.at(-1);
  const stops = last !== undefined && (q.stops === undefined || q.stops.has(last));
  if (stops) next.add(eos);
  for (const s of q.sources)
    for (let i = 0; i + prefix.length <= s.length && !(q.opening && i > 0); i++) {
      let same = true;
      for (let j = 0; j < prefix.length && same; j++) same = s[i + j] === prefix[j];
      if (!same) continue;
      if (i + prefix.length < s.length) next.add(s[i + prefix.length]!);
      else if (prefix.length) next.add(eos);
    }
  return next;
}

/**
 * The log-probabilities with the tokens `o` forbids after `prefix` set to −∞: end of
 * sequence before `minLength`, any token that would repeat an n-gram of `prefix`, and with
 * `quote`, any token that would leave the quoted span. Returns `logp` itself when nothing is
 * forbidden.
 */
export function constrainStep(
  logp: Float32Array,
  prefix: readonly number[],
  o: Pick<DecodeOptions, "eos" | "minLength" | "noRepeatNgram" | "quote">,
): Float32Array {
  const n = o.noRepeatNgram ?? 0;
  const early = prefix.length < (o.minLength ?? 0);
  const quoting = (o.quote?.sources.length ?? 0) > 0;
  if (!early && !quoting && (n < 1 || prefix.length < n - 1)) return logp;
  const out = Float32Array.from(logp);
  if (quoting) {
    const allowed = quotableNext(o.quote!, prefix, o.eos);
    for (let t = 0; t < out.length; t++) if (!allowed.has(t)) out[t] = Number.NEGATIVE_INFINITY;
  }
  if (early) out[o.eos] = Number.NEGATIVE_INFINITY;
  if (n >= 1 && prefix.length >= n - 1) {
    // The last n − 1 tokens followed by a token already seen after the same n − 1 tokens.
    const tail = prefix.slice(prefix.length - (n - 1));
    for (let i = 0; i + n <= prefix.length; i++) {
      let same = true;
      for (let j = 0; j < n - 1 && same; j++) same = prefix[i + j] === tail[j];
      if (same) out[prefix[i + n - 1]!] = Number.NEGATIVE_INFINITY;
    }
  }
  // A quote with nothing left to quote, or whose every continuation the other rules forbid, ends there.
  if (quoting && !out.some((v) => v > Number.NEGATIVE_INFINITY)) out[o.eos] = logp[o.eos]!;
  return out;
}

function checkConstraints(op: string, o: DecodeOptions): void {
  for (const k of ["minLength", "noRepeatNgram"] as const) {
    const v = o[k];
    if (v !== undefined && !(Number.isSafeInteger(v) && v >= 0))
      throw new FlambeauError("E_ARG", `${op}: ${k} must be a non-negative integer, got ${v}`);
  }
}

const argmax = (v: Float32Array): number => {
  let best = 0;
  for (let j = 1; j < v.length; j++) if (v[j]! > v[best]!) best = j;
  return best;
};

/** Greedy decoding of a batch: token ids per row, without bos/eos. */
export function greedyDecode(model: Seq2SeqTransformer, src: Tensor, o: DecodeOptions): number[][] {
  checkSource("greedyDecode", src);
  checkConstraints("greedyDecode", o);
  return decodeRows(model, src, o, argmax);
}

/** Beam search for one source sentence ([1, S]): the best hypothesis by length-penalised log-probability. */
export function beamSearch(model: Seq2SeqTransformer, src: Tensor, o: BeamOptions): number[] {
  checkSource("beamSearch", src);
  if (src.shape[0] !== 1) throw new FlambeauError("E_ARG", `beamSearch: one source sentence at a time, got a batch of ${src.shape[0]}`);
  checkConstraints("beamSearch", o);
  const k = o.beamSize ?? 4;
  const alpha = o.lengthPenalty ?? 0.6;
  const max = o.maxLength ?? 128;
  const penalty = (len: number) => ((5 + len) / 6) ** alpha;
  return withState(model, src, (box) => {
    let beams = [{ tokens: [] as number[], score: 0 }];
    const finished: { tokens: number[]; score: number }[] = [];
    for (let t = 0; t < max && beams.length; t++) {
      const lp = stepLogProbs(
        model,
        box,
        beams.map((h) => h.tokens.at(-1) ?? o.bos),
      );
      const v = lp.length / beams.length;
      const cand: { from: number; token: number; score: number }[] = [];
      beams.forEach((h, i) => {
        // The k best continuations of each beam are enough to find the k best overall.
        const row = constrainStep(lp.subarray(i * v, (i + 1) * v), h.tokens, o);
        const top = Array.from(row.keys())
          .sort((a, c) => row[c]! - row[a]!)
          .slice(0, k + 1);
        for (const token of top) if (row[token]! > Number.NEGATIVE_INFINITY) cand.push({ from: i, token, score: h.score + row[token]! });
      });
      cand.sort((a, c) => c.score - a.score);
      const next: typeof beams = [];
      const rows: number[] = [];
      for (const c of cand) {
        const tokens = [...beams[c.from]!.tokens, c.token];
        if (c.token === o.eos) finished.push({ tokens: tokens.slice(0, -1), score: c.score / penalty(tokens.length) });
        else if (next.length < k) {
          next.push({ tokens, score: c.score });
          rows.push(c.from);
        }
        if (next.length === k && finished.length >= k) break;
      }
      // Stop when no live beam can beat the best finished one even with no further cost.
      const bestDone = Math.max(...finished.map((f) => f.score), Number.NEGATIVE_INFINITY);
      if (!next.length || next[0]!.score / penalty(max) < bestDone) {
        beams = [];
        break;
      }
      const old = box.state;
      box.state = keepState(tidy(() => Seq2SeqTransformer.selectState(old, tensor(BigInt64Array.from(rows, BigInt)))));
      disposeState(old);
      beams = next;
    }
    for (const h of beams) finished.push({ tokens: h.tokens, score: h.score / penalty(h.tokens.length + 1) });
    finished.sort((a, c) => c.score - a.score);
    const best = finished[0]?.tokens ?? [];
    for (const id of best) o.onToken?.(id);
    return best;
  });
}

/** Samples one continuation per source row with temperature / top-k / top-p truncation. */
export function sampleDecode(model: Seq2SeqTransformer, src: Tensor, o: SampleOptions): number[][] {
  checkSource("sampleDecode", src);
  checkConstraints("sampleDecode", o);
  const temp = o.temperature ?? 1;
  if (!(temp > 0)) throw new FlambeauError("E_ARG", `sampleDecode: temperature must be > 0, got ${temp}`);
  const topP = o.topP ?? 1;
  if (!(topP > 0 && topP <= 1)) throw new FlambeauError("E_ARG", `sampleDecode: topP must be in (0, 1], got ${topP}`);
  const random = o.random ?? Math.random;
  return decodeRows(model, src, o, (lp) => sampleFrom(lp, temp, o.topK ?? lp.length, topP, random));
}

/**
 * Decodes one source ([1, S]) token by token, awaiting `onToken` after each, so a caller can
 * stream text as it is produced (decoding a token's text is asynchronous): greedy at
 * temperature 0 (the default), else sampled with top-k/top-p. Returns the ids without bos/eos.
 */
export async function streamDecode(
  model: Seq2SeqTransformer,
  src: Tensor,
  onToken: (id: number) => void | Promise<void>,
  o: SampleOptions,
): Promise<number[]> {
  checkSource("streamDecode", src);
  checkConstraints("streamDecode", o);
  if (src.shape[0] !== 1) throw new FlambeauError("E_ARG", `streamDecode: one source at a time ([1, S]), got [${src.shape.join(", ")}]`);
  const temp = o.temperature ?? 0;
  const topP = o.topP ?? 1;
  if (!(temp >= 0)) throw new FlambeauError("E_ARG", `streamDecode: temperature must be ≥ 0, got ${temp}`);
  if (!(topP > 0 && topP <= 1)) throw new FlambeauError("E_ARG", `streamDecode: topP must be in (0, 1], got ${topP}`);
  const random = o.random ?? Math.random;
  const choose = (lp: Float32Array) => (temp > 0 ? sampleFrom(lp, temp, o.topK ?? lp.length, topP, random) : argmax(lp));
  const box = { state: noGrad(() => keepState(tidy(() => model.startDecoding(src)))) };
  try {
    const out: number[] = [];
    let id = o.bos;
    for (let t = 0; t < (o.maxLength ?? 128); t++) {
      const lp = noGrad(() => stepLogProbs(model, box, [id]));
      id = choose(constrainStep(lp, out, o));
      if (id === o.eos) break;
      out.push(id);
      await onToken(id);
    }
    return out;
  } finally {
    disposeState(box.state);
  }
}

/** Draws from softmax(logp / T) restricted to the top-k tokens and the smallest set with mass ≥ p. */
export function sampleFrom(logp: ArrayLike<number>, temperature: number, topK: number, topP: number, random: () => number): number {
  const order = Array.from({ length: logp.length }, (_, i) => i).sort((a, b) => logp[b]! - logp[a]!);
  const kept = order.slice(0, Math.max(1, Math.min(topK, order.length)));
  const m = logp[kept[0]!]! / temperature;
  let w = kept.map((i) => Math.exp(logp[i]! / temperature - m));
  const z = w.reduce((a, c) => a + c, 0);
  w = w.map((x) => x / z);
  let cum = 0;
  let n = 0;
  while (n < w.length && (n === 0 || cum < topP)) cum += w[n++]!;
  const r = random() * cum;
  let acc = 0;
  for (let i = 0; i < n; i++) {
    acc += w[i]!;
    if (r < acc) return kept[i]!;
  }
  return kept[n - 1]!;
}
