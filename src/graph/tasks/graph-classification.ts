// graph-classification / graph-regression on molecules: a GIN (GINE with bond types) with
// sum+mean pooling, or the fingerprint + MLP baseline, trained on a Bemis–Murcko scaffold
// split; ROC-AUC and accuracy for classes, RMSE / MAE / R² for values. Data: rdkit-data's
// ChEMBL and NCI sets, a CSV with smiles,label columns, or "file.sdf:FIELD".
import { FlambeauError } from "../../core/errors.js";
import { manualSeed } from "../../core/index.js";
import { plural } from "../../tasks/format.js";
import { type OptionSpecs, type OptionValues, opt } from "../../tasks/options.js";
import {
  type DemoOptions,
  type DemoSection,
  defineTask,
  type EvalArgs,
  type Predictor,
  type Task,
  type TaskTrainResult,
  type TrainInput,
} from "../../tasks/task.js";
import { loadModelDir, saveModelDir } from "../../train/model-dir.js";
import { MOLECULE_MODELS, MoleculeModel, type MoleculeModelHyper, type MoleculeModelName } from "../models/molecule-models.js";
import { BUILTIN_MOLECULE_SETS } from "../molecules/datasets.js";
import { moleculeDemo } from "../molecules/demo.js";
import { ATOM_FEATURES, BOND_FEATURES, moleculeArrays } from "../molecules/features.js";
import { morganFingerprint } from "../molecules/fingerprint.js";
import { fitMoleculeModel, moleculeMetrics, predictMolecules, type Standardizer } from "../molecules/fit.js";
import { moleculeFromSmiles } from "../molecules/molecule.js";
import { FINGERPRINT, type MoleculeData, prepareMolecules } from "../molecules/prepare.js";

export type MoleculeMode = "classification" | "regression";

export const MOLECULE_DATA_FORMAT =
  `a built-in set (${Object.keys(BUILTIN_MOLECULE_SETS).join(", ")}; Debian's rdkit-data), a CSV with a "smiles" column and a "label" column, ` +
  `or "file.sdf:FIELD" (the label in data field FIELD); numeric labels that are not all 0/1 are regression targets; ` +
  "split: Bemis–Murcko scaffold split 80/10/10 (seeded random split if scaffolds cannot fill all three)";

/** Defaults: the fingerprint MLP is wider and needs fewer epochs. */
function recipe(arch: MoleculeModelName): {
  hidden: number;
  layers: number;
  epochs: number;
  lr: number;
  dropout: number;
  batchSize: number;
} {
  return arch === "fp-mlp"
    ? { hidden: 256, layers: 1, epochs: 40, lr: 1e-3, dropout: 0.3, batchSize: 64 }
    : { hidden: 64, layers: 3, epochs: 40, lr: 2e-3, dropout: 0.1, batchSize: 64 };
}

export interface MoleculeTrainResult extends TaskTrainResult {
  model: MoleculeModel;
  data: MoleculeData;
  standardizer: Standardizer;
  test: Record<string, number>;
}

/** What a saved molecule model needs beyond its weights. */
interface Preprocessing {
  data: string;
  mode: MoleculeMode;
  seed: number;
  limit: number | null;
  split: string;
  standardizer: Standardizer;
  fingerprint: typeof FINGERPRINT;
  atomFeatures: number;
  bondFeatures: number;
}

interface Loaded {
  model: MoleculeModel;
  classes: string[];
  pre: Preprocessing;
}

export type MoleculePrediction = { smiles: string; value: number } | { smiles: string; labels: { label: string; probability: number }[] };

/** graph-classification shows the top labels; graph-regression predicts one value and has no options. */
const CLASS_OPTIONS = {
  topK: opt.int("labels to show (default: all)", { phases: ["predict"] }),
};
type MoleculeOptions = OptionValues<typeof CLASS_OPTIONS>;

