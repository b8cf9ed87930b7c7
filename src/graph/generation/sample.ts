// Sampling from the SMILES language model under the grammar mask (grammar.ts): at each step
// the tokens that would break the SMILES grammar or an atom's valence get probability zero,
// the rest are renormalised (with a temperature) and drawn from a seeded generator. Past the
// length budget (the longest training string and some) a string may only finish: close a
// branch or ring, or end; atoms only where nothing can close yet. A string still unfinished
// at twice the budget, or with no allowed token, is returned as null.
import { dispose, noGrad, tensor } from "../../core/index.js";
import { mulberry32 } from "../../data/random.js";
import type { Standardizer } from "./fit.js";
import { SmilesGrammar } from "./grammar.js";
import { encodeConditions, type LmState, type SmilesLM } from "./model.js";
import { BOS, EOS, PAD, type SmilesVocabulary } from "./tokens.js";

export interface SampleOptions {
  temperature?: number;
  maxTokens?: number;
  seed?: number;
  /** Classifier-free guidance weight (0: plain conditional sampling). */
  guidance?: number;
  /** Rows per forward pass. */
  chunk?: number;
}

/** One SMILES string per condition value (in the property's units), or null when unfinished. */
export function sampleSmiles(
  model: SmilesLM,
  vocab: SmilesVocabulary,
  norm: Standardizer,
  values: readonly number[],
  o: SampleOptions = {},
): (string | null)[] {
  const rand = mulberry32((o.seed ?? 0) + 7919);
  const temperature = o.temperature ?? 1;
  const maxTokens = o.maxTokens ?? 150;
  const hardLimit = 2 * maxTokens;
  const chunk = o.chunk ?? 512;
  const w = o.guidance ?? 0;
  const v = vocab.size;
  const out: (string | null)[] = [];
  model.eval();
  for (let s = 0; s < values.length; s += chunk) {
    const part = values.slice(s, s + chunk);
    const b = part.length;
    const grammars = part.map(() => new SmilesGrammar());
    const tokens: number[][] = part.map(() => []);
    const done = new Array<boolean>(b).fill(false);
    const failed = new Array<boolean>(b).fill(false);
    // Guided: rows b … 2b − 1 are the same strings without the condition.
    const zs = part.map((x) => (x - norm.mean) / norm.std);
    const cond = encodeConditions(w > 0 ? [...zs, ...zs.map(() => null)] : zs, model.hyper.conditionBins);
    let next = new Array<number>(b).fill(BOS);
    let state: LmState | undefined;
    const p = new Float64Array(v);
    try {
      for (let step = 0; step < hardLimit && done.some((d) => !d); step++) {
        const finishing = step >= maxTokens;
        const r = noGrad(() => {
          const rows = w > 0 ? [...next, ...next] : next;
          const ids = tensor(BigInt64Array.from(rows, BigInt), { shape: [rows.length, 1] });
          const res = model.step(ids, cond, state);
          ids.dispose();
          return res;
        });
        dispose(state);
        state = r.state;
        const logits = r.logits.data() as Float32Array;
        r.logits.dispose();
        next = next.map((_, row) => {
          if (done[row]) return PAD;
          const g = grammars[row]!;
          const allowed = (k: number) => (k === EOS ? g.allows(undefined) : k > EOS && g.allows(vocab.info[k]));
          let ok = (k: number) => allowed(k);
          if (finishing) {
            const closing = (k: number) => allowed(k) && (k === EOS || g.closes(vocab.info[k]));
            let any = false;
            for (let k = 0; k < v && !any; k++) any = closing(k);
            ok = any ? closing : (k) => allowed(k) && vocab.info[k]!.kind === "atom";
          }
          let max = Number.NEGATIVE_INFINITY;
          for (let k = 0; k < v; k++) {
            const l = w > 0 ? (1 + w) * logits[row * v + k]! - w * logits[(b + row) * v + k]! : logits[row * v + k]!;
            p[k] = ok(k) ? l / temperature : Number.NEGATIVE_INFINITY;
            if (p[k]! > max) max = p[k]!;
          }
          if (max === Number.NEGATIVE_INFINITY) {
            done[row] = true;
            failed[row] = true;
            return PAD;
          }
          let total = 0;
          for (let k = 0; k < v; k++) {
            p[k] = p[k] === Number.NEGATIVE_INFINITY ? 0 : Math.exp(p[k]! - max);
            total += p[k]!;
          }
          let u = rand() * total;
          let pick = 0;
          for (let k = 0; k < v; k++) {
            u -= p[k]!;
            if (p[k]! > 0) pick = k;
            if (u <= 0 && p[k]! > 0) break;
          }
          if (pick === EOS) {
            g.push(undefined);
            done[row] = true;
          } else {
            g.push(vocab.info[pick]);
            tokens[row]!.push(pick);
          }
          return pick;
        });
      }
    } finally {
      dispose(state);
      cond.dispose();
    }
    for (let row = 0; row < b; row++) out.push(done[row] && !failed[row] ? vocab.decode(tokens[row]!) : null);
  }
  return out;
}

/** Condition values for a target range: the training molecules' values inside it (their distribution), or uniform when none lie inside. */
export function targetValues(training: readonly number[], lo: number, hi: number, n: number, seed = 0): number[] {
  const rand = mulberry32(seed + 104729);
  const inside = training.filter((x) => x >= lo && x <= hi);
  return Array.from({ length: n }, () => (inside.length ? inside[Math.floor(rand() * inside.length)]! : lo + (hi - lo) * rand()));
}
