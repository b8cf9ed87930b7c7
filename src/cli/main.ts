// The `flambeau` command: tasks, train, eval, predict, tune, compress, compare, serve, bench, demo, data inspect.
// The train / eval / predict / tune flags of a task come from its declaration (src/tasks): the task
// named on the command line (or held by the model directory) adds its own options.
// Only commander and the task catalog load up front: the engine, the registry and the
// commands' code are imported by the command that runs (--help, --version and `tasks` need none).
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Command, CommanderError, InvalidArgumentError, Option } from "commander";
import { FlambeauError } from "../core/errors.js";
import { FLAMBEAU_VERSION } from "../core/version.js";
import { type TaskInfo, taskCatalog } from "../tasks/catalog.js";
import { formatMetric } from "../tasks/format.js";
import { flagOf, type Phase } from "../tasks/options.js";
import type { Task } from "../tasks/task.js";
import { addNasCommand } from "./nas.js";

const registry = () => import("../tasks/registry.js");
const readModelConfig = async (dir: string) => (await import("../train/model-dir.js")).readModelConfig(dir);

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

const fractionList = (v: string): number[] => {
  const list = v.split(",").map((s) => Number(s.trim()));
  if (!list.length || list.some((f) => !(f > 0 && f <= 1)))
    throw new InvalidArgumentError(`fractions must be comma-separated numbers in (0, 1], got "${v}"`);
  return list;
};
/** Pruning amounts: numbers, range-checked by compress itself (its errors name the value). */
const amountList = (v: string): number[] => {
  const list = v.split(",").map((s) => Number(s.trim()));
  if (list.some((f) => Number.isNaN(f) || v.trim() === ""))
    throw new InvalidArgumentError(`--prune takes comma-separated fractions, got "${v}"`);
  return list;
};
const nonNegative =
  (name: string) =>
  (v: string): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`${name} must be a non-negative integer, got "${v}"`);
    return n;
  };
const portArg = (v: string): number => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError(`port must be an integer in 0..65535, got "${v}"`);
  return n;
};
const patternList = (v: string): string[] => {
  const list = v.split(",").map((s) => s.trim());
  if (list.some((s) => s === "")) throw new InvalidArgumentError(`patterns must be comma-separated non-empty names, got "${v}"`);
  return list;
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
    .map(([k, v]) => `${k}: ${formatMetric(v as number)}`)
    .join("\n");
}

const VALUE_NAME: Readonly<Record<string, string>> = { int: "n", count: "n", number: "x", fraction: "x", string: "text", path: "path" };

/** Adds a task's declared options for one command (each parsed and checked by its declaration). */
function addTaskOptions(cmd: Command, task: Task | undefined, phase: Phase): void {
  if (!task) return;
  for (const [key, spec] of Object.entries(task.options)) {
    if (!spec.phases.includes(phase)) continue;
    const flag = flagOf(key);
    const value = spec.choices ? spec.choices.join("|") : VALUE_NAME[spec.type];
    const o = new Option(spec.type === "flag" ? flag : `${flag} <${value}>`, `${task.name}: ${spec.help}`);
    if (spec.type !== "flag")
      o.argParser((raw: string) => {
        try {
          return spec.parse(raw, flag);
        } catch (e) {
          throw new InvalidArgumentError((e as Error).message);
        }
      });
    if (spec.default !== undefined) o.default(spec.default);
    cmd.addOption(o);
  }
}

/** The parsed values of a task's declared options for one command. */
function taskValues(task: Task, phase: Phase, o: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, spec] of Object.entries(task.options)) if (spec.phases.includes(phase) && o[key] !== undefined) out[key] = o[key];
  return out;
}

/** The task a command line is about: `train <task>`, or the task a model directory holds (eval, predict). */
async function taskOfArgv(argv: readonly string[]): Promise<{ task: Task; phase: Phase } | undefined> {
  const [command, first] = argv;
  try {
    if ((command === "train" || command === "tune") && first !== undefined && !first.startsWith("-")) {
      const { getTask, TASKS } = await registry();
      if (Object.hasOwn(TASKS, first)) return { task: getTask(first), phase: "train" };
    }
    if ((command === "eval" || command === "predict") && first !== undefined && !first.startsWith("-"))
      return { task: (await registry()).getTask((await readModelConfig(first)).task), phase: command };
  } catch {
    // not a model directory: the command itself reports it
  }
  return undefined;
}

function describeTask(t: TaskInfo): string {
  const opts = Object.entries(t.options).map(
    ([k, s]) => `    ${flagOf(k)} (${s.phases.join("/")}) ${s.help}${s.default !== undefined ? ` [default ${String(s.default)}]` : ""}`,
  );
  return [
    t.name,
    `  ${t.description}`,
    `  data: ${t.dataFormat}`,
    `  models: ${t.models.join(", ")} (default ${t.defaultModel})`,
    ...(opts.length ? ["  options:", ...opts] : []),
  ].join("\n");
}

