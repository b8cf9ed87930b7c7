// Reads the OpInfo fixtures written by scripts/fixtures/opinfo_db.py: index.json.gz (OpInfos,
// samples, exclusions) and shard-NN.bin.gz (tensor bytes, each in its own dtype).
import { join } from "node:path";
import { FIXTURES } from "../helpers/fixtures.js";
import { type Encoded, shardFolder, type TensorEntry } from "../helpers/tensor-shards.js";

export { cotangent, type Encoded, makeTensor, type TensorEntry, values } from "../helpers/tensor-shards.js";

export const DIR = join(FIXTURES, "core", "opinfo-db");

export interface Sample {
  name: string;
  input: Encoded;
  args: Encoded[];
  kwargs: Record<string, Encoded>;
  tensors: TensorEntry[];
  output: Encoded;
  grads?: (TensorEntry | null)[];
  gradError?: string;
}
export interface OpInfoEntry {
  name: string;
  variant: string;
  aten: string;
  wrapped: string | null;
  uninitialized: boolean;
  variants: string[];
  dtype: string;
  differentiable: boolean;
  shard: number;
  samplesTotal: number;
  samples: Sample[];
  skipped?: Record<string, number>;
}
export interface Index {
  torch: string;
  cap: number;
  maxNumel: number;
  opinfos: OpInfoEntry[];
  excluded: { name: string; reason: string }[];
}

export const { index: readIndex, shard } = shardFolder<Index>(DIR);
