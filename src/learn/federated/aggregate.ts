// The server's aggregation of one round: from the global model and the clients' new weights
// to the averaged delta the strategy steps with. Plain: Σ nₖΔₖ / Σ nₖ. Secure: the same sum,
// computed from masked updates (secagg.ts). DP: clipped deltas, unweighted, noise on the
// sum, divided by the sampled count (dp.ts). Secure and DP combine (noise is added after
// the server decodes the sum — the server is trusted with the noise, not with the updates).

import { FlambeauError } from "../../core/errors.js";
import { addGaussianNoise, clipToNorm, type DpOptions } from "../../train/privacy/gaussian.js";
import { secureSum } from "./secagg.js";

export interface ClientUpdate {
  id: number;
  weights: Float32Array;
  examples: number;
}

export interface AggregateOptions {
  secure?: boolean;
  dp?: DpOptions;
  /** The number of clients sampled (DP's denominator; default: the updates received). */
  sampled?: number;
  round?: number;
  /** Seeds the DP noise (simulation); without it the noise is from node:crypto. */
  seed?: number;
  /** Secure aggregation: clients that drop after sharing their keys (tests of recovery). */
  dropAfterSharing?: readonly number[];
}

/** The per-client deltas wₖ − w, each scaled by its aggregation weight. */
function weightedDeltas(
  global: Float32Array,
  updates: readonly ClientUpdate[],
  dp?: DpOptions,
): { scaled: Map<number, Float32Array>; total: number } {
  const scaled = new Map<number, Float32Array>();
  let total = 0;
  for (const u of updates) {
    if (u.weights.length !== global.length)
      throw new FlambeauError("E_SHAPE", `aggregate: client ${u.id} sent ${u.weights.length} values, the model has ${global.length}`);
    const d = u.weights.map((w, i) => w - global[i]!);
    const weight = dp ? 1 : u.examples;
    const v = dp ? clipToNorm(d, dp.clip) : d.map((x) => x * weight);
    scaled.set(u.id, v);
    total += weight;
  }
  return { scaled, total };
}

export function aggregateDeltas(global: Float32Array, updates: readonly ClientUpdate[], o: AggregateOptions = {}): Float32Array {
  if (updates.length === 0) throw new FlambeauError("E_ARG", "aggregate: no client updates", "aggregate");
  const { scaled, total } = weightedDeltas(global, updates, o.dp);
  const dropped = new Set(o.dropAfterSharing ?? []);
  let sum: Float64Array;
  if (o.secure) sum = secureSum(scaled, o.round ?? 0, { dropAfterSharing: o.dropAfterSharing });
  else {
    sum = new Float64Array(global.length);
    for (const [id, v] of scaled) if (!dropped.has(id)) for (let i = 0; i < v.length; i++) sum[i]! += v[i]!;
  }
  let denominator = total - (o.dp ? dropped.size : updates.filter((u) => dropped.has(u.id)).reduce((a, u) => a + u.examples, 0));
  if (o.dp) {
    addGaussianNoise(sum, o.dp, o.seed);
    denominator = o.sampled ?? updates.length;
  }
  return Float32Array.from(sum, (x) => x / denominator);
}