/** The program; `named` is the task whose own options train / eval / predict / tune take (see taskOfArgv). */
export function buildProgram(named?: { task: Task; phase: Phase }, argv: readonly string[] = []): Command {
  const program = new Command("flambeau")
    .description("Deep learning for TypeScript on PyTorch's engine")
    .version(FLAMBEAU_VERSION)
    .exitOverride()
    .showSuggestionAfterError(false);

  program
    .command("tasks")
    .description("list the tasks, the data formats they read and their options")
    .option("--json", "print JSON")
    .action(async (o: { json?: boolean }) => {
      const tasks = await taskCatalog();
      const list = tasks.map((t) => ({
        task: t.name,
        description: t.description,
        data: t.dataFormat,
        models: t.models,
        defaultModel: t.defaultModel,
        options: Object.fromEntries(
          Object.entries(t.options).map(([k, s]) => [
            k,
            { flag: flagOf(k), type: s.type, help: s.help, phases: s.phases, default: s.default, choices: s.choices },
          ]),
        ),
      }));
      print(Boolean(o.json), list, () => tasks.map(describeTask).join("\n\n"));
    });

  const train = program
    .command("train")
    .description("train a task's model on --data and save it to --out (`flambeau train <task> --help` lists the task's own options)")
    .argument("<task>", "task name (see `flambeau tasks`)")
    .requiredOption("--data <path>", "training data (a validation split is carved from it unless --val)")
    .option("--val <path>", "validation data")
    .option("--epochs <n>", "epochs", int("epochs"))
    .option("--batch-size <n>", "batch size", int("batch-size"))
    .option("--lr <x>", "peak learning rate", num("lr"))
    .option("--seed <n>", "random seed", seedArg, 0)
    .option(
      "--deterministic",
      "bit-identical reruns on this machine and thread count: deterministic algorithms, fixed threads, everything seeded from --seed",
    )
    .option("--model <name>", "architecture from the task's zoo")
    .option("--limit <n>", "use at most n training examples", int("limit"))
    .option("--out <dir>", "output model directory")
    .option("--checkpoint <file>", "save model, optimizer, schedule and epoch here after every epoch")
    .option("--resume", "continue from --checkpoint when it exists")
    .option("--event-log <file>", "append one JSON object per epoch (losses, metrics, lr, time) to this file")
    .option(
      "--freeze <patterns>",
      "freeze parameters by name pattern, comma-separated ('features.*,classifier.0.*'); frozen BatchNorm keeps its statistics",
      patternList,
    )
    .option("--json", "print the final metrics as one JSON object")
    .option("--dp-clip <x>", "DP-SGD: clip each example's gradient to this L2 norm (with --dp-noise or --dp-epsilon)", num("dp-clip"))
    .option("--dp-noise <x>", "DP-SGD: noise multiplier σ (noise std σ·clip on the summed gradient)", num("dp-noise"))
    .option("--dp-epsilon <x>", "DP-SGD: target ε; the RDP accountant picks σ for the planned epochs", num("dp-epsilon"))
    .option("--dp-delta <x>", "DP-SGD: δ (default 1e-5)", num("dp-delta"))
    .option("--nproc <n>", "data-parallel worker processes on this machine (c10d/Gloo; threads per process = cores / n)", int("nproc"))
    .option("--nnodes <n>", "machines taking part (each runs this command with its --node-rank)", int("nnodes"))
    .option("--node-rank <k>", "this machine's index in [0, nnodes)", nonNegative("node-rank"))
    .option("--master <host:port>", "node 0's address and a free port there (rank 0 hosts the rendezvous store)");
  if (named?.phase === "train") addTaskOptions(train, named.task, "train");
  // A task with its own --init (which also brings labels or a vocabulary) handles it; others load the weights by key.
  if (named?.phase !== "train" || named.task.options.init === undefined)
    train.option(
      "--init <path>",
      "start from these weights (a model directory or a .safetensors file, e.g. a torchvision checkpoint), loaded by key",
    );
  train.action(
    async (
      taskName: string,
      o: {
        data: string;
        val?: string;
        epochs?: number;
        batchSize?: number;
        lr?: number;
        seed: number;
        deterministic?: boolean;
        model?: string;
        limit?: number;
        out?: string;
        checkpoint?: string;
        resume?: boolean;
        eventLog?: string;
        freeze?: string[];
        init?: string;
        json?: boolean;
        nproc?: number;
        nnodes?: number;
        nodeRank?: number;
        master?: string;
        dpClip?: number;
        dpNoise?: number;
        dpEpsilon?: number;
        dpDelta?: number;
      } & Record<string, unknown>,
    ) => {
      const task = (await registry()).getTask(taskName);
      if (o.model !== undefined && !task.models.includes(o.model))
        throw new FlambeauError("E_ARG", `unknown model "${o.model}" for ${task.name}; models: ${task.models.join(", ")}`);
      const own = taskValues(task, "train", o);
      const out = o.out ?? `runs/${task.name}-${new Date().toISOString().replace(/[:.]/g, "-")}`;
      const distributedRun = o.nproc !== undefined || o.nnodes !== undefined || o.nodeRank !== undefined || o.master !== undefined;
      const { joinLaunchedGroup, LAUNCHED_ENV, launch } = await import("./launch.js");
      if (distributedRun && (o.dpClip ?? o.dpNoise ?? o.dpEpsilon) !== undefined)
        throw new FlambeauError("E_ARG", "--dp-* (DP-SGD) with data-parallel training (--nproc/--nnodes) is not built");
      if (distributedRun && process.env[LAUNCHED_ENV] !== "1") {
        // The workers run this command without the launch flags; --out is fixed here so all agree.
        const flag = (key: string, v: unknown): string[] =>
          v === undefined || v === false ? [] : v === true ? [flagOf(key)] : [flagOf(key), String(v)];
        const common = {
          data: o.data,
          val: o.val,
          epochs: o.epochs,
          batchSize: o.batchSize,
          lr: o.lr,
          seed: o.seed,
          deterministic: o.deterministic,
          model: o.model,
          limit: o.limit,
          checkpoint: o.checkpoint,
          resume: o.resume,
          eventLog: o.eventLog,
          freeze: o.freeze?.join(","),
          ...(task.options.init === undefined ? { init: o.init } : {}),
        };
        const argv = [
          "train",
          task.name,
          ...Object.entries({ ...common, ...own }).flatMap(([k, v]) => flag(k, v)),
          ...flag("out", out),
          ...flag("json", o.json),
        ];
        await launch({ nproc: o.nproc ?? 1, nnodes: o.nnodes ?? 1, nodeRank: o.nodeRank ?? 0, master: o.master, argv });
        return;
      }
      if (o.resume && o.checkpoint === undefined) throw new FlambeauError("E_ARG", "--resume needs --checkpoint <file>");
      const { setRunSettings } = await import("../train/run-settings.js");
      const { ProgressBar, SilentProgress } = await import("../train/progress.js");
      const worker = await joinLaunchedGroup();
      const quiet = Boolean(o.json) || (worker !== undefined && worker.rank !== 0);
      setRunSettings({
        checkpoint: o.checkpoint,
        resume: o.resume,
        eventLog: o.eventLog,
        freeze: o.freeze,
        init: task.options.init === undefined ? o.init : undefined,
        ...(o.dpClip !== undefined || o.dpNoise !== undefined || o.dpEpsilon !== undefined
          ? { dp: { clip: o.dpClip ?? 1, noiseMultiplier: o.dpNoise, epsilon: o.dpEpsilon, delta: o.dpDelta } }
          : {}),
        log: quiet ? undefined : (s) => process.stderr.write(`${s}\n`),
      });
      try {
        const r = await task.train({
          ...own,
          data: o.data,
          val: o.val,
          out: worker?.scratch ?? out,
          model: o.model,
          epochs: o.epochs,
          batchSize: o.batchSize,
          lr: o.lr,
          seed: o.seed,
          deterministic: o.deterministic,
          limit: o.limit,
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

  const tuneCmd = program
    .command("tune")
    .description(
      "search a task's options (lr, the task's searchable options, architecture choices) with a study of small trainings; resumable (--out/study.jsonl), best model in --out/best",
    )
    .argument("<task>", "task name (see `flambeau tasks`)")
    .requiredOption("--data <path>", "training data, as for `flambeau train` (validation carved from it unless --val)")
    .option("--val <path>", "validation data")
    .requiredOption("--trials <n>", "trials to finish (an interrupted study resumes and counts its finished ones)", int("trials"))
    .option("--sampler <name>", "random | tpe (Tree-structured Parzen Estimator after --startup-trials random ones)", "tpe")
    .option("--no-default-trial", "skip trial 0, the task's default recipe at the same budget (never pruned: the study's floor)")
    .option("--parallel <n>", "trials at once, each in a worker process with ⌊cores / n⌋ engine threads", int("parallel"), 1)
    .option("--pruner <name>", "asha (successive halving over epochs) | hyperband (brackets of it, Li et al. 2018) | none", "asha")
    .option(
      "--space <file|json>",
      'the search space as JSON: {"lr": {"type": "float", "low": 1e-4, "high": 1e-2, "log": true}, "model": ["small-cnn", "lenet5"]}',
    )
    .option(
      "--param <spec>",
      "add or replace one parameter: NAME=log:LOW:HIGH, float:LOW:HIGH, int:LOW:HIGH, intlog:LOW:HIGH or choice:A,B (repeatable)",
      (v: string, prev: string[] = []) => [...prev, v],
    )
    .option("--epochs <n>", "epochs per trial (ASHA's largest resource)", int("epochs"), 3)
    .option("--limit <n>", "training examples per trial", int("limit"))
    .option("--seed <n>", "seed of the sampler and of every trial's training", seedArg, 0)
    .option("--deterministic", "every trial a deterministic run (as `train --deterministic`): a rerun repeats the study")
    .option("--metric <name>", "validation metric to rank by (as `flambeau train --json` prints it)", "accuracy")
    .option("--direction <d>", "maximize | minimize (default: minimize for losses and error rates)")
    .option("--min-epochs <n>", "ASHA / Hyperband: epochs before the first rung", int("min-epochs"), 1)
    .option("--reduction-factor <n>", "ASHA / Hyperband: η, one trial in η goes on at each rung", int("reduction-factor"), 3)
    .option("--startup-trials <n>", "TPE: random trials before the model", int("startup-trials"), 10)
    .option(
      "--final-epochs <n>",
      "retrain the best params for n epochs on all the data (default: keep the best trial's model)",
      int("final-epochs"),
    )
    .option("--batch-size <n>", "fixed batch size (or search batchSize)", int("batch-size"))
    .option("--model <name>", "fixed architecture from the task's zoo (or search model)")
    .option("--lr <x>", "fixed peak learning rate (takes lr out of the default space)", num("lr"))
    .requiredOption("--out <dir>", "study folder: study.jsonl, best.json, trials.md, report.html, best/")
    .option("--json", "print the best trial as one JSON object");
  if (named?.phase === "train" && argv[0] === "tune") addTaskOptions(tuneCmd, named.task, "train");
  tuneCmd.action(async (taskName: string, o: import("./tune.js").TuneCliOptions & { json?: boolean } & Record<string, unknown>) => {
    const task = (await registry()).getTask(taskName);
    const { runTuneCli } = await import("./tune.js");
    const quiet = Boolean(o.json);
    // Only the options given on the command line are fixed: a declared default must not take its option out of the space.
    const own = Object.fromEntries(Object.entries(taskValues(task, "train", o)).filter(([k]) => tuneCmd.getOptionValueSource(k) === "cli"));
    const r = await runTuneCli(task, o, own, argv, quiet ? () => {} : (s) => process.stderr.write(`${s}\n`));
    const best = r.best
      ? { trial: r.best.number, value: r.best.value, params: r.best.params, isDefault: r.best.isDefault === true, metrics: r.best.metrics }
      : undefined;
    print(Boolean(o.json), { task: task.name, out: o.out, bestModel: r.bestModel, seconds: r.seconds, best }, () =>
      best
        ? `best trial ${best.trial}: ${o.metric} ${best.value!.toFixed(4)} with ${best.isDefault ? "the task's default recipe" : JSON.stringify(best.params)}\nmodel: ${r.bestModel}\nreport: ${join(o.out, "report.html")}`
        : `no trial completed; report: ${join(o.out, "report.html")}`,
    );
  });

  addNasCommand(program);

  const evalCmd = program
    .command("eval")
    .description("evaluate a saved model on test data")
    .argument("<dir>", "model directory written by `flambeau train`")
    .requiredOption("--data <path>", "test data")
    .option("--batch-size <n>", "batch size", int("batch-size"))
    .option("--limit <n>", "evaluate at most n examples", int("limit"))
    .option(
      "--include-training-data",
      "also score examples the model was trained on (by default, data overlapping the training split the model folder records is scored on its held-out part only)",
    )
    .option("--json", "print one JSON object");
  if (named?.phase === "eval") addTaskOptions(evalCmd, named.task, "eval");
  evalCmd.action(
    async (
      dir: string,
      o: { data: string; batchSize?: number; limit?: number; includeTrainingData?: boolean; json?: boolean } & Record<string, unknown>,
    ) => {
      const task = (await registry()).getTask((await readModelConfig(dir)).task);
      const m = await task.evaluate(dir, o.data, {
        ...taskValues(task, "eval", o),
        batchSize: o.batchSize,
        limit: o.limit,
        includeTrainingData: o.includeTrainingData,
      });
      const overlap = m.trainingOverlap as import("../data/split-overlap.js").TrainingOverlap | undefined;
      if (overlap) process.stderr.write(`${(await import("../data/split-overlap.js")).overlapLine(overlap)}\n`);
      print(Boolean(o.json), { task: task.name, ...m }, () => fmtMetrics(m));
    },
  );

  const data = program.command("data").description("look at a data set before training on it, or convert it");
  data
    .command("inspect")
    .description(
      "class counts, image sizes, clip and token lengths, exact duplicates (within --data and shared with --val/--test) and the first problems found",
    )
    .requiredOption("--task <task>", "the task the data is for (it picks the format)")
    .requiredOption("--data <path>", "the data, as `flambeau train` takes it (an ImageFolder with train/ and test/ inspects both)")
    .option("--val <path>", "a validation split to check for duplicates of --data")
    .option("--test <path>", "a test split to check for duplicates of --data")
    .option("--json", "print one JSON object")
    .action(async (o: { task: string; data: string; val?: string; test?: string; json?: boolean }) => {
      const { inspectData, formatSummary } = await import("./inspect/index.js");
      const r = await inspectData(o);
      print(Boolean(o.json), r, () => [r.data, ...r.splits].map(formatSummary).join("\n\n"));
    });
  data
    .command("convert")
    .description(
      "turn a CSV graph (nodes.csv + edges.csv) into an on-disk graph store that node-classification reads in pieces (--data store:DIR); reads each file in passes, never whole",
    )
    .requiredOption("--data <folder>", "the folder with nodes.csv and edges.csv")
    .requiredOption("--out <dir>", "the store folder to write (written beside and renamed into place)")
    .option("--json", "print the store's metadata as JSON")
    .action(async (o: { data: string; out: string; json?: boolean }) => {
      const { convertCsvToStore } = await import("../graph/store/convert-csv.js");
      const meta = convertCsvToStore(o.data, o.out);
      print(Boolean(o.json), meta, () => `wrote a graph store of ${meta.numNodes} nodes and ${meta.numEdges} directed edges to ${o.out}`);
    });

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
    .command("continual")
    .description(
      "continual learning: train a scenario's experiences in order with each strategy; accuracy matrix, average accuracy, backward transfer",
    )
    .option("--data <name|dir>", "fashion-mnist, digits (opencv-doc) or an IDX folder / ImageFolder", "fashion-mnist")
    .option("--scenario <kind>", "split | permuted", "split")
    .option("--mode <mode>", "task | domain | class (incremental); permuted is domain", "class")
    .option("--strategies <list>", "comma-separated: naive, joint, ewc, mas, lwf, replay", patternList, [
      "naive",
      "ewc",
      "mas",
      "lwf",
      "replay",
      "joint",
    ])
    .option("--experiences <n>", "experiences (split: classes / n per experience)", int("experiences"), 5)
    .option("--epochs <n>", "epochs per experience", int("epochs"), 2)
    .option("--batch-size <n>", "batch size", int("batch-size"), 128)
    .option("--lr <x>", "Adam's learning rate", num("lr"), 1e-3)
    .option("--hidden <n>", "units of each of the MLP's two hidden layers", int("hidden"), 400)
    .option("--seed <n>", "random seed", seedArg, 0)
    .option("--deterministic", "one deterministic run (as `train --deterministic`): a rerun gives the same accuracy matrices")
    .option("--out <dir>", "where results.json and report.html go", "runs/continual")
    .option("--json", "print the results as one JSON object")
    .action(async (o: Omit<import("./continual.js").ContinualCliOptions, "log"> & { json?: boolean }) => {
      const { runContinualCli } = await import("./continual.js");
      const results = await runContinualCli({ ...o, log: o.json ? () => {} : (s) => process.stderr.write(`${s}\n`) });
      print(
        Boolean(o.json),
        results.map((r) => ({ strategy: r.strategy, average: r.average, backwardTransfer: r.backwardTransfer, accuracy: r.accuracy })),
        () => `wrote ${o.out}/report.html`,
      );
    });

  program
    .command("compress")
    .description("prune, quantize and distil a saved classification model; re-evaluate each variant (size, parameters, metric, time)")
    .argument("<dir>", "model directory written by `flambeau train`")
    .requiredOption("--data <path>", "evaluation data (as for `flambeau eval`)")
    .requiredOption("--out <dir>", "where the variants, results.json and table.md go")
    .option("--train-data <path>", "training data for fine-tuning and distillation (default --data)")
    .option("--prune <amounts>", "fractions of weights to prune, comma-separated (0.5,0.8,0.9): one variant each", amountList)
    .option("--structured", "prune whole output channels by L1 norm (the last layer is kept) instead of single weights")
    .option("--per-layer", "unstructured: prune the same fraction of every layer instead of one threshold across layers")
    .option("--shrink", "structured pruning that removes the pruned channels: a smaller net (small-cnn), faster to run")
    .option("--layers <names>", "layers to prune, comma-separated dotted names (default: every Linear and convolution)", patternList)
    .option("--prune-steps <n>", "reach each amount in n steps, fine-tuning after each", int("prune-steps"), 1)
    .option("--fine-tune-epochs <n>", "epochs of training after each pruning step (0: none)", nonNegative("fine-tune-epochs"), 0)
    .option("--fine-tune-lr <x>", "peak learning rate of fine-tuning", num("fine-tune-lr"))
    .option(
      "--rewind <dir>",
      "lottery-ticket rewinding: reset the unpruned weights to this model's (same architecture, at init or early in training) before each fine-tuning round",
    )
    .option("--quantize <dtype>", "post-training weight storage: int8 (per-channel scales), float16 or bfloat16")
    .option("--keep-float <names>", "layers left in float32 when quantizing, comma-separated", patternList)
    .option("--qengine <name>", "int8: the quantized kernels' engine, onednn or qnnpack (default onednn)")
    .option("--calibration-limit <n>", "int8 static quantization: calibration examples (default 256)", int("calibration-limit"))
    .option("--qat-epochs <n>", "int8: also fine-tune quantization-aware for n epochs (variant int8-qat)", int("qat-epochs"))
    .option("--distill-to <model>", "train this zoo model of the task as a student of the saved one (options: small-cnn:width=15)")
    .option("--feature-distill [pair]", "also match a feature map (FitNets): teacherLayer:studentLayer, or auto (the last convolutions)")
    .option("--hint-weight <x>", "weight of the feature-distillation loss (default 1)", num("hint-weight"))
    .option("--distill-epochs <n>", "the student's epochs", int("distill-epochs"))
    .option("--temperature <T>", "distillation temperature", num("temperature"), 2)
    .option("--alpha <a>", "weight of the teacher's soft targets against the labels, in [0, 1]", Number, 0.5)
    .option("--latency", "also time each variant's forward on one example and on a batch of 256")
    .option("--limit <n>", "evaluate on at most n examples", int("limit"))
    .option("--train-limit <n>", "fine-tune and distil on at most n examples", int("train-limit"))
    .option("--batch-size <n>", "batch size", int("batch-size"))
    .option("--seed <n>", "random seed", seedArg, 0)
    .option("--json", "print the results as one JSON object")
    .action(async (dir: string, o: Omit<import("./compress.js").CompressCliOptions, "log"> & { json?: boolean }) => {
      const { runCompressCli } = await import("./compress.js");
      const { results, table } = await runCompressCli(dir, { ...o, log: o.json ? () => {} : (s) => process.stderr.write(`${s}\n`) });
      print(Boolean(o.json), results, () => `${table}\nwrote ${o.out}/table.md and results.json`);
    });

  const federate = program
    .command("federate")
    .description("federated learning: simulate in one process, or run a server and its clients over HTTP(S)");
  federate
    .command("simulate")
    .description("federated training in one process (clients as objects): strategies, secure aggregation, client-level DP vs centralized")
    .option(
      "--data <name|dir>",
      "fashion-mnist, digits (opencv-doc), an IDX folder / ImageFolder, or speech-commands-synth / speakers-synth",
      "fashion-mnist",
    )
    .option("--task <name>", "image-classification (MLP) or audio-classification (log-mel CNN); default: from --data")
    .option("--clients <n>", "clients the training set is split into", int("clients"), 100)
    .option(
      "--partition <kind>",
      "iid | dirichlet | pathological (2 label shards per client) | speaker (one client per voice)",
      "pathological",
    )
    .option("--alpha <x>", "Dirichlet concentration", num("alpha"), 0.5)
    .option("--clients-per-round <n>", "clients sampled each round", int("clients-per-round"), 10)
    .option("--rounds <n>", "rounds", int("rounds"), 100)
    .option("--runs <list>", "comma-separated: centralized, fedavg, fedprox, fedadam, each with optional +secure / +dp<ε>", patternList, [
      "centralized",
      "fedavg",
      "fedprox",
    ])
    .option("--local-epochs <n>", "local epochs per round", int("local-epochs"), 1)
    .option("--batch-size <n>", "local batch size", int("batch-size"), 50)
    .option("--lr <x>", "local SGD learning rate", num("lr"), 0.05)
    .option("--mu <x>", "FedProx proximal coefficient", num("mu"), 0.01)
    .option("--server-lr <x>", "FedAdam server learning rate", num("server-lr"), 0.01)
    .option("--clip <x>", "DP: clipping norm of a client's update", num("clip"), 1)
    .option("--delta <x>", "DP: δ", num("delta"), 1e-5)
    .option("--hidden <n>", "units of each of the MLP's two hidden layers (audio: the CNN's channels)", int("hidden"), 200)
    .option("--train-examples <n>", "use only the first n training examples", int("train-examples"))
    .option("--target <x>", "accuracy whose first round is reported", num("target"), 0.85)
    .option("--seed <n>", "random seed", seedArg, 0)
    .option("--out <dir>", "where results.json goes", "runs/federated")
    .option("--json", "print the results as one JSON object")
    .action(async (o: Omit<import("./federate.js").SimulateCliOptions, "log"> & { json?: boolean }) => {
      const { runSimulateCli } = await import("./federate.js");
      const runs = await runSimulateCli({ ...o, log: o.json ? () => {} : (s) => process.stderr.write(`${s}\n`) });
      print(
        Boolean(o.json),
        runs.map(({ accuracy: _, ...r }) => r),
        () =>
          runs
            .map(
              (r) =>
                `${r.run}: final ${(r.final * 100).toFixed(2)} %, reached ${o.target * 100} % at round ${r.roundsToTarget ?? "never"}${r.epsilon !== undefined ? `, ε = ${r.epsilon.toFixed(2)}` : ""}`,
            )
            .join("\n"),
      );
    });

  federate
    .command("server")
    .description(
      "run a federated server over HTTP(S): R rounds, K clients a round (one per token), rounds close with ≥ M updates by the deadline",
    )
    .requiredOption("--token-file <file>", "client bearer tokens, one a line (client i is line i)")
    .option("--revoked-file <file>", "revoked tokens, one a line; watched, so revoking needs no restart")
    .option("--data <name|dir>", "the data set whose test split the server evaluates on (and whose shape the model takes)", "fashion-mnist")
    .option("--task <name>", "image-classification or audio-classification; default: from --data")
    .option("--hidden <n>", "units of each of the MLP's two hidden layers (audio: the CNN's channels)", int("hidden"), 200)
    .option("--rounds <n>", "rounds", int("rounds"), 100)
    .option("--clients-per-round <n>", "clients sampled each round", int("clients-per-round"), 10)
    .option("--min-clients <n>", "updates a round needs by its deadline", int("min-clients"), 1)
    .option("--deadline-s <x>", "seconds a round waits for its clients", num("deadline-s"), 60)
    .option("--port <n>", "TCP port (0: any free one)", portArg, 8443)
    .option("--host <addr>", "interface to listen on", "127.0.0.1")
    .option("--cert <file>", "TLS certificate (PEM); with --key the server speaks HTTPS")
    .option("--key <file>", "TLS private key (PEM)")
    .option("--strategy <name>", "fedavg | fedprox | fedadam", "fedavg")
    .option("--mu <x>", "FedProx proximal coefficient", num("mu"), 0.01)
    .option("--server-lr <x>", "FedAdam server learning rate", num("server-lr"), 0.01)
    .option("--local-epochs <n>", "clients' local epochs", int("local-epochs"), 1)
    .option("--batch-size <n>", "clients' batch size", int("batch-size"), 50)
    .option("--lr <x>", "clients' SGD learning rate", num("lr"), 0.05)
    .option("--noise-multiplier <x>", "client-level DP: Gaussian noise σ on the sum of clipped updates", num("noise-multiplier"))
    .option("--clip <x>", "client-level DP: clipping norm", num("clip"), 1)
    .option("--secure-aggregation", "clients upload masked updates; the server sees only their sum (Bonawitz et al., simplified)")
    .option(
      "--phase-deadline-s <x>",
      "secure aggregation: seconds each step after the keys are out waits (default: --deadline-s)",
      num("phase-deadline-s"),
    )
    .option("--checkpoint <dir>", "per-round checkpoint (resumed on restart)", "runs/federated-server")
    .option("--seed <n>", "random seed", seedArg, 0)
    .option("--json", "print the history as JSON")
    .action(async (o: Omit<import("./federate.js").ServerCliOptions, "log"> & { json?: boolean }) => {
      const { runServerCli } = await import("./federate.js");
      const history = await runServerCli({ ...o, log: (s) => process.stderr.write(`${s}\n`) });
      print(Boolean(o.json), history, () =>
        history.map((h) => `round ${h.round}: ${h.clients.length} clients, accuracy ${h.accuracy?.toFixed(4)}`).join("\n"),
      );
    });
  federate
    .command("client")
    .description("take part in a federated server's rounds with this client's share of a data set")
    .requiredOption("--server <url>", "the server's URL (http:// or https://)")
    .requiredOption("--token <token>", "this client's bearer token")
    .option(
      "--data <name|dir>",
      "fashion-mnist, digits, an IDX folder / ImageFolder, or speech-commands-synth / speakers-synth",
      "fashion-mnist",
    )
    .option("--task <name>", "image-classification or audio-classification; default: from --data")
    .option("--clients <n>", "clients the training set is split into", int("clients"), 100)
    .option(
      "--client-index <n>",
      "this client's part (0-based; with --partition speaker, the voice's rank in sorted order)",
      nonNegative("client-index"),
      0,
    )
    .option("--partition <kind>", "iid | dirichlet | pathological | speaker (one client per voice)", "pathological")
    .option("--alpha <x>", "Dirichlet concentration", num("alpha"), 0.5)
    .option("--hidden <n>", "units of each of the MLP's two hidden layers (as the server's)", int("hidden"), 200)
    .option("--train-examples <n>", "use only the first n training examples", int("train-examples"))
    .option("--ca <file>", "PEM certificate to trust for an HTTPS server (a self-signed one)")
    .option("--seed <n>", "random seed (the same as the server's for the same partition)", seedArg, 0)
    .action(async (o: Omit<import("./federate.js").ClientCliOptions, "log">) => {
      const { runClientCli } = await import("./federate.js");
      const rounds = await runClientCli({ ...o, log: (s) => process.stderr.write(`${s}\n`) });
      process.stdout.write(`trained in rounds ${rounds.map((r) => r + 1).join(", ") || "none"}\n`);
    });

  const predictCmd = program
    .command("predict")
    .description("run a saved model on inputs (files or text)")
    .argument("<dir>", "model directory")
    .argument("[inputs...]", "inputs (none for graph-generation, which takes --n and --target)")
    .option("--json", "print JSON");
  if (named?.phase === "predict") addTaskOptions(predictCmd, named.task, "predict");
  predictCmd.action(async (dir: string, inputs: string[], o: { json?: boolean } & Record<string, unknown>) => {
    const task = (await registry()).getTask((await readModelConfig(dir)).task);
    // Generated text streams to stdout as it is produced (unless --json).
    const stream = !o.json && (task.name === "text-generation" || task.name === "chat") && inputs.length === 1;
    let first = true;
    const predictor = await task.load(dir);
    let preds: unknown[];
    try {
      preds = await predictor.predict(inputs, {
        ...taskValues(task, "predict", o),
        onText: stream
          ? (t) => {
              // A continuation follows its prompt; a chat answer stands alone.
              if (first && task.name === "text-generation") process.stdout.write(inputs[0] ?? "");
              first = false;
              process.stdout.write(t);
            }
          : undefined,
      });
    } finally {
      predictor.dispose();
    }
    if (stream) process.stdout.write("\n");
    else if (preds.length === 0 && inputs.length === 0) throw new FlambeauError("E_ARG", `predict: ${task.name} needs inputs`);
    // A generator's outputs answer no input each: print them alone.
    else
      print(Boolean(o.json), preds, () =>
        preds.map((p, i) => (inputs.length ? `${inputs[i]}: ` : "") + task.formatPrediction(p)).join("\n"),
      );
  });

  program
    .command("compare")
    .description("hand-made features + a linear model against the task's deep model, over training-set sizes and seeds")
    .argument("<task>", "task name (see `flambeau tasks`)")
    .requiredOption(
      "--data <path>",
      "data, as for `flambeau train` (its test split is the test set; one file: the examples each run did not train on)",
    )
    .option("--fractions <list>", "fractions of the training set, comma-separated", fractionList, [0.01, 0.03, 0.1, 0.3, 1])
    .option("--seeds <n>", "seeds per size", int("seeds"), 3)
    .option("--epochs <n>", "epochs of the deep model (default: the task's schedule)", int("epochs"))
    .option("--shallow-only", "train only the shallow pipeline")
    .option("--deterministic", "deterministic runs (as `train --deterministic`): a rerun gives the same accuracies")
    .option("--out <dir>", "where compare.json, compare.md and compare.html go", "runs/compare")
    .option("--json", "print the report as JSON")
    .action(
      async (
        taskName: string,
        o: {
          data: string;
          fractions: number[];
          seeds: number;
          epochs?: number;
          shallowOnly?: boolean;
          deterministic?: boolean;
          out: string;
          json?: boolean;
        },
      ) => {
        const { writeCompareReport } = await import("./compare-report.js");
        const { compare, shallowPipelineFor } = await import("../compare/index.js");
        const task = (await registry()).getTask(taskName).name;
        const report = await compare(task, {
          data: o.data,
          fractions: o.fractions,
          seeds: o.seeds,
          epochs: o.epochs,
          shallowOnly: o.shallowOnly,
          deterministic: o.deterministic,
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
    .description(
      "serve saved models over HTTP: POST /v1/models/<name>/predict (JSON or multipart), GET /health, /ready, /metrics, /openapi.json",
    )
    .argument("<dirs...>", "model directories written by `flambeau train` (NAME=DIR names a model's route)")
    .option("--port <n>", "TCP port (0: any free port)", portArg, 8080)
    .option("--host <addr>", "interface to listen on", "127.0.0.1")
    .option("--workers <n>", "worker threads, each holding every model (default: half the cores, 1-4)", int("workers"))
    .option("--token-file <file>", "bearer tokens, one a line; without it there is no auth")
    .option("--max-batch <n>", "most inputs per batch (1: batching off)", int("max-batch"), 32)
    .option("--max-delay-ms <ms>", "how long a request may wait for its batch to fill", nonNegative("max-delay-ms"), 0)
    .option("--rate-limit <n>", "requests per second per token (or per client address without tokens)", num("rate-limit"))
    .option("--timeout-ms <ms>", "answer 504 to a request not done by then", int("timeout-ms"), 30_000)
    .option("--cors-origin <list>", "comma-separated origins browsers may call from (CORS is off otherwise)")
    .option("--allow-host <list>", "comma-separated Host names answered besides the listen address and localhost")
    .action(async (dirs: string[], o: Record<string, string | number | undefined>) => {
      const { serve, readTokenFile } = await import("../serve/index.js");
      const list = (v: unknown) => (typeof v === "string" ? v.split(",").map((x) => x.trim()) : undefined);
      const s = await serve(dirs, {
        port: o.port as number,
        host: o.host as string,
        workers: o.workers as number | undefined,
        tokens: o.tokenFile ? readTokenFile(String(o.tokenFile)) : undefined,
        maxBatch: o.maxBatch as number,
        maxDelayMs: o.maxDelayMs as number,
        rateLimit: o.rateLimit as number | undefined,
        limits: { timeoutMs: o.timeoutMs as number },
        corsOrigins: list(o.corsOrigin),
        allowedHosts: list(o.allowHost),
        logger: { stream: process.stderr },
      });
      const names = s.models.map((m) => `${m.name} (${m.task.name})`).join(", ");
      process.stdout.write(`serving ${names} on ${s.url} (POST /v1/models/<name>/predict); SIGTERM or Ctrl-C drains and stops\n`);
      await new Promise<void>((resolve) => {
        const stop = () => void s.close().then(resolve);
        process.once("SIGINT", stop);
        process.once("SIGTERM", stop);
      });
    });

  program
    .command("studio")
    .description(
      "a web studio over a runs folder: runs, live curves (train with --event-log RUN/events.jsonl), confusion matrices, comparisons, try a model",
    )
    .option("--runs <dir>", "runs folder: one subfolder per run (--out runs/x --event-log runs/x/events.jsonl)", "runs")
    .option("--port <n>", "TCP port (0: any free port)", portArg, 8090)
    .option("--host <addr>", "interface to listen on", "127.0.0.1")
    .action(async (o: { runs: string; port: number; host: string }) => {
      const { studio } = await import("../studio/index.js");
      const s = await studio({ runs: o.runs, port: o.port, host: o.host, logger: { stream: process.stderr, level: "warn" } });
      process.stdout.write(`studio on ${s.url} (runs in ${o.runs}); Ctrl-C stops\n`);
      await new Promise<void>((resolve) => {
        const stop = () => void s.close().then(resolve);
        process.once("SIGINT", stop);
        process.once("SIGTERM", stop);
      });
    });

  program
    .command("export")
    .description("write a saved model as an ONNX file (opset 17, symbolic batch; preprocessing and labels in its metadata)")
    .argument("<dir>", "model directory written by `flambeau train`")
    .requiredOption("--out <file>", "the .onnx file to write (atomically)")
    .option("--format <name>", "export format", "onnx")
    .option("--web <dir>", "also write a static page that runs the model in a browser (onnxruntime-web) into this folder")
    .option("--json", "print the result as one JSON object")
    .action(async (dir: string, o: import("./export.js").ExportCliOptions & { json?: boolean }) => {
      const { runExportCli } = await import("./export.js");
      const r = await runExportCli(dir, o);
      const ins = r.inputs.map((i) => `${i.name} ${i.dtype}[${i.shape.join(", ")}]`).join(", ");
      print(
        Boolean(o.json),
        r,
        () =>
          `wrote ${r.out} (${r.task}/${r.architecture}, ONNX opset ${r.opset}, ${r.bytes} bytes; input ${ins})${r.web ? `\nwrote the page into ${r.web.dir}/ (serve it: python3 -m http.server -d ${r.web.dir})` : ""}`,
      );
    });

  program
    .command("bench")
    .description("benchmark suite against PyTorch, TensorFlow.js and onnxruntime-node; writes bench/results/<machine>-<date>.json")
    .option("--smoke", "one tiny iteration of each workload (proves the suite runs; figures mean nothing)")
    .option("--only <list>", "comma-separated workloads (engine, mlp, cnn, lstm, transformer, gcn, data, inference, event-loop)")
    .option("--threads <n>", "libtorch threads for Flambeau and PyTorch", int("threads"))
    .option("--out <file>", "result JSON file")
    .option("--no-pytorch", "skip the PyTorch side")
    .option("--no-tfjs", "skip the TensorFlow.js side")
    .option("--no-ort", "skip the onnxruntime-node side (CNN inference)")
    .action((o: { smoke?: boolean; only?: string; threads?: number; out?: string; pytorch: boolean; tfjs: boolean; ort: boolean }) => {
      // The suite is its own program (bench/ sits beside src/, not under it): run it.
      const run = join(dirname(fileURLToPath(import.meta.url)), "../../bench/run.js");
      if (!existsSync(run))
        throw new FlambeauError("E_STATE", "bench runs in a source checkout of flambeau (bench/ is not in the npm package)");
      const args = [
        ...(o.smoke ? ["--smoke"] : []),
        ...(o.only ? ["--only", o.only] : []),
        ...(o.threads ? ["--threads", String(o.threads)] : []),
        ...(o.out ? ["--out", o.out] : []),
        ...(o.pytorch ? [] : ["--no-pytorch"]),
        ...(o.tfjs ? [] : ["--no-tfjs"]),
        ...(o.ort ? [] : ["--no-ort"]),
      ];
      const r = spawnSync(process.execPath, [run, ...args], { stdio: "inherit" });
      if (r.status !== 0) throw new FlambeauError("E_STATE", `bench exited with ${r.status ?? r.signal}`);
    });

  program
    .command("demo")
    .description("train and evaluate every task on bundled data; write an HTML report")
    .option("--full", "full budgets (reproduces the README's figures)")
    .option("--out <dir>", "report directory", "runs/demo")
    .option("--only <tasks>", "run just these demo tasks (comma-separated names, e.g. depth-estimation,object-tracking)")
    .action(async (o: { full?: boolean; out: string; only?: string }) => {
      const { parseOnly, runDemo } = await import("./demo.js");
      await runDemo({ full: Boolean(o.full), out: o.out, ...(o.only !== undefined ? { only: parseOnly(o.only) } : {}) });
    });

  return program;
}

function numeric(m: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(m).filter(([k]) => k !== "confusionMatrix"));
}

export async function main(argv: string[]): Promise<number> {
  try {
    const program = buildProgram(await taskOfArgv(argv), argv);
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
