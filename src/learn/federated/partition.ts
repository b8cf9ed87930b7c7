// How a labelled data set is cut into clients' local sets, the three ways the federated
// literature simulates users: IID (a uniform shuffle), label skew by Dirichlet(α) per class
// (Hsu et al. 2019: small α, few classes per client) and McMahan et al.'s pathological split
// (sort by label, cut into 2·clients shards, two shards per client: about 2 classes each);
// and the natural split where a data set has one: one client per speaker or writer (by a
// group key per example), as LEAF's FEMNIST and per-speaker keyword spotting do.
// Each returns, per client, indices into the data set; the same seed gives the same split.

import { FlambeauError } from "../../core/errors.js";
import { gammaSample, gaussian, mulberry32, shuffleInPlace } from "../../data/random.js";

export type PartitionKind = "iid" | "dirichlet" | "pathological" | "speaker" | "writer";

export interface PartitionOptions {
  clients: number;
  seed?: number;
  /** Dirichlet concentration (default 0.5). */
  alpha?: number;
  /** Pathological: shards (label-sorted runs) per client (default 2). */
  shardsPerClient?: number;
  /** speaker / writer: each example's group key. */
  groups?: readonly string[];
}

function checkClients(op: string, n: number, clients: number): void {
  if (!Number.isInteger(clients) || clients < 1 || clients > n)
    throw new FlambeauError("E_ARG", `${op}: clients must be an integer in [1, ${n}], got ${clients}`, op);
}

/** Equal-sized random parts. */
export function partitionIid(n: number, o: PartitionOptions): number[][] {
  checkClients("partitionIid", n, o.clients);
  const idx = shuffleInPlace(
    Array.from({ length: n }, (_, i) => i),
    mulberry32(o.seed ?? 0),
  );
  const out: number[][] = Array.from({ length: o.clients }, () => []);
  idx.forEach((v, i) => out[i % o.clients]!.push(v));
  return out;
}

/**
 * Label skew: for each class, the fractions going to each client are drawn from Dir(α)
 * and its (shuffled) examples are cut accordingly.
 */
export function partitionDirichlet(labels: ArrayLike<number>, o: PartitionOptions): number[][] {
  const n = labels.length;
  checkClients("partitionDirichlet", n, o.clients);
  const alpha = o.alpha ?? 0.5;
  if (!(alpha > 0 && Number.isFinite(alpha)))
    throw new FlambeauError("E_ARG", `partitionDirichlet: alpha must be a positive number, got ${alpha}`, "partitionDirichlet");
  const u = mulberry32(o.seed ?? 0);
  const normal = gaussian(u);
  const byClass = new Map<number, number[]>();
  for (let i = 0; i < n; i++) {
    const y = Number(labels[i]);
    (byClass.get(y) ?? byClass.set(y, []).get(y)!).push(i);
  }
  const out: number[][] = Array.from({ length: o.clients }, () => []);
  for (const y of [...byClass.keys()].sort((a, b) => a - b)) {
    const idx = shuffleInPlace(byClass.get(y)!, u);
    const g = Array.from({ length: o.clients }, () => gammaSample(alpha, u, normal));
    const z = g.reduce((a, b) => a + b, 0);
    let start = 0;
    let acc = 0;
    for (let c = 0; c < o.clients; c++) {
      acc += g[c]! / z;
      const end = c === o.clients - 1 ? idx.length : Math.round(acc * idx.length);
      for (let k = start; k < end; k++) out[c]!.push(idx[k]!);
      start = Math.max(start, end);
    }
  }
  return out;
}

/** McMahan et al. (2017): sort by label, cut into clients·shardsPerClient shards, deal them at random. */
export function partitionPathological(labels: ArrayLike<number>, o: PartitionOptions): number[][] {
  const n = labels.length;
  checkClients("partitionPathological", n, o.clients);
  const per = o.shardsPerClient ?? 2;
  const shards = o.clients * per;
  if (!Number.isInteger(per) || per < 1 || shards > n)
    throw new FlambeauError("E_ARG", `partitionPathological: ${o.clients} clients × ${per} shards is more than ${n} examples`);
  const u = mulberry32(o.seed ?? 0);
  // Stable sort by label after a shuffle: each shard is a random run of one (or two) labels.
  const idx = shuffleInPlace(
    Array.from({ length: n }, (_, i) => i),
    u,
  ).sort((a, b) => Number(labels[a]) - Number(labels[b]));
  const order = shuffleInPlace(
    Array.from({ length: shards }, (_, i) => i),
    u,
  );
  const size = Math.floor(n / shards);
  return Array.from({ length: o.clients }, (_, c) =>
    order.slice(c * per, (c + 1) * per).flatMap((s) => idx.slice(s * size, s === shards - 1 ? n : (s + 1) * size)),
  );
}

/** One client per distinct key, in sorted key order (so every process numbers clients alike). */
export function partitionByGroup(groups: readonly string[]): { keys: string[]; parts: number[][] } {
  if (groups.length === 0) throw new FlambeauError("E_ARG", "partitionByGroup: no examples", "partitionByGroup");
  const by = new Map<string, number[]>();
  groups.forEach((g, i) => (by.get(g) ?? by.set(g, []).get(g)!).push(i));
  const keys = [...by.keys()].sort();
  return { keys, parts: keys.map((k) => by.get(k)!) };
}

/** One of them by name; speaker/writer ignore `clients` (there is one per key). */
export function partition(kind: PartitionKind, labels: ArrayLike<number>, o: PartitionOptions): number[][] {
  if (kind === "speaker" || kind === "writer") {
    if (!o.groups)
      throw new FlambeauError(
        "E_ARG",
        `partition: --partition ${kind} needs a data set that names each example's ${kind} (speech-commands-synth, speakers-synth)`,
        "partition",
      );
    if (o.groups.length !== labels.length)
      throw new FlambeauError("E_SHAPE", `partition: ${o.groups.length} group keys for ${labels.length} examples`, "partition");
    return partitionByGroup(o.groups).parts;
  }
  if (kind === "iid") return partitionIid(labels.length, o);
  if (kind === "dirichlet") return partitionDirichlet(labels, o);
  if (kind === "pathological") return partitionPathological(labels, o);
  throw new FlambeauError(
    "E_ARG",
    `partition: kind must be iid, dirichlet, pathological, speaker or writer, got "${String(kind)}"`,
    "partition",
  );
}
