// `flambeau federate simulate`: federated training in one process (clients as objects) on a
// built-in image data set, for comparing strategies, secure aggregation and client-level DP
// against centralized training; results.json holds each run's accuracy per round. The model
// is McMahan et al.'s "2NN", a 2-hidden-layer ReLU MLP.

import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { FlambeauError } from "../core/errors.js";
import { setNumThreads } from "../core/runtime.js";
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
  // Small matrices: more libtorch threads only contend.
  setNumThreads(1);
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
    // Centralized: plain SGD on the pooled data with a federated round's compute per round
    // (K clients' worth of examples, one epoch of them): one "client" of an IID cut into N/K.
    const pooled = centralized
      ? partition("iid", numeric, { clients: Math.max(1, Math.floor(o.clients / o.clientsPerRound)), seed: o.seed })
      : parts;
    const r = simulate({
      makeModel,
      train,
      test: data.test,
      parts: pooled,
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

export interface ServerCliOptions {
  data: string;
  hidden: number;
  rounds: number;
  clientsPerRound: number;
  minClients: number;
  port: number;
  host: string;
  tokenFile: string;
  revokedFile?: string;
  cert?: string;
  key?: string;
  deadlineS: number;
  strategy: string;
  mu: number;
  serverLr: number;
  localEpochs: number;
  batchSize: number;
  lr: number;
  clip?: number;
  noiseMultiplier?: number;
  checkpoint: string;
  seed: number;
  log: (line: string) => void;
}

/** `flambeau federate server`: runs the rounds, then prints the history. */
export async function runServerCli(o: ServerCliOptions) {
  const { readFileSync } = await import("node:fs");
  const { readTokenFile } = await import("../http/auth.js");
  const { startFederatedServer, evaluate, flatten, layoutOf } = await import("../learn/federated/index.js");
  const { manualSeed } = await import("../core/index.js");
  if ((o.cert === undefined) !== (o.key === undefined)) throw new FlambeauError("E_ARG", "federate server: --cert and --key go together");
  setNumThreads(1);
  const data = await loadContinualData(o.data);
  manualSeed(o.seed);
  const model = mlp(data.test.x.shape[1]!, o.hidden, data.classes)();
  const layout = layoutOf(model);
  const server = await startFederatedServer({
    layout,
    initial: flatten(model, layout),
    strategy: makeStrategy(o.strategy, { mu: o.mu, serverLr: o.serverLr }),
    rounds: o.rounds,
    clientsPerRound: o.clientsPerRound,
    minClients: o.minClients,
    deadlineMs: o.deadlineS * 1000,
    tokens: readTokenFile(o.tokenFile),
    revokedFile: o.revokedFile,
    local: { epochs: o.localEpochs, batchSize: o.batchSize, lr: o.lr },
    dp: o.noiseMultiplier !== undefined ? { clip: o.clip ?? 1, noiseMultiplier: o.noiseMultiplier } : undefined,
    checkpointDir: o.checkpoint,
    tls: o.cert && o.key ? { cert: readFileSync(o.cert), key: readFileSync(o.key) } : undefined,
    port: o.port,
    host: o.host,
    evaluate: (w) => evaluate(model, layout, w, data.test),
    seed: o.seed,
    log: o.log,
  });
  o.log(`federated server listening on ${server.url}`);
  const history = await server.finished;
  await server.close();
  return history;
}

export interface ClientCliOptions {
  server: string;
  token: string;
  data: string;
  hidden: number;
  clients: number;
  clientIndex: number;
  partition: string;
  alpha: number;
  trainExamples?: number;
  ca?: string;
  seed: number;
  log: (line: string) => void;
}

/** `flambeau federate client`: this client's share of a built-in data set, cut as the simulation cuts it. */
export async function runClientCli(o: ClientCliOptions): Promise<number[]> {
  const { readFileSync } = await import("node:fs");
  const { runFederatedClient } = await import("../learn/federated/index.js");
  const { tensor } = await import("../core/index.js");
  if (!(o.clientIndex >= 0 && o.clientIndex < o.clients))
    throw new FlambeauError("E_ARG", `federate client: --client-index must be in [0, ${o.clients}), got ${o.clientIndex}`);
  setNumThreads(1);
  const data = await loadContinualData(o.data);
  let train = data.train;
  if (o.trainExamples && o.trainExamples < train.y.shape[0]!)
    train = { x: train.x.narrow(0, 0, o.trainExamples), y: train.y.narrow(0, 0, o.trainExamples) };
  const parts = partition(o.partition as PartitionKind, Array.from(train.y.data() as BigInt64Array, Number), {
    clients: o.clients,
    alpha: o.alpha,
    seed: o.seed,
  });
  const idx = tensor(parts[o.clientIndex]!, { dtype: "int64" });
  const local = { x: train.x.indexSelect(0, idx), y: train.y.indexSelect(0, idx) };
  return runFederatedClient({
    server: o.server,
    token: o.token,
    model: mlp(train.x.shape[1]!, o.hidden, data.classes)(),
    data: local,
    ca: o.ca ? readFileSync(o.ca) : undefined,
    seed: o.seed + o.clientIndex,
    log: o.log,
  });
}
