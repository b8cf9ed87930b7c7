// Reads the ModuleInfo fixtures written by scripts/fixtures/moduleinfo_db.py (the OpInfo
// fixtures' tensor-shard format): index.json.gz and shard-00.bin.gz.
import { join } from "node:path";
import { FIXTURES } from "../helpers/fixtures.js";
import { type Encoded, shardFolder, type TensorEntry } from "../helpers/tensor-shards.js";

export const DIR = join(FIXTURES, "nn", "moduleinfo-db");

export interface ModuleSample {
  desc: string;
  training: boolean;
  ctorArgs: Encoded[];
  ctorKwargs: Record<string, Encoded>;
  fwdArgs: Encoded[];
  fwdKwargs: Record<string, Encoded>;
  /** Argument tensors, referenced by index from the arguments. */
  tensors: TensorEntry[];
  state: Record<string, TensorEntry>;
  output: Encoded;
  buffersAfter: Record<string, TensorEntry>;
  /** Per argument tensor: its gradient, or null (no gradient, or not a float input). */
  grads?: (TensorEntry | null)[];
  paramGrads?: Record<string, TensorEntry | null>;
}
export interface ModuleInfoEntry {
  name: string;
  /** The public class, e.g. torch.nn.Conv2d. */
  cls: string;
  trainAndEvalDiffer: boolean;
  shard: number;
  samplesTotal: number;
  samples: ModuleSample[];
  skipped?: Record<string, number>;
}
export interface ModuleIndex {
  torch: string;
  cap: number;
  tolerances: Record<string, [number, number]>;
  moduleinfos: ModuleInfoEntry[];
  excluded: { name: string; reason: string }[];
}

export const { index: readModuleIndex, shard: moduleShard } = shardFolder<ModuleIndex>(DIR);

export const sampleName = (o: ModuleInfoEntry, s: ModuleSample): string =>
  `${o.name}${s.desc ? ` [${s.desc}]` : ""}${o.trainAndEvalDiffer ? (s.training ? " (train)" : " (eval)") : ""}`;
