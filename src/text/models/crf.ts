// A linear-chain conditional random field over per-token emission scores: the loss is the
// negative log-likelihood with the partition function from the forward algorithm (log-space,
// batched over sentences), decoding is Viterbi. transitions[i][j] scores tag i → tag j.
import { FlambeauError } from "../../core/errors.js";
import { type Tensor, tidy, zeros } from "../../core/index.js";
import { Module, Parameter } from "../../nn/index.js";
import { uniform_ } from "../../nn/init.js";

export class CRF extends Module {
  readonly numTags: number;
  transitions: Parameter;
  startTransitions: Parameter;
  endTransitions: Parameter;
  constructor(numTags: number) {
    super();
    if (!Number.isSafeInteger(numTags) || numTags < 1)
      throw new FlambeauError("E_ARG", `CRF: numTags must be a positive integer, got ${numTags}`, "CRF");
    this.numTags = numTags;
    this.transitions = new Parameter(zeros([numTags, numTags]));
    this.startTransitions = new Parameter(zeros([numTags]));
    this.endTransitions = new Parameter(zeros([numTags]));
    this.resetParameters();
  }
  resetParameters(): void {
    for (const p of [this.transitions, this.startTransitions, this.endTransitions]) uniform_(p, -0.1, 0.1);
  }

  private check(op: string, emissions: Tensor, mask: Tensor, tags?: Tensor): void {
    const [B, T, C] = emissions.shape;
    if (emissions.ndim !== 3 || C !== this.numTags)
      throw new FlambeauError(
        "E_SHAPE",
        `CRF.${op}: emissions must be [B, T, ${this.numTags}], got [${emissions.shape.join(", ")}]`,
        "CRF",
      );
    for (const [k, t] of [
      ["mask", mask],
      ["tags", tags],
    ] as const)
      if (t && (t.ndim !== 2 || t.shape[0] !== B || t.shape[1] !== T))
        throw new FlambeauError("E_SHAPE", `CRF.${op}: ${k} must be [${B}, ${T}], got [${t.shape.join(", ")}]`, "CRF");
  }

  /** log Z per sentence [B] by the forward algorithm; mask [B, T] bool, each row a prefix of trues (at least one). */
  logPartition(emissions: Tensor, mask: Tensor): Tensor {
    this.check("logPartition", emissions, mask);
    return tidy(() => {
      const T = emissions.shape[1]!;
      let alpha = this.startTransitions.add(emissions.select(1, 0)); // [B, C]
      const trans = this.transitions.unsqueeze(0); // [1, C, C]
      for (let t = 1; t < T; t++) {
        const next = alpha.unsqueeze(2).add(trans).add(emissions.select(1, t).unsqueeze(1)).logsumexp(1);
        alpha = next.where(mask.select(1, t).unsqueeze(1), alpha);
      }
      return alpha.add(this.endTransitions).logsumexp(1);
    });
  }

  /** Score of the given tag paths [B] (tags outside the mask are ignored). */
  pathScore(emissions: Tensor, tags: Tensor, mask: Tensor): Tensor {
    this.check("pathScore", emissions, mask, tags);
    return tidy(() => {
      const T = emissions.shape[1]!;
      const y = tags.clamp(0, this.numTags - 1).where(mask, 0);
      const m = mask.to(emissions.dtype);
      const emit = emissions.gather(2, y.unsqueeze(2)).squeeze(2).mul(m).sum({ dim: 1 });
      let trans = zeros([emissions.shape[0]!]);
      if (T > 1) {
        const prev = y.narrow(1, 0, T - 1);
        const cur = y.narrow(1, 1, T - 1);
        const flat = prev.mul(this.numTags).add(cur); // index into transitions.view(-1)
        const tr = this.transitions
          .reshape([-1])
          .index([flat.reshape([-1])])
          .reshape(flat.shape);
        trans = tr.mul(m.narrow(1, 1, T - 1)).sum({ dim: 1 });
      }
      const first = this.startTransitions.index([y.select(1, 0)]);
      const lastIdx = mask.to("int64").sum({ dim: 1 }).sub(1).clamp(0).unsqueeze(1);
      const last = this.endTransitions.index([y.gather(1, lastIdx).squeeze(1)]);
      return emit.add(trans).add(first).add(last);
    });
  }

  /** The loss, as PyTorch-CRF's forward: mean negative log-likelihood of the gold tags. */
  forward(emissions: Tensor, tags: Tensor, mask: Tensor): Tensor {
    return this.nll(emissions, tags, mask);
  }

  /** Mean negative log-likelihood of the gold tags. */
  nll(emissions: Tensor, tags: Tensor, mask: Tensor): Tensor {
    return tidy(() =>
      this.logPartition(emissions, mask)
        .sub(this.pathScore(emissions, tags, mask))
        .mean(),
    );
  }

  /** The best tag path of each sentence (its first `lengths[b]` positions). */
  decode(emissions: Tensor, lengths: readonly number[]): number[][] {
    const [B, T, C] = emissions.shape as [number, number, number];
    const e = emissions.detach().float().contiguous().data() as Float32Array;
    const tr = this.transitions.detach().data() as Float32Array;
    const st = this.startTransitions.detach().data() as Float32Array;
    const en = this.endTransitions.detach().data() as Float32Array;
    const out: number[][] = [];
    for (let b = 0; b < B; b++) {
      const L = Math.min(lengths[b] ?? T, T);
      let score = new Float64Array(C);
      for (let c = 0; c < C; c++) score[c] = st[c]! + e[b * T * C + c]!;
      const back: Int32Array[] = [];
      for (let t = 1; t < L; t++) {
        const next = new Float64Array(C);
        const bp = new Int32Array(C);
        for (let j = 0; j < C; j++) {
          let best = -Infinity;
          let arg = 0;
          for (let i = 0; i < C; i++) {
            const s = score[i]! + tr[i * C + j]!;
            if (s > best) {
              best = s;
              arg = i;
            }
          }
          next[j] = best + e[(b * T + t) * C + j]!;
          bp[j] = arg;
        }
        back.push(bp);
        score = next;
      }
      let bestTag = 0;
      for (let c = 1; c < C; c++) if (score[c]! + en[c]! > score[bestTag]! + en[bestTag]!) bestTag = c;
      const path = [bestTag];
      for (let t = back.length - 1; t >= 0; t--) path.push(back[t]![path[path.length - 1]!]!);
      out.push(L > 0 ? path.reverse() : []);
    }
    return out;
  }
}