/** The molecule task's train, evaluate and load for one mode (forced, or read from the labels). */
function molecules(name: string, forced: MoleculeMode | undefined) {
  async function trainMolecules(o: TrainInput): Promise<MoleculeTrainResult> {
    const { seed, log } = o;
    if (o.val)
      throw new FlambeauError("E_ARG", `${name}: --val is not used; the validation molecules come from the scaffold split of --data`);
    const arch = (o.model ?? "gin") as MoleculeModelName;
    if (!MOLECULE_MODELS.includes(arch))
      throw new FlambeauError("E_ARG", `${name}: unknown model "${arch}"; models: ${MOLECULE_MODELS.join(", ")}`);
    const data = prepareMolecules(o.data, { mode: forced, seed, limit: o.limit, log });
    const r = recipe(arch);
    const epochs = o.epochs ?? r.epochs;
    const lr = o.lr ?? r.lr;
    const batchSize = o.batchSize ?? r.batchSize;
    const hyper: MoleculeModelHyper = {
      arch,
      inChannels: arch === "fp-mlp" ? FINGERPRINT.nBits : ATOM_FEATURES,
      edgeDim: BOND_FEATURES,
      hidden: r.hidden,
      outChannels: data.mode === "classification" ? data.numClasses : 1,
      layers: r.layers,
      dropout: r.dropout,
    };
    manualSeed(seed);
    const model = new MoleculeModel(hyper);
    const { train, val, test } = data.split;
    log(
      `${name}: ${data.set.name} (${data.set.description}): ${data.smiles.length} molecules, ${data.mode}` +
        `${data.mode === "classification" ? ` [${data.classes.join(", ")}]` : ""}; ${data.splitKind} split ${train.length}/${val.length}/${test.length}; ` +
        `${arch}, ${plural(epochs, "epoch")}, lr ${lr}, batch ${batchSize}, seed ${seed}`,
    );
    const fit = await fitMoleculeModel(model, data, { train, val }, { epochs, lr, batchSize, seed, progress: o.progress, name });
    const evalOn = (idx: number[]) =>
      moleculeMetrics(
        data.mode,
        predictMolecules(model, data, idx, fit.standardizer),
        idx.map((i) => data.targets[i]!),
      );
    const validation = evalOn(val);
    const testMetrics = evalOn(test);
    log(
      `${name}: best epoch ${fit.bestEpoch}; validation ${JSON.stringify(validation)}; test ${JSON.stringify(testMetrics)} (${fit.seconds.toFixed(1)} s)`,
    );
    await saveModelDir<MoleculeModelHyper, Preprocessing>(
      o.out,
      {
        task: name,
        architecture: arch,
        hyper: { ...hyper },
        labels: data.classes,
        preprocessing: {
          data: o.data,
          mode: data.mode,
          seed,
          limit: o.limit ?? null,
          split: data.splitKind,
          standardizer: fit.standardizer,
          fingerprint: { ...FINGERPRINT },
          atomFeatures: ATOM_FEATURES,
          bondFeatures: BOND_FEATURES,
        },
        metrics: { validation, test: testMetrics, epochs, lr, batchSize, seed, bestEpoch: fit.bestEpoch, seconds: fit.seconds },
      },
      model.stateDict(),
    );
    return {
      dir: o.out,
      metrics: { ...validation, test: testMetrics },
      history: { epochs: fit.epochs, seconds: fit.seconds, samplesPerSecond: (train.length * epochs) / fit.seconds },
      model,
      data,
      standardizer: fit.standardizer,
      test: testMetrics,
    };
  }

  async function loadModel(dir: string): Promise<Loaded> {
    const { config, weights } = await loadModelDir<MoleculeModelHyper, Preprocessing>(dir, name);
    const model = new MoleculeModel(config.hyper);
    model.loadStateDict(weights);
    model.eval();
    return { model, classes: config.labels ?? [], pre: config.preprocessing! };
  }

  /** On the training set's own data: its scaffold test split; on other data: every molecule. */
  async function evaluate(dir: string, spec: string, o: EvalArgs = {}): Promise<Record<string, unknown>> {
    const { model, classes, pre } = await loadModel(dir);
    try {
      const own = spec === pre.data;
      // The training data again: the same --limit rebuilds the same split, so its test molecules stay unseen.
      const data = prepareMolecules(spec, {
        mode: pre.mode,
        seed: pre.seed,
        limit: own ? (pre.limit ?? undefined) : o.limit,
        classes: pre.mode === "classification" ? classes : undefined,
      });
      const idx = own ? data.split.test : data.smiles.map((_, i) => i);
      const metrics = moleculeMetrics(
        pre.mode,
        predictMolecules(model, data, idx, pre.standardizer),
        idx.map((i) => data.targets[i]!),
      );
      return { ...metrics, split: own ? `${data.splitKind} test split` : "all molecules", data: spec };
    } finally {
      model.dispose();
    }
  }

  async function load(dir: string): Promise<Predictor<MoleculePrediction, MoleculeOptions>> {
    const { model, classes, pre } = await loadModel(dir);
    return {
      task: name,
      async predict(inputs, o = {}) {
        const mols = inputs.map((s, i) => moleculeFromSmiles(s, `${name} predict: input ${i + 1}`));
        const data = {
          mode: pre.mode,
          arrays: mols.map(moleculeArrays),
          fingerprints: mols.map((x) => morganFingerprint(x, FINGERPRINT)),
        };
        const pred = predictMolecules(
          model,
          data,
          mols.map((_, i) => i),
          pre.standardizer,
        );
        const k = o.topK ?? classes.length;
        return inputs.map((smiles, i) => {
          const p = pred[i]!;
          if (pre.mode === "regression") return { smiles, value: p[0]! };
          const order = p.map((_, c) => c).sort((a, b) => p[b]! - p[a]!);
          return { smiles, labels: order.slice(0, k).map((c) => ({ label: classes[c] ?? String(c), probability: p[c]! })) };
        });
      },
      dispose: () => model.dispose(),
    };
  }

  return { trainMolecules, evaluate, load, loadModule: async (dir: string) => (await loadModel(dir)).model };
}

