// Latent Dirichlet allocation fitted by collapsed Gibbs sampling (Griffiths & Steyvers 2004):
// each token's topic is resampled from p(z = k | rest) ∝ (n_dk + α)(n_kw + β)/(n_k + Vβ), the
// counts excluding the token itself. Topics are the final sample's φ_kw = (n_kw + β)/(n_k + Vβ).
import { Random } from "../../data/random.js";

export interface LdaOptions {
  topics: number;
  iterations?: number;
  alpha?: number;
  beta?: number;
  seed?: number;
}

/** Word-id documents → topic–word distributions φ [K][V]. */
export function ldaGibbs(docs: readonly (readonly number[])[], vocabSize: number, o: LdaOptions): Float64Array[] {
  const K = o.topics;
  const alpha = o.alpha ?? 50 / K;
  const beta = o.beta ?? 0.01;
  const rng = new Random(o.seed ?? 0);
  const nkw = Array.from({ length: K }, () => new Int32Array(vocabSize));
  const nk = new Int32Array(K);
  const ndk = docs.map(() => new Int32Array(K));
  const z = docs.map((d) => Int32Array.from(d, () => Math.floor(rng.nextFloat() * K)));
  docs.forEach((d, i) =>
    d.forEach((w, j) => {
      const k = z[i]![j]!;
      nkw[k]![w]!++;
      nk[k]!++;
      ndk[i]![k]!++;
    }),
  );
  const p = new Float64Array(K);
  const vb = vocabSize * beta;
  for (let it = 0; it < (o.iterations ?? 200); it++)
    docs.forEach((d, i) => {
      const zi = z[i]!;
      const nd = ndk[i]!;
      for (let j = 0; j < d.length; j++) {
        const w = d[j]!;
        let k = zi[j]!;
        nkw[k]![w]!--;
        nk[k]!--;
        nd[k]!--;
        let total = 0;
        for (let t = 0; t < K; t++) {
          total += ((nd[t]! + alpha) * (nkw[t]![w]! + beta)) / (nk[t]! + vb);
          p[t] = total;
        }
        const u = rng.nextFloat() * total;
        k = 0;
        while (k < K - 1 && p[k]! < u) k++;
        zi[j] = k;
        nkw[k]![w]!++;
        nk[k]!++;
        nd[k]!++;
      }
    });
  return nkw.map((row, k) => Float64Array.from(row, (c) => (c + beta) / (nk[k]! + vb)));
}
