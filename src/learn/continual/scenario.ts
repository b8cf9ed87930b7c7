// Continual-learning scenarios (van de Ven & Tolias 2019, "Three scenarios for continual
// learning"): a classification data set cut into a sequence of experiences. What differs is
// what the model must tell apart at test time:
// - task-incremental: the task is known; each task has its own output units (multi-headed);
// - domain-incremental: the task is unknown but need not be named: every task shares one
//   head of `classesPerTask` outputs (split: "first or second class of the pair"; permuted:
//   the same ten digits under another pixel permutation);
// - class-incremental: the task is unknown and must be inferred: one head over every class
//   seen so far.

import { FlambeauError } from "../../core/errors.js";
import { manualSeed, randperm, type Tensor, tensor, tidy } from "../../core/index.js";

export type ContinualMode = "task" | "domain" | "class";

/** Examples: float features [N, …] and integer class labels [N] in the data set's own class space. */
export interface LabelledSet {
  x: Tensor;
  y: Tensor;
}

export interface Experience {
  id: number;
  /** Data-set classes of this experience, in head order (task and domain modes). */
  classes: number[];
  train: LabelledSet;
  test: LabelledSet;
}

export interface Scenario {
  mode: ContinualMode;
  experiences: Experience[];
  /** Output units the model needs. */
  outputs: number;
  /** A name for reports ("split Fashion-MNIST (class-incremental)"). */
  name: string;
}

const OP = "continual";

function checkSet(what: string, s: LabelledSet): void {
  if (s.x.shape[0] !== s.y.shape[0] || s.y.ndim !== 1)
    throw new FlambeauError("E_ARG", `${OP}: ${what} needs x [N, …] and y [N], got [${s.x.shape}] and [${s.y.shape}]`, OP);
}

/** The rows of `s` whose label is one of `classes`. */
function ofClasses(s: LabelledSet, classes: readonly number[]): LabelledSet {
  return tidy(() => {
    const labels = s.y.toArray() as number[] | bigint[];
    const idx: number[] = [];
    labels.forEach((v, i) => {
      if (classes.includes(Number(v))) idx.push(i);
    });
    const at = tensor(idx, { dtype: "int64" });
    return { x: s.x.indexSelect(0, at), y: s.y.indexSelect(0, at) };
  });
}

/**
 * Split scenario: the classes in groups (`[[0,1],[2,3],…]`, or consecutive groups of
 * `classesPerTask`), one experience per group.
 */
export function splitScenario(
  data: { train: LabelledSet; test: LabelledSet; classes: number },
  o: { mode: ContinualMode; groups?: number[][]; classesPerTask?: number; name?: string },
): Scenario {
  checkSet("train", data.train);
  checkSet("test", data.test);
  const per = o.classesPerTask ?? 2;
  const groups =
    o.groups ?? Array.from({ length: Math.floor(data.classes / per) }, (_, t) => Array.from({ length: per }, (_, k) => t * per + k));
  if (groups.length < 2) throw new FlambeauError("E_ARG", `${OP}: a scenario needs at least 2 experiences, got ${groups.length}`, OP);
  const seen = new Set<number>();
  for (const g of groups) {
    if (g.length === 0) throw new FlambeauError("E_ARG", `${OP}: an experience has no classes`, OP);
    if (o.mode === "domain" && g.length !== groups[0]!.length)
      throw new FlambeauError(
        "E_ARG",
        `${OP}: domain-incremental experiences need the same number of classes, got ${groups.map((x) => x.length)}`,
        OP,
      );
    for (const c of g) {
      if (!Number.isInteger(c) || c < 0 || c >= data.classes)
        throw new FlambeauError("E_ARG", `${OP}: class ${c} is not in 0..${data.classes - 1}`, OP);
      if (seen.has(c)) throw new FlambeauError("E_ARG", `${OP}: class ${c} is in two experiences`, OP);
      seen.add(c);
    }
  }
  const experiences = groups.map((classes, id) => {
    const train = ofClasses(data.train, classes);
    if (train.y.shape[0] === 0)
      throw new FlambeauError("E_ARG", `${OP}: experience ${id} (classes ${classes}) has no training examples`, OP);
    return { id, classes, train, test: ofClasses(data.test, classes) };
  });
  const outputs = o.mode === "domain" ? groups[0]!.length : data.classes;
  return { mode: o.mode, experiences, outputs, name: o.name ?? `split (${groups.length} experiences, ${o.mode}-incremental)` };
}

/**
 * Permuted scenario (Goodfellow et al. 2013): every experience is the whole data set under
 * its own fixed pixel permutation (the first one is the identity); domain-incremental.
 */
export function permutedScenario(
  data: { train: LabelledSet; test: LabelledSet; classes: number },
  o: { experiences: number; seed?: number; name?: string },
): Scenario {
  checkSet("train", data.train);
  checkSet("test", data.test);
  if (!Number.isInteger(o.experiences) || o.experiences < 2)
    throw new FlambeauError("E_ARG", `${OP}: a permuted scenario needs at least 2 experiences, got ${o.experiences}`, OP);
  manualSeed(o.seed ?? 0);
  const classes = Array.from({ length: data.classes }, (_, k) => k);
  const flat = (x: Tensor) => x.reshape([x.shape[0]!, -1]);
  const d = flat(data.train.x).shape[1]!;
  const experiences = Array.from({ length: o.experiences }, (_, id) =>
    tidy(() => {
      const perm = id === 0 ? null : randperm(d);
      const apply = (s: LabelledSet): LabelledSet => {
        const x = flat(s.x);
        return { x: perm ? x.indexSelect(1, perm) : x.clone(), y: s.y.clone() };
      };
      return { id, classes, train: apply(data.train), test: apply(data.test) };
    }),
  );
  return { mode: "domain", experiences, outputs: data.classes, name: o.name ?? `permuted (${o.experiences} experiences)` };
}

/** Output units (logit columns) that score experience `e` when the model has learnt experiences 0..`upTo`. */
export function activeUnits(s: Scenario, e: Experience, upTo: number): number[] {
  if (s.mode === "task") return e.classes;
  if (s.mode === "domain") return Array.from({ length: s.outputs }, (_, k) => k);
  return s.experiences.slice(0, upTo + 1).flatMap((x) => x.classes);
}

/** Labels of experience `e`'s examples as positions among its active units. */
export function targetsOf(s: Scenario, e: Experience, y: Tensor, upTo: number): Tensor {
  if (s.mode === "domain" && e.classes.length === s.outputs && e.classes.every((c, k) => c === k)) return y;
  const units = s.mode === "domain" ? e.classes : activeUnits(s, e, upTo);
  const lut = new Array<number>(Math.max(...units) + 1).fill(-1);
  units.forEach((c, k) => {
    lut[c] = k;
  });
  return tensor(
    Array.from(y.toArray() as number[], (v) => lut[Number(v)]!),
    { dtype: "int64" },
  );
}
