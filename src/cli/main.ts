// The `flambeau` command: tasks, train, eval, predict, compare, serve, bench, demo.
import { join } from "node:path";
import { Command, CommanderError, InvalidArgumentError } from "commander";
import { FlambeauError } from "../core/errors.js";
import { loadModelDir } from "../train/model-dir.js";
import { ProgressBar, SilentProgress } from "../train/progress.js";
import { joinLaunchedGroup, LAUNCHED_ENV, launch } from "./launch.js";
import { getTask, TASKS } from "./registry.js";

const int =
  (name: string) =>
  (v: string): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError(`${name} must be a positive integer, got "${v}"`);
    return n;
  };
const num =
  (name: string) =>
  (v: string): number => {
    const n = Number(v);
    if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`${name} must be a positive number, got "${v}"`);
    return n;
  };
/** Tasks whose `train --init DIR` starts from a saved model. */
const INIT_TASKS = ["text-classification", "image-localization", "image-segmentation", "object-detection", "instance-segmentation"];

const fractionList = (v: string): number[] => {
  const list = v.split(",").map((s) => Number(s.trim()));
  if (!list.length || list.some((f) => !(f > 0 && f <= 1)))
    throw new InvalidArgumentError(`fractions must be comma-separated numbers in (0, 1], got "${v}"`);
  return list;
};
const nonNegative =
  (name: string) =>
  (v: string): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`${name} must be a non-negative integer, got "${v}"`);
    return n;
  };
const nonNegativeNum =
  (name: string) =>
  (v: string): number => {
    const n = Number(v);
    if (!Number.isFinite(n) || n < 0) throw new InvalidArgumentError(`${name} must be a number ≥ 0, got "${v}"`);
    return n;
  };
const portArg = (v: string): number => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError(`port must be an integer in 0..65535, got "${v}"`);
  return n;
};
const seedArg = (v: string): number => {
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < 0) throw new InvalidArgumentError(`seed must be a non-negative integer, got "${v}"`);
  return n;
};

function print(json: boolean, value: unknown, text: () => string): void {
  process.stdout.write(json ? `${JSON.stringify(value)}\n` : `${text()}\n`);
}

function fmtMetrics(m: Record<string, unknown>): string {
  return Object.entries(m)
    .filter(([, v]) => typeof v === "number")
    .map(([k, v]) => `${k}: ${(v as number).toFixed(4)}`)
    .join("\n");
}

