// RGCNConv (Schlichtkrull et al. 2018, eq. 2-3): for each node i,
//   h'_i = W_0 h_i + Σ_r Σ_{j ∈ N_i^r} (1 / c_{i,r}) W_r h_j + b,   c_{i,r} = |N_i^r|,
// with the basis decomposition W_r = Σ_b a_rb V_b (eq. 3) when numBases is given. Parameter
// names follow PyG's RGCNConv: weight (V, or one W_r per relation), comp (a), root (W_0), bias.
import { FlambeauError } from "../../core/errors.js";
import { ones, type Tensor, zeros } from "../../core/index.js";
import { xavierUniform_, zeros_ } from "../../nn/init.js";
import { Module } from "../../nn/module.js";
import { Parameter } from "../../nn/parameter.js";
import { checkEdgeIndex, checkEdgeType } from "../edge-index.js";
import { scatter } from "../scatter.js";

export interface RGCNConvOptions {
  /** Number of bases B of the decomposition; omitted: one full weight per relation. */
  numBases?: number;
  /** Add the self-connection W_0 h_i (default true). */
  rootWeight?: boolean;
  bias?: boolean;
}

export class RGCNConv extends Module {
  readonly inChannels: number;
  readonly outChannels: number;
  readonly numRelations: number;
  readonly numBases: number | null;
  /** V_b [B, in, out] with bases, else W_r [R, in, out]. */
  weight: Parameter;
  /** a_rb [R, B] (bases only). */
  comp: Parameter | null;
  root: Parameter | null;
  bias: Parameter | null;

  constructor(inChannels: number, outChannels: number, numRelations: number, o: RGCNConvOptions = {}) {
    super();
    for (const [name, v] of [
      ["inChannels", inChannels],
      ["outChannels", outChannels],
      ["numRelations", numRelations],
      ["numBases", o.numBases ?? 1],
    ] as const)
      if (!Number.isSafeInteger(v) || v < 1)
        throw new FlambeauError("E_ARG", `RGCNConv: ${name} must be a positive integer, got ${v}`, "RGCNConv");
    this.inChannels = inChannels;
    this.outChannels = outChannels;
    this.numRelations = numRelations;
    this.numBases = o.numBases ?? null;
    this.weight = new Parameter(zeros([this.numBases ?? numRelations, inChannels, outChannels]));
    this.comp = this.numBases ? new Parameter(zeros([numRelations, this.numBases])) : null;
    this.root = o.rootWeight === false ? null : new Parameter(zeros([inChannels, outChannels]));
    this.bias = o.bias === false ? null : new Parameter(zeros([outChannels]));
    this.resetParameters();
  }

  resetParameters(): void {
    xavierUniform_(this.weight);
    if (this.comp) xavierUniform_(this.comp);
    if (this.root) xavierUniform_(this.root);
    if (this.bias) zeros_(this.bias);
  }

  /** W_r for every relation [R, in, out]: Σ_b a_rb V_b, or the full weights. */
  relationWeights(): Tensor {
    if (!this.comp) return this.weight;
    const [b, f, h] = this.weight.shape as [number, number, number];
    return this.comp.matmul(this.weight.view([b, f * h])).view([this.numRelations, f, h]);
  }

  /**
   * x W_r for every relation [N, R, out]. With fewer bases than relations, x V_b first and
   * then Σ_b a_rb (x V_b): the same numbers for B/R of the wide matrix product.
   */
  projectAll(x: Tensor): Tensor {
    const [n, f, h, r] = [x.shape[0]!, this.inChannels, this.outChannels, this.numRelations];
    if (this.comp && this.numBases! < r) {
      const b = this.numBases!;
      // One product [N·out, B] × [B, R] rather than N small batched ones.
      const xv = x.matmul(this.weight.permute([1, 0, 2]).reshape([f, b * h])).view([n, b, h]);
      return xv
        .transpose(1, 2)
        .reshape([n * h, b])
        .matmul(this.comp.t())
        .view([n, h, r])
        .transpose(1, 2);
    }
    return x
      .matmul(
        this.relationWeights()
          .permute([1, 0, 2])
          .reshape([f, r * h]),
      )
      .view([n, r, h]);
  }

  /** `x` [N, in], `edgeIndex` int64 [2, E] (source → target), `edgeType` int64 [E] in [0, R). */
  forward(x: Tensor, edgeIndex: Tensor, edgeType: Tensor): Tensor {
    const n = x.shape[0]!;
    const r = this.numRelations;
    if (x.ndim !== 2 || x.shape[1] !== this.inChannels)
      throw new FlambeauError("E_SHAPE", `RGCNConv: x must be [N, ${this.inChannels}], got [${x.shape.join(", ")}]`, "RGCNConv");
    checkEdgeIndex("RGCNConv", edgeIndex, n);
    const e = edgeIndex.shape[1]!;
    checkEdgeType("RGCNConv", edgeType, e, r);
    const src = edgeIndex.select(0, 0);
    const dst = edgeIndex.select(0, 1);
    // x W_r for every node and relation, as rows node·R + r: a linear map commutes with the
    // mean, so projecting first keeps the per-edge messages outChannels wide.
    const xw = this.projectAll(x).reshape([n * r, this.outChannels]);
    const message = xw.indexSelect(0, src.mul(r).add(edgeType));
    // 1 / c_{i,r}: the number of type-r edges arriving at i.
    const group = dst.mul(r).add(edgeType);
    const c = zeros([n * r], { dtype: x.dtype }).indexAdd(0, group, ones([e], { dtype: x.dtype }));
    const norm = c.indexSelect(0, group).reciprocal().view([e, 1]);
    let out = scatter(message.mul(norm), dst, n, "sum");
    if (this.root) out = out.add(x.matmul(this.root));
    return this.bias ? out.add(this.bias) : out;
  }

  override extraRepr(): string {
    return `${this.inChannels}, ${this.outChannels}, numRelations=${this.numRelations}${this.numBases ? `, numBases=${this.numBases}` : ""}`;
  }
}
