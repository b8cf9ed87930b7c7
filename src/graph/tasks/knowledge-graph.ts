// knowledge-graph-completion: embed entities and relations (TransE, DistMult, ComplEx, RotatE),
// train with self-adversarial negative sampling, rank every entity for (h, r, ?) and (?, r, t)
// of the test triples; filtered MRR and Hits@1/3/10 beside the relation-frequency baseline.
// Built-in data: a WN18RR-like graph built from WordNet 3.0 (Debian's wordnet-base).
import { FlambeauError } from "../../core/errors.js";
import { manualSeed } from "../../core/index.js";
import { plural } from "../../tasks/format.js";
import { escapeHtml } from "../../tasks/html.js";
import { opt } from "../../tasks/options.js";
import { type DemoOptions, type DemoSection, defineTask, type Predictor, type TaskTrainResult } from "../../tasks/task.js";
import { loadModelDir, saveModelDir } from "../../train/model-dir.js";
import { fitKgModel, modelScorer } from "../kg/fit.js";
import { loadKnowledgeGraph } from "../kg/load.js";
import { KG_MODELS, type KgModel, type KgModelHyper, type KgModelName, makeKgModel } from "../kg/models/index.js";
import { type RankingResult, rankTriples, relationFrequencyScorer, TripleFilter } from "../kg/ranking.js";
import { type KnowledgeGraph, TRIPLES_FORMAT } from "../kg/triples.js";

const TASK = "knowledge-graph-completion";

const OPTIONS = {
  dim: opt.int("embedding size (complex models: this many complex numbers)", { phases: ["train"], default: 100 }),
  negatives: opt.int("negative samples per training triple", { phases: ["train"], default: 64 }),
  gamma: opt.number("margin γ of TransE and RotatE", { phases: ["train"], default: 6, positive: true }),
  temperature: opt.number("self-adversarial temperature α (0: uniform negatives)", { phases: ["train"], default: 0.5 }),
  regularization: opt.number("N3 weight of DistMult and ComplEx", { phases: ["train"], default: 1e-6 }),
  minDegree: opt.int("keep the k-core: entities in at least this many triples (1: the whole graph)", {
    phases: ["train", "eval"],
    default: 1,
  }),
  topK: opt.int("answers to list", { phases: ["predict"], default: 5 }),
};

/** What the saved model needs to rebuild its graph and vocabulary. */
interface Preprocessing {
  data: string;
  seed: number;
  minDegree: number;
}

export interface KgEvaluation {
  model: RankingResult;
  baseline: RankingResult;
}

/** Test ranking of the model and of the relation-frequency baseline, filtered against train ∪ valid ∪ test. */
export function evaluateKg(model: KgModel, kg: KnowledgeGraph): KgEvaluation {
  const n = kg.entities.length;
  const nr = kg.relationNames.length;
  const filter = new TripleFilter(n, nr, kg.train, kg.valid, kg.test);
  model.eval();
  return {
    model: rankTriples(modelScorer(model), kg.test, filter),
    baseline: rankTriples(relationFrequencyScorer(kg.train, n, nr), kg.test, filter),
  };
}

const r4 = (v: number) => Math.round(v * 1e4) / 1e4;

function flatMetrics(e: KgEvaluation, numTest: number): Record<string, number> {
  const f = e.model.filtered;
  return {
    testTriples: numTest,
    mrr: r4(f.mrr),
    "hits@1": r4(f["hits@1"]),
    "hits@3": r4(f["hits@3"]),
    "hits@10": r4(f["hits@10"]),
    meanRank: Math.round(f.mr),
    tailMrr: r4(f.tail.mrr),
    headMrr: r4(f.head.mrr),
    rawMrr: r4(e.model.raw.mrr),
    "rawHits@10": r4(e.model.raw["hits@10"]),
    baselineMrr: r4(e.baseline.filtered.mrr),
    "baselineHits@10": r4(e.baseline.filtered["hits@10"]),
  };
}

type TrainOptions = Parameters<Parameters<typeof defineTask<typeof OPTIONS, KgAnswer>>[0]["train"]>[0];

