// The `few-shot` task: meta-train a ProtoNet or MAML on the background alphabets' N-way
// K-shot episodes (on the shared Trainer), evaluate on 1,000 episodes of held-out alphabets,
// and predict query images from a support folder of class subfolders.
import { FlambeauError } from "../../core/errors.js";
import { cat, manualSeed, noGrad, type Tensor, tensor, tidy } from "../../core/index.js";
import { Random } from "../../data/random.js";
import { Adam } from "../../optim/index.js";
import { opt } from "../../tasks/options.js";
import { type DemoOptions, type DemoSection, defineTask, type Predictor, type TaskTrainResult, type TrainInput } from "../../tasks/task.js";
import { loadModelDir, saveModelDir } from "../../train/model-dir.js";
import { Trainer } from "../../train/trainer.js";
import { loadFewShotData } from "./data.js";
import { type Episode, episodes, imagesTensor, sampleEpisode } from "./episodes.js";
import { episodeLogits, evaluateEpisodes } from "./evaluate.js";
import { glyphFigure } from "./glyph-figure.js";
import { FEW_SHOT_MODELS, type FewShotModelName, Maml, mamlOptions, ProtoNet } from "./methods.js";
import { readQueries, readSupportFolder } from "./support.js";

const TASK = "few-shot";

const OPTIONS = {
  ways: opt.int("classes per episode (N)", { phases: ["train", "eval"], default: 5 }),
  shots: opt.int("support images per class (K)", { phases: ["train", "eval"], default: 1 }),
  queries: opt.int("query images per class", { phases: ["train", "eval"], default: 5 }),
  episodes: opt.int("training episodes per epoch", { phases: ["train"], default: 100 }),
  testEpisodes: opt.int("test episodes (accuracy ± 95 % interval over them)", { phases: ["eval"], default: 1000 }),
  innerLr: opt.number("MAML inner-loop step size", { phases: ["train"], default: 0.4, positive: true }),
  innerSteps: opt.int("MAML inner steps while meta-training", { phases: ["train"], default: 1 }),
  adaptSteps: opt.int("MAML inner steps on a test support set", { phases: ["eval", "predict"], default: 3 }),
  firstOrder: opt.flag("first-order MAML (no gradient through the inner steps)", { phases: ["train"] }),
  support: opt.path("support folder: one subfolder of images per class", { phases: ["predict"] }),
};

type Hyper = {
  model: FewShotModelName;
  ways: number;
  shots: number;
  queries: number;
  innerLr: number;
  innerSteps: number;
  firstOrder: boolean;
};
type Preprocessing = { size: number; data: string };

const build = (name: FewShotModelName) => (name === "maml" ? new Maml() : new ProtoNet());

async function train(
  o: TrainInput & {
    ways?: number;
    shots?: number;
    queries?: number;
    episodes?: number;
    innerLr?: number;
    innerSteps?: number;
    firstOrder?: boolean;
  },
): Promise<TaskTrainResult> {
  manualSeed(o.seed);
  const name = (o.model ?? "protonet") as FewShotModelName;
  const data = await loadFewShotData(o.data, o.seed);
  const shape = { ways: o.ways ?? 5, shots: o.shots ?? 1, queries: o.queries ?? 5 };
  const mo = mamlOptions({ innerLr: o.innerLr, innerSteps: o.innerSteps, firstOrder: o.firstOrder ?? false });
  const source = episodes(data.background, shape, o.episodes ?? 100, o.seed);
  const model = build(name);
  const lr = o.lr ?? 1e-3;
  const trainer = new Trainer<Episode>({
    name: TASK,
    model,
    optimizer: new Adam(model.parameters(), { lr }),
    step: (e) => (model instanceof Maml ? model.loss(e, mo) : model.loss(e)),
    batchSize: (e) => e.query.shape[0]!,
    progress: o.progress,
    seed: o.seed,
  });
  o.log(`${TASK}: ${name} on ${data.background.first.length} background classes, ${shape.ways}-way ${shape.shots}-shot`);
  const history = await trainer.fit(source, { epochs: o.epochs ?? 10 });
  const check = evaluateEpisodes(model, data.evaluation, shape, 100, o.seed);
  const metrics = { heldOutAccuracy: check.accuracy, heldOutCi95: check.ci95, heldOutEpisodes: check.episodes };
  const hyper: Hyper = { model: name, ...shape, ...mo };
  await saveModelDir<Hyper, Preprocessing>(
    o.out,
    { task: TASK, architecture: name, hyper, preprocessing: { size: 28, data: o.data }, metrics: { validation: metrics } },
    model.stateDict(),
  );
  return { dir: o.out, metrics, history };
}

async function loadModel(dir: string) {
  const { config, weights } = await loadModelDir<Hyper, Preprocessing>(dir, TASK);
  const model = build(config.hyper.model);
  model.loadStateDict(weights);
  model.eval();
  return { model, config };
}

async function evaluate(
  dir: string,
  data: string,
  o: { ways?: number; shots?: number; queries?: number; testEpisodes?: number; adaptSteps?: number },
) {
  const { model, config } = await loadModel(dir);
  try {
    const d = await loadFewShotData(data);
    const shape = { ways: o.ways ?? 5, shots: o.shots ?? 1, queries: o.queries ?? 5 };
    const s = evaluateEpisodes(model, d.evaluation, shape, o.testEpisodes ?? 1000, 0, { ...config.hyper, adaptSteps: o.adaptSteps });
    return { ...s, model: config.hyper.model, classes: d.evaluation.first.length };
  } finally {
    model.dispose();
  }
}

export interface FewShotPrediction {
  label: string;
  probability: number;
}

