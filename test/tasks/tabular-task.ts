// The example of docs/adding-a-task.md: a whole task in one file. `tabular-classification`
// reads a CSV of numeric columns and a `label` column, trains an MLP on the one Trainer,
// reports accuracy and macro-F1, saves a model directory and predicts from CSV rows.
import * as fl from "flambeau";

const { defineTask, opt } = fl.tasks;
const TASK = "tabular-classification";

// 1. Options of this task alone, declared once: the CLI flags, `flambeau tasks` and checks come from here.
const OPTIONS = {
  hidden: opt.int("hidden units of the MLP", { phases: ["train"], default: 32 }),
  topK: opt.int("labels to show", { phases: ["predict"], default: 2 }),
};

// 2. The model and what a saved directory holds (typed: no casts when loading).
type Hyper = { inputs: number; hidden: number; classes: number };
type Preprocessing = { columns: string[]; mean: number[]; std: number[] };
const mlp = (h: Hyper) =>
  new fl.nn.Sequential(new fl.nn.Linear(h.inputs, h.hidden), new fl.nn.ReLU(), new fl.nn.Linear(h.hidden, h.classes));

// 3. The data reader: CSV → features [N, F] and labels [N].
async function readTable(path: string, columns?: string[], labels?: string[]) {
  const t = await fl.data.readCsv(path);
  if (!t.columns.includes("label")) throw new fl.FlambeauError("E_FORMAT", `${TASK}: ${path} has no "label" column`);
  const cols = columns ?? t.columns.filter((c) => c !== "label");
  const classes = labels ?? [...new Set(t.rows.map((r) => r.label!))].sort();
  const x = fl.tensor(
    t.rows.flatMap((r) => cols.map((c) => Number(r[c]))),
    { shape: [t.rows.length, cols.length] },
  );
  const y = fl.tensor(
    t.rows.map((r) => classes.indexOf(r.label!)),
    { dtype: "int64" },
  );
  return { x, y, columns: cols, classes };
}
const batches = (x: fl.Tensor, y: fl.Tensor, batchSize: number, shuffle: boolean, seed: number) =>
  new fl.data.DataLoader(new fl.data.TensorDataset(x, y), { batchSize, shuffle, seed });

// 4. Train: data, model, Trainer (the loop, keep-best, data parallelism come from the runtime), save.
async function train(o: fl.tasks.TrainInput & { hidden?: number }): Promise<fl.tasks.TaskTrainResult> {
  fl.manualSeed(o.seed);
  const all = await readTable(o.data);
  // A seeded 80/20 split: --seed reproduces it.
  const order = [...fl.data.permutation(all.x.shape[0]!, o.seed)];
  const cut = Math.round(order.length * 0.8);
  const pick = (rows: number[]) => fl.tensor(rows, { dtype: "int64" });
  const [x, y] = [all.x.indexSelect(0, pick(order.slice(0, cut))), all.y.indexSelect(0, pick(order.slice(0, cut)))];
  const [vx, vy] = [all.x.indexSelect(0, pick(order.slice(cut))), all.y.indexSelect(0, pick(order.slice(cut)))];
  const mean = x.mean({ dim: 0 });
  const std = x.std({ dim: 0 }).clamp(1e-6);
  const pre: Preprocessing = { columns: all.columns, mean: mean.toArray() as number[], std: std.toArray() as number[] };
  const norm = (t: fl.Tensor) => t.sub(mean).div(std);
  const hyper: Hyper = { inputs: all.columns.length, hidden: o.hidden ?? 32, classes: all.classes.length };
  const model = mlp(hyper);
  const optimizer = new fl.optim.AdamW(model.parameters(), { lr: o.lr ?? 1e-2 });
  const trainer = new fl.train.Trainer({
    name: TASK,
    model,
    optimizer,
    loss: (out, t) => fl.nn.functional.crossEntropy(out, t),
    meter: () => new fl.train.ClassificationMeter(hyper.classes),
    keepBest: { monitor: "valAccuracy" },
    progress: o.progress,
  });
  const bs = o.batchSize ?? 32;
  const history = await trainer.fit(batches(norm(x), y, bs, true, o.seed), {
    epochs: o.epochs ?? 20,
    val: batches(norm(vx), vy, 256, false, 0),
  });
  const { confusionMatrix: _cm, ...metrics } = await trainer.evaluate(batches(norm(vx), vy, 256, false, 0));
  await fl.train.saveModelDir<Hyper, Preprocessing>(
    o.out,
    {
      task: TASK,
      architecture: "mlp",
      hyper,
      labels: all.classes,
      preprocessing: pre,
      metrics: { validation: metrics, bestEpoch: history.bestEpoch },
    },
    model.stateDict(),
  );
  return { dir: o.out, metrics, history };
}

// 5. Load once, predict many: what `flambeau predict`, the server and the workers hold.
async function load(dir: string): Promise<fl.tasks.Predictor<{ label: string; probability: number }[], { topK?: number }>> {
  const { config, weights } = await fl.train.loadModelDir<Hyper, Preprocessing>(dir, TASK);
  const model = mlp(config.hyper);
  model.loadStateDict(weights);
  model.eval();
  const pre = config.preprocessing!;
  const labels = config.labels!;
  return {
    task: TASK,
    // An input is one CSV row of the feature columns, e.g. "1.5,-0.2".
    async predict(inputs, o = {}) {
      return inputs.map((row) =>
        fl.noGrad(() =>
          fl.tidy(() => {
            const v = row.split(",").map(Number);
            if (v.length !== pre.columns.length || v.some((n) => !Number.isFinite(n)))
              throw new fl.FlambeauError(
                "E_ARG",
                `${TASK}: expected ${pre.columns.length} numbers (${pre.columns.join(", ")}), got "${row}"`,
              );
            const x = fl
              .tensor(v, { shape: [1, v.length] })
              .sub(fl.tensor(pre.mean))
              .div(fl.tensor(pre.std));
            const p = model.forward(x).softmax(1).data() as Float32Array;
            const order = [...p.keys()].sort((a, b) => p[b]! - p[a]!);
            return order.slice(0, o.topK ?? 2).map((i) => ({ label: labels[i]!, probability: p[i]! }));
          }),
        ),
      );
    },
    dispose: () => model.dispose(),
  };
}

async function evaluate(dir: string, data: string, o: fl.tasks.EvalArgs = {}): Promise<Record<string, unknown>> {
  const { config, weights } = await fl.train.loadModelDir<Hyper, Preprocessing>(dir, TASK);
  const model = mlp(config.hyper);
  model.loadStateDict(weights);
  const pre = config.preprocessing!;
  const t = await readTable(data, pre.columns, config.labels);
  const x = t.x.sub(fl.tensor(pre.mean)).div(fl.tensor(pre.std));
  const ev = fl.train.evaluator({
    model,
    loss: (out, y) => fl.nn.functional.crossEntropy(out, y),
    meter: () => new fl.train.ClassificationMeter(config.hyper.classes),
  });
  return ev.evaluate(batches(x, t.y, o.batchSize ?? 256, false, 0));
}

// 6. The declaration: everything the runtime, the CLI and the server need.
export const tabularClassification = defineTask({
  name: TASK,
  description: "classify rows of a numeric CSV table (an MLP; accuracy, macro-F1)",
  dataFormat: "a CSV file with numeric feature columns and a `label` column",
  models: ["mlp"],
  defaultModel: "mlp",
  options: OPTIONS,
  baseline: "the majority class",
  train,
  evaluate,
  load,
  formatPrediction: (p) => p.map((l) => `${l.label} ${(100 * l.probability).toFixed(1)}%`).join(", "),
});
