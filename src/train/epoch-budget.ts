// How many epochs a task's default recipe trains for, from the size of the data it was given.
// A recipe's epoch count is tuned on its built-in set; on a user's set ten times smaller the
// same count means ten times fewer optimizer steps, and the model stops before it has learnt
// (issue 25: small-cnn at chance after 3 epochs on 240 images). The rule keeps the recipe's
// count where the data is large and raises it on small data until the run takes a minimum
// number of optimizer steps (or sees a minimum number of examples), up to a ceiling; the
// tasks keep the best validation epoch, so the extra epochs cannot leave a worse model.
import { FlambeauError } from "../core/errors.js";

export interface EpochRule {
  /** The recipe's epochs on large data (never fewer). */
  epochs: number;
  /** Fewest optimizer steps (batches) a default run takes. */
  minSteps?: number;
  /** Fewest examples a default run shows the model (epochs × training examples). */
  minExamples?: number;
  /** Most epochs, however small the data. */
  maxEpochs: number;
}

export interface EpochPlan {
  epochs: number;
  /** Why, for the run's log line: "6 epochs" or "34 epochs (≥ 300 optimizer steps on 270 examples)". */
  reason: string;
}

const positive = (what: string, v: number | undefined): void => {
  if (v !== undefined && !(Number.isSafeInteger(v) && v > 0))
    throw new FlambeauError("E_ARG", `epochsForData: ${what} must be a positive integer, got ${v}`, "epochsForData");
};

/** The epochs of a default run on `n` training examples in batches of `batchSize`, by `rule`. */
export function epochsForData(n: number, batchSize: number, rule: EpochRule): EpochPlan {
  positive("the number of training examples", n);
  positive("batchSize", batchSize);
  positive("epochs", rule.epochs);
  positive("maxEpochs", rule.maxEpochs);
  positive("minSteps", rule.minSteps);
  positive("minExamples", rule.minExamples);
  const bySteps = rule.minSteps !== undefined ? Math.ceil(rule.minSteps / Math.ceil(n / batchSize)) : 0;
  const byExamples = rule.minExamples !== undefined ? Math.ceil(rule.minExamples / n) : 0;
  const epochs = Math.min(Math.max(rule.maxEpochs, rule.epochs), Math.max(rule.epochs, bySteps, byExamples));
  if (epochs === rule.epochs) return { epochs, reason: `${epochs} epoch${epochs === 1 ? "" : "s"}` };
  const floor =
    bySteps >= byExamples ? `≥ ${rule.minSteps} optimizer steps` : `≥ ${rule.minExamples!.toLocaleString("en-US")} examples seen`;
  const capped = epochs === rule.maxEpochs && Math.max(bySteps, byExamples) > rule.maxEpochs ? `, capped at ${rule.maxEpochs}` : "";
  return { epochs, reason: `${epochs} epochs (${floor} on ${n} examples${capped})` };
}

/** The rules of the classification recipes (README, "Your own data"). */
export const EPOCH_RULES = {
  /** image-classification: about 500,000 images seen, within 6 to 50 epochs (the rule it has always had). */
  image: { epochs: 6, minExamples: 500_000, maxEpochs: 50 },
  /**
   * text-classification: the model's own epochs (wide-deep 6), raised to ≥ 250 batches, at most 40
   * epochs. 250, not 300: the README's fine-tuning figure (bert, 20 epochs on 436 e-mails, 280
   * batches) keeps its recipe.
   */
  text: (epochs: number): EpochRule => ({ epochs, minSteps: 250, maxEpochs: 40 }),
  /** token-classification: 2 epochs, raised to ≥ 300 batches, at most 30 epochs. */
  token: { epochs: 2, minSteps: 300, maxEpochs: 30 },
} as const;
