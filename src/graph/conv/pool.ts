// Readout of batched graphs: one row per graph from its nodes' rows (sum/mean/max), and
// attentional pooling (PyG's AttentionalAggregation: softmax(gate(x)) within each graph).
import { FlambeauError } from "../../core/errors.js";
import { type Tensor, tidy, zeros } from "../../core/index.js";
import { Module } from "../../nn/module.js";
import { scatter, segmentSoftmax } from "../scatter.js";

type Forward = { forward(x: Tensor): Tensor };

function graphsOf(op: string, x: Tensor, batch: Tensor | null, size?: number): { batch: Tensor | null; size: number } {
  if (batch === null) return { batch: null, size: 1 };
  if (batch.ndim !== 1 || batch.shape[0] !== x.shape[0])
    throw new FlambeauError("E_SHAPE", `${op}: batch must be [${x.shape[0]}] (one graph id per node), got [${batch.shape.join(", ")}]`, op);
  return { batch, size: size ?? (batch.shape[0] === 0 ? 0 : Number(tidy(() => batch.max().item())) + 1) };
}

/** Σ of each graph's node rows → [numGraphs, F]; `batch` null means one graph. */
export function globalAddPool(x: Tensor, batch: Tensor | null, size?: number): Tensor {
  const g = graphsOf("globalAddPool", x, batch, size);
  return g.batch ? scatter(x, g.batch, g.size, "sum") : x.sum({ dim: 0, keepdim: true });
}
export function globalMeanPool(x: Tensor, batch: Tensor | null, size?: number): Tensor {
  const g = graphsOf("globalMeanPool", x, batch, size);
  return g.batch ? scatter(x, g.batch, g.size, "mean") : x.mean({ dim: 0, keepdim: true });
}
export function globalMaxPool(x: Tensor, batch: Tensor | null, size?: number): Tensor {
  const g = graphsOf("globalMaxPool", x, batch, size);
  return g.batch ? scatter(x, g.batch, g.size, "max") : x.amax(0, true);
}

/** out_g = Σ_{i in g} softmax_g(gateNn(x_i)) · nn(x_i) (nn optional), PyG's gate_nn / nn names. */
export class AttentionalAggregation extends Module {
  gateNn: Module;
  nn: Module | null;
  constructor(gateNn: Module, nn: Module | null = null) {
    super();
    this.gateNn = gateNn;
    this.nn = nn;
  }
  forward(x: Tensor, batch: Tensor | null, size?: number): Tensor {
    const g = graphsOf("AttentionalAggregation", x, batch, size);
    const index = g.batch ?? zeros([x.shape[0]!], { dtype: "int64" });
    const gate = (this.gateNn as unknown as Forward).forward(x);
    if (gate.ndim !== 2 || gate.shape[1] !== 1)
      throw new FlambeauError("E_SHAPE", `AttentionalAggregation: gateNn must give [N, 1], gave [${gate.shape.join(", ")}]`);
    const w = segmentSoftmax(gate, index, g.size);
    const h = this.nn ? (this.nn as unknown as Forward).forward(x) : x;
    return scatter(h.mul(w), index, g.size, "sum");
  }
}
