// `flambeau serve`: an HTTP JSON server for a saved model directory. Predictions run in a
// worker thread (TaskWorker) through the task's own predict code, so the event loop keeps
// accepting and answering requests while libtorch computes.
//   GET  /health   → { status, task, dir, busy }
//   POST /predict  { "inputs": [string, …], "topK"?: n, … }  → { task, predictions, text }
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { FlambeauError } from "../core/errors.js";
import { readModelConfig } from "../train/model-dir.js";
import { TaskWorker } from "../worker/task-worker.js";
import { parsePredictRequest } from "./request.js";

export interface ServeOptions {
  /** TCP port (0: any free port; see `RunningServer.port`). Default 8080. */
  port?: number;
  /** Interface to listen on (default 127.0.0.1: expose it deliberately). */
  host?: string;
  /** Largest request body accepted (default 1 MiB). */
  maxBodyBytes?: number;
  /** One line per request (default: none). */
  log?: (line: string) => void;
}

export interface RunningServer {
  readonly port: number;
  readonly url: string;
  readonly task: string;
  close(): Promise<void>;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function readBody(req: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        reject(new HttpError(413, `request body is over ${limit} bytes`));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

/** Input problems the client can fix (missing file, bad option) are 400s; the rest are 500s. */
const statusOf = (e: unknown): number =>
  e instanceof HttpError
    ? e.status
    : e instanceof FlambeauError && ["E_ARG", "E_IO", "E_FORMAT", "E_SHAPE", "E_DTYPE"].includes(e.code)
      ? 400
      : 500;

/** Serves the model in `dir` until `close()`. */
export async function serve(dir: string, o: ServeOptions = {}): Promise<RunningServer> {
  const config = readModelConfig(dir);
  // The registry imports every task's code: loaded here, not by everyone importing Flambeau.
  const { getTask } = await import("../tasks/registry.js");
  const task = getTask(config.task);
  const worker = await TaskWorker.start();
  const limit = o.maxBodyBytes ?? 1 << 20;
  const server = createServer((req, res) => {
    const t0 = performance.now();
    const route = `${req.method} ${(req.url ?? "/").split("?")[0]}`;
    const done = (status: number, body: unknown) => {
      send(res, status, body);
      o.log?.(`${route} ${status} ${(performance.now() - t0).toFixed(1)} ms`);
    };
    const fail = (e: unknown) => done(statusOf(e), { error: e instanceof Error ? e.message : String(e) });
    if (route === "GET /health") return done(200, { status: "ok", task: task.name, dir, busy: worker.runner.busy });
    if (route !== "POST /predict")
      return done(route.endsWith(" /predict") || route.endsWith(" /health") ? 405 : 404, {
        error: `no route ${route}; routes: GET /health, POST /predict`,
      });
    readBody(req, limit)
      .then((text) => {
        const r = parsePredictRequest(text, task.options);
        return worker.predict(dir, r.inputs, r.options);
      })
      .then((out) => done(200, out), fail);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(o.port ?? 8080, o.host ?? "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    url: `http://${o.host ?? "127.0.0.1"}:${port}`,
    task: task.name,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      await worker.close();
    },
  };
}