async function load(dir: string): Promise<Predictor<FewShotPrediction, { support?: string; adaptSteps?: number }>> {
  const { model, config } = await loadModel(dir);
  return {
    task: TASK,
    async predict(inputs, o = {}) {
      if (!o.support) throw new FlambeauError("E_ARG", `${TASK}: predict needs --support <folder of class subfolders>`);
      const support = await readSupportFolder(o.support);
      const queries = await readQueries(inputs);
      return tidy(() => {
        const s = imagesTensor(
          support.pool,
          support.labels.map((_, i) => i),
        );
        const q = imagesTensor(queries, queries.first);
        const ways = support.names.length;
        const e: Episode = {
          support: s,
          supportLabels: tensor(support.labels, { dtype: "int64" }),
          query: q,
          queryLabels: tensor(
            inputs.map(() => 0),
            { dtype: "int64" },
          ),
          ways,
        };
        const logits =
          model instanceof ProtoNet
            ? protoByGroup(model, s, q, support.labels, ways)
            : episodeLogits(model, e, { ...config.hyper, adaptSteps: o.adaptSteps });
        const p = logits.softmax(1);
        const best = p.argmax({ dim: 1 }).toArray() as number[];
        const probs = p.toArray() as number[][];
        return best.map((b, i) => ({ label: support.names[b]!, probability: probs[i]![b]! }));
      });
    },
    dispose: () => model.dispose(),
  };
}

/** ProtoNet logits with any number of shots per class (a support folder need not be balanced). */
function protoByGroup(model: ProtoNet, s: Tensor, q: Tensor, labels: readonly number[], ways: number): Tensor {
  return noGrad(() => {
    const z = model.encoder.forward(cat([s, q], 0));
    const zs = z.narrow(0, 0, s.shape[0]!);
    const zq = z.narrow(0, s.shape[0]!, q.shape[0]!);
    const protos = cat(
      Array.from({ length: ways }, (_, c) => {
        const rows = labels.flatMap((l, i) => (l === c ? [i] : []));
        return zs.indexSelect(0, tensor(rows, { dtype: "int64" })).mean({ dim: 0, keepdim: true });
      }),
      0,
    );
    return zq
      .matmul(protos.t())
      .mul(2)
      .sub(protos.pow(2).sum({ dim: 1 }).unsqueeze(0));
  });
}

async function demo(o: DemoOptions): Promise<DemoSection> {
  const t0 = performance.now();
  const budget = o.full ? { episodes: 200, epochs: 1, testEpisodes: 1000 } : { episodes: 60, epochs: 1, testEpisodes: 200 };
  const r = await train({ data: "glyphs", out: o.out, seed: 0, progress: o.progress, log: o.log ?? (() => {}), ...budget });
  // One model load and one read of the glyphs serve the score and the episode shown.
  const { model, config } = await loadModel(o.out);
  const d = await loadFewShotData("glyphs");
  const m = evaluateEpisodes(model, d.evaluation, { ways: 5, shots: 1, queries: 5 }, budget.testEpisodes, 0, config.hyper);
  // One 5-way 1-shot episode of held-out alphabets: the support glyph of each class, then the queries with the model's answer.
  const e = sampleEpisode(d.evaluation, { ways: 5, shots: 1, queries: 2 }, new Random(7));
  const predicted = noGrad(() => episodeLogits(model, e, config.hyper).argmax({ dim: 1 }).toArray()) as number[];
  const truth = e.queryLabels.toArray() as number[];
  const support = await Promise.all(Array.from({ length: 5 }, (_, c) => glyphFigure(e.support, c, `class ${c + 1}`)));
  const queries = await Promise.all(
    predicted.map((p, i) => glyphFigure(e.query, i, `→ ${p + 1}${p === truth[i] ? "" : ` (is ${truth[i]! + 1})`}`, p === truth[i])),
  );
  model.dispose();
  for (const t of [e.support, e.supportLabels, e.query, e.queryLabels]) t.dispose();
  return {
    task: TASK,
    dataset: `glyphs of ${d.background.names.length + d.evaluation.names.length} characters rendered from Noto fonts; test alphabets held out`,
    commands: [
      `flambeau train ${TASK} --data glyphs --model protonet --ways 5 --shots 1 --episodes ${budget.episodes} --epochs ${budget.epochs} --out ${o.out}`,
      `flambeau eval ${o.out} --data glyphs --ways 5 --shots 1 --test-episodes ${budget.testEpisodes} --json`,
    ],
    metrics: { accuracy5Way1Shot: m.accuracy, ci95: m.ci95, chance: 0.2 },
    history: r.history.epochs.map((h) => ({ loss: h.loss! })),
    seconds: (performance.now() - t0) / 1000,
    extraHtml: `<p>A 5-way 1-shot episode from held-out alphabets: one example of each class, then queries labelled by the nearest prototype.</p><div>${support.join("")}</div><div>${queries.join("")}</div>`,
  };
}

export const fewShot = defineTask({
  name: TASK,
  description: "few-shot classification: ProtoNet or MAML meta-trained on N-way K-shot episodes, tested on held-out alphabets",
  dataFormat:
    '"glyphs" (Noto-rendered letters of 44 scripts, generated and cached) or <alphabet>/<character>/<images> (Omniglot\'s layout)',
  models: FEW_SHOT_MODELS,
  defaultModel: "protonet",
  options: OPTIONS,
  baseline: "chance (1/N)",
  train,
  evaluate,
  load,
  formatPrediction: (p) => `${p.label} ${(100 * p.probability).toFixed(1)}%`,
  demo,
});
