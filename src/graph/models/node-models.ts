// Node-level models: stacks of message-passing layers (GCN, GraphSAGE, GAT, GIN) with ReLU
// and dropout between them, and an MLP that ignores the edges (the baseline a graph must beat).
import { FlambeauError } from "../../core/errors.js";
import { relu, type Tensor } from "../../core/index.js";
import { dropout } from "../../core/ops/nn.js";
import { ReLU } from "../../nn/activation.js";
import { ModuleList, Sequential } from "../../nn/container.js";
import { Linear } from "../../nn/linear.js";
import { Module } from "../../nn/module.js";
import { GATConv } from "../conv/gat-conv.js";
import { GCNConv } from "../conv/gcn-conv.js";
import { GINConv } from "../conv/gin-conv.js";
import { SAGEConv } from "../conv/sage-conv.js";

export const NODE_MODELS = ["gcn", "sage", "gat", "gin", "mlp"] as const;
export type NodeModelName = (typeof NODE_MODELS)[number];

export interface NodeModelHyper {
  arch: NodeModelName;
  inChannels: number;
  hidden: number;
  outChannels: number;
  layers: number;
  dropout: number;
  /** GAT heads in the hidden layers. */
  heads?: number;
}

type Layer = { forward(x: Tensor, edgeIndex: Tensor): Tensor };

function makeLayer(h: NodeModelHyper, inC: number, outC: number, last: boolean): Module {
  switch (h.arch) {
    case "gcn":
      return new GCNConv(inC, outC, { cached: true });
    case "sage":
      return new SAGEConv(inC, outC);
    case "gat": {
      const heads = h.heads ?? 4;
      return last ? new GATConv(inC, outC, { heads: 1 }) : new GATConv(inC, outC / heads, { heads });
    }
    case "gin":
      return new GINConv(new Sequential(new Linear(inC, outC), new ReLU(), new Linear(outC, outC)), { trainEps: true });
    case "mlp":
      return new Linear(inC, outC);
    default:
      throw new FlambeauError("E_ARG", `unknown node model "${String(h.arch)}"; models: ${NODE_MODELS.join(", ")}`);
  }
}

export class NodeModel extends Module {
  readonly hyper: NodeModelHyper;
  convs: ModuleList;
  constructor(h: NodeModelHyper) {
    super();
    if (!NODE_MODELS.includes(h.arch))
      throw new FlambeauError("E_ARG", `unknown node model "${String(h.arch)}"; models: ${NODE_MODELS.join(", ")}`);
    if (!Number.isInteger(h.layers) || h.layers < 1) throw new FlambeauError("E_ARG", `NodeModel: layers must be ≥ 1, got ${h.layers}`);
    if (h.arch === "gat" && h.hidden % (h.heads ?? 4) !== 0)
      throw new FlambeauError("E_ARG", `NodeModel: GAT hidden size ${h.hidden} must be divisible by heads ${h.heads ?? 4}`);
    this.hyper = h;
    const sizes = [h.inChannels, ...Array.from({ length: h.layers - 1 }, () => h.hidden), h.outChannels];
    this.convs = new ModuleList(sizes.slice(1).map((out, l) => makeLayer(h, sizes[l]!, out, l === h.layers - 1)));
  }
  /** Forgets the GCN layers' cached normalisation (before running on another graph). */
  clearCache(): void {
    for (const m of this.convs) if (m instanceof GCNConv) m.clearCache();
  }
  /** Hidden representation after all but the last layer (the node embedding). */
  embed(x: Tensor, edgeIndex: Tensor): Tensor {
    let h = x;
    const layers = [...this.convs] as unknown as Layer[];
    for (let l = 0; l < layers.length - 1; l++) {
      h = dropout(h, this.hyper.dropout, this.training);
      h = relu(this.#apply(layers[l]!, h, edgeIndex));
    }
    return h;
  }
  forward(x: Tensor, edgeIndex: Tensor): Tensor {
    const layers = [...this.convs] as unknown as Layer[];
    const h = dropout(this.embed(x, edgeIndex), this.hyper.dropout, this.training);
    return this.#apply(layers[layers.length - 1]!, h, edgeIndex);
  }
  #apply(layer: Layer, h: Tensor, edgeIndex: Tensor): Tensor {
    return this.hyper.arch === "mlp" ? (layer as unknown as { forward(x: Tensor): Tensor }).forward(h) : layer.forward(h, edgeIndex);
  }
}