export function buildProgram(): Command {
  const program = new Command("flambeau").description("Deep learning for TypeScript on PyTorch's engine").version("0.1.0").exitOverride();

  program
    .command("tasks")
    .description("list the tasks and the data formats they read")
    .option("--json", "print JSON")
    .action((o: { json?: boolean }) => {
      const list = Object.values(TASKS).map((t) => ({
        task: t.name,
        description: t.description,
        data: t.dataFormat,
        models: t.models,
        defaultModel: t.defaultModel,
      }));
      print(Boolean(o.json), list, () =>
        list
          .map((t) => `${t.task}\n  ${t.description}\n  data: ${t.data}\n  models: ${t.models.join(", ")} (default ${t.defaultModel})`)
          .join("\n\n"),
      );
    });

  program
    .command("train")
    .description("train a task's model on --data and save it to --out")
    .argument("<task>", "task name (see `flambeau tasks`)")
    .requiredOption("--data <path>", "training data (a validation split is carved from it unless --val)")
    .option("--val <path>", "validation data")
    .option("--epochs <n>", "epochs", int("epochs"))
    .option("--batch-size <n>", "batch size", int("batch-size"))
    .option("--lr <x>", "peak learning rate", num("lr"))
    .option("--seed <n>", "random seed", seedArg, 0)
    .option("--model <name>", "architecture from the task's zoo")
    .option("--limit <n>", "use at most n training examples", int("limit"))
    .option(
      "--init <dir>",
      "fine-tune from a model directory (text-classification --model bert: a fill-mask run; scene tasks: a model of the same task and classes)",
    )
    .option("--label-fraction <x>", "use this stratified, seeded fraction of the labelled training data", num("label-fraction"))
    .option("--hflip", "image-classification: mirror training images left-right as augmentation")
    .option("--out <dir>", "output model directory")
    .option("--json", "print the final metrics as one JSON object")
    .option("--nproc <n>", "data-parallel worker processes on this machine (c10d/Gloo; threads per process = cores / n)", int("nproc"))
    .option("--nnodes <n>", "machines taking part (each runs this command with its --node-rank)", int("nnodes"))
    .option("--node-rank <k>", "this machine's index in [0, nnodes)", nonNegative("node-rank"))
    .option("--master <host:port>", "node 0's address and a free port there (rank 0 hosts the rendezvous store)")
    .action(
      async (
        taskName: string,
        o: {
          data: string;
          val?: string;
          epochs?: number;
          batchSize?: number;
          lr?: number;
          seed: number;
          model?: string;
          limit?: number;
          init?: string;
          labelFraction?: number;
          hflip?: boolean;
          out?: string;
          json?: boolean;
          nproc?: number;
          nnodes?: number;
          nodeRank?: number;
          master?: string;
        },
      ) => {
        const task = getTask(taskName);
        if (o.model !== undefined && !task.models.includes(o.model))
          throw new FlambeauError("E_ARG", `unknown model "${o.model}" for ${task.name}; models: ${task.models.join(", ")}`);
        // text-classification fine-tunes a pre-trained encoder; the scene tasks continue a saved model of theirs.
        if (o.init !== undefined && !INIT_TASKS.includes(task.name))
          throw new FlambeauError("E_ARG", `--init is supported by ${INIT_TASKS.join(", ")} only, not ${task.name}`);
        if (o.labelFraction !== undefined && task.name !== "text-classification")
          throw new FlambeauError("E_ARG", `--label-fraction is supported by text-classification only, not ${task.name}`);
        if (o.hflip && task.name !== "image-classification")
          throw new FlambeauError("E_ARG", `--hflip is supported by image-classification only, not ${task.name}`);
        const out = o.out ?? `runs/${task.name}-${new Date().toISOString().replace(/[:.]/g, "-")}`;
        const distributedRun = o.nproc !== undefined || o.nnodes !== undefined || o.nodeRank !== undefined || o.master !== undefined;
        if (distributedRun && process.env[LAUNCHED_ENV] !== "1") {
          // The workers run this command without the launch flags; --out is fixed here so all agree.
          const opt = (flag: string, v: unknown): string[] =>
            v === undefined || v === false ? [] : v === true ? [flag] : [flag, String(v)];
          const argv = [
            "train",
            task.name,
            ...opt("--data", o.data),
            ...opt("--val", o.val),
            ...opt("--epochs", o.epochs),
            ...opt("--batch-size", o.batchSize),
            ...opt("--lr", o.lr),
            ...opt("--seed", o.seed),
            ...opt("--model", o.model),
            ...opt("--limit", o.limit),
            ...opt("--init", o.init),
            ...opt("--label-fraction", o.labelFraction),
            ...opt("--hflip", o.hflip),
            ...opt("--out", out),
            ...opt("--json", o.json),
          ];
          await launch({ nproc: o.nproc ?? 1, nnodes: o.nnodes ?? 1, nodeRank: o.nodeRank ?? 0, master: o.master, argv });
          return;
        }
        const worker = await joinLaunchedGroup();
        const quiet = Boolean(o.json) || (worker !== undefined && worker.rank !== 0);
        try {
          const r = await task.train({
            data: o.data,
            val: o.val,
            out: worker?.scratch ?? out,
            model: o.model,
            epochs: o.epochs,
            batchSize: o.batchSize,
            lr: o.lr,
            seed: o.seed,
            limit: o.limit,
            init: o.init,
            labelFraction: o.labelFraction,
            hflip: o.hflip,
            progress: quiet ? new SilentProgress() : new ProgressBar(),
            log: quiet ? () => {} : (s) => process.stderr.write(`${s}\n`),
          });
          if (worker === undefined || worker.rank === 0)
            print(
              Boolean(o.json),
              {
                task: task.name,
                dir: r.dir,
                ...numeric(r.metrics),
                seconds: r.history.seconds,
                ...(worker ? { worldSize: worker.worldSize } : {}),
              },
              () => `saved ${r.dir}\n${fmtMetrics(r.metrics)}`,
            );
        } finally {
          worker?.leave();
        }
      },
    );

  program
    .command("eval")
    .description("evaluate a saved model on test data")
    .argument("<dir>", "model directory written by `flambeau train`")
    .requiredOption("--data <path>", "test data")
    .option("--batch-size <n>", "batch size", int("batch-size"))
    .option("--limit <n>", "evaluate at most n examples", int("limit"))
    .option("--beam <n>", "beam width of the decoder (speech to text, translation, summarization)", int("beam"))
    .option("--lm-weight <x>", "speech to text: weight of the character language model (0: none)", nonNegativeNum("lm-weight"))
    .option("--json", "print one JSON object")
    .action(
      async (dir: string, o: { data: string; batchSize?: number; limit?: number; beam?: number; lmWeight?: number; json?: boolean }) => {
        const { config } = await loadModelDir(dir);
        const task = getTask(config.task);
        const m = await task.evaluate(dir, o.data, { batchSize: o.batchSize, limit: o.limit, beam: o.beam, lmWeight: o.lmWeight });
        print(Boolean(o.json), { task: task.name, ...m }, () => fmtMetrics(m));
      },
    );

  program
    .command("scenes")
    .description("write generated labelled scenes (COCO annotations.json, images/, masks/) for the vision tasks")
    .requiredOption("--out <dir>", "output folder")
    .option("--count <n>", "scenes", int("count"), 1000)
    .option("--objects <source>", "fashion | digits", "fashion")
    .option("--split <split>", "train | test (held-out objects and photos)", "train")
    .option("--size <px>", "scene side", int("size"), 64)
    .option("--min-objects <n>", "objects per scene, at least", int("min-objects"), 1)
    .option("--max-objects <n>", "objects per scene, at most", int("max-objects"), 1)
    .option("--seed <n>", "random seed", seedArg, 0)
    .action(
      async (o: {
        out: string;
        count: number;
        objects: string;
        split: string;
        size: number;
        minObjects: number;
        maxObjects: number;
        seed: number;
      }) => {
        const { generateScenes, writeSceneDataset } = await import("../vision/scenes/index.js");
        if (o.split !== "train" && o.split !== "test") throw new FlambeauError("E_ARG", `--split must be train or test, got "${o.split}"`);
        if (o.objects !== "fashion" && o.objects !== "digits")
          throw new FlambeauError("E_ARG", `--objects must be fashion or digits, got "${o.objects}"`);
        const set = await generateScenes({ ...o, objects: o.objects, split: o.split });
        await writeSceneDataset(o.out, set);
        process.stdout.write(`wrote ${set.scenes.length} scenes to ${o.out}\n`);
      },
    );

  program
    .command("predict")
    .description("run a saved model on inputs (files or text)")
    .argument("<dir>", "model directory")
    .argument("<inputs...>", "inputs")
    .option("--top-k <k>", "labels to show (generation: sample from the k likeliest tokens)", int("top-k"))
    .option("--topic <name>", "generation: condition on this topic")
    .option("--max-new-tokens <n>", "generation: tokens to produce at most", int("max-new-tokens"))
    .option("--temperature <x>", "generation: sampling temperature", num("temperature"))
    .option("--cutout <png>", "segmentation: write an RGBA cut-out of the foreground")
    .option("--background <image>", "segmentation: composite the foreground on this image (with --out)")
    .option("--out <png>", "segmentation: where --background writes the composite")
    .option("--draw <png>", "detection: write the image with the boxes (and masks) drawn to this PNG")
    .option("--beam <n>", "beam width of the decoder (speech to text, translation, summarization)", int("beam"))
    .option("--lm-weight <x>", "speech to text: weight of the character language model (0: none)", nonNegativeNum("lm-weight"))
    .option("--json", "print JSON")
    .action(
      async (
        dir: string,
        inputs: string[],
        o: {
          topK?: number;
          topic?: string;
          maxNewTokens?: number;
          temperature?: number;
          beam?: number;
          lmWeight?: number;
          json?: boolean;
          cutout?: string;
          background?: string;
          out?: string;
          draw?: string;
        },
      ) => {
        const { config } = await loadModelDir(dir);
        const task = getTask(config.task);
        // Generated text streams to stdout as it is produced (unless --json).
        const stream = !o.json && task.name === "text-generation" && inputs.length === 1;
        let first = true;
        const preds = await task.predict(dir, inputs, {
          topK: o.topK ?? (task.name === "text-generation" ? undefined : 3),
          topic: o.topic,
          maxNewTokens: o.maxNewTokens,
          temperature: o.temperature,
          cutout: o.cutout,
          background: o.background,
          out: o.out,
          draw: o.draw,
          beam: o.beam,
          lmWeight: o.lmWeight,
          onText: stream
            ? (t) => {
                if (first) process.stdout.write(inputs[0] ?? "");
                first = false;
                process.stdout.write(t);
              }
            : undefined,
        });
        if (stream) process.stdout.write("\n");
        else print(Boolean(o.json), preds, () => preds.map((p, i) => `${inputs[i]}: ${task.formatPrediction(p)}`).join("\n"));
      },
    );

  program
    .command("compare")
    .description("hand-made features + a linear model against the task's deep model, over training-set sizes and seeds")
    .argument("<task>", "task name (see `flambeau tasks`)")
    .requiredOption("--data <path>", "data, as for `flambeau train` (its test split is the test set)")
    .option("--fractions <list>", "fractions of the training set, comma-separated", fractionList, [0.01, 0.03, 0.1, 0.3, 1])
    .option("--seeds <n>", "seeds per size", int("seeds"), 3)
    .option("--epochs <n>", "epochs of the deep model (default: the task's schedule)", int("epochs"))
    .option("--shallow-only", "train only the shallow pipeline")
    .option("--out <dir>", "where compare.json, compare.md and compare.html go", "runs/compare")
    .option("--json", "print the report as JSON")
    .action(
      async (
        taskName: string,
        o: { data: string; fractions: number[]; seeds: number; epochs?: number; shallowOnly?: boolean; out: string; json?: boolean },
      ) => {
        const { writeCompareReport } = await import("./compare-report.js");
        const { compare, shallowPipelineFor } = await import("../compare/index.js");
        const task = getTask(taskName).name;
        const report = await compare(task, {
          data: o.data,
          fractions: o.fractions,
          seeds: o.seeds,
          epochs: o.epochs,
          shallowOnly: o.shallowOnly,
          keepModel: join(o.out, "model"),
          log: o.json ? () => {} : (s) => process.stderr.write(`${s}\n`),
        });
        const inspect = shallowPipelineFor(task).inspect;
        const inspection = report.modelDir && inspect ? await inspect(report.modelDir, o.data) : undefined;
        const table = await writeCompareReport(report, o.out, inspection);
        print(Boolean(o.json), report, () => table);
      },
    );

  program
    .command("serve")
    .description('serve a saved model over HTTP: GET /health, POST /predict {"inputs": [...]} (predictions run in a worker thread)')
    .argument("<dir>", "model directory written by `flambeau train`")
    .option("--port <n>", "TCP port (0: any free port)", portArg, 8080)
    .option("--host <addr>", "interface to listen on", "127.0.0.1")
    .action(async (dir: string, o: { port: number; host: string }) => {
      const { serve } = await import("../serve/server.js");
      const s = await serve(dir, { port: o.port, host: o.host, log: (line) => process.stderr.write(`${line}\n`) });
      process.stdout.write(`serving ${s.task} model ${dir} on ${s.url} (POST /predict, GET /health); Ctrl-C stops\n`);
      await new Promise<void>((resolve) => {
        const stop = () => void s.close().then(resolve);
        process.once("SIGINT", stop);
        process.once("SIGTERM", stop);
      });
    });

  program
    .command("bench")
    .description("benchmark suite against PyTorch and TensorFlow.js; writes bench/results/<machine>-<date>.json")
    .option("--smoke", "one tiny iteration of each workload (proves the suite runs; figures mean nothing)")
    .option("--only <list>", "comma-separated workloads (engine, mlp, cnn, lstm, transformer, gcn, data, inference, event-loop)")
    .option("--threads <n>", "libtorch threads for Flambeau and PyTorch", int("threads"))
    .option("--out <file>", "result JSON file")
    .option("--no-pytorch", "skip the PyTorch side")
    .option("--no-tfjs", "skip the TensorFlow.js side")
    .action(async (o: { smoke?: boolean; only?: string; threads?: number; out?: string; pytorch: boolean; tfjs: boolean }) => {
      const { runSuite } = await import("../../bench/suite.js");
      const r = await runSuite({
        smoke: o.smoke,
        only: o.only?.split(","),
        threads: o.threads,
        out: o.out,
        pytorch: o.pytorch,
        tfjs: o.tfjs,
      });
      process.stdout.write(`${r.table}\n`);
      if (r.errors.length) process.stderr.write(`flambeau bench: ${r.errors.length} side(s) failed:\n${r.errors.join("\n")}\n`);
    });

  program
    .command("demo")
    .description("train and evaluate every task on bundled data; write an HTML report")
    .option("--full", "full budgets (reproduces the README's figures)")
    .option("--out <dir>", "report directory", "runs/demo")
    .action(async (o: { full?: boolean; out: string }) => {
      const { runDemo } = await import("./demo.js");
      await runDemo({ full: Boolean(o.full), out: o.out });
    });

  return program;
}

function numeric(m: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(m).filter(([k]) => k !== "confusionMatrix"));
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv, { from: "user" });
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === "commander.helpDisplayed" || e.code === "commander.version" || e.code === "commander.help") return 0;
      return 2; // commander already printed the one-line error
    }
    const msg = e instanceof Error ? e.message : String(e);
    process.stderr.write(`flambeau: ${msg}\n`);
    if (process.env.FLAMBEAU_DEBUG && e instanceof Error) process.stderr.write(`${e.stack}\n`);
    return 2;
  }
}
