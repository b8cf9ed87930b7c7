// R-MAT power-law graphs (Chakrabarti, Zhan & Faloutsos 2004) written straight to a graph
// store. Each edge picks one quadrant of the adjacency matrix per level with probabilities
// a, b, c, d = 1 - a - b - c, so degrees follow a power law and nodes sharing their top id bits
// are linked more often than chance (a + d > 1/2 per level). Those top bits are the node's
// community and its label; features are the community's mean plus Gaussian noise, so a model
// learns from a node's features and more from its neighbours'.
import { FlambeauError } from "../../core/errors.js";
import { gaussian, Random } from "../../data/random.js";
import { SPLIT_CODES, type StoreMeta } from "./format.js";
import { StoreWriter } from "./writer.js";

export interface RmatOptions {
  /** Number of nodes is 2^scale. */
  scale: number;
  /** Stored edges (both directions of each undirected pair count), before self-loops are dropped. */
  edges: number;
  a?: number;
  b?: number;
  c?: number;
  /** Classes = communities = the top log2(classes) id bits (a power of two, default 4). */
  classes?: number;
  /** Feature width (default 32). */
  features?: number;
  /** Distance of the community means relative to the unit noise (default 1). */
  signal?: number;
  /** Fractions of nodes labelled train / val / test (default 0.1 / 0.05 / 0.1; the rest have no split). */
  split?: { train: number; val: number; test: number };
  seed?: number;
  fillBytes?: number;
}

const OP = "generateRmat";

/** Writes an R-MAT graph with community labels and features to the store at `dir`. */
export function generateRmat(dir: string, o: RmatOptions): StoreMeta {
  const { scale, edges } = o;
  const a = o.a ?? 0.57;
  const b = o.b ?? 0.19;
  const c = o.c ?? 0.19;
  const C = o.classes ?? 4;
  const F = o.features ?? 32;
  const seed = o.seed ?? 0;
  const sp = o.split ?? { train: 0.1, val: 0.05, test: 0.1 };
  if (!Number.isInteger(scale) || scale < 2 || scale > 30)
    throw new FlambeauError("E_ARG", `${OP}: scale must be in [2, 30], got ${scale}`, OP);
  if (!Number.isSafeInteger(edges) || edges < 2) throw new FlambeauError("E_ARG", `${OP}: edges must be an integer ≥ 2, got ${edges}`, OP);
  if (!(a > 0 && b >= 0 && c >= 0 && a + b + c < 1))
    throw new FlambeauError("E_ARG", `${OP}: need a > 0, b, c ≥ 0 and a + b + c < 1, got a=${a} b=${b} c=${c}`, OP);
  const bits = Math.log2(C);
  if (!Number.isInteger(bits) || bits < 1 || bits > scale)
    throw new FlambeauError("E_ARG", `${OP}: classes must be a power of two in [2, 2^scale], got ${C}`, OP);
  if (sp.train + sp.val + sp.test > 1) throw new FlambeauError("E_ARG", `${OP}: split fractions add up to more than 1`, OP);
  const n = 2 ** scale;
  const w = new StoreWriter(dir, {
    numNodes: n,
    numFeatures: F,
    classes: Array.from({ length: C }, (_, k) => `community${k}`),
    source: `rmat scale ${scale}, ${edges} edges, a=${a} b=${b} c=${c}, seed ${seed}`,
    fillBytes: o.fillBytes,
  });
  try {
    const rng = new Random(seed, 1);
    const normal = gaussian(() => rng.nextFloat());
    const signal = o.signal ?? 1;
    const means = Array.from({ length: C }, () => Float32Array.from({ length: F }, () => signal * normal()));
    const chunk = 1 << 14;
    for (let lo = 0; lo < n; lo += chunk) {
      const m = Math.min(chunk, n - lo);
      const x = new Float32Array(m * F);
      const y = new Int32Array(m);
      const s = new Uint8Array(m);
      for (let k = 0; k < m; k++) {
        const cls = (lo + k) >>> (scale - bits);
        y[k] = cls;
        for (let j = 0; j < F; j++) x[k * F + j] = means[cls]![j]! + normal();
        const u = rng.nextFloat();
        s[k] =
          u < sp.train
            ? SPLIT_CODES.train
            : u < sp.train + sp.val
              ? SPLIT_CODES.val
              : u < sp.train + sp.val + sp.test
                ? SPLIT_CODES.test
                : 0;
      }
      w.appendNodes(x, y, s);
    }
    const pairs = Math.floor(edges / 2);
    const ab = a + b;
    const abc = a + b + c;
    // The same seed on every pass: the writer replays the stream.
    w.writeEdges((emit) => {
      const r = new Random(seed, 2);
      for (let e = 0; e < pairs; e++) {
        let u = 0;
        let v = 0;
        for (let l = 0; l < scale; l++) {
          const p = r.nextUint32() / 2 ** 32;
          u = 2 * u + (p >= ab ? 1 : 0);
          v = 2 * v + ((p >= a && p < ab) || p >= abc ? 1 : 0);
        }
        if (u === v) continue;
        emit(u, v);
        emit(v, u);
      }
    });
    return w.finish();
  } catch (e) {
    w.abort();
    throw e;
  }
}
