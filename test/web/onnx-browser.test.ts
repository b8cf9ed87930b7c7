// The browser page of `flambeau export --web` in Debian's Chromium: a tiny image classifier and
// a tiny TextCNN are trained, exported with the page, served from 127.0.0.1, and driven like a
// user would (a photo uploaded, strokes drawn with the mouse, a text typed). onnxruntime-web's
// logits in the page must equal Flambeau's forward on the same input within 1e-4, and the
// page's inputs must be Flambeau's own preprocessing (the photo's pixels, the tokenizer's ids).
// Skips with the reason only where Chromium cannot start.
import assert from "node:assert/strict";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { extname, join, resolve, sep } from "node:path";
import { after, test } from "node:test";
import * as fl from "flambeau";
import type { Page } from "playwright-core";
import { runExportCli } from "../../src/cli/export.js";
import { getTask } from "../../src/tasks/registry.js";
import { WordLevelTokenizer } from "../../src/text/tokenizers/word-level.js";
import { readImage } from "../../src/vision/image-io.js";
import { launchChromium } from "../helpers/chromium.js";
import { trainImageModel } from "../serve/fixture.js";

const TOL = 1e-4;
const { browser, skip } = await launchChromium();

interface PageResult {
  input: number[];
  logits: number[];
  probabilities: number[];
}

const MIME: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript",
  ".mjs": "text/javascript",
  ".wasm": "application/wasm",
  ".onnx": "application/octet-stream",
  ".txt": "text/plain",
};

/** A static file server for `root` on 127.0.0.1 (what a user's `python3 -m http.server` does). */
async function serve(root: string): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    const path = resolve(root, `.${decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname)}`);
    const file = statSync(path, { throwIfNoEntry: false })?.isDirectory() ? join(path, "index.html") : path;
    if (!file.startsWith(root + sep) || !statSync(file, { throwIfNoEntry: false })?.isFile()) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { "content-type": MIME[extname(file)] ?? "application/octet-stream" }).end(readFileSync(file));
  });
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  after(() => server.close());
  const address = server.address();
  assert.ok(address && typeof address === "object");
  return { url: `http://127.0.0.1:${address.port}`, server };
}

/** Opens the page and waits until its model is loaded. */
async function open(url: string): Promise<Page> {
  const page = await browser!.newPage({ viewport: { width: 900, height: 640 } });
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  await page.goto(url);
  await page.waitForSelector('#status[data-state="ready"], #status[data-state="error"]', { timeout: 15_000 });
  const state = await page.getAttribute("#status", "data-state");
  assert.equal(state, "ready", `the page did not load its model: ${await page.textContent("#status")} ${errors.join("; ")}`);
  return page;
}

