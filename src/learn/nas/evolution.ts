// Regularized (aging) evolution over the cell space of ./darts.ts (Real et al. 2019,
// Algorithm 1): a population of `population` random cells, each scored by a short proxy
// training; then, `cycles` − `population` times, the best of `sample` cells drawn from the
// population is copied with one mutation (one op, or one input, of one node), the child is
// scored and joins, and the oldest member leaves. Ageing, not fitness, removes members, so a
// cell that scored high by luck of its proxy run is not kept for ever. The proxy: a fixed
// number of steps on a training subset at few channels, from the same seed for every cell, then
// accuracy on images held out of that subset (training images, never the test split).

import { FlambeauError } from "../../core/errors.js";
import { manualSeed } from "../../core/index.js";
import { mulberry32 } from "../../data/random.js";
import { checkGenotype, type Genotype } from "../../vision/models/nas/genotype.js";
import { CellNetwork } from "../../vision/models/nas/network.js";
import { OPS, type OpName } from "../../vision/models/nas/ops.js";
import { accuracy, type ImageSet } from "./darts.js";
import { trainClassifier } from "./fit.js";

/** The ops evolution picks from: every op but zero (a node of two zero edges is no node). */
export const CELL_OPS: readonly OpName[] = OPS.filter((o) => o !== "none");

export interface EvolutionOptions {
  numClasses: number;
  /** Channels per node of the proxy network (default 8). */
  channels?: number;
  /** Intermediate nodes per cell (default 3). */
  nodes?: number;
  /** Cells of the proxy network (default 2). */
  cells?: number;
  /** Population size P (default 8). */
  population?: number;
  /** Sample size S: the parent is the best of S members drawn at random (default 3). */
  sample?: number;
  /** Cells scored in all, the P random ones included (default 24). */
  cycles?: number;
  /** Proxy training steps per cell (default 200). */
  steps?: number;
  batchSize?: number;
  /** Proxy training's peak learning rate (Adam, cosine; default 2e-3). */
  lr?: number;
  seed?: number;
  log?: (line: string) => void;
}

export interface Candidate {
  genotype: Genotype;
  /** Proxy accuracy on the held-out training images. */
  accuracy: number;
  /** Index in `history` of the parent; absent for the random initial population. */
  parent?: number;
  /** What the mutation changed, e.g. "node 2 input 1: sep_conv_3x3 → avg_pool_3x3". */
  mutation?: string;
  seconds: number;
}

export interface EvolutionResult {
  genotype: Genotype;
  accuracy: number;
  /** Every scored cell in order (a repeated cell reuses its first score: the proxy is seeded). */
  history: Candidate[];
  seconds: number;
}

const count = (name: string, v: number, min: number): number => {
  if (!Number.isSafeInteger(v) || v < min) throw new FlambeauError("E_ARG", `nas: ${name} must be an integer ≥ ${min}, got ${v}`);
  return v;
};

const pickFrom = <T>(xs: readonly T[], rand: () => number): T => xs[Math.floor(rand() * xs.length)]!;

/** A cell drawn uniformly: per node two distinct earlier inputs, each with any op but zero. */
export function randomGenotype(nodes: number, rand: () => number): Genotype {
  return {
    nodes: Array.from({ length: nodes }, (_, k) => {
      const a = Math.floor(rand() * (k + 2));
      let b = Math.floor(rand() * (k + 1));
      if (b >= a) b++;
      return [
        [Math.min(a, b), pickFrom(CELL_OPS, rand)],
        [Math.max(a, b), pickFrom(CELL_OPS, rand)],
      ] as [number, OpName][];
    }),
  };
}

