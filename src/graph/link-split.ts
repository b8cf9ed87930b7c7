// Link prediction data: hold out a seeded fraction of an undirected graph's edges as
// validation/test positives, sample as many non-edges as negatives, and keep the rest (both
// directions) as the graph the encoder may see.
import { FlambeauError } from "../core/errors.js";
import { tensor } from "../core/index.js";
import { Random } from "../data/random.js";
import { Graph } from "./graph.js";

export interface EdgePairs {
  src: Int32Array;
  dst: Int32Array;
}
export interface LinkSplit {
  /** The training graph: remaining edges in both directions, the original x. */
  train: Graph;
  trainPos: EdgePairs;
  valPos: EdgePairs;
  valNeg: EdgePairs;
  testPos: EdgePairs;
  testNeg: EdgePairs;
}

/** The undirected edges {a, b}, a < b, once each. */
export function undirectedPairs(g: Graph): EdgePairs {
  const d = g.edgeIndex.data() as BigInt64Array;
  const e = g.numEdges;
  const seen = new Set<number>();
  const src: number[] = [];
  const dst: number[] = [];
  for (let k = 0; k < e; k++) {
    let a = Number(d[k]);
    let b = Number(d[e + k]);
    if (a === b) continue;
    if (a > b) [a, b] = [b, a];
    const key = a * g.numNodes + b;
    if (seen.has(key)) continue;
    seen.add(key);
    src.push(a);
    dst.push(b);
  }
  return { src: Int32Array.from(src), dst: Int32Array.from(dst) };
}

/** `count` node pairs that are not edges of `known` (keys a·N + b with a < b), uniformly drawn. */
export function sampleNegatives(numNodes: number, known: ReadonlySet<number>, count: number, rng: Random): EdgePairs {
  const src = new Int32Array(count);
  const dst = new Int32Array(count);
  const taken = new Set<number>();
  let k = 0;
  let tries = 0;
  while (k < count) {
    if (++tries > 50 * count + 1000) throw new FlambeauError("E_ARG", `sampleNegatives: the graph is too dense to draw ${count} non-edges`);
    let a = rng.int(numNodes);
    let b = rng.int(numNodes);
    if (a === b) continue;
    if (a > b) [a, b] = [b, a];
    const key = a * numNodes + b;
    if (known.has(key) || taken.has(key)) continue;
    taken.add(key);
    src[k] = a;
    dst[k] = b;
    k++;
  }
  return { src, dst };
}

export function pairKeys(numNodes: number, ...sets: EdgePairs[]): Set<number> {
  const s = new Set<number>();
  for (const p of sets) for (let k = 0; k < p.src.length; k++) s.add(p.src[k]! * numNodes + p.dst[k]!);
  return s;
}

export function splitLinks(g: Graph, o: { val?: number; test?: number; seed?: number } = {}): LinkSplit {
  const val = o.val ?? 0.05;
  const test = o.test ?? 0.1;
  if (!(val >= 0 && test > 0 && val + test < 1))
    throw new FlambeauError("E_ARG", `splitLinks: need 0 ≤ val, 0 < test, val + test < 1; got ${val}, ${test}`);
  const rng = new Random(o.seed ?? 0, 0x11);
  const all = undirectedPairs(g);
  const m = all.src.length;
  const order = rng.permutation(m);
  const nTest = Math.max(1, Math.round(test * m));
  const nVal = Math.round(val * m);
  const pick = (from: number, to: number): EdgePairs => ({
    src: Int32Array.from(order.subarray(from, to), (i) => all.src[i]!),
    dst: Int32Array.from(order.subarray(from, to), (i) => all.dst[i]!),
  });
  const testPos = pick(0, nTest);
  const valPos = pick(nTest, nTest + nVal);
  const trainPos = pick(nTest + nVal, m);
  const known = pairKeys(g.numNodes, all);
  const testNeg = sampleNegatives(g.numNodes, known, nTest, rng);
  const valNeg = sampleNegatives(g.numNodes, new Set([...known, ...pairKeys(g.numNodes, testNeg)]), nVal, rng);
  const e = trainPos.src.length;
  const ei = new BigInt64Array(4 * e);
  for (let k = 0; k < e; k++) {
    ei[k] = BigInt(trainPos.src[k]!);
    ei[e + k] = BigInt(trainPos.dst[k]!);
    ei[2 * e + k] = BigInt(trainPos.dst[k]!);
    ei[3 * e + k] = BigInt(trainPos.src[k]!);
  }
  // Row 0 = [src, dst], row 1 = [dst, src]: every kept edge in both directions.
  const train = new Graph({
    edgeIndex: tensor(ei, { shape: [2, 2 * e] }),
    numNodes: g.numNodes,
    x: g.x,
    directed: false,
    nodeNames: g.nodeNames,
  });
  return { train, trainPos, valPos, valNeg, testPos, testNeg };
}