export async function trainKg(
  o: TrainOptions,
): Promise<TaskTrainResult & { model: KgModel; kg: KnowledgeGraph; evaluation: KgEvaluation }> {
  const { seed, log } = o;
  if (o.val) throw new FlambeauError("E_ARG", `${TASK}: --val is not used; the data's valid split (or a seeded one) validates`);
  const minDegree = o.minDegree ?? 1;
  const { kg, source } = await loadKnowledgeGraph(o.data, { seed, minDegree });
  const arch = (o.model ?? "rotate") as KgModelName;
  if (!KG_MODELS.includes(arch)) throw new FlambeauError("E_ARG", `${TASK}: unknown model "${arch}"; models: ${KG_MODELS.join(", ")}`);
  const epochs = o.epochs ?? 20;
  const lr = o.lr ?? 0.01;
  const batchSize = o.batchSize ?? 512;
  const hyper: KgModelHyper = {
    arch,
    numEntities: kg.entities.length,
    numRelations: kg.relationNames.length,
    dim: o.dim ?? 100,
    gamma: o.gamma ?? 6,
  };
  manualSeed(seed);
  const model = makeKgModel(hyper);
  log(
    `${TASK}: ${source}${minDegree > 1 ? ` (${minDegree}-core)` : ""}: ${kg.entities.length} entities, ${kg.relationNames.length} relations; ` +
      `${kg.train.heads.length} train / ${kg.valid.heads.length} valid / ${kg.test.heads.length} test triples; ${arch} dim ${hyper.dim}, ${plural(epochs, "epoch")}`,
  );
  const n = kg.entities.length;
  const nr = kg.relationNames.length;
  const fit = await fitKgModel(model, kg.train, {
    epochs,
    lr,
    batchSize,
    negatives: o.negatives ?? 64,
    adversarialTemperature: o.temperature ?? 0.5,
    regularization: o.regularization ?? 1e-6,
    seed,
    known: new TripleFilter(n, nr, kg.train),
    valid: kg.valid,
    validFilter: new TripleFilter(n, nr, kg.train, kg.valid),
    // Ranking scores every entity per query: select among every 5th epoch on 200 valid triples.
    evalEvery: 5,
    validLimit: 200,
    progress: o.progress,
    name: TASK,
  });
  const evaluation = evaluateKg(model, kg);
  const metrics = flatMetrics(evaluation, kg.test.heads.length);
  await saveModelDir<KgModelHyper, Preprocessing>(
    o.out,
    {
      task: TASK,
      architecture: arch,
      hyper: { ...hyper },
      preprocessing: { data: source, seed, minDegree },
      metrics: { test: metrics, epochs, lr, seed, bestEpoch: fit.bestEpoch, seconds: fit.seconds },
    },
    model.stateDict(),
  );
  return {
    dir: o.out,
    metrics,
    history: { epochs: fit.epochs, seconds: fit.seconds, samplesPerSecond: (kg.train.heads.length * epochs) / fit.seconds },
    model,
    kg,
    evaluation,
  };
}

async function loadModel(dir: string): Promise<{ model: KgModel; pre: Preprocessing }> {
  const { config, weights } = await loadModelDir<KgModelHyper, Preprocessing>(dir, TASK);
  const model = makeKgModel(config.hyper);
  model.loadStateDict(weights);
  model.eval();
  return { model, pre: config.preprocessing! };
}

function checkFits(model: KgModel, kg: KnowledgeGraph, dir: string, data: string): void {
  if (kg.entities.length !== model.hyper.numEntities || kg.relationNames.length !== model.hyper.numRelations)
    throw new FlambeauError(
      "E_SHAPE",
      `${TASK}: ${data} has ${kg.entities.length} entities and ${kg.relationNames.length} relations; the model in ${dir} has ${model.hyper.numEntities} and ${model.hyper.numRelations}`,
    );
}

export interface KgAnswer {
  query: string;
  answers: { entity: string; score: number; known: boolean }[];
}

/** Loads the model and its vocabulary; inputs are "head,relation,?" or "?,relation,tail". */
async function load(dir: string): Promise<Predictor<KgAnswer, { topK?: number }>> {
  const { model, pre } = await loadModel(dir);
  const { kg } = await loadKnowledgeGraph(pre.data, { seed: pre.seed, minDegree: pre.minDegree });
  checkFits(model, kg, dir, pre.data);
  const eid = new Map(kg.entities.map((e, i) => [e, i]));
  const rid = new Map(kg.relationNames.map((r, i) => [r, i]));
  const known = new TripleFilter(kg.entities.length, kg.relationNames.length, kg.train);
  const scorer = modelScorer(model);
  return {
    task: TASK,
    async predict(inputs, o = {}) {
      return inputs.map((q) => {
        const f = q.split(",").map((s) => s.trim());
        if (f.length !== 3 || (f[0] === "?") === (f[2] === "?"))
          throw new FlambeauError("E_ARG", `${TASK}: a query is "head,relation,?" or "?,relation,tail", got "${q}"`);
        const mode = f[2] === "?" ? "tail" : "head";
        const e = eid.get(mode === "tail" ? f[0]! : f[2]!);
        const r = rid.get(f[1]!);
        if (e === undefined) throw new FlambeauError("E_ARG", `${TASK}: entity "${mode === "tail" ? f[0] : f[2]}" is not in ${pre.data}`);
        if (r === undefined)
          throw new FlambeauError("E_ARG", `${TASK}: relation "${f[1]}" is not in ${pre.data}; relations: ${kg.relationNames.join(", ")}`);
        const row = scorer(Int32Array.of(e), Int32Array.of(r), mode)[0]!;
        const top = Array.from(row, (s, i) => [s, i] as const)
          .sort((a, b) => b[0] - a[0])
          .slice(0, o.topK ?? 5);
        const seen = mode === "tail" ? known.tailsOf(e, r) : known.headsOf(r, e);
        return { query: q, answers: top.map(([score, i]) => ({ entity: kg.entities[i]!, score, known: seen?.has(i) ?? false })) };
      });
    },
    dispose: () => model.dispose(),
  };
}

