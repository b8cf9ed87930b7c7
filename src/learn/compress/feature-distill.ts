// Feature distillation for convolutional nets (FitNets, Romero et al. 2015): besides the
// teacher's softened outputs, the student's feature map at one layer is pulled towards the
// teacher's at another through a learned 1×1 convolution (the "regressor", here `adapter`)
// that maps the student's channels onto the teacher's: hint = MSE(adapter(s), t). The adapter
// trains with the student but is not part of it, so the saved student is the zoo model alone.
import { FlambeauError } from "../../core/errors.js";
import { type Tensor, tidy } from "../../core/index.js";
import { mseLoss } from "../../core/ops/loss.js";
import { adaptiveAvgPool2d } from "../../core/ops/nn.js";
import { BatchNorm2d, Conv2d, type HookHandle, type Module } from "../../nn/index.js";
import { AdamW } from "../../optim/adamw.js";
import type { Callback } from "../../train/callbacks.js";

/**
 * MSE between the adapted student map and the teacher's (the teacher's detached). A larger
 * teacher map is average-pooled to the student's side so the two nets may pool differently.
 */
export function hintLoss(student: Tensor, teacher: Tensor, adapter: Conv2d): Tensor {
  const op = "hintLoss";
  if (student.ndim !== 4 || teacher.ndim !== 4 || student.shape[0] !== teacher.shape[0])
    throw new FlambeauError(
      "E_ARG",
      `${op}: feature maps must be [batch, channels, h, w] with one batch size, got [${student.shape.join(", ")}] and [${teacher.shape.join(", ")}]`,
      op,
    );
  const [, , sh, sw] = student.shape as number[];
  const [, , th, tw] = teacher.shape as number[];
  if (sh! > th! || sw! > tw!)
    throw new FlambeauError(
      "E_ARG",
      `${op}: the student's map (${sh}×${sw}) is larger than the teacher's (${th}×${tw}); pair an earlier teacher layer or a later student one`,
      op,
    );
  const t = sh === th && sw === tw ? teacher.detach() : adaptiveAvgPool2d(teacher.detach(), [sh!, sw!]);
  return mseLoss(adapter.forward(student), t);
}

/** Channels a layer's output has: its own (Conv2d, BatchNorm2d) or the last Conv2d's before it. */
function channelsAt(op: string, model: Module, layer: string): number {
  let channels: number | undefined;
  for (const [name, m] of model.namedModules()) {
    if (m instanceof Conv2d) channels = m.outChannels;
    else if (m instanceof BatchNorm2d) channels = m.numFeatures;
    if (name === layer) {
      if (channels === undefined) break;
      return channels;
    }
  }
  throw new FlambeauError("E_ARG", `${op}: layer "${layer}" has no convolution at or before it, so its channels are unknown`, op);
}

function moduleAt(op: string, model: Module, layer: string, who: string): Module {
  const found = model.namedModules().find(([n]) => n === layer);
  if (!found)
    throw new FlambeauError(
      "E_ARG",
      `${op}: the ${who} has no layer "${layer}"; its layers: ${model
        .namedModules()
        .map(([n]) => n)
        .filter((n) => n !== "")
        .join(", ")}`,
      op,
    );
  return found[1];
}

const lastConv = (model: Module): string | undefined => model.namedModules().findLast(([, m]) => m instanceof Conv2d)?.[0];

/**
 * The (teacher layer, student layer) pair of `spec`: "teacherLayer:studentLayer", or "auto"
 * (the last Conv2d of each). Checked against the teacher now; the student's name is checked
 * when the task builds it.
 */
export function featurePair(op: string, spec: string, teacher: Module): FeatureDistillerOptions {
  if (spec === "auto" || spec === "") {
    const t = lastConv(teacher);
    if (t === undefined) throw new FlambeauError("E_ARG", `${op}: --feature-distill auto needs convolutions; the teacher has none`, op);
    return { teacherLayer: t, studentLayer: "auto" };
  }
  const parts = spec.split(":");
  if (parts.length !== 2 || !parts[0] || !parts[1])
    throw new FlambeauError("E_ARG", `${op}: --feature-distill is "teacherLayer:studentLayer" or "auto", got "${spec}"`, op);
  moduleAt(op, teacher, parts[0], "teacher");
  return { teacherLayer: parts[0], studentLayer: parts[1] };
}

