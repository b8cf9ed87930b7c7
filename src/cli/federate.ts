// `flambeau federate simulate`: federated training in one process (clients as objects) on a
// built-in image data set, for comparing strategies, secure aggregation and client-level DP
// against centralized training; results.json holds each run's accuracy per round. The model
// is McMahan et al.'s "2NN", a 2-hidden-layer ReLU MLP.

import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { FlambeauError } from "../core/errors.js";
import { writeTextAtomic } from "../io/atomic.js";
import { loadContinualData } from "../learn/continual/data.js";
import {
  type Classifier,
  epsilonFor,
  makeStrategy,
  noiseForEpsilon,
  type PartitionKind,
  partition,
  simulate,
} from "../learn/federated/index.js";
import { ReLU } from "../nn/activation.js";
import { Sequential } from "../nn/container.js";
import { Linear } from "../nn/linear.js";

export interface SimulateCliOptions {
  data: string;
  clients: number;
  partition: string;
  alpha: number;
  clientsPerRound: number;
  rounds: number;
  runs: string[];
  localEpochs: number;
  batchSize: number;
  lr: number;
  mu: number;
  serverLr: number;
  clip: number;
  delta: number;
  hidden: number;
  trainExamples?: number;
  target: number;
  seed: number;
  out: string;
  log: (line: string) => void;
}

export interface RunSummary {
  run: string;
  accuracy: number[];
  final: number;
  roundsToTarget: number | null;
  epsilon?: number;
  noiseMultiplier?: number;
  seconds: number;
}

export const mlp = (features: number, hidden: number, classes: number) => (): Classifier =>
  new Sequential(new Linear(features, hidden), new ReLU(), new Linear(hidden, hidden), new ReLU(), new Linear(hidden, classes));

// A run is a strategy name, optionally with "+secure" and/or "+dp<ε>" (fedavg+secure+dp8), or "centralized".
function parseRun(run: string): { strategy: string; secure: boolean; epsilon?: number } {
  const [strategy, ...mods] = run.split("+");
  let secure = false;
  let epsilon: number | undefined;
  for (const m of mods) {
    if (m === "secure") secure = true;
    else if (/^dp\d+(\.\d+)?$/.test(m)) epsilon = Number(m.slice(2));
    else throw new FlambeauError("E_ARG", `federate: unknown run modifier "+${m}" in "${run}" (use +secure, +dp<ε>)`);
  }
  return { strategy: strategy!, secure, epsilon };
}

export async function runSimulateCli(o: SimulateCliOptions): Promise<RunSummary[]> {
  const data = await loadContinualData(o.data);
  let train = data.train;
  if (o.trainExamples && o.trainExamples < train.y.shape[0]!)
    train = { x: train.x.narrow(0, 0, o.trainExamples), y: train.y.narrow(0, 0, o.trainExamples) };
  const labels = train.y.data() as BigInt64Array;
  const numeric = Array.from(labels, Number);
  const parts = partition(o.partition as PartitionKind, numeric, { clients: o.clients, alpha: o.alpha, seed: o.seed });
  const makeModel = mlp(train.x.shape[1]!, o.hidden, data.classes);
  const local = { epochs: o.localEpochs, batchSize: o.batchSize, lr: o.lr };
  const q = o.clientsPerRound / o.clients;
  const out: RunSummary[] = [];
  for (const run of o.runs) {
    const centralized = run === "centralized";
    const spec = centralized ? { strategy: "fedavg", secure: false } : parseRun(run);
    const noiseMultiplier = spec.epsilon !== undefined ? noiseForEpsilon(spec.epsilon, q, o.rounds, o.delta) : undefined;
    if (noiseMultiplier !== undefined)
      o.log(`${run}: noise multiplier ${noiseMultiplier.toFixed(3)} for ε = ${spec.epsilon} at δ = ${o.delta}`);
    // Centralized: one client with every example, one local epoch per "round" (an epoch).
    const r = simulate({
      makeModel,
      train,
      test: data.test,
      parts: centralized ? [parts.flat().sort((a, b) => a - b)] : parts,
      rounds: o.rounds,
      clientsPerRound: centralized ? 1 : o.clientsPerRound,
      strategy: makeStrategy(spec.strategy, { mu: o.mu, serverLr: o.serverLr }),
      local,
      secure: spec.secure,
      dp: noiseMultiplier !== undefined ? { clip: o.clip, noiseMultiplier } : undefined,
      sampled: o.clientsPerRound,
      seed: o.seed,
      log: (l) => o.log(`${run}: ${l}`),
    });
    const hit = r.accuracy.findIndex((a) => a >= o.target);
    out.push({
      run,
      accuracy: r.accuracy,
      final: r.accuracy[r.accuracy.length - 1]!,
      roundsToTarget: hit < 0 ? null : hit + 1,
      ...(noiseMultiplier !== undefined ? { noiseMultiplier, epsilon: epsilonFor(q, noiseMultiplier, o.rounds, o.delta).epsilon } : {}),
      seconds: r.seconds,
    });
  }
  mkdirSync(o.out, { recursive: true });
  const { log: _, ...settings } = o;
  await writeTextAtomic("federate", join(o.out, "results.json"), `${JSON.stringify({ settings, runs: out }, null, 1)}\n`);
  return out;
}
