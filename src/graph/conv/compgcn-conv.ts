// CompGCNConv (Vashishth et al. 2020, eq. 4-5): every edge u →r v sends its message both ways,
// composed with the relation's embedding and transformed by its direction's weight:
//   h'_v = (1/3) [ Σ_{(u,r)} n_uv W_O φ(h_u, z_r)          (original edges, into v)
//                + Σ_{(u,r)} n_uv W_I φ(h_u, z_{r⁻¹})       (inverse edges, into v)
//                + W_S φ(h_v, z_loop) ] + b,
//   z'_r = W_rel z_r,
// the mean over the three directions and the bias as the authors' code has them. n_uv is the
// symmetric normalisation 1/√(d_u d_v) within one direction, d_u the edges leaving u and d_v
// those entering v (the authors' code counts both ends over the source row, which drops the
// messages into a node that has no edge of its own leaving in that direction).
import { FlambeauError } from "../../core/errors.js";
import { ones, type Tensor, zeros } from "../../core/index.js";
import { xavierUniform_, zeros_ } from "../../nn/init.js";
import { Module } from "../../nn/module.js";
import { Parameter } from "../../nn/parameter.js";
import { checkEdgeIndex, checkEdgeType } from "../edge-index.js";
import { scatter } from "../scatter.js";
import { COMPOSITIONS, type Composition, compose } from "./composition.js";

export interface CompGCNConvOptions {
  /** φ: "sub" (h − z), "mult" (h ∘ z) or "corr" (h ⋆ z, circular correlation; default). */
  composition?: Composition;
  bias?: boolean;
}

/** 1/√(d_out(src) · d_in(dst)) for each edge of one direction. */
function symmetricNorm(src: Tensor, dst: Tensor, n: number, dtype: Tensor["dtype"]): Tensor {
  const e = src.shape[0]!;
  const one = ones([e], { dtype });
  const dOut = zeros([n], { dtype }).indexAdd(0, src, one);
  const dIn = zeros([n], { dtype }).indexAdd(0, dst, one);
  return dOut.indexSelect(0, src).mul(dIn.indexSelect(0, dst)).rsqrt();
}

export class CompGCNConv extends Module {
  readonly inChannels: number;
  readonly outChannels: number;
  readonly numRelations: number;
  readonly composition: Composition;
  /** W_O: messages along the given edges. */
  wO: Parameter;
  /** W_I: messages along the inverse edges. */
  wI: Parameter;
  /** W_S: the self-loop. */
  wS: Parameter;
  wRel: Parameter;
  /** z_loop, the self-loop's relation embedding [1, in]. */
  loopRel: Parameter;
  bias: Parameter | null;

  /** `numRelations` R counts the given relations; their inverses are R more (z has 2R rows). */
  constructor(inChannels: number, outChannels: number, numRelations: number, o: CompGCNConvOptions = {}) {
    super();
    for (const [name, v] of [
      ["inChannels", inChannels],
      ["outChannels", outChannels],
      ["numRelations", numRelations],
    ] as const)
      if (!Number.isSafeInteger(v) || v < 1)
        throw new FlambeauError("E_ARG", `CompGCNConv: ${name} must be a positive integer, got ${v}`, "CompGCNConv");
    const composition = o.composition ?? "corr";
    if (!COMPOSITIONS.includes(composition))
      throw new FlambeauError(
        "E_ARG",
        `CompGCNConv: unknown composition "${String(composition)}"; expected one of ${COMPOSITIONS.join(", ")}`,
        "CompGCNConv",
      );
    this.inChannels = inChannels;
    this.outChannels = outChannels;
    this.numRelations = numRelations;
    this.composition = composition;
    const w = () => new Parameter(zeros([inChannels, outChannels]));
    this.wO = w();
    this.wI = w();
    this.wS = w();
    this.wRel = w();
    this.loopRel = new Parameter(zeros([1, inChannels]));
    this.bias = o.bias === false ? null : new Parameter(zeros([outChannels]));
    this.resetParameters();
  }

  resetParameters(): void {
    for (const p of [this.wO, this.wI, this.wS, this.wRel, this.loopRel]) xavierUniform_(p);
    if (this.bias) zeros_(this.bias);
  }

  /**
   * `x` [N, in]; `edgeIndex` int64 [2, E] and `edgeType` int64 [E] in [0, R) give each edge
   * once (the layer adds the inverses); `rel` [2R, in] holds z_r (rows 0…R−1) and z_{r⁻¹}
   * (rows R…2R−1). Returns the new node features [N, out] and relation embeddings [2R, out].
   */
  forward(x: Tensor, edgeIndex: Tensor, edgeType: Tensor, rel: Tensor): { x: Tensor; rel: Tensor } {
    const op = "CompGCNConv";
    const n = x.shape[0]!;
    const r = this.numRelations;
    if (x.ndim !== 2 || x.shape[1] !== this.inChannels)
      throw new FlambeauError("E_SHAPE", `${op}: x must be [N, ${this.inChannels}], got [${x.shape.join(", ")}]`, op);
    if (rel.ndim !== 2 || rel.shape[0] !== 2 * r || rel.shape[1] !== this.inChannels)
      throw new FlambeauError(
        "E_SHAPE",
        `${op}: rel must be [${2 * r}, ${this.inChannels}] (the relations and their inverses), got [${rel.shape.join(", ")}]`,
        op,
      );
    checkEdgeIndex(op, edgeIndex, n);
    checkEdgeType(op, edgeType, edgeIndex.shape[1]!, r);
    const src = edgeIndex.select(0, 0);
    const dst = edgeIndex.select(0, 1);
    // Original direction: u = src sends to v = dst with z_r and W_O.
    const along = compose(x.indexSelect(0, src), rel.indexSelect(0, edgeType), this.composition)
      .matmul(this.wO)
      .mul(symmetricNorm(src, dst, n, x.dtype).view([-1, 1]));
    // Inverse direction: dst sends to src with z_{r⁻¹} and W_I.
    const against = compose(x.indexSelect(0, dst), rel.indexSelect(0, edgeType.add(r)), this.composition)
      .matmul(this.wI)
      .mul(symmetricNorm(dst, src, n, x.dtype).view([-1, 1]));
    const self = compose(x, this.loopRel.expand([n, this.inChannels]), this.composition).matmul(this.wS);
    let out = scatter(along, dst, n, "sum")
      .add(scatter(against, src, n, "sum"))
      .add(self)
      .div(3);
    if (this.bias) out = out.add(this.bias);
    return { x: out, rel: rel.matmul(this.wRel) };
  }

  override extraRepr(): string {
    return `${this.inChannels}, ${this.outChannels}, numRelations=${this.numRelations}, composition=${this.composition}`;
  }
}
