// The shared part of knowledge-graph embedding models: an entity table and a relation table,
// the lookups, and scoring many candidates at once. Each model (one file each) defines only
// `score(h, r, t)`, read as the paper writes it, over broadcastable [..., D] embeddings, so
// one formula scores a batch of triples, a batch against sampled negatives ([B, 1, D] with
// [B, K, D]) and a batch against every entity ([B, 1, D] with [1, N, D]).
import { FlambeauError } from "../../../core/errors.js";
import { empty, type Tensor, tensor } from "../../../core/index.js";
import { Module } from "../../../nn/module.js";
import { Parameter } from "../../../nn/parameter.js";

export const KG_MODELS = ["transe", "distmult", "complex", "rotate"] as const;
export type KgModelName = (typeof KG_MODELS)[number];

export interface KgModelHyper {
  arch: KgModelName;
  numEntities: number;
  numRelations: number;
  /** Embedding size (complex models hold `dim` complex numbers: 2·dim reals). */
  dim: number;
  /** The margin γ of the distance models (TransE, RotatE). */
  gamma: number;
}

export const idTensor = (ids: ArrayLike<number>): Tensor => tensor(BigInt64Array.from(ids as ArrayLike<number>, (v) => BigInt(v)));

/** Real and imaginary halves of a complex embedding stored as [..., 2D]. */
export function complexParts(x: Tensor): [Tensor, Tensor] {
  const d = x.shape[x.ndim - 1]! / 2;
  return [x.narrow(x.ndim - 1, 0, d), x.narrow(x.ndim - 1, d, d)];
}

export abstract class KgModel extends Module {
  readonly hyper: KgModelHyper;
  entity: Parameter;
  relation: Parameter;
  /** Entity and relation widths, and the uniform initialisation range (RotatE's (γ + 2) / dim). */
  protected constructor(h: KgModelHyper, entityWidth: number, relationWidth: number) {
    super();
    for (const k of ["numEntities", "numRelations", "dim"] as const)
      if (!Number.isInteger(h[k]) || h[k] < 1) throw new FlambeauError("E_ARG", `${h.arch}: ${k} must be a positive integer, got ${h[k]}`);
    this.hyper = h;
    const range = this.embeddingRange;
    this.entity = new Parameter(empty([h.numEntities, entityWidth]).uniform_(-range, range));
    this.relation = new Parameter(empty([h.numRelations, relationWidth]).uniform_(-range, range));
  }
  get embeddingRange(): number {
    return (this.hyper.gamma + 2) / this.hyper.dim;
  }
  /** The model's score of (h, r, t), higher = more plausible; inputs broadcast over all but the last dim. */
  abstract score(h: Tensor, r: Tensor, t: Tensor): Tensor;

  /** Scores of the triples (heads[k], relations[k], tails[k]): [B]. */
  forward(heads: Tensor, relations: Tensor, tails: Tensor): Tensor {
    return this.score(this.entity.indexSelect(0, heads), this.relation.indexSelect(0, relations), this.entity.indexSelect(0, tails));
  }

  /**
   * Scores of every entity in the missing slot: "tail" ranks (h, r, ?) and "head" ranks
   * (?, r, t); `known` holds the given entity of each query. [B, N].
   */
  scoreAll(known: Tensor, relations: Tensor, mode: "head" | "tail"): Tensor {
    const b = known.shape[0]!;
    const e = this.entity.indexSelect(0, known).unsqueeze(1);
    const r = this.relation.indexSelect(0, relations).unsqueeze(1);
    const all = this.entity.unsqueeze(0);
    const s = mode === "tail" ? this.score(e, r, all) : this.score(all, r, e);
    return s.view(b, this.hyper.numEntities);
  }

  /** Scores of sampled candidates `cand` [B, K] in the missing slot of each query: [B, K]. */
  scoreCandidates(known: Tensor, relations: Tensor, cand: Tensor, mode: "head" | "tail"): Tensor {
    const [b, k] = cand.shape as [number, number];
    const e = this.entity.indexSelect(0, known).unsqueeze(1);
    const r = this.relation.indexSelect(0, relations).unsqueeze(1);
    const c = this.entity.indexSelect(0, cand.reshape(-1)).view(b, k, -1);
    return mode === "tail" ? this.score(e, r, c) : this.score(c, r, e);
  }
}
