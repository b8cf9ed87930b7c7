// GINEConv (Hu et al. 2020, "Strategies for pre-training GNNs"): GIN with edge features,
// x'_i = h_Θ((1 + ε) x_i + Σ_{j→i} ReLU(x_j + W e_ji)), so bond types change the messages.
// Lives beside the molecule models until conv/ grows edge-feature layers.
import { FlambeauError } from "../../core/errors.js";
import { relu, type Tensor, tensor } from "../../core/index.js";
import { Linear } from "../../nn/linear.js";
import { Module } from "../../nn/module.js";
import { Parameter } from "../../nn/parameter.js";
import { checkEdgeIndex } from "../edge-index.js";
import { scatter } from "../scatter.js";

export class GINEConv extends Module {
  nn: Module;
  lin: Linear;
  constructor(nn: Module, inChannels: number, edgeDim: number) {
    super();
    this.nn = nn;
    this.lin = new Linear(edgeDim, inChannels);
    // Trainable ε, as GINConv with trainEps (PyG key "eps").
    this.registerParameter("eps", new Parameter(tensor([0])));
  }
  forward(x: Tensor, edgeIndex: Tensor, edgeAttr: Tensor): Tensor {
    checkEdgeIndex("GINEConv", edgeIndex, x.shape[0]!);
    if (edgeAttr.ndim !== 2 || edgeAttr.shape[0] !== edgeIndex.shape[1])
      throw new FlambeauError(
        "E_SHAPE",
        `GINEConv: edgeAttr must be [${edgeIndex.shape[1]}, ${this.lin.inFeatures}], got [${edgeAttr.shape.join(", ")}]`,
        "GINEConv",
      );
    const msg = relu(x.indexSelect(0, edgeIndex.select(0, 0)).add(this.lin.forward(edgeAttr)));
    const agg = scatter(msg, edgeIndex.select(0, 1), x.shape[0]!, "sum");
    const h = agg.add(x.mul(this.getParameter("eps")!.add(1)));
    return (this.nn as unknown as { forward(t: Tensor): Tensor }).forward(h);
  }
}
