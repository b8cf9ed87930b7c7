// GCNConv (Kipf & Welling): X' = D^-1/2 (A + I) D^-1/2 X Θ + b, as PyG computes it
// (lin without bias, then symmetric-normalised sum over incoming edges, then bias).
import { FlambeauError } from "../../core/errors.js";
import { type Tensor, zeros } from "../../core/index.js";
import { xavierUniform_, zeros_ } from "../../nn/init.js";
import { Linear } from "../../nn/linear.js";
import { Parameter } from "../../nn/parameter.js";
import { checkEdgeIndex, gcnNorm } from "../edge-index.js";
import { MessagePassing } from "./message-passing.js";

export interface GCNConvOptions {
  /** Self-loop weight 2 (Â = A + 2I). */
  improved?: boolean;
  /** Reuse the normalised edges of the first call (transductive training on one graph). */
  cached?: boolean;
  addSelfLoops?: boolean;
  /** Apply the symmetric normalisation (default true); otherwise edges are summed as weighted. */
  normalize?: boolean;
  bias?: boolean;
}

export class GCNConv extends MessagePassing {
  readonly inChannels: number;
  readonly outChannels: number;
  readonly options: Required<GCNConvOptions>;
  lin: Linear;
  bias: Parameter | null;
  #cache: { key: Tensor; edgeIndex: Tensor; edgeWeight: Tensor } | null = null;

  constructor(inChannels: number, outChannels: number, o: GCNConvOptions = {}) {
    super({ aggr: "sum" });
    this.inChannels = inChannels;
    this.outChannels = outChannels;
    this.options = { improved: false, cached: false, addSelfLoops: true, normalize: true, bias: true, ...o };
    this.lin = new Linear(inChannels, outChannels, { bias: false });
    this.bias = this.options.bias ? new Parameter(zeros([outChannels])) : null;
    this.resetParameters();
  }
  resetParameters(): void {
    xavierUniform_(this.lin.weight);
    if (this.bias) zeros_(this.bias);
    this.clearCache();
  }
  clearCache(): void {
    if (this.#cache) {
      this.#cache.edgeIndex.dispose();
      this.#cache.edgeWeight.dispose();
    }
    this.#cache = null;
  }

  #normalised(edgeIndex: Tensor, numNodes: number, edgeWeight: Tensor | null): { edgeIndex: Tensor; edgeWeight: Tensor | null } {
    if (!this.options.normalize) return { edgeIndex, edgeWeight };
    if (this.options.cached && this.#cache) {
      if (this.#cache.key !== edgeIndex)
        throw new FlambeauError("E_STATE", "GCNConv: cached=true but a different edgeIndex was passed; call clearCache() first", "GCNConv");
      return this.#cache;
    }
    const r = gcnNorm(edgeIndex, numNodes, { edgeWeight, addSelfLoops: this.options.addSelfLoops, improved: this.options.improved });
    if (this.options.cached) this.#cache = { key: edgeIndex, edgeIndex: r.edgeIndex.keep(), edgeWeight: r.edgeWeight.keep() };
    return r;
  }

  forward(x: Tensor, edgeIndex: Tensor, edgeWeight: Tensor | null = null): Tensor {
    checkEdgeIndex("GCNConv", edgeIndex, x.shape[0]!);
    const h = this.lin.forward(x);
    const norm = this.#normalised(edgeIndex, x.shape[0]!, edgeWeight);
    const out = this.propagate(norm.edgeIndex, h, norm.edgeWeight);
    return this.bias ? out.add(this.bias) : out;
  }
  override extraRepr(): string {
    return `${this.inChannels}, ${this.outChannels}`;
  }
}
