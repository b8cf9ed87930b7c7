// `flambeau studio` end to end: the studio on a temporary runs folder (127.0.0.1, an
// ephemeral port), a tiny `flambeau train` writing its event log there, and Debian's Chromium
// (playwright-core) watching the run's loss curve grow live, then uploading an image in the
// try-it panel: the prediction equals the task's own predict; the confusion matrix that
// training wrote beside the model (validation.json) shows with no `flambeau eval`; a tiny text
// classifier is tried with a typed text the same way. Plain HTTP checks: run names
// outside the folder's listing (`../`, absolute, encoded, hidden, symlinked) get 4xx, foreign
// Host and Origin are refused, and an event stream follows appended lines and closes when
// its client leaves; the model is tried over HTTP too (the check that stays where Chromium
// cannot start). Screenshots go to a temporary folder (STUDIO_SCREENSHOTS=docs/studio
// writes the README's).
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import {
  appendFileSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { fileURLToPath } from "node:url";
import { type RunningStudio, studio, studioAssets } from "../../src/studio/index.js";
import { getTask } from "../../src/tasks/registry.js";
import { launchChromium } from "../helpers/chromium.js";
import { writeFashionImageFolder } from "../helpers/image-folder.js";

const REPO = fileURLToPath(new URL("../../../", import.meta.url));
let images = "";
let runs = "";
let shots = "";
let s: RunningStudio;
/** Trainings still running (killed if a test fails before they end). */
const children = new Set<ChildProcess>();

const LABELS = ["trouser", "bag", "sneaker"];

/** A finished run without a model: six epochs of numbers and an eval.json with a confusion matrix. */
function writeBaseline(dir: string): void {
  mkdirSync(dir, { recursive: true });
  const lines = [1, 2, 3, 4, 5, 6].map((epoch) =>
    JSON.stringify({ epoch, step: epoch, loss: 1.2 / epoch, valLoss: 1.3 / epoch, valAccuracy: 0.4 + epoch * 0.08, lr: 0.002 }),
  );
  writeFileSync(join(dir, "events.jsonl"), `${lines.join("\n")}\n`);
  const confusionMatrix = [
    [5, 1, 0],
    [0, 6, 0],
    [1, 0, 5],
  ];
  writeFileSync(
    join(dir, "eval.json"),
    JSON.stringify({ task: "image-classification", accuracy: 16 / 18, labels: LABELS, confusionMatrix }),
  );
}

/** A two-class CSV of short reviews whose words give the label away. */
function writeWordsCsv(path: string): void {
  const good = ["great", "lovely", "excellent", "wonderful", "happy", "superb"];
  const bad = ["awful", "terrible", "horrible", "sad", "poor", "dreadful"];
  const rows = Array.from({ length: 40 }, (_, i) => {
    const words = i % 2 === 0 ? good : bad;
    return `${[0, 1, 2, 3].map((k) => words[(i * 7 + k * 5) % words.length]).join(" ")} film,${i % 2 === 0 ? "good" : "bad"}`;
  });
  writeFileSync(path, `text,label\n${rows.join("\n")}\n`);
}

before(async () => {
  // The page as the project's build makes it (dist/web/studio), from the current source.
  const builder = new URL("../../../scripts/build-web.js", import.meta.url).href;
  await ((await import(builder)) as { buildStudioPage(): Promise<string[]> }).buildStudioPage();
  images = await writeFashionImageFolder({ train: 12, test: 2 });
  runs = mkdtempSync(join(tmpdir(), "fl-studio-runs-"));
  shots = process.env.STUDIO_SCREENSHOTS ?? mkdtempSync(join(tmpdir(), "fl-studio-shots-"));
  mkdirSync(shots, { recursive: true });
  writeBaseline(join(runs, "baseline"));
  s = await studio({ runs, port: 0, pollMs: 25 });
});

after(async () => {
  for (const c of children) c.kill("SIGKILL");
  await s?.close();
  for (const d of [images, runs, process.env.STUDIO_SCREENSHOTS ? "" : shots]) if (d) rmSync(d, { recursive: true, force: true });
});

/** `flambeau train` of a tiny image classifier into runs/NAME, logging its epochs there (or of `task` on `data`). */
function startTraining(
  out: string,
  task = "image-classification",
  data = join(images, "train"),
  epochs = 4,
): { exited: Promise<number | null>; log: string[] } {
  const log: string[] = [];
  const c = spawn(
    process.execPath,
    [
      join(REPO, "bin/flambeau.js"),
      "train",
      task,
      "--data",
      data,
      "--epochs",
      String(epochs),
      "--seed",
      "0",
      "--out",
      out,
      "--event-log",
      join(out, "events.jsonl"),
    ],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  children.add(c);
  c.stdout!.on("data", (b: Buffer) => log.push(b.toString()));
  c.stderr!.on("data", (b: Buffer) => log.push(b.toString()));
  const exited = new Promise<number | null>((res) =>
    c.once("exit", (code) => {
      children.delete(c);
      res(code);
    }),
  );
  return { exited, log };
}

const testImage = (): string => join(images, "test", "bag", readdirSync(join(images, "test", "bag"))[0]!);
type Labels = { labels: { label: string; probability: number }[] }[];
const reference = async (model: string, file: string) => (await getTask("image-classification").predict(model, [file])) as Labels;

/** A raw request, so that Host and Origin are sent as written. */
function raw(path: string, headers: Record<string, string> = {}, method = "GET"): Promise<{ status: number; body: string }> {
  const u = new URL(s.url);
  return new Promise((resolve, reject) => {
    const req = request({ host: u.hostname, port: u.port, path, method, headers }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => {
        body += c;
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

test("run names outside the runs folder's listing are refused with 4xx; foreign Host and Origin too", async () => {
  symlinkSync("/etc", join(runs, "etc"));
  mkdirSync(join(runs, ".hidden"));
  writeFileSync(join(runs, ".hidden", "events.jsonl"), '{"epoch":1,"loss":1}\n');
  const list = (await (await fetch(`${s.url}/api/runs`)).json()) as { runs: { name: string }[] };
  assert.deepEqual(
    list.runs.map((r) => r.name),
    ["baseline"],
  );
  const names = [
    "..%2F..%2Fetc%2Fpasswd",
    "%2Fetc%2Fpasswd",
    "%2e%2e",
    "..%5C..%5Cetc",
    ".hidden",
    "etc",
    "baseline%2F..%2F..",
    "nope",
    "%00",
  ];
  for (const name of names)
    for (const [suffix, method] of [
      ["", "GET"],
      ["/events", "GET"],
      ["/predict", "POST"],
    ] as const) {
      const r = await raw(`/api/runs/${name}${suffix}`, method === "POST" ? { "content-type": "application/json" } : {}, method);
      assert.ok(r.status >= 400 && r.status < 500, `${method} /api/runs/${name}${suffix} gave ${r.status}: ${r.body.slice(0, 200)}`);
      assert.doesNotMatch(r.body, /root:|passwd:/);
    }
  assert.equal((await raw("/api/runs", { host: "evil.example" })).status, 421);
  assert.equal((await raw("/api/runs/baseline/predict", { origin: "http://evil.example" }, "POST")).status, 403);
  const own = await raw("/api/runs", { origin: s.url });
  assert.equal(own.status, 200);
  rmSync(join(runs, "etc"));
  rmSync(join(runs, ".hidden"), { recursive: true });
});

test("an event stream sends the log so far, then appended lines, and closes when its client leaves", async () => {
  const dir = join(runs, "tail");
  mkdirSync(dir);
  writeFileSync(join(dir, "events.jsonl"), '{"epoch":1,"loss":2}\n{"epoch":2,"lo');
  const abort = new AbortController();
  const r = await fetch(`${s.url}/api/runs/tail/events`, { signal: abort.signal });
  assert.equal(r.status, 200);
  assert.match(r.headers.get("content-type") ?? "", /text\/event-stream/);
  const reader = r.body!.getReader();
  const decoder = new TextDecoder();
  let text = "";
  const until = async (re: RegExp) => {
    while (!re.test(text)) {
      const { value, done } = await reader.read();
      if (done) throw new Error(`the stream ended before ${re}: ${text}`);
      text += decoder.decode(value);
    }
  };
  await until(/"epoch":1/);
  assert.doesNotMatch(text, /"epoch":2/, "a half-written line is not sent");
  appendFileSync(join(dir, "events.jsonl"), 'ss":1.5}\n{"epoch":3,"loss":1}\n');
  await until(/"epoch":3/);
  assert.match(text, /\{"epoch":2,"loss":1\.5\}/);
  assert.equal(s.openStreams, 1);
  abort.abort();
  for (let i = 0; i < 50 && s.openStreams > 0; i++) await new Promise((res) => setTimeout(res, 20));
  assert.equal(s.openStreams, 0, "the stream is closed once its client left");
  rmSync(dir, { recursive: true });
});

test("in Chromium: the curve grows live while `flambeau train` runs, then an uploaded image is predicted as the model predicts it", async (t) => {
  const { browser, skip } = await launchChromium();
  if (!browser) return t.skip(skip);
  // The run is there (an empty log) before training starts: the page watches from epoch 0,
  // so the curve is seen growing however fast this machine trains.
  const out = join(runs, "live");
  mkdirSync(out);
  writeFileSync(join(out, "events.jsonl"), "");
  const page = await browser.newPage({ viewport: { width: 1120, height: 940 } });
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await page.goto(`${s.url}/#/run/live`);
  await page.waitForSelector("[data-testid=loss-chart][data-points='0']", { timeout: 10_000 });
  const { exited, log } = startTraining(out);
  const points = () => page.getAttribute("[data-testid=loss-chart]", "data-points").then(Number);
  // Polled from here: the page's CSP refuses the string evaluation a waitForFunction would need.
  const pointsAbove = async (n: number) => {
    for (const end = Date.now() + 30_000; (await points()) <= n; await new Promise((res) => setTimeout(res, 50)))
      if (Date.now() > end) throw new Error(`the loss curve did not grow past ${n} points in 30 s: ${log.join("").slice(-2000)}`);
  };
  await pointsAbove(1);
  assert.equal(await exited, 0, log.join(""));
  // The text classifier tried at the end trains meanwhile.
  const csv = join(images, "words.csv");
  writeWordsCsv(csv);
  const words = join(runs, "words");
  mkdirSync(words);
  writeFileSync(join(words, "events.jsonl"), "");
  const trained = startTraining(words, "text-classification", csv, 3);
  await pointsAbove(3);
  // The page's own record of the counts it drew: 0 (before training), at least 2, then more.
  const counts = (await page.getAttribute("[data-testid=loss-chart]", "data-counts"))!.split(",").map(Number);
  t.diagnostic(`loss curve drawn with ${counts.join(" → ")} points`);
  assert.equal(counts[0], 0, `counts drawn: ${counts}`);
  assert.ok(
    counts.some((c, i) => c >= 2 && counts.slice(i + 1).some((d) => d > c)),
    `the curve was drawn with ≥ 2 points and then more: ${counts}`,
  );

  // The saved model arrives over the stream ("run" event): the try-it panel opens.
  const file = testImage();
  await page.setInputFiles("[data-testid=upload]", file, { timeout: 20_000 });
  await page.click("[data-testid=predict]");
  await page.waitForSelector("[data-testid=prediction]", { timeout: 20_000 });
  assert.equal(await points(), 4);
  const shown = await page.$$eval("[data-label]", (els) =>
    els.map((e) => ({ label: e.getAttribute("data-label"), probability: Number(e.getAttribute("data-probability")) })),
  );
  const ref = await reference(out, file);
  assert.deepEqual(
    shown.map((l) => l.label),
    ref[0]!.labels.map((l) => l.label),
  );
  for (const [i, l] of shown.entries()) assert.ok(Math.abs(l.probability - ref[0]!.labels[i]!.probability) < 1e-5, `${l.label}`);
  await page.locator("header").scrollIntoViewIfNeeded();
  await page.screenshot({ path: join(shots, "run.png") });

  // A drawing is predicted the same way (it goes up as a PNG).
  const pad = (await page.locator("[data-testid=draw]").boundingBox())!;
  await page.mouse.move(pad.x + 20, pad.y + 30);
  await page.mouse.down();
  for (const [dx, dy] of [
    [90, 30],
    [90, 90],
    [20, 90],
    [20, 30],
  ] as const)
    await page.mouse.move(pad.x + dx, pad.y + dy, { steps: 4 });
  await page.mouse.up();
  await page.click("[data-testid=use-drawing]");
  await page.waitForSelector("img.preview[src^='blob:']");
  await page.waitForSelector("[data-testid=prediction]", { state: "detached", timeout: 5_000 });
  await page.click("[data-testid=predict]");
  await page.waitForSelector("[data-testid=prediction]", { timeout: 20_000 });
  const drawn = await page.$$eval("[data-label]", (els) => els.map((e) => Number(e.getAttribute("data-probability"))));
  assert.equal(drawn.length, 3);
  assert.ok(Math.abs(drawn.reduce((a, b) => a + b, 0) - 1) < 1e-4, `${drawn}`);

  // The confusion matrix training wrote beside the model is on the page (no `flambeau eval`):
  // it arrived over the stream with the model.
  assert.ok(!existsSync(join(out, "eval.json")));
  await page.waitForSelector("[data-testid=per-class] tbody tr", { timeout: 10_000 });
  assert.equal(await page.locator("[data-testid=per-class] tbody tr").count(), LABELS.length);
  assert.match((await page.textContent("[data-testid=confusion-source]")) ?? "", /validation split \(\d+ examples\)/);

  // The baseline gets a saved model too (this one's): its page then shows a finished run.
  for (const f of ["config.json", "model.safetensors", "validation.json"]) copyFileSync(join(out, f), join(runs, "baseline", f));
  await page.goto(`${s.url}/#/compare/baseline/live`);
  await page.locator("[data-testid=compare] .chart canvas").nth(1).waitFor({ timeout: 10_000 });
  await page.screenshot({ path: join(shots, "compare.png") });

  await page.goto(`${s.url}/#/run/baseline`);
  await page.waitForSelector("[data-testid=per-class] tbody tr", { timeout: 10_000 });
  assert.equal(await page.locator("[data-testid=per-class] tbody tr").count(), 3);
  // Its own eval.json wins over the model's validation report.
  assert.match((await page.textContent("[data-testid=confusion-source]")) ?? "", /eval\.json/);
  await page.screenshot({ path: join(shots, "confusion.png") });
  await page.goto(`${s.url}/#/`);
  await page.waitForSelector("[data-testid=runs] tbody tr", { timeout: 10_000 });
  assert.deepEqual(await page.locator("[data-testid=runs] tbody tr td:nth-child(2) a").allTextContents(), ["baseline", "live", "words"]);
  await page.screenshot({ path: join(shots, "runs.png") });
  await page.close();
  assert.deepEqual(errors, []);
  for (const f of ["run.png", "compare.png", "confusion.png", "runs.png"]) {
    const png = readFileSync(join(shots, f));
    assert.equal(png.subarray(1, 4).toString(), "PNG");
  }

  // A text classifier: a typed text is predicted as the task predicts it, and its validation
  // split's confusion matrix shows too.
  assert.equal(await trained.exited, 0, trained.log.join(""));
  const text = await browser.newPage({ viewport: { width: 1120, height: 940 } });
  const textErrors: string[] = [];
  text.on("pageerror", (e) => textErrors.push(e.message));
  await text.goto(`${s.url}/#/run/words`);
  const typed = "what a lovely superb film";
  await text.fill("[data-testid=text]", typed, { timeout: 10_000 });
  await text.click("[data-testid=predict]");
  await text.waitForSelector("[data-testid=prediction]", { timeout: 20_000 });
  const said = await text.$$eval("[data-label]", (els) =>
    els.map((e) => ({ label: e.getAttribute("data-label"), probability: Number(e.getAttribute("data-probability")) })),
  );
  const want = (await getTask("text-classification").predict(words, [typed])) as Labels;
  assert.deepEqual(
    said.map((l) => l.label),
    want[0]!.labels.map((l) => l.label),
  );
  for (const [i, l] of said.entries()) assert.ok(Math.abs(l.probability - want[0]!.labels[i]!.probability) < 1e-5, `${l.label}`);
  assert.equal(await text.locator("[data-testid=per-class] tbody tr").count(), 2);
  await text.close();
  assert.deepEqual(textErrors, []);
});

test("try the model over HTTP: JSON base64 and multipart predict as the task does; wrong inputs are 4xx", async () => {
  const out = join(runs, "live");
  // Without Chromium the test above skipped before training: train here.
  if (!existsSync(join(out, "config.json"))) {
    mkdirSync(out, { recursive: true });
    const { exited, log } = startTraining(out);
    assert.equal(await exited, 0, log.join(""));
  }
  // The run's validation report from training, over the API (no eval.json in the folder).
  const detail = (await (await fetch(`${s.url}/api/runs/live`)).json()) as {
    hasEval: boolean;
    evaluation?: { split: string; labels: string[]; confusionMatrix: number[][]; examples: number; perClass: { support: number }[] };
  };
  assert.equal(detail.hasEval, true);
  assert.equal(detail.evaluation?.split, "validation");
  const ev = detail.evaluation!;
  assert.deepEqual(ev.labels, LABELS.slice().sort());
  const cells = ev.confusionMatrix.flat();
  assert.equal(cells.length, LABELS.length ** 2);
  assert.equal(
    cells.reduce((a, b) => a + b, 0),
    ev.examples,
  );
  assert.deepEqual(
    ev.perClass.map((c) => c.support),
    ev.confusionMatrix.map((r) => r.reduce((a, b) => a + b, 0)),
  );

  const file = testImage();
  const png = readFileSync(file);
  const ref = await reference(out, file);
  const url = `${s.url}/api/runs/live/predict`;
  const form = new FormData();
  form.append("inputs", new Blob([png], { type: "image/png" }), "bag.png");
  for (const init of [
    {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ inputs: [{ base64: png.toString("base64") }] }),
    },
    { method: "POST", body: form },
  ]) {
    const r = await fetch(url, init);
    assert.equal(r.status, 200);
    const a = (await r.json()) as { task: string; predictions: Labels };
    assert.equal(a.task, "image-classification");
    assert.deepEqual(
      a.predictions[0]!.labels.map((l) => l.label),
      ref[0]!.labels.map((l) => l.label),
    );
    for (const [i, l] of a.predictions[0]!.labels.entries()) assert.ok(Math.abs(l.probability - ref[0]!.labels[i]!.probability) < 1e-5);
  }
  const json = (body: unknown) =>
    fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  assert.equal((await json({ inputs: ["/etc/passwd"] })).status, 400);
  assert.equal((await json({ inputs: [{ base64: Buffer.from("not an image").toString("base64") }] })).status, 415);
  mkdirSync(join(runs, "unsaved"));
  writeFileSync(join(runs, "unsaved", "events.jsonl"), '{"epoch":1,"loss":1}\n');
  const r = await fetch(`${s.url}/api/runs/unsaved/predict`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: "{}",
  });
  assert.equal(r.status, 409);
  rmSync(join(runs, "unsaved"), { recursive: true });
});

test("a missing page is a clear error naming the build to run", () => {
  const empty = mkdtempSync(join(tmpdir(), "fl-studio-page-"));
  try {
    assert.throws(
      () => studioAssets(empty),
      (e: Error & { code?: string }) => {
        assert.equal(e.code, "E_STATE");
        assert.match(e.message, /index\.html, app\.js, app\.css/);
        assert.match(e.message, /npm run build/);
        return true;
      },
    );
  } finally {
    rmSync(empty, { recursive: true, force: true });
  }
});