function formatPrediction(q: MoleculePrediction): string {
  return "value" in q ? q.value.toFixed(3) : q.labels.map((l) => `${l.label} ${(100 * l.probability).toFixed(1)}%`).join(", ");
}

function declare<O extends OptionSpecs>(
  name: string,
  forced: MoleculeMode | undefined,
  options: O,
  demo?: (o: DemoOptions, train: (o: TrainInput) => Promise<MoleculeTrainResult>) => Promise<DemoSection>,
): Task {
  const m = molecules(name, forced);
  return defineTask<O, MoleculePrediction>({
    name,
    description:
      forced === "regression"
        ? "predict a number per molecule (GIN / GINE over atoms and bonds; Morgan-fingerprint MLP baseline); RMSE, MAE, R² on a scaffold split"
        : "classify molecules (or regress numeric labels) with a GIN / GINE over atoms and bonds; Morgan-fingerprint MLP baseline; ROC-AUC, accuracy (RMSE, R²) on a scaffold split",
    dataFormat: MOLECULE_DATA_FORMAT,
    models: [...MOLECULE_MODELS],
    defaultModel: "gin",
    options,
    baseline: "Morgan fingerprint (r = 2, 2048 bits) + MLP (`--model fp-mlp`)",
    train: m.trainMolecules,
    evaluate: m.evaluate,
    load: m.load,
    loadModule: m.loadModule,
    formatPrediction,
    ...(demo ? { demo: (o: DemoOptions) => demo(o, m.trainMolecules) } : {}),
  });
}

export const graphClassification = declare("graph-classification", undefined, CLASS_OPTIONS, moleculeDemo);
export const graphRegression = declare("graph-regression", "regression", {});
