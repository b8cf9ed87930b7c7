// Graphs with planted communities: the stochastic block model in its planted-partition form
// (k equal blocks; each node keeps a fraction 1 − μ of its expected degree inside its block
// and sends μ outside, the mixing parameter of the LFR benchmark). Seeded; y holds the blocks.
import { FlambeauError } from "../../core/errors.js";
import { tensor } from "../../core/index.js";
import { Random } from "../../data/random.js";
import { Graph } from "../graph.js";

export interface PlantedPartitionOptions {
  /** Nodes (split into `blocks` equal blocks; the remainder goes to the first ones). */
  nodes: number;
  blocks: number;
  /** Expected degree of a node. */
  degree: number;
  /** Mixing μ ∈ [0, 1]: the expected fraction of a node's edges that leave its block. */
  mu: number;
  seed?: number;
}

/**
 * Draws every node pair once: inside a block with p_in = d(1 − μ) / (s − 1), across blocks with
 * p_out = dμ / (n − s) (s the block size). Undirected, both directions stored; y = block.
 */
export function plantedPartition(o: PlantedPartitionOptions): Graph {
  const { nodes: n, blocks: k, degree: d, mu } = o;
  if (!Number.isInteger(n) || !Number.isInteger(k) || k < 1 || n < 2 * k)
    throw new FlambeauError("E_ARG", `plantedPartition: need integers with nodes ≥ 2·blocks, got nodes ${n}, blocks ${k}`);
  if (!(mu >= 0 && mu <= 1)) throw new FlambeauError("E_ARG", `plantedPartition: mu must be in [0, 1], got ${mu}`);
  const block = Int32Array.from({ length: n }, (_, i) => i % k);
  const s = n / k;
  const pIn = (d * (1 - mu)) / (s - 1);
  const pOut = k > 1 ? (d * mu) / (n - s) : 0;
  if (pIn > 1 || pOut > 1)
    throw new FlambeauError(
      "E_ARG",
      `plantedPartition: degree ${d} is too high for blocks of ${s.toFixed(0)} (p_in ${pIn.toFixed(2)}, p_out ${pOut.toFixed(2)})`,
    );
  const rng = new Random(o.seed ?? 0, 0x5b3);
  const src: number[] = [];
  const dst: number[] = [];
  for (let i = 0; i < n; i++)
    for (let j = i + 1; j < n; j++)
      if (rng.nextFloat() < (block[i] === block[j] ? pIn : pOut)) {
        src.push(i, j);
        dst.push(j, i);
      }
  const e = src.length;
  const ei = new BigInt64Array(2 * e);
  for (let t = 0; t < e; t++) {
    ei[t] = BigInt(src[t]!);
    ei[e + t] = BigInt(dst[t]!);
  }
  return new Graph({
    edgeIndex: tensor(ei, { shape: [2, e] }),
    numNodes: n,
    y: tensor(BigInt64Array.from(block, (b) => BigInt(b))),
    directed: false,
  });
}
