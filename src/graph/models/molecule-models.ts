// Graph-level models for molecules: a GIN (or GINE, with bond types) over atom features,
// global pooling, and an MLP head; and the fingerprint + MLP baseline the GNN must beat.
import { FlambeauError } from "../../core/errors.js";
import { cat, relu, type Tensor } from "../../core/index.js";
import { dropout } from "../../core/ops/nn.js";
import { ReLU } from "../../nn/activation.js";
import { BatchNorm1d } from "../../nn/batchnorm.js";
import { ModuleList, Sequential } from "../../nn/container.js";
import { Linear } from "../../nn/linear.js";
import { Module } from "../../nn/module.js";
import { GINConv } from "../conv/gin-conv.js";
import { globalAddPool, globalMeanPool } from "../conv/pool.js";
import { GINEConv } from "./gine-conv.js";

export const MOLECULE_MODELS = ["gin", "gine", "fp-mlp"] as const;
export type MoleculeModelName = (typeof MOLECULE_MODELS)[number];

export interface MoleculeModelHyper {
  arch: MoleculeModelName;
  /** Atom features (GNNs) or fingerprint bits (fp-mlp). */
  inChannels: number;
  /** Bond features (gine). */
  edgeDim: number;
  hidden: number;
  /** Classes, or 1 for regression. */
  outChannels: number;
  layers: number;
  dropout: number;
}

export interface MoleculeInput {
  x: Tensor;
  edgeIndex?: Tensor;
  edgeAttr?: Tensor;
  batch?: Tensor;
  numGraphs: number;
}

const mlp = (inC: number, outC: number): Sequential =>
  new Sequential(new Linear(inC, outC), new BatchNorm1d(outC), new ReLU(), new Linear(outC, outC));

export class MoleculeModel extends Module {
  readonly hyper: MoleculeModelHyper;
  convs: ModuleList;
  head: Sequential;
  constructor(h: MoleculeModelHyper) {
    super();
    if (!MOLECULE_MODELS.includes(h.arch))
      throw new FlambeauError("E_ARG", `MoleculeModel: unknown model "${String(h.arch)}"; models: ${MOLECULE_MODELS.join(", ")}`);
    if (!Number.isInteger(h.layers) || h.layers < 1) throw new FlambeauError("E_ARG", `MoleculeModel: layers must be ≥ 1, got ${h.layers}`);
    this.hyper = h;
    const layers: Module[] = [];
    for (let l = 0; l < h.layers; l++) {
      const inC = l === 0 ? h.inChannels : h.hidden;
      if (h.arch === "gin") layers.push(new GINConv(mlp(inC, h.hidden), { trainEps: true }));
      else if (h.arch === "gine") layers.push(new GINEConv(mlp(inC, h.hidden), inC, h.edgeDim));
      else layers.push(new Sequential(new Linear(inC, h.hidden), new BatchNorm1d(h.hidden), new ReLU()));
    }
    this.convs = new ModuleList(layers);
    // GNN readout: sum and mean pooling side by side (sum keeps size, mean keeps scale).
    const readout = h.arch === "fp-mlp" ? h.hidden : 2 * h.hidden;
    this.head = new Sequential(new Linear(readout, h.hidden), new ReLU(), new Linear(h.hidden, h.outChannels));
  }

  /** One vector per graph [numGraphs, readout]. */
  embed(input: MoleculeInput): Tensor {
    const h0 = input.x;
    let h = h0;
    const arch = this.hyper.arch;
    for (const layer of this.convs) {
      if (arch === "fp-mlp") h = (layer as Sequential).forward(dropout(h, this.hyper.dropout, this.training));
      else {
        if (!input.edgeIndex || !input.batch)
          throw new FlambeauError("E_ARG", `MoleculeModel(${arch}): needs edgeIndex and batch`, "MoleculeModel");
        h =
          arch === "gine"
            ? (layer as GINEConv).forward(h, input.edgeIndex, input.edgeAttr!)
            : (layer as GINConv).forward(h, input.edgeIndex);
        h = relu(h);
      }
    }
    if (arch === "fp-mlp") return h;
    return cat([globalAddPool(h, input.batch!, input.numGraphs), globalMeanPool(h, input.batch!, input.numGraphs)], 1);
  }

  /** Logits [numGraphs, classes] or predictions [numGraphs, 1]. */
  forward(input: MoleculeInput): Tensor {
    return this.head.forward(dropout(this.embed(input), this.hyper.dropout, this.training));
  }
}
