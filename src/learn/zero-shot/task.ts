// The `zero-shot` task: a glyph-image ↔ character-name dual encoder trained with CLIP's loss
// on the background alphabets, evaluated by naming the characters of held-out alphabets
// among N candidate names, and predicting query images against a file of candidate names.
// A task of its own rather than a few-shot model: it has no support images, its evaluation
// and predictions take names, and its options (candidates, names file) are not few-shot's.
import { readFileSync } from "node:fs";
import { FlambeauError } from "../../core/errors.js";
import { manualSeed } from "../../core/index.js";
import { Adam } from "../../optim/index.js";
import { escapeHtml } from "../../tasks/html.js";
import { opt } from "../../tasks/options.js";
import { type DemoOptions, type DemoSection, defineTask, type Predictor, type TaskTrainResult, type TrainInput } from "../../tasks/task.js";
import { loadModelDir, saveModelDir } from "../../train/model-dir.js";
import { Trainer } from "../../train/trainer.js";
import { imagesTensor } from "../few-shot/episodes.js";
import { glyphFigure } from "../few-shot/glyph-figure.js";
import { readQueries } from "../few-shot/support.js";
import { loadZeroShotData, type NameBatch, nameBatches } from "./data.js";
import { classifyByName, perAlphabetScores, type ZeroShotScore, zeroShotAccuracy, zeroShotScores } from "./evaluate.js";
import { GlyphNameEncoder, type GlyphNameOptions } from "./model.js";
import { stripScript } from "./names.js";

const TASK = "zero-shot";
const MODELS = ["dual-encoder"] as const;

const OPTIONS = {
  steps: opt.int("training batches per epoch (each: --batch-size characters of one background alphabet)", {
    phases: ["train"],
    default: 1000,
  }),
  ways: opt.string('candidate names per query, comma-separated: numbers and/or "all" (the whole alphabet)', {
    phases: ["eval"],
    default: "5,20,all",
  }),
  queries: opt.int("query images per character in an N-way episode", { phases: ["eval"], default: 5 }),
  testEpisodes: opt.int("N-way test episodes (accuracy ± 95 % interval over them)", { phases: ["eval"], default: 1000 }),
  names: opt.path("text file of candidate names, one per line", { phases: ["predict"] }),
  script: opt.string('the candidates\' script, whose words are dropped from the names as in training (e.g. "Greek")', {
    phases: ["predict"],
  }),
};

type Preprocessing = { size: number; data: string };

/** "5,20,all" → [5, 20, "all"]. */
export function parseWays(spec: string): (number | "all")[] {
  const out = spec.split(",").map((w) => {
    const t = w.trim();
    if (t === "all") return "all" as const;
    const n = Number(t);
    if (!Number.isInteger(n) || n < 2)
      throw new FlambeauError("E_ARG", `${TASK}: --ways takes integers ≥ 2 and "all", got "${t}" in "${spec}"`);
    return n;
  });
  return out;
}

async function train(o: TrainInput & { steps?: number }): Promise<TaskTrainResult> {
  manualSeed(o.seed);
  const data = await loadZeroShotData(o.data);
  const model = new GlyphNameEncoder();
  const trainer = new Trainer<NameBatch>({
    name: TASK,
    model,
    optimizer: new Adam(model.parameters(), { lr: o.lr ?? 1e-3 }),
    step: (b) => model.loss(b.images, b.names),
    batchSize: (b) => b.names.length,
    progress: o.progress,
    seed: o.seed,
  });
  const batch = o.batchSize ?? 32;
  o.log(`${TASK}: ${data.background.length} background alphabets, ${data.evaluation.length} held out; batches of ${batch} characters`);
  const history = await trainer.fit(nameBatches(data, batch, o.steps ?? 1000, o.seed), { epochs: o.epochs ?? 8 });
  const s = zeroShotAccuracy(zeroShotScores(model, data), 5, { episodes: 200, seed: o.seed });
  const metrics = { heldOut5WayAccuracy: s.accuracy, heldOut5WayCi95: s.ci95, nearestNameBaseline: s.baseline.accuracy, chance: s.chance };
  await saveModelDir<GlyphNameOptions, Preprocessing>(
    o.out,
    {
      task: TASK,
      architecture: "dual-encoder",
      hyper: model.o,
      preprocessing: { size: 28, data: o.data },
      metrics: { validation: metrics },
    },
    model.stateDict(),
  );
  return { dir: o.out, metrics, history };
}

async function loadModel(dir: string) {
  const { config, weights } = await loadModelDir<GlyphNameOptions, Preprocessing>(dir, TASK);
  const model = new GlyphNameEncoder(config.hyper);
  model.loadStateDict(weights);
  model.eval();
  return model;
}

async function evaluate(dir: string, data: string, o: { ways?: string; queries?: number; testEpisodes?: number }) {
  const ways = parseWays(o.ways ?? "5,20,all");
  const model = await loadModel(dir);
  try {
    const scores = zeroShotScores(model, await loadZeroShotData(data));
    const results: ZeroShotScore[] = ways.map((w) =>
      zeroShotAccuracy(scores, w, { episodes: o.testEpisodes ?? 1000, queries: o.queries ?? 5 }),
    );
    return { results, alphabets: scores.map((s) => s.alphabet), perAlphabet: perAlphabetScores(scores) };
  } finally {
    model.dispose();
  }
}

