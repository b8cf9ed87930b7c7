// "Try the model": a run's saved model predicts uploaded bytes or typed text through the same
// path as `flambeau serve` — the request parsed and checked by src/serve/request.ts (types
// by magic bytes, decoded sizes bounded, never a path), the inputs queued in its Batcher and
// run in a worker thread that caches the model directory. The worker starts on the first
// try; a model saved again since it was loaded (a new training in the same folder) is
// reloaded before the next prediction.
import { statSync } from "node:fs";
import { join } from "node:path";
import type { FastifyReply, FastifyRequest } from "fastify";
import { HttpError } from "../http/errors.js";
import { Batcher } from "../serve/batcher.js";
import type { WireInput } from "../serve/jobs.js";
import type { ServeLimits } from "../serve/limits.js";
import { Metrics } from "../serve/metrics.js";
import { type ServedModel, servedModels } from "../serve/models.js";
import { WorkerPool } from "../serve/pool.js";
import { type FormPart, parseJsonPredict, parseMultipartPredict } from "../serve/request.js";
import type { RunFiles } from "./runs.js";

interface Loaded {
  model: ServedModel;
  /** config.json's mtime when it was loaded. */
  version: number;
}

export class ModelTrier {
  #pool: Promise<WorkerPool> | undefined;
  #batcher: Batcher | undefined;
  readonly #loaded = new Map<string, Loaded>();

  constructor(private readonly limits: ServeLimits) {}

  async #start(): Promise<Batcher> {
    this.#pool ??= WorkerPool.start(1, 1);
    const pool = await this.#pool;
    this.#batcher ??= new Batcher(
      pool,
      { maxBatch: 8, maxDelayMs: 0, queueInputs: this.limits.queueInputs, timeoutMs: this.limits.timeoutMs },
      new Metrics(() => pool.busy),
    );
    return this.#batcher;
  }

  /** The served model of a run, reloaded in the worker when its config changed since. */
  async #model(name: string, run: RunFiles): Promise<ServedModel> {
    if (!run.model) throw new HttpError(409, "no_model", `run "${name}" has no saved model yet (training saves it when it ends)`);
    const version = statSync(join(run.model, "config.json")).mtimeMs;
    const had = this.#loaded.get(run.model);
    if (had && had.version === version) return had.model;
    const [model] = servedModels([`${name}=${run.model}`]);
    if (had && this.#pool) await (await this.#pool).everywhere("reloadJob", run.model);
    this.#loaded.set(run.model, { model: model!, version });
    return model!;
  }

  /** Answers a predict request for the run (JSON or multipart, as `flambeau serve` takes it). */
  async predict(name: string, run: RunFiles, req: FastifyRequest, reply: FastifyReply) {
    const m = await this.#model(name, run);
    const r = req.isMultipart()
      ? await parseMultipartPredict(req.parts() as AsyncIterable<FormPart>, m, this.limits)
      : await parseJsonPredict(req.body, m, this.limits);
    if (r.stream) throw new HttpError(400, "bad_request", "the studio answers predictions whole (no stream)");
    const inputs: WireInput[] = r.inputs.map((x) => (typeof x === "string" ? x : { bytes: x.bytes, ext: x.ext, name: x.name }));
    const batcher = await this.#start();
    const abort = new AbortController();
    reply.raw.once("close", () => {
      if (!reply.raw.writableFinished) abort.abort();
    });
    const a = await batcher.predict(m, inputs, r.options, abort.signal);
    return { run: name, task: m.task.name, input: m.kind, predictions: a.predictions, text: a.text };
  }

  async close(): Promise<void> {
    this.#batcher?.close();
    const pool = await this.#pool?.catch(() => undefined);
    await pool?.close();
  }
}