/** `g` with one change: an edge's op, or (with a free earlier input) an edge's input; a copy. */
export function mutate(g: Genotype, rand: () => number): { genotype: Genotype; mutation: string } {
  const nodes = g.nodes.map((ins) => ins.map(([from, op]) => [from, op] as [number, OpName]));
  const k = Math.floor(rand() * nodes.length);
  const slot = Math.floor(rand() * 2);
  const edge = nodes[k]![slot]!;
  const free = Array.from({ length: k + 2 }, (_, i) => i).filter((i) => i !== nodes[k]![0]![0] && i !== nodes[k]![1]![0]);
  if (rand() < 0.5 && free.length > 0) {
    const from = pickFrom(free, rand);
    const mutation = `node ${k} input ${edge[0]} → ${from} (${edge[1]})`;
    edge[0] = from;
    nodes[k]!.sort((a, b) => a[0] - b[0]);
    return { genotype: checkGenotype({ nodes }), mutation };
  }
  const op = pickFrom(
    CELL_OPS.filter((o) => o !== edge[1]),
    rand,
  );
  const mutation = `node ${k} input ${edge[0]}: ${edge[1]} → ${op}`;
  edge[1] = op;
  return { genotype: checkGenotype({ nodes }), mutation };
}

export function evolutionSearch(train: ImageSet, val: ImageSet, o: EvolutionOptions): EvolutionResult {
  const t0 = performance.now();
  const nodes = count("nodes", o.nodes ?? 3, 1);
  const population = count("population", o.population ?? 8, 2);
  const sample = count("sample", o.sample ?? 3, 1);
  const cycles = count("cycles", o.cycles ?? 24, population);
  const steps = count("steps", o.steps ?? 200, 1);
  const batchSize = count("batchSize", o.batchSize ?? 64, 1);
  if (sample > population) throw new FlambeauError("E_ARG", `nas: sample (${sample}) must be at most the population (${population})`);
  const seed = o.seed ?? 0;
  const log = o.log ?? (() => {});
  const rand = mulberry32(seed);
  const scored = new Map<string, number>();
  const history: Candidate[] = [];
  const score = (genotype: Genotype, from?: { parent: number; mutation: string }): Candidate => {
    const t = performance.now();
    const key = JSON.stringify(genotype.nodes);
    let acc = scored.get(key);
    if (acc === undefined) {
      manualSeed(seed);
      const net = new CellNetwork({
        inChannels: train.x.shape[1]!,
        numClasses: o.numClasses,
        channels: o.channels ?? 8,
        cells: o.cells,
        genotype,
      });
      trainClassifier(net, train, {
        epochs: Math.ceil((steps * batchSize) / train.y.shape[0]!),
        batchSize,
        lr: o.lr ?? 2e-3,
        seed,
        maxSteps: steps,
      });
      acc = accuracy(net, val);
      net.dispose();
      scored.set(key, acc);
    }
    const c: Candidate = { genotype, accuracy: acc, ...from, seconds: (performance.now() - t) / 1000 };
    history.push(c);
    log(
      `nas evolution ${history.length}/${cycles}: ${acc.toFixed(4)} ${from ? `(${from.mutation})` : "(random)"} ${JSON.stringify(genotype.nodes)}`,
    );
    return c;
  };
  // The population holds indices into history, oldest first.
  const alive: number[] = [];
  while (history.length < population) {
    score(randomGenotype(nodes, rand));
    alive.push(history.length - 1);
  }
  while (history.length < cycles) {
    const drawn = [...alive];
    for (let i = drawn.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [drawn[i], drawn[j]] = [drawn[j]!, drawn[i]!];
    }
    const parent = drawn.slice(0, sample).reduce((a, b) => (history[b]!.accuracy > history[a]!.accuracy ? b : a));
    const child = mutate(history[parent]!.genotype, rand);
    score(child.genotype, { parent, mutation: child.mutation });
    alive.push(history.length - 1);
    alive.shift();
  }
  const best = history.reduce((a, b) => (b.accuracy > a.accuracy ? b : a));
  return { genotype: best.genotype, accuracy: best.accuracy, history, seconds: (performance.now() - t0) / 1000 };
}
