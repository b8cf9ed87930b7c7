// Wide & deep text classifier (Cheng et al., 2016, applied to text): the TF-IDF logistic
// regression over the whole text (the "wide", memorising part: rare tokens such as URLs and
// sender names) plus a TextCNN over its first tokens (the "deep", generalising part); the two
// logit vectors are summed and trained jointly, so each branch corrects the other's mistakes.
import type { Tensor } from "../../core/index.js";
import { tidy } from "../../core/index.js";
import { Module } from "../../nn/index.js";
import { BowLogistic } from "./bow-logistic.js";
import { TextCnn, type TextCnnOptions } from "./text-cnn.js";

export interface WideDeepOptions extends TextCnnOptions {
  /** The CNN reads at most this many leading tokens (default 256); the wide branch reads all. */
  deepTokens?: number;
}

export class WideDeepText extends Module {
  readonly deepTokens: number;
  wide: BowLogistic;
  deep: TextCnn;
  constructor(o: WideDeepOptions) {
    super();
    this.deepTokens = o.deepTokens ?? 256;
    this.wide = new BowLogistic(o);
    this.deep = new TextCnn(o);
  }
  /** See BowLogistic.fitIdf. */
  fitIdf(docs: readonly (readonly number[])[]): void {
    this.wide.fitIdf(docs);
  }
  forward(ids: Tensor): Tensor {
    return tidy(() => {
      const T = ids.shape[1]!;
      const head = T > this.deepTokens ? ids.narrow(1, 0, this.deepTokens) : ids;
      return this.wide.forward(ids).add(this.deep.forward(head));
    });
  }
}