const formatPrediction = (p: KgAnswer): string =>
  // The CLI prints the query before each line.
  `${p.answers.map((a) => `${a.entity} (${a.score.toFixed(2)}${a.known ? ", in training" : ""})`).join("; ")}`;

async function demo(o: DemoOptions): Promise<DemoSection> {
  const t0 = performance.now();
  const budget = { epochs: o.full ? 5 : 3, batchSize: 256, dim: 50, negatives: 32, minDegree: 5 };
  const r = await trainKg({ data: "wordnet", out: o.out, seed: 0, progress: o.progress, log: o.log ?? (() => {}), ...budget });
  const { model, kg } = r;
  const scorer = modelScorer(model);
  const known = new TripleFilter(kg.entities.length, kg.relationNames.length, kg.train, kg.valid);
  // Every 100th test triple, asked as (head, relation, ?): the top 5 tails, the true one in green.
  const rows: string[] = [];
  for (let i = 0; i < kg.test.heads.length && rows.length < 6; i += 100) {
    const h = kg.test.heads[i]!;
    const rel = kg.test.relations[i]!;
    const t = kg.test.tails[i]!;
    const row = scorer(Int32Array.of(h), Int32Array.of(rel), "tail")[0]!;
    const seen = known.tailsOf(h, rel);
    const top = Array.from(row, (s, e) => [s, e] as const)
      .filter(([, e]) => e === t || !seen?.has(e))
      .sort((a, b) => b[0] - a[0])
      .slice(0, 5)
      .map(([, e]) => `<span style="color:${e === t ? "#1a7f37;font-weight:bold" : "inherit"}">${escapeHtml(kg.entities[e]!)}</span>`);
    rows.push(
      `<tr><td>${escapeHtml(kg.entities[h]!)}</td><td>${escapeHtml(kg.relationNames[rel]!)}</td><td>${escapeHtml(kg.entities[t]!)}</td><td>${top.join(", ")}</td></tr>`,
    );
  }
  model.dispose();
  const m = r.metrics as Record<string, number>;
  return {
    task: TASK,
    dataset: `WN18RR-like graph from WordNet 3.0 (wordnet-base), ${budget.minDegree}-core: ${kg.entities.length} entities, ${kg.test.heads.length} test triples`,
    commands: [
      `flambeau train ${TASK} --data wordnet --min-degree ${budget.minDegree} --epochs ${budget.epochs} --batch-size ${budget.batchSize} --dim ${budget.dim} --negatives ${budget.negatives} --out ${o.out}`,
      `flambeau eval ${o.out} --data wordnet --json`,
    ],
    metrics: { filteredMrr: m.mrr!, "hits@10": m["hits@10"]!, baselineMrr: m.baselineMrr!, "baselineHits@10": m["baselineHits@10"]! },
    history: r.history.epochs.map((e) => ({ loss: e.loss! })),
    seconds: (performance.now() - t0) / 1000,
    extraHtml: `<p>Test facts asked as (head, relation, ?); RotatE's top 5 tails, other known true tails filtered out, the held-out answer in green.</p><table class="text-preds"><tr><th>head</th><th>relation</th><th>true tail</th><th>model's top 5</th></tr>${rows.join("")}</table>`,
  };
}

export const knowledgeGraphCompletion = defineTask<typeof OPTIONS, KgAnswer>({
  name: TASK,
  description:
    "complete (head, relation, tail) facts: TransE, DistMult, ComplEx or RotatE with self-adversarial negative sampling; filtered MRR and Hits@1/3/10 beside the relation-frequency baseline",
  dataFormat: `wordnet (a WN18RR-like graph built from WordNet 3.0, apt wordnet-base), debian-packages (this machine's apt Packages index: Depends, Recommends, Suggests, Conflicts, Provides between packages, Maintainer and Section entities); --min-degree k keeps the k-core of either; or ${TRIPLES_FORMAT}`,
  models: KG_MODELS,
  defaultModel: "rotate",
  options: OPTIONS,
  baseline: "relation frequency: candidates ranked by how often they fill the slot of the relation in training",
  train: trainKg,
  async evaluate(dir, data, o) {
    const { model, pre } = await loadModel(dir);
    try {
      const { kg } = await loadKnowledgeGraph(data, { seed: pre.seed, minDegree: o.minDegree ?? pre.minDegree });
      checkFits(model, kg, dir, data);
      return flatMetrics(evaluateKg(model, kg), kg.test.heads.length);
    } finally {
      model.dispose();
    }
  },
  load,
  formatPrediction,
  demo,
});
