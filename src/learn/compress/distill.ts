// Knowledge distillation (Hinton, Vinyals & Dean 2015): the student matches the teacher's
// outputs softened by a temperature T, KL(softmax(t/T) ‖ softmax(s/T)) · T² (the T² keeps the
// soft gradients' scale as T changes), blended with the cross-entropy on the labels.
import { FlambeauError } from "../../core/errors.js";
import type { Tensor } from "../../core/index.js";
import { crossEntropy, IGNORE_INDEX } from "../../core/ops/loss.js";

export interface DistillationOptions {
  /** Softening temperature T > 0. Default 2. */
  temperature?: number;
  /**
   * Weight of the soft (teacher) term in [0, 1]; 1 − alpha weighs the labels' cross-entropy.
   * Default 0.5 (on Fashion-MNIST with a short budget, 0.9 at T 4 left a LeNet-5 student 5 points
   * below plain training; 0.5 at T 2 was 0.4 above it).
   */
  alpha?: number;
}

export function checkDistillation(op: string, o: DistillationOptions): { temperature: number; alpha: number } {
  const temperature = o.temperature ?? 2;
  const alpha = o.alpha ?? 0.5;
  if (!(Number.isFinite(temperature) && temperature > 0))
    throw new FlambeauError("E_ARG", `${op}: temperature must be a positive number, got ${temperature}`, op);
  if (!(alpha >= 0 && alpha <= 1)) throw new FlambeauError("E_ARG", `${op}: alpha must be in [0, 1], got ${alpha}`, op);
  return { temperature, alpha };
}

/** A student as `--distill-to` names it: a zoo model, with options its task's train takes (`small-cnn:width=15,depth=2`). */
export interface StudentSpec {
  model: string;
  /** Train options (numbers where they parse as one), e.g. `{ width: 15 }`. */
  options: Record<string, string | number | boolean>;
}

/** Parses `model` or `model:key=value,key=value`; a bare key is `true`. */
export function parseStudent(op: string, spec: string): StudentSpec {
  const colon = spec.indexOf(":");
  const model = (colon < 0 ? spec : spec.slice(0, colon)).trim();
  if (model === "") throw new FlambeauError("E_ARG", `${op}: --distill-to needs a model name, got "${spec}"`, op);
  const options: StudentSpec["options"] = {};
  for (const part of colon < 0 ? [] : spec.slice(colon + 1).split(",")) {
    const [k, v, ...rest] = part.split("=").map((x) => x.trim());
    if (!k || rest.length > 0 || !/^[A-Za-z][A-Za-z0-9]*$/.test(k))
      throw new FlambeauError(
        "E_ARG",
        `${op}: --distill-to "${spec}": each option is key=value (e.g. small-cnn:width=16), got "${part}"`,
        op,
      );
    // Training settings are the run's, not the student's shape: they stay with compress.
    if (["data", "out", "model", "limit", "epochs", "seed"].includes(k))
      throw new FlambeauError(
        "E_ARG",
        `${op}: --distill-to "${spec}": "${k}" is set by compress (--distill-epochs, --train-limit …), not by the student`,
        op,
      );
    options[k] = v === undefined ? true : v !== "" && Number.isFinite(Number(v)) ? Number(v) : v;
  }
  return { model, options };
}

/**
 * alpha · T² · KL(softmax(teacher/T) ‖ softmax(student/T)) + (1 − alpha) · CE(student, target),
 * the KL averaged over the batch (PyTorch's kl_div with reduction "batchmean"). Logits are
 * [batch, classes]; target holds class indices.
 */
export function distillationLoss(student: Tensor, teacher: Tensor, target: Tensor, o: DistillationOptions = {}): Tensor {
  const op = "distillationLoss";
  const { temperature: T, alpha } = checkDistillation(op, o);
  // Per-token outputs [batch, tokens, classes] with targets [batch, tokens] (a tagger): token-level
  // distillation over the labelled tokens, padding (target −100, the ignore index) left out.
  if (student.ndim === 3 && target.ndim === 2 && student.shape.join() === teacher.shape.join()) {
    const c = student.shape[2]!;
    const kept = target.reshape([-1]).ne(IGNORE_INDEX).nonzero().reshape([-1]);
    const rows = (t: Tensor) => t.reshape([-1, c]).indexSelect(0, kept);
    return distillationLoss(rows(student), rows(teacher), target.reshape([-1]).indexSelect(0, kept), o);
  }
  if (student.ndim !== 2 || student.shape.join() !== teacher.shape.join())
    throw new FlambeauError(
      "E_ARG",
      `${op}: student and teacher logits must both be [batch, classes] (or [batch, tokens, classes] with [batch, tokens] targets), got [${student.shape.join(", ")}] and [${teacher.shape.join(", ")}]`,
      op,
    );
  const logP = student.div(T).logSoftmax(1);
  const logQ = teacher.detach().div(T).logSoftmax(1);
  const kl = logQ.exp().mul(logQ.sub(logP)).sum().div(student.shape[0]!);
  const soft = kl.mul(alpha * T * T);
  return alpha === 1 ? soft : soft.add(crossEntropy(student, target).mul(1 - alpha));
}
