// The classic text pipeline of the shallow side of `flambeau compare`: TF-IDF of word
// unigrams and bigrams (fitted on the training texts only) under a logistic regression,
// on the same splits as text-classification's deep model.

import { FlambeauError } from "../../core/errors.js";
import { type Tensor, tensor } from "../../core/index.js";
import { textKeys } from "../../data/split-keys.js";
import { untrainedIndices } from "../../data/split-overlap.js";
import type { ShallowPipeline, ShallowSplits } from "../../tasks/baseline.js";
import type { LabelledTexts } from "../readers.js";
import { carveValidation, loadTextData, subset, take } from "../text-data.js";
import { TfidfVectorizer } from "./tfidf.js";

const labels = (d: LabelledTexts): Tensor => tensor(BigInt64Array.from(d.labels, BigInt));

export const textShallowPipeline: ShallowPipeline<string[]> = {
  name: "TF-IDF word 1–2-grams → logistic regression",
  async load(data, o): Promise<ShallowSplits<string[]>> {
    const all = await loadTextData(data, "train");
    if (all.targets)
      throw new FlambeauError(
        "E_ARG",
        `compare text-classification: ${data} is multi-label; the TF-IDF logistic baseline scores one label per text`,
      );
    const { train: carved, val } = carveValidation(all, 0.1, o.seed);
    const train = o.limit === undefined ? carved : take(carved, o.limit, o.seed);
    const read = await loadTextData(data, "test", all.classes);
    // One file: test on the rows this seed's training did not use (what eval scores then).
    const untrained = untrainedIndices(textKeys(train.texts), textKeys(read.texts));
    const test = untrained ? subset(read, untrained) : read;
    // The vocabulary and idf weights come from the training texts alone.
    const tfidf = new TfidfVectorizer({ maxFeatures: 8000 }).fit(train.texts);
    const split = (d: LabelledTexts) => ({ x: d.texts, y: labels(d), n: d.texts.length });
    return {
      train: split(train),
      val: split(val),
      test: split(test),
      classes: all.classes,
      available: carved.texts.length,
      features: (x) => tfidf.transform(x),
    };
  },
  dispose(s) {
    for (const t of [s.train.y, s.val.y, s.test.y]) t.dispose();
  },
};