/** The page's numbers after its `run`-th classification. */
async function resultAfter(page: Page, run: number): Promise<PageResult> {
  await page.waitForSelector(`#result[data-run="${run}"]`, { state: "attached", timeout: 15_000 });
  return JSON.parse((await page.textContent("#result")) ?? "") as PageResult;
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

type Forward = fl.nn.Module & { forward(x: fl.Tensor): fl.Tensor };
/** Flambeau's logits for one input. */
function flambeauLogits(model: Forward, x: fl.Tensor): Float32Array {
  return fl.tidy(() => (fl.noGrad(() => model.forward(x)) as fl.Tensor).data() as Float32Array);
}

const root = mkdtempSync(join(tmpdir(), "fl-onnx-web-"));
const site = (name: string) => join(root, "site", name);

if (!skip) {
  // The page as the project's build makes it (dist/web/onnx), from the current source.
  const builder = new URL("../../../scripts/build-web.js", import.meta.url).href;
  await ((await import(builder)) as { buildOnnxPage(): Promise<string[]> }).buildOnnxPage();
}

test("onnx page: an uploaded photo and a drawing classified in Chromium agree with Flambeau within 1e-4", { skip }, async () => {
  const { model, file } = await trainImageModel();
  const r = await runExportCli(model, { out: join(root, "image.onnx"), web: site("image") });
  assert.deepEqual(r.web?.files.sort(), [
    "app.js",
    "app.js.LEGAL.txt",
    "index.html",
    "model.onnx",
    "ort-wasm-simd-threaded.mjs",
    "ort-wasm-simd-threaded.wasm",
  ]);
  const { url } = await serve(join(root, "site"));
  const page = await open(`${url}/image/`);
  const net = (await getTask("image-classification").loadModule!(model)) as Forward;
  const config = JSON.parse(readFileSync(join(model, "config.json"), "utf8"));
  const { size, channels, mean, std } = config.preprocessing;
  const labels = config.labels as string[];

  // A Fashion-MNIST PNG at the model's size: the page's input is exactly Flambeau's preprocessing.
  await page.setInputFiles("#photo", file);
  const photo = await resultAfter(page, 1);
  const img = await readImage(file, { size, channels });
  const want = Float32Array.from(img.data, (v) => (v / 255 - mean[0]) / std[0]);
  assert.ok(maxAbsDiff(photo.input, want) <= 1e-6, "the page prepares the photo as Flambeau does");
  assert.ok(maxAbsDiff(photo.logits, flambeauLogits(net, fl.tensor(want, { shape: [1, channels, size, size] }))) <= TOL);
  const [p] = (await getTask("image-classification").predict(model, [file], { topK: labels.length })) as {
    labels: { label: string; probability: number }[];
  }[];
  for (const { label, probability } of p!.labels)
    assert.ok(Math.abs(photo.probabilities[labels.indexOf(label)]! - probability) <= TOL, `${label}: the page and predict agree`);

  // Two strokes drawn with the mouse; the page classifies when the pointer goes up.
  const box = (await page.locator("#draw").boundingBox())!;
  for (const [x0, y0, x1, y1] of [
    [0.35, 0.15, 0.3, 0.85],
    [0.65, 0.15, 0.7, 0.85],
  ] as const) {
    await page.mouse.move(box.x + x0 * box.width, box.y + y0 * box.height);
    await page.mouse.down();
    await page.mouse.move(box.x + x1 * box.width, box.y + y1 * box.height, { steps: 8 });
    await page.mouse.up();
  }
  const drawing = await resultAfter(page, 3);
  const lit = drawing.input.filter((v) => v > (0.5 - mean[0]) / std[0]).length;
  assert.ok(lit > 20 && lit < size * size - 20, `the strokes reach the model's input (${lit} bright pixels)`);
  const x = fl.tensor(Float32Array.from(drawing.input), { shape: [1, channels, size, size] });
  assert.ok(maxAbsDiff(drawing.logits, flambeauLogits(net, x)) <= TOL);
  const shot = join(root, "onnx-browser.png");
  await page.screenshot({ path: shot });
  // FLAMBEAU_SCREENSHOTS=docs/figures refreshes the README's picture.
  if (process.env.FLAMBEAU_SCREENSHOTS) {
    mkdirSync(process.env.FLAMBEAU_SCREENSHOTS, { recursive: true });
    copyFileSync(shot, join(process.env.FLAMBEAU_SCREENSHOTS, "onnx-browser.png"));
  }
  net.dispose();
  x.dispose();
});

test("onnx page: a typed text is tokenized from the model's metadata and classified as Flambeau does", { skip }, async () => {
  const rows = ["text,label"];
  for (let i = 0; i < 40; i++) rows.push(i % 2 ? `the cat sat on the mat ${i % 7},cats` : `the dog ran in the park ${i % 5},dogs`);
  writeFileSync(join(root, "docs.csv"), `${rows.join("\n")}\n`);
  const model = join(root, "text-model");
  await getTask("text-classification").train({ data: join(root, "docs.csv"), out: model, epochs: 1, model: "textcnn", seed: 0 });
  await runExportCli(model, { out: join(root, "text.onnx"), web: site("text") });
  const { url } = await serve(join(root, "site"));
  const page = await open(`${url}/text/`);
  assert.equal(await page.isHidden("#image"), true);

  const text = "The CAT sat, on the MAT in the park! zebra’s 3";
  await page.fill("#text-input", text);
  await page.click("#classify-text");
  const got = await resultAfter(page, 1);
  const { maxTokens } = JSON.parse(readFileSync(join(model, "config.json"), "utf8")).preprocessing as { maxTokens: number };
  const ids = WordLevelTokenizer.load(join(model, "tokenizer.json")).encode(text);
  const want = Array.from({ length: maxTokens }, (_, i) => ids[i] ?? 0);
  assert.deepEqual(got.input, want, "the page's tokenizer gives Flambeau's ids");
  assert.ok(want.filter((v) => v > 1).length >= 5, "the text has words in the vocabulary");
  const net = (await getTask("text-classification").loadModule!(model)) as Forward;
  const x = fl.tensor(BigInt64Array.from(want, BigInt), { shape: [1, maxTokens] });
  assert.ok(maxAbsDiff(got.logits, flambeauLogits(net, x)) <= TOL);
  net.dispose();
  x.dispose();
});
