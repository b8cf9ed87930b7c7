// How a worker thread re-creates a model: an ES module's exported factory or class, its
// (plain-data) arguments, and optionally a safetensors file of weights to load.
import type { JsonValue } from "./protocol.js";

export interface ModuleSpec {
  /** Absolute path or file URL of the ES module. */
  module: string;
  export: string;
  args?: readonly JsonValue[];
  /** model.safetensors (PyTorch key names) loaded with loadStateDict. */
  weights?: string;
}
