// `flambeau federate simulate`: federated training in one process (clients as objects) on a
// built-in image or audio data set, for comparing strategies, secure aggregation and
// client-level DP against centralized training; results.json holds each run's accuracy per
// round. The image model is McMahan et al.'s "2NN", a 2-hidden-layer ReLU MLP; the audio
// model (keyword spotting on log-mels) a 3-layer CNN.

import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { FlambeauError } from "../core/errors.js";
import { setNumThreads } from "../core/runtime.js";
import { writeTextAtomic } from "../io/atomic.js";
import {
  type Classifier,
  epsilonFor,
  type FederatedData,
  isAudioSet,
  loadFederatedData,
  makeStrategy,
  noiseForEpsilon,
  type PartitionKind,
  partition,
  simulate,
} from "../learn/federated/index.js";
import { ReLU } from "../nn/activation.js";
import { Sequential } from "../nn/container.js";
import { Conv2d } from "../nn/conv.js";
import { Flatten } from "../nn/flatten.js";
import { Linear } from "../nn/linear.js";
import { GroupNorm } from "../nn/normalization.js";
import { AdaptiveAvgPool2d, MaxPool2d } from "../nn/pooling.js";

export interface SimulateCliOptions {
  data: string;
  task?: string;
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

/**
 * Log-mels [1, mels, frames] → three 3×3 conv blocks of `c` channels, pooled to 2×4 → classes.
 * Group norm, not batch norm: it has no int64 step counter or running statistics to average,
 * and without any normalisation plain SGD barely moves this net in tens of epochs.
 */
export const kwsCnn = (c: number, classes: number) => (): Classifier =>
  new Sequential(
    new Conv2d(1, c, 3, { padding: 1 }),
    new GroupNorm(Math.min(4, c), c),
    new ReLU(),
    new MaxPool2d(2),
    new Conv2d(c, c, 3, { padding: 1 }),
    new GroupNorm(Math.min(4, c), c),
    new ReLU(),
    new MaxPool2d(2),
    new Conv2d(c, c, 3, { padding: 1 }),
    new GroupNorm(Math.min(4, c), c),
    new ReLU(),
    new AdaptiveAvgPool2d([2, 4]),
    new Flatten(),
    new Linear(8 * c, classes),
  );

/** The data and model of a run: `--task` must match the data (images: MLP; audio: CNN, `--hidden` its channels). */
export async function federatedSetup(data: string, task: string | undefined, hidden: number, seed: number, log?: (l: string) => void) {
  const audio = isAudioSet(data);
  const want = audio ? "audio-classification" : "image-classification";
  if (task !== undefined && task !== want)
    throw new FlambeauError(
      "E_ARG",
      `federate: --task ${task} does not fit --data ${data} (${want}; the audio sets are speech-commands-synth and speakers-synth)`,
    );
  const d: FederatedData = await loadFederatedData(data, { seed, log });
  const makeModel = audio ? kwsCnn(hidden, d.classes) : mlp(d.inputShape[0]!, hidden, d.classes);
  return { data: d, makeModel };
}

/** Clients' index sets: the named partition of the training labels (speaker/writer: one client per key). */
function cut(d: FederatedData, kind: string, clients: number, alpha: number, seed: number): number[][] {
  return partition(kind as PartitionKind, Array.from(d.train.y.data() as BigInt64Array, Number), {
    clients,
    alpha,
    seed,
    ...(d.groups ? { groups: d.groups } : {}),
  });
}

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
  const { data, makeModel } = await federatedSetup(o.data, o.task, o.hidden, o.seed, o.log);
  if (o.trainExamples && o.trainExamples < data.train.y.shape[0]!)
    data.train = { x: data.train.x.narrow(0, 0, o.trainExamples), y: data.train.y.narrow(0, 0, o.trainExamples) };
  if (data.groups) data.groups = data.groups.slice(0, data.train.y.shape[0]!);
  const train = data.train;
  const numeric = Array.from(train.y.data() as BigInt64Array, Number);
  const parts = cut(data, o.partition, o.clients, o.alpha, o.seed);
  const clients = parts.length;
  if (clients !== o.clients) o.log(`${o.partition} partition: ${clients} clients (one per ${o.partition})`);
  const local = { epochs: o.localEpochs, batchSize: o.batchSize, lr: o.lr };
  const q = o.clientsPerRound / clients;
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
      ? partition("iid", numeric, { clients: Math.max(1, Math.floor(clients / o.clientsPerRound)), seed: o.seed })
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
  task?: string;
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
  secureAggregation?: boolean;
  phaseDeadlineS?: number;
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
  const { data, makeModel } = await federatedSetup(o.data, o.task, o.hidden, o.seed);
  manualSeed(o.seed);
  const model = makeModel();
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
    secure: o.secureAggregation,
    phaseDeadlineMs: o.phaseDeadlineS !== undefined ? o.phaseDeadlineS * 1000 : undefined,
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
  // Stay up a little so clients that just uploaded hear "done" instead of retrying a closed port.
  await new Promise((r) => setTimeout(r, 2000));
  await server.close();
  return history;
}

export interface ClientCliOptions {
  server: string;
  token: string;
  data: string;
  task?: string;
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
  setNumThreads(1);
  const { data, makeModel } = await federatedSetup(o.data, o.task, o.hidden, o.seed);
  if (o.trainExamples && o.trainExamples < data.train.y.shape[0]!)
    data.train = { x: data.train.x.narrow(0, 0, o.trainExamples), y: data.train.y.narrow(0, 0, o.trainExamples) };
  if (data.groups) data.groups = data.groups.slice(0, data.train.y.shape[0]!);
  const train = data.train;
  const parts = cut(data, o.partition, o.clients, o.alpha, o.seed);
  if (!(o.clientIndex >= 0 && o.clientIndex < parts.length))
    throw new FlambeauError(
      "E_ARG",
      `federate client: --client-index must be in [0, ${parts.length}) (${o.partition} partition), got ${o.clientIndex}`,
    );
  const idx = tensor(parts[o.clientIndex]!, { dtype: "int64" });
  const local = { x: train.x.indexSelect(0, idx), y: train.y.indexSelect(0, idx) };
  return runFederatedClient({
    server: o.server,
    token: o.token,
    model: makeModel(),
    data: local,
    ca: o.ca ? readFileSync(o.ca) : undefined,
    seed: o.seed + o.clientIndex,
    log: o.log,
  });
}
