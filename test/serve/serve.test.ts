// `flambeau serve` end to end: two models (an image classifier and a text generator) from one
// server; predictions equal the task's own predict, from base64 JSON and multipart uploads
// alike; streamed generation (server-sent events); operations endpoints; request ids in the
// JSON logs; hot reload of a changed model directory; draining close; the CLI on SIGTERM.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { cpSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { type RunningServer, serve } from "../../src/serve/index.js";
import { getTask } from "../../src/tasks/registry.js";
import { FIXTURES } from "../helpers/fixtures.js";
import { type ImageModel, trainImageModel, trainTextGenerator } from "./fixture.js";

let m: ImageModel;
let lm = "";
let server: RunningServer;
const logs: string[] = [];

before(async () => {
  m = await trainImageModel();
  lm = await trainTextGenerator(m.root);
  server = await serve([`img=${m.model}`, `lm=${lm}`], { port: 0, workers: 1, logger: { stream: { write: (l) => logs.push(l) } } });
});

after(async () => {
  await server?.close();
  if (m) rmSync(m.root, { recursive: true, force: true });
});

type Answer = { model: string; task: string; predictions: { labels: { label: string; probability: number }[] }[]; text: string[] };
const predict = (model: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${server.url}/v1/models/${model}/predict`, {
    method: "POST",
    body: body instanceof FormData ? body : JSON.stringify(body),
    headers: body instanceof FormData ? headers : { "content-type": "application/json", ...headers },
  });

test("an uploaded image is predicted as the task predicts it, from JSON base64, a data: URI or multipart", async () => {
  const ref = (await getTask("image-classification").predict(m.model, [m.file], { topK: 2 })) as Answer["predictions"];
  const form = new FormData();
  form.append("inputs", new Blob([m.png], { type: "image/png" }), "bag.png");
  form.append("topK", "2");
  for (const body of [
    { inputs: [{ base64: m.png.toString("base64"), name: "bag.png" }], topK: 2 },
    { inputs: [`data:image/png;base64,${m.png.toString("base64")}`], topK: 2 },
    form,
  ]) {
    const r = await predict("img", body, { "x-request-id": "req-42" });
    assert.equal(r.status, 200);
    assert.equal(r.headers.get("x-request-id"), "req-42");
    const out = (await r.json()) as Answer;
    assert.equal(out.model, "img");
    assert.equal(out.task, "image-classification");
    assert.deepEqual(
      out.predictions[0]!.labels.map((l) => l.label),
      ref[0]!.labels.map((l) => l.label),
    );
    for (const [i, l] of out.predictions[0]!.labels.entries()) assert.ok(Math.abs(l.probability - ref[0]!.labels[i]!.probability) < 1e-5);
    assert.match(out.text[0]!, /%/);
  }
  // Several inputs in one request come back in order.
  const many = (await (
    await predict("img", { inputs: [{ base64: m.png.toString("base64") }, `data:image/png;base64,${m.png.toString("base64")}`] })
  ).json()) as Answer;
  assert.equal(many.predictions.length, 2);
  assert.deepEqual(many.predictions[0], many.predictions[1]);
});

test("text generation: strings in, the text streamed as server-sent events, then the result", async () => {
  const plain = (await (await predict("lm", { inputs: ["the"], topic: "cats", maxNewTokens: 6 })).json()) as {
    predictions: { text: string }[];
  };
  assert.equal(typeof plain.predictions[0]!.text, "string");
  const r = await predict("lm", { inputs: ["the"], topic: "cats", maxNewTokens: 6, stream: true });
  assert.equal(r.status, 200);
  assert.match(r.headers.get("content-type")!, /text\/event-stream/);
  const events = (await r.text())
    .trim()
    .split("\n\n")
    .map((e) => {
      const [name, data] = e.split("\n");
      return { name: name!.slice("event: ".length), data: JSON.parse(data!.slice("data: ".length)) as Record<string, unknown> };
    });
  const last = events.at(-1)!;
  assert.equal(last.name, "result");
  const result = last.data as { predictions: { text: string }[] };
  const pieces = events.filter((e) => e.name === "text").map((e) => e.data.text as string);
  assert.equal(pieces.join(""), result.predictions[0]!.text);
  // A text model takes strings, not bytes; a stream takes one input.
  assert.equal((await predict("lm", { inputs: [{ base64: "aGk=" }] })).status, 400);
  assert.equal((await predict("lm", { inputs: ["a", "b"], stream: true })).status, 400);
});

test("health, readiness, models, metrics and the OpenAPI document", async () => {
  assert.deepEqual(await (await fetch(`${server.url}/health`)).json(), { status: "ok" });
  assert.deepEqual(await (await fetch(`${server.url}/ready`)).json(), { status: "ready", models: ["img", "lm"] });
  const models = (await (await fetch(`${server.url}/v1/models`)).json()) as {
    models: { name: string; task: string; input: string; options: string[] }[];
  };
  assert.deepEqual(
    models.models.map((x) => [x.name, x.task, x.input]),
    [
      ["img", "image-classification", "image"],
      ["lm", "text-generation", "text"],
    ],
  );
  const metrics = await (await fetch(`${server.url}/metrics`)).text();
  for (const name of [
    "flambeau_http_requests_total",
    "flambeau_http_request_duration_seconds_bucket",
    "flambeau_batch_size_bucket",
    "flambeau_queue_depth",
    "process_resident_memory_bytes",
  ])
    assert.match(metrics, new RegExp(`^${name}`, "m"));
  const doc = (await (await fetch(`${server.url}/openapi.json`)).json()) as {
    openapi: string;
    paths: Record<
      string,
      Record<string, { requestBody?: { content: Record<string, { schema: { properties: Record<string, unknown> } }> } }>
    >;
  };
  assert.equal(doc.openapi, "3.1.0");
  const img = doc.paths["/v1/models/img/predict"]!.post!;
  assert.deepEqual(Object.keys(img.requestBody!.content), ["application/json", "multipart/form-data"]);
  assert.ok("topK" in img.requestBody!.content["application/json"]!.schema.properties);
  assert.ok("maxNewTokens" in doc.paths["/v1/models/lm/predict"]!.post!.requestBody!.content["application/json"]!.schema.properties);
  for (const p of ["/health", "/ready", "/metrics", "/openapi.json", "/v1/models"]) assert.ok(doc.paths[p]?.get, p);
});

test("every log line is JSON; those of a request carry its id", async () => {
  await predict("img", { inputs: [{ base64: m.png.toString("base64") }] }, { "x-request-id": "trace-7" });
  const lines = logs
    .join("")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as { reqId?: string; msg: string });
  const mine = lines.filter((l) => l.reqId === "trace-7");
  assert.deepEqual(
    mine.map((l) => l.msg),
    ["incoming request", "request completed"],
  );
  assert.ok(lines.filter((l) => /request/.test(l.msg)).every((l) => typeof l.reqId === "string"));
});

test("hot reload: a changed model directory is swapped in; a broken one leaves the old model serving", async () => {
  const dir = join(m.root, "reloading");
  cpSync(m.model, dir, { recursive: true });
  const s = await serve(dir, { port: 0, workers: 1 });
  try {
    const top = async () => {
      const r = await fetch(`${s.url}/v1/models/reloading/predict`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ inputs: [{ base64: m.png.toString("base64") }], topK: 1 }),
      });
      return ((await r.json()) as Answer).predictions[0]!.labels[0]!.label;
    };
    assert.equal(await top(), "bag");
    // Rename the classes, written the way a training run writes: a new file moved into place.
    const configFile = join(dir, "config.json");
    const config = JSON.parse(readFileSync(configFile, "utf8")) as { labels: string[] };
    // The Hugging Face fields must agree with the labels (config.json's schema checks it).
    const labels = config.labels.map((l) => `new-${l}`);
    const hf = {
      id2label: Object.fromEntries(labels.map((l, i) => [String(i), l])),
      label2id: Object.fromEntries(labels.map((l, i) => [l, i])),
    };
    writeFileSync(`${configFile}.tmp`, JSON.stringify({ ...config, labels, ...hf }));
    renameSync(`${configFile}.tmp`, configFile);
    let label = "";
    for (let i = 0; i < 100 && !label.startsWith("new-"); i++) {
      await new Promise((r) => setTimeout(r, 100));
      label = await top();
    }
    assert.equal(label, "new-bag");
    writeFileSync(join(dir, "model.safetensors"), "not safetensors");
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(await top(), "new-bag");
    const metrics = await (await fetch(`${s.url}/metrics`)).text();
    assert.match(metrics, /flambeau_model_reloads_total\{model="reloading",outcome="ok"\} \d/);
    assert.match(metrics, /flambeau_model_reloads_total\{model="reloading",outcome="failed"\} \d/);
  } finally {
    await s.close();
  }
});

test("close drains: a request in flight is answered, later ones are refused", async () => {
  const s = await serve(m.model, { port: 0, workers: 1 });
  const body = JSON.stringify({ inputs: Array(8).fill({ base64: m.png.toString("base64") }) });
  const inFlight = fetch(`${s.url}/v1/models/model/predict`, { method: "POST", headers: { "content-type": "application/json" }, body });
  await new Promise((r) => setTimeout(r, 20));
  const closed = s.close();
  const r = await inFlight;
  assert.equal(r.status, 200);
  assert.equal(((await r.json()) as Answer).predictions.length, 8);
  await closed;
  await assert.rejects(fetch(`${s.url}/health`));
});

test("the `flambeau serve` command listens, answers and stops on SIGTERM", async () => {
  const bin = join(FIXTURES, "..", "..", "bin", "flambeau.js");
  const child = spawn(process.execPath, [bin, "serve", `img=${m.model}`, "--port", "0", "--max-batch", "4"], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = "";
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString();
      const found = /on (http:\/\/\S+)/.exec(out);
      if (found) resolve(found[1]!);
    });
    child.once("exit", (code) => reject(new Error(`flambeau serve exited early (${code})`)));
  });
  const r = await fetch(`${url}/v1/models/img/predict`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ inputs: [{ base64: m.png.toString("base64") }] }),
  });
  assert.equal(r.status, 200);
  const code = await new Promise<number | null>((resolve) => {
    child.once("exit", resolve);
    child.kill("SIGTERM");
  });
  assert.equal(code, 0);
  const bad = spawn(process.execPath, [bin, "serve", join(m.root, "train")], { stdio: ["ignore", "pipe", "pipe"] });
  let err = "";
  bad.stderr.on("data", (d: Buffer) => {
    err += d.toString();
  });
  const badCode = await new Promise<number | null>((resolve) => bad.once("exit", resolve));
  assert.equal(badCode, 2);
  assert.match(err, /is not a Flambeau model directory/);
});
