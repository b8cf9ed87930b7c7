// `flambeau serve` end to end: a model trained in a worker thread (TaskWorker), served on a
// free port; predictions equal the task's own predict; bad requests are 4xx with clear errors.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { parsePredictRequest } from "../../src/serve/index.js";
import { type RunningServer, serve } from "../../src/serve/server.js";
import { getTask } from "../../src/tasks/registry.js";
import { TaskWorker } from "../../src/worker/index.js";
import { FIXTURES } from "../helpers/fixtures.js";
import { writeFashionImageFolder } from "../helpers/image-folder.js";

let root = "";
let model = "";
let image = "";
let server: RunningServer;

before(async () => {
  root = await writeFashionImageFolder({ train: 12, test: 2 });
  model = join(root, "model");
  const w = await TaskWorker.start();
  const lines: string[] = [];
  const r = await w.train("image-classification", { data: join(root, "train"), out: model, epochs: 1, seed: 0 }, (l) => lines.push(l));
  await w.close();
  assert.equal(r.dir, model);
  assert.ok(lines.length > 0, "the task's log lines come back from the worker");
  const bag = join(root, "test", "bag");
  image = join(bag, readdirSync(bag)[0]!);
  server = await serve(model, { port: 0 });
});

after(async () => {
  await server?.close();
  if (root) rmSync(root, { recursive: true, force: true });
});

const post = (body: string) => fetch(`${server.url}/predict`, { method: "POST", body, headers: { "content-type": "application/json" } });

test("health and one predict, equal to the task's in-process predict", async () => {
  const h = await fetch(`${server.url}/health`);
  assert.equal(h.status, 200);
  assert.equal(((await h.json()) as { task: string }).task, "image-classification");
  const r = await post(JSON.stringify({ inputs: [image], topK: 2 }));
  assert.equal(r.status, 200);
  const out = (await r.json()) as { task: string; predictions: { labels: { label: string; probability: number }[] }[]; text: string[] };
  assert.equal(out.task, "image-classification");
  assert.equal(out.predictions.length, 1);
  assert.equal(out.predictions[0]!.labels.length, 2);
  const ref = (await getTask("image-classification").predict(model, [image], { topK: 2 })) as typeof out.predictions;
  assert.deepEqual(
    out.predictions[0]!.labels.map((l) => l.label),
    ref[0]!.labels.map((l) => l.label),
  );
  for (const [i, l] of out.predictions[0]!.labels.entries()) assert.ok(Math.abs(l.probability - ref[0]!.labels[i]!.probability) < 1e-6);
  assert.match(out.text[0]!, /%/);
});

test("malformed JSON → 400 with a clear error; other bad requests are 4xx", async () => {
  const bad = await post('{"inputs": [');
  assert.equal(bad.status, 400);
  assert.match(((await bad.json()) as { error: string }).error, /POST \/predict: malformed JSON/);
  for (const [body, re] of [
    ["[1, 2]", /expected a JSON object/],
    ['{"inputs": []}', /"inputs" must be a non-empty array of strings/],
    ['{"inputs": [3]}', /"inputs" must be a non-empty array of strings/],
    [`{"inputs": ["${image}"], "topK": 0}`, /topK must be a positive integer, got "0"/],
    [`{"inputs": ["${image}"], "top_k": 2}`, /unknown field\(s\) top_k/],
  ] as const) {
    const r = await post(body);
    assert.equal(r.status, 400, body);
    assert.match(((await r.json()) as { error: string }).error, re);
  }
  const missing = await post(JSON.stringify({ inputs: ["/no/such/image.png"] }));
  assert.equal(missing.status, 400);
  assert.match(((await missing.json()) as { error: string }).error, /\/no\/such\/image\.png/);
  assert.equal((await fetch(`${server.url}/nope`)).status, 404);
  assert.equal((await fetch(`${server.url}/predict`)).status, 405);
  // The server is still fine after all that.
  assert.equal((await post(JSON.stringify({ inputs: [image] }))).status, 200);
});

test("parsePredictRequest takes the task's declared predict options, never a path", () => {
  const generation = getTask("text-generation").options;
  assert.deepEqual(parsePredictRequest('{"inputs": ["hi"], "maxNewTokens": 5, "temperature": 0.7, "topic": "news"}', generation), {
    inputs: ["hi"],
    options: { maxNewTokens: 5, temperature: 0.7, topic: "news" },
  });
  assert.throws(() => parsePredictRequest('{"inputs": ["hi"], "temperature": -1}', generation), /temperature must be a positive number/);
  assert.throws(() => parsePredictRequest('{"inputs": ["hi"], "beam": 2}', generation), /unknown field\(s\) beam/);
  // A file the task would write (--draw) is a command-line option only.
  const detection = getTask("object-detection").options;
  assert.throws(() => parsePredictRequest('{"inputs": ["a.png"], "draw": "/tmp/x.png"}', detection), /unknown field\(s\) draw/);
});

test("the `flambeau serve` command listens, answers and stops on SIGTERM", async () => {
  const bin = join(FIXTURES, "..", "..", "bin", "flambeau.js");
  const child = spawn(process.execPath, [bin, "serve", model, "--port", "0"], { stdio: ["ignore", "pipe", "pipe"] });
  const url = await new Promise<string>((resolve, reject) => {
    let out = "";
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString();
      const m = /on (http:\/\/\S+)/.exec(out);
      if (m) resolve(m[1]!);
    });
    child.once("exit", (code) => reject(new Error(`flambeau serve exited early (${code})`)));
  });
  const r = await fetch(`${url}/predict`, { method: "POST", body: JSON.stringify({ inputs: [image] }) });
  assert.equal(r.status, 200);
  const code = await new Promise<number | null>((resolve) => {
    child.once("exit", resolve);
    child.kill("SIGTERM");
  });
  assert.equal(code, 0);
  const bad = spawn(process.execPath, [bin, "serve", join(root, "train")], { stdio: ["ignore", "pipe", "pipe"] });
  let err = "";
  bad.stderr.on("data", (d: Buffer) => {
    err += d.toString();
  });
  const badCode = await new Promise<number | null>((resolve) => bad.once("exit", resolve));
  assert.equal(badCode, 2);
  assert.match(err, /is not a Flambeau model directory/);
});