export interface ZeroShotPrediction {
  label: string;
  probability: number;
}

async function load(dir: string): Promise<Predictor<ZeroShotPrediction, { names?: string; script?: string }>> {
  const model = await loadModel(dir);
  return {
    task: TASK,
    async predict(inputs, o = {}) {
      if (!o.names) throw new FlambeauError("E_ARG", `${TASK}: predict needs --names <file of candidate names, one per line>`);
      let text: string;
      try {
        text = readFileSync(o.names, "utf8");
      } catch (e) {
        throw new FlambeauError("E_IO", `${TASK}: cannot read --names ${o.names} (${(e as Error).message})`);
      }
      const names = text
        .split("\n")
        .map((l) => l.trim())
        .filter(Boolean);
      if (names.length < 2) throw new FlambeauError("E_ARG", `${TASK}: --names ${o.names} holds ${names.length} name(s); give 2 or more`);
      const queries = await readQueries(inputs);
      const stripped = names.map((n) => (o.script ? stripScript(n, o.script) : n));
      const p = classifyByName(model, imagesTensor(queries, queries.first), stripped);
      return p.map((row) => {
        const best = row.indexOf(Math.max(...row));
        return { label: names[best]!, probability: row[best]! };
      });
    },
    dispose: () => model.dispose(),
  };
}

async function demo(o: DemoOptions): Promise<DemoSection> {
  const t0 = performance.now();
  const budget = o.full ? { steps: 1000, epochs: 8, episodes: 1000 } : { steps: 100, epochs: 3, episodes: 200 };
  const r = await train({ data: "glyphs", out: o.out, seed: 0, progress: o.progress, log: o.log ?? (() => {}), ...budget });
  const model = await loadModel(o.out);
  try {
    const data = await loadZeroShotData("glyphs");
    const scores = zeroShotScores(model, data);
    const s = zeroShotAccuracy(scores, 5, { episodes: budget.episodes });
    // Where the names transfer: each held-out alphabet named among all its own letters, best first.
    const alphabets = perAlphabetScores(scores).sort((x, y) => y.accuracy - y.chance - (x.accuracy - x.chance));
    const rows = alphabets
      .map(
        (a) =>
          `<tr><td>${escapeHtml(a.alphabet)}</td><td>${(100 * a.accuracy).toFixed(1)} %</td><td>${(100 * a.baseline).toFixed(1)} %</td><td>${(100 * a.chance).toFixed(1)} %</td></tr>`,
      )
      .join("");
    // The first letters of the best alphabet, each with the name the model gives it among the alphabet's names.
    const best = data.evaluation.find((e) => e.name === alphabets[0]!.alphabet)!;
    const shown = Array.from({ length: Math.min(8, best.first.length) }, (_, k) => k);
    const images = imagesTensor(
      data.pool,
      shown.map((k) => best.first[k]!),
    );
    let figures: string[];
    try {
      const p = classifyByName(model, images, best.stripped);
      figures = await Promise.all(
        shown.map((k, i) => {
          const row = p[i]!;
          const pick = row.indexOf(Math.max(...row));
          return glyphFigure(images, i, `${best.stripped[pick]}${pick === k ? "" : ` (is ${best.stripped[k]})`}`, pick === k);
        }),
      );
    } finally {
      images.dispose();
    }
    return {
      task: TASK,
      dataset: `Unicode names of ${data.evaluation.length} held-out alphabets' letters (glyphs rendered from Noto fonts)`,
      commands: [
        `flambeau train ${TASK} --data glyphs --steps ${budget.steps} --epochs ${budget.epochs} --out ${o.out}`,
        `flambeau eval ${o.out} --data glyphs --ways 5,20,all --test-episodes ${budget.episodes} --json`,
      ],
      metrics: { accuracy5Way: s.accuracy, ci95: s.ci95, nearestName: s.baseline.accuracy, chance: s.chance },
      history: r.history.epochs.map((h) => ({ loss: h.loss! })),
      seconds: (performance.now() - t0) / 1000,
      extraHtml: `<p>Letters of ${escapeHtml(best.name)}, never seen in training, each named by the model among all ${best.stripped.length} of its letters' names (green: right).</p><div>${figures.join("")}</div><p>Each held-out alphabet named among all its own letters: model, nearest-name baseline, chance.</p><table><tr><th>alphabet</th><th>model</th><th>nearest-name</th><th>chance</th></tr>${rows}</table>`,
    };
  } finally {
    model.dispose();
  }
}

export const zeroShot = defineTask({
  name: TASK,
  description:
    "zero-shot classification: glyph images matched to Unicode character names (CLIP-style dual encoder), tested on held-out alphabets",
  dataFormat: '"glyphs" or "glyphs:<options>" (the few-shot glyph set: Noto-rendered letters with their Unicode names)',
  models: MODELS,
  defaultModel: "dual-encoder",
  options: OPTIONS,
  baseline: "chance (1/N) and nearest-name (the nearest background character's name, by trigram similarity)",
  train,
  evaluate,
  load,
  formatPrediction: (p) => `${p.label} ${(100 * p.probability).toFixed(1)}%`,
  demo,
});
