// Encoders of typed graphs: R-GCN (Schlichtkrull et al.: RGCNConv layers with the basis
// decomposition, over the relations and their inverses), CompGCN (Vashishth et al.: a linear
// input map to the hidden size, then CompGCNConv layers that update node and relation
// embeddings together), and the homogeneous GCN on the same edges with their types ignored
// (the baseline a relational model must beat). ReLU and dropout between layers.
import { FlambeauError } from "../../core/errors.js";
import { relu, type Tensor, zeros } from "../../core/index.js";
import { dropout } from "../../core/ops/nn.js";
import { ModuleList } from "../../nn/container.js";
import { xavierUniform_ } from "../../nn/init.js";
import { Linear } from "../../nn/linear.js";
import { Module } from "../../nn/module.js";
import { Parameter } from "../../nn/parameter.js";
import { CompGCNConv } from "../conv/compgcn-conv.js";
import type { Composition } from "../conv/composition.js";
import { GCNConv } from "../conv/gcn-conv.js";
import { RGCNConv } from "../conv/rgcn-conv.js";
import { withInverses } from "../typed-graph.js";

export const RELATIONAL_MODELS = ["rgcn", "compgcn", "gcn"] as const;
export type RelationalModelName = (typeof RELATIONAL_MODELS)[number];

export interface RelationalModelHyper {
  arch: RelationalModelName;
  inChannels: number;
  hidden: number;
  outChannels: number;
  layers: number;
  dropout: number;
  /** Relations of the data (their inverses are added inside). */
  numRelations: number;
  /** R-GCN bases (default 4). */
  numBases?: number;
  /** CompGCN's φ (default "corr"). */
  composition?: Composition;
}

export class RelationalModel extends Module {
  readonly hyper: RelationalModelHyper;
  convs: ModuleList;
  /** CompGCN: the input map to the hidden size and the initial relation embeddings [2R, hidden]. */
  input: Linear | null = null;
  rel: Parameter | null = null;

  constructor(h: RelationalModelHyper) {
    super();
    if (!RELATIONAL_MODELS.includes(h.arch))
      throw new FlambeauError("E_ARG", `unknown relational model "${String(h.arch)}"; models: ${RELATIONAL_MODELS.join(", ")}`);
    if (!Number.isInteger(h.layers) || h.layers < 1)
      throw new FlambeauError("E_ARG", `RelationalModel: layers must be ≥ 1, got ${h.layers}`);
    this.hyper = h;
    const r = h.numRelations;
    const first = h.arch === "compgcn" ? h.hidden : h.inChannels;
    const sizes = [first, ...Array.from({ length: h.layers - 1 }, () => h.hidden), h.outChannels];
    this.convs = new ModuleList(
      sizes.slice(1).map((out, l) => {
        const inC = sizes[l]!;
        if (h.arch === "rgcn") return new RGCNConv(inC, out, 2 * r, { numBases: Math.min(h.numBases ?? 4, 2 * r) });
        if (h.arch === "compgcn") return new CompGCNConv(inC, out, r, { composition: h.composition ?? "corr" });
        // Not cached: training and evaluation build their own both-way edge tensors.
        return new GCNConv(inC, out);
      }),
    );
    if (h.arch === "compgcn") {
      this.input = new Linear(h.inChannels, h.hidden);
      this.rel = new Parameter(zeros([2 * r, h.hidden]));
      xavierUniform_(this.rel);
    }
  }

  /**
   * Node outputs [N, out] for `x` and the typed edges (each fact once, source → target,
   * `edgeType` in [0, numRelations)); `inverses` may pass withInverses' result, computed once.
   */
  forward(x: Tensor, edgeIndex: Tensor, edgeType: Tensor, inverses?: { edgeIndex: Tensor; edgeType: Tensor }): Tensor {
    return this.encode(x, edgeIndex, edgeType, inverses).x;
  }

  /** Node outputs and (CompGCN) the last layer's relation embeddings [2R, out]. */
  encode(
    x: Tensor,
    edgeIndex: Tensor,
    edgeType: Tensor,
    inverses?: { edgeIndex: Tensor; edgeType: Tensor },
  ): { x: Tensor; rel: Tensor | null } {
    const h = this.hyper;
    const both = h.arch === "compgcn" ? null : (inverses ?? withInverses(edgeIndex, edgeType, h.numRelations));
    let z = this.input ? this.input.forward(x) : x;
    let rel: Tensor | null = this.rel;
    const layers = [...this.convs];
    layers.forEach((layer, l) => {
      if (l > 0 || this.input) z = relu(z);
      z = dropout(z, h.dropout, this.training);
      if (layer instanceof RGCNConv) z = layer.forward(z, both!.edgeIndex, both!.edgeType);
      else if (layer instanceof GCNConv) z = layer.forward(z, both!.edgeIndex);
      else {
        const o = (layer as CompGCNConv).forward(z, edgeIndex, edgeType, rel!);
        z = o.x;
        rel = o.rel;
      }
    });
    return { x: z, rel };
  }
}