export interface FeatureDistillerOptions {
  teacherLayer: string;
  /** A layer name of the student, or "auto" (its last Conv2d). */
  studentLayer: string | "auto";
  /** Learning rate of the adapter (default 1e-3). */
  lr?: number;
}

/**
 * Captures the teacher's and the student's maps with forward hooks and gives the hint loss of
 * the last training batch; the adapter steps with its own optimizer after each batch (the
 * task's optimizer holds the student's parameters only).
 */
export class FeatureDistiller {
  readonly teacherLayer: string;
  studentLayer: string | "auto";
  adapter: Conv2d | undefined;
  #optimizer: AdamW | undefined;
  #teacherMap: Tensor | undefined;
  #studentMap: Tensor | undefined;
  readonly #handles: HookHandle[] = [];
  readonly #lr: number;
  readonly #teacher: Module;

  constructor(teacher: Module, o: FeatureDistillerOptions) {
    const op = "featureDistill";
    this.#teacher = teacher;
    this.teacherLayer = o.teacherLayer;
    this.studentLayer = o.studentLayer;
    this.#lr = o.lr ?? 1e-3;
    const t = moduleAt(op, teacher, o.teacherLayer, "teacher");
    this.#handles.push(
      t.registerForwardHook((_m, _i, out) => {
        this.#teacherMap?.dispose();
        this.#teacherMap = (out as Tensor).keep();
      }),
    );
  }

  /** Hooks the student's layer and builds the adapter (called with the model the task builds). */
  attach(student: Module): void {
    const op = "featureDistill";
    if (this.studentLayer === "auto") {
      const s = lastConv(student);
      if (s === undefined) throw new FlambeauError("E_ARG", `${op}: --feature-distill auto needs convolutions; the student has none`, op);
      this.studentLayer = s;
    }
    const layer = moduleAt(op, student, this.studentLayer, "student");
    const inC = channelsAt(op, student, this.studentLayer);
    const outC = channelsAt(op, this.#teacher, this.teacherLayer);
    this.adapter = new Conv2d(inC, outC, 1, { bias: false });
    this.#optimizer = new AdamW(this.adapter.parameters(), { lr: this.#lr, weightDecay: 0 });
    // Only training batches: validation forwards of the student run without a teacher pass.
    this.#handles.push(
      layer.registerForwardHook((m, _i, out) => {
        if (!m.training) return;
        this.#studentMap?.dispose();
        this.#studentMap = (out as Tensor).keep();
      }),
    );
  }

  /** The hint loss of the batch both nets just ran on. */
  loss(): Tensor {
    const op = "featureDistill";
    if (this.adapter === undefined || this.#studentMap === undefined || this.#teacherMap === undefined)
      throw new FlambeauError("E_STATE", `${op}: no feature maps captured (was the student attached and both nets run?)`, op);
    return hintLoss(this.#studentMap, this.#teacherMap, this.adapter);
  }

  /** The Trainer callback that steps the adapter after each batch's backward. */
  callback(): Callback {
    return {
      onBatchEnd: () => {
        const opt = this.#optimizer;
        if (opt === undefined) return;
        tidy(() => opt.step());
        opt.zeroGrad();
        this.#release();
      },
    };
  }

  // The maps are kept past their Sequential's tidy scope until the batch is done.
  #release(): void {
    this.#studentMap?.dispose();
    this.#teacherMap?.dispose();
    this.#studentMap = undefined;
    this.#teacherMap = undefined;
  }

  dispose(): void {
    this.#release();
    for (const h of this.#handles) h.remove();
    this.adapter?.dispose();
  }
}
