// Held-out perplexity by document completion (Wallach et al. 2009, "Evaluation methods for
// topic models"), one protocol for every model: each held-out document's words alternate
// between an observed half (even positions), from which the model infers θ, and an evaluated
// half (odd positions), scored by p(w | θ); perplexity = exp(−Σ log p(w | θ) / evaluated words).
// LDA infers θ by Gibbs sampling with φ fixed (p(z = k) ∝ (n_dk + α) φ_kw), averaging
// θ = (n_dk + α)/(n_d + Kα) over the second half of the sweeps.
import { FlambeauError } from "../../core/errors.js";
import { Random } from "../../data/random.js";

/** The observed (even positions) and evaluated (odd positions) halves of each document. */
export function completionSplit(docs: readonly (readonly number[])[]): { observed: number[][]; evaluated: number[][] } {
  return {
    observed: docs.map((d) => d.filter((_, i) => i % 2 === 0)),
    evaluated: docs.map((d) => d.filter((_, i) => i % 2 === 1)),
  };
}

/** exp of the mean negative log-probability of the evaluated words; `logp` holds log p(w | θ_d) as rows of V. */
export function completionPerplexity(logp: ArrayLike<number>, vocabSize: number, evaluated: readonly (readonly number[])[]): number {
  if (logp.length !== evaluated.length * vocabSize)
    throw new FlambeauError(
      "E_ARG",
      `completionPerplexity: ${logp.length} log-probabilities for ${evaluated.length} documents × ${vocabSize} words`,
      "perplexity",
    );
  let nll = 0;
  let n = 0;
  evaluated.forEach((d, b) => {
    for (const w of d) {
      nll -= logp[b * vocabSize + w]!;
      n++;
    }
  });
  if (n === 0) throw new FlambeauError("E_ARG", "completionPerplexity: no evaluated words", "perplexity");
  return Math.exp(nll / n);
}

export interface FoldInOptions {
  alpha: number;
  iterations?: number;
  seed?: number;
}

/** LDA's θ [D][K] of documents under fixed topics φ [K][V]. */
export function ldaFoldIn(docs: readonly (readonly number[])[], phi: readonly ArrayLike<number>[], o: FoldInOptions): Float64Array[] {
  const K = phi.length;
  const iterations = o.iterations ?? 50;
  const burn = Math.floor(iterations / 2);
  const rng = new Random(o.seed ?? 0);
  const p = new Float64Array(K);
  return docs.map((d) => {
    const nd = new Int32Array(K);
    const z = Int32Array.from(d, () => Math.floor(rng.nextFloat() * K));
    for (const k of z) nd[k]!++;
    const theta = new Float64Array(K);
    let kept = 0;
    for (let it = 0; it < iterations; it++) {
      for (let j = 0; j < d.length; j++) {
        const w = d[j]!;
        nd[z[j]!]!--;
        let total = 0;
        for (let t = 0; t < K; t++) {
          total += (nd[t]! + o.alpha) * phi[t]![w]!;
          p[t] = total;
        }
        const u = rng.nextFloat() * total;
        let k = 0;
        while (k < K - 1 && p[k]! < u) k++;
        z[j] = k;
        nd[k]!++;
      }
      if (it >= burn) {
        for (let t = 0; t < K; t++) theta[t]! += (nd[t]! + o.alpha) / (d.length + K * o.alpha);
        kept++;
      }
    }
    return theta.map((v) => v / Math.max(1, kept));
  });
}

/** log Σ_k θ_dk φ_kw for each document and word, rows of V. */
export function mixtureLogProbs(theta: readonly ArrayLike<number>[], phi: readonly ArrayLike<number>[]): Float64Array {
  const V = phi[0]?.length ?? 0;
  const out = new Float64Array(theta.length * V);
  theta.forEach((th, b) => {
    for (let w = 0; w < V; w++) {
      let s = 0;
      for (let k = 0; k < phi.length; k++) s += th[k]! * phi[k]![w]!;
      out[b * V + w] = Math.log(s);
    }
  });
  return out;
}
