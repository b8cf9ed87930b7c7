// The browser page of `flambeau export --web` in Debian's Chromium: a small-cnn with seeded
// weights and a tiny trained TextCNN are exported with the page, served from 127.0.0.1, and driven like a
// user would (a photo uploaded, strokes drawn with the mouse, a text typed). onnxruntime-web's
// logits in the page must equal Flambeau's forward on the same input within 1e-4, and the
// page's inputs must be Flambeau's own preprocessing (the photo's pixels, the tokenizer's ids).
// Skips with the reason only where Chromium cannot start.
import assert from "node:assert/strict";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { extname, join, resolve, sep } from "node:path";
import { after, type TestContext, test } from "node:test";
import * as fl from "flambeau";
import type { Page } from "playwright-core";
import sharp from "sharp";
import { AUDIO_CLASSIFIERS } from "../../src/audio/models/zoo.js";
import { runExportCli } from "../../src/cli/export.js";
import { planWebPage } from "../../src/cli/export-web.js";
import { FASHION_MNIST_CLASSES } from "../../src/data/index.js";
import { getTask } from "../../src/tasks/registry.js";
import { WordLevelTokenizer } from "../../src/text/tokenizers/word-level.js";
import { saveModelDir } from "../../src/train/model-dir.js";
import { readImage } from "../../src/vision/image-io.js";
import { IMAGE_CLASSIFIERS } from "../../src/vision/models/zoo.js";
import { launchChromium } from "../helpers/chromium.js";

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

/** Asserts the page's logits are Flambeau's within TOL and reports the difference. */
function agree(t: TestContext, what: string, page: ArrayLike<number>, flambeau: ArrayLike<number>): void {
  const d = maxAbsDiff(page, flambeau);
  t.diagnostic(`${what}: max abs diff of the logits ${d.toExponential(2)}`);
  assert.ok(d <= TOL, `${what}: the page's logits differ from Flambeau's by ${d}`);
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

/** A small-cnn image classifier with seeded weights saved as `flambeau train` saves one, and two photos for it. */
async function imageModel(): Promise<{ model: string; gray: string; rgb: string }> {
  const model = join(root, "image-model");
  fl.manualSeed(0);
  const hyper = { inChannels: 1, numClasses: 10, size: 28 };
  const net = IMAGE_CLASSIFIERS["small-cnn"](hyper);
  const preprocessing = { size: 28, channels: 1, mean: [0.286], std: [0.353] };
  const config = { task: "image-classification", architecture: "small-cnn", hyper, labels: [...FASHION_MNIST_CLASSES], preprocessing };
  await saveModelDir(model, config, net.stateDict());
  net.dispose();
  // A gray PNG at the model's size (passes through exactly) and a larger RGB one (resized, grayed).
  const gray = join(root, "gray.png");
  const rgb = join(root, "rgb.png");
  const px = (n: number, f: (i: number) => number) => Buffer.from(Uint8Array.from({ length: n }, (_, i) => f(i) % 256));
  await sharp(
    px(28 * 28, (i) => (i % 28) * 9 + Math.floor(i / 28) * 3),
    { raw: { width: 28, height: 28, channels: 1 } },
  )
    .png()
    .toFile(gray);
  // Smooth gradients, where resampling filters differ little (at an edge they differ by its height).
  const [w, h] = [60, 40];
  const rgbPx = px(w * h * 3, (i) => [((i / 3) % w) * 4, Math.floor(i / 3 / w) * 6, 128][i % 3]!);
  await sharp(rgbPx, { raw: { width: w, height: h, channels: 3 } })
    .png()
    .toFile(rgb);
  return { model, gray, rgb };
}

test("onnx page: uploaded photos and a drawing classified in Chromium agree with Flambeau within 1e-4", { skip }, async (t) => {
  const { model, gray, rgb } = await imageModel();
  const r = await runExportCli(model, { out: join(root, "image.onnx"), web: site("image") });
  assert.deepEqual(r.web?.files.sort(), [
    "app.js",
    "index.html",
    "model.onnx",
    "ort-wasm-simd-threaded.mjs",
    "ort-wasm-simd-threaded.wasm",
    "ort.wasm.bundle.min.mjs",
  ]);
  const { url } = await serve(join(root, "site"));
  const page = await open(`${url}/image/`);
  const net = (await getTask("image-classification").loadModule!(model)) as Forward;
  const config = JSON.parse(readFileSync(join(model, "config.json"), "utf8"));
  const { size, channels, mean, std } = config.preprocessing;
  const labels = config.labels as string[];
  const flambeauInput = async (file: string) =>
    Float32Array.from((await readImage(file, { size, channels })).data, (v) => (v / 255 - mean[0]) / std[0]);

  // A PNG at the model's size: the page's input is exactly Flambeau's preprocessing, and its
  // probabilities are predict's.
  await page.setInputFiles("#photo", gray);
  const photo = await resultAfter(page, 1);
  const want = await flambeauInput(gray);
  assert.ok(maxAbsDiff(photo.input, want) <= 1e-6, "the page prepares the photo as Flambeau does");
  agree(t, "28×28 gray photo", photo.logits, flambeauLogits(net, fl.tensor(want, { shape: [1, channels, size, size] })));
  const [p] = (await getTask("image-classification").predict(model, [gray], { topK: labels.length })) as {
    labels: { label: string; probability: number }[];
  }[];
  for (const { label, probability } of p!.labels)
    assert.ok(Math.abs(photo.probabilities[labels.indexOf(label)]! - probability) <= TOL, `${label}: the page and predict agree`);

  // A larger RGB photo: the browser's resampling is not libvips', so the inputs are close, not
  // equal; the model's answer on the page's input is still Flambeau's.
  await page.setInputFiles("#photo", rgb);
  const resized = await resultAfter(page, 2);
  const gap = maxAbsDiff(resized.input, await flambeauInput(rgb)) * std[0];
  assert.ok(gap < 0.05, `the page's resized photo is within 0.05 (of 1) of Flambeau's: ${gap}`);
  const xr = fl.tensor(Float32Array.from(resized.input), { shape: [1, channels, size, size] });
  t.diagnostic(`60×40 RGB photo: the page's input within ${gap.toFixed(4)} of Flambeau's (pixel values in [0, 1])`);
  agree(t, "60×40 RGB photo", resized.logits, flambeauLogits(net, xr));
  xr.dispose();

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
  const drawing = await resultAfter(page, 4);
  const lit = drawing.input.filter((v) => v > (0.5 - mean[0]) / std[0]).length;
  assert.ok(lit > 20 && lit < size * size - 20, `the strokes reach the model's input (${lit} bright pixels)`);
  const x = fl.tensor(Float32Array.from(drawing.input), { shape: [1, channels, size, size] });
  agree(t, "drawing", drawing.logits, flambeauLogits(net, x));
  // FLAMBEAU_SCREENSHOTS=DIR keeps a picture of the page (CI artifacts).
  const shots = process.env.FLAMBEAU_SCREENSHOTS;
  if (shots) {
    mkdirSync(shots, { recursive: true });
    await page.screenshot({ path: join(shots, "onnx-browser-test.png") });
  }
  net.dispose();
});

test("onnx page: a typed text is tokenized from the model's metadata and classified as Flambeau does", { skip }, async (t) => {
  const rows = ["text,label"];
  for (let i = 0; i < 40; i++) rows.push(i % 2 ? `the cat sat on the mat ${i % 7},cats` : `the dog ran in the park ${i % 5},dogs`);
  writeFileSync(join(root, "docs.csv"), `${rows.join("\n")}\n`);
  const model = join(root, "text-model");
  await getTask("text-classification").train({ data: join(root, "docs.csv"), out: model, epochs: 1, model: "textcnn", seed: 0 });
  await runExportCli(model, { out: join(root, "text.onnx"), web: site("text") });
  const { url } = await serve(join(root, "site"));
  const page = await open(`${url}/text/`);
  assert.equal(await page.isHidden("#image"), true);

  const { maxTokens } = JSON.parse(readFileSync(join(model, "config.json"), "utf8")).preprocessing as { maxTokens: number };
  const tokenizer = WordLevelTokenizer.load(join(model, "tokenizer.json"));
  const net = (await getTask("text-classification").loadModule!(model)) as Forward;
  // Case and punctuation, a special token written in the text, no token at all, a text past the limit.
  const texts = ["The CAT sat, on the MAT in the park! zebra’s 3", "<unk> dog<pad>ran", "  ", "the dog ran ".repeat(maxTokens)];
  for (const [i, text] of texts.entries()) {
    await page.fill("#text-input", text);
    await page.click("#classify-text");
    const got = await resultAfter(page, i + 1);
    const ids = tokenizer.encode(text);
    const want = Array.from({ length: maxTokens }, (_, k) => ids[k] ?? 0);
    assert.deepEqual(got.input, want, `the page's tokenizer gives Flambeau's ids for ${JSON.stringify(text.slice(0, 40))}`);
    const x = fl.tensor(BigInt64Array.from(want, BigInt), { shape: [1, maxTokens] });
    agree(t, `text ${JSON.stringify(text.slice(0, 20))}`, got.logits, flambeauLogits(net, x));
    x.dispose();
  }
  assert.ok(tokenizer.encode(texts[0]!).filter((v) => v > 1).length >= 5, "the first text has words in the vocabulary");
  net.dispose();

  // ?model= names another file; a missing one is said in the page.
  copyFileSync(join(root, "text.onnx"), join(site("text"), "again.onnx"));
  const other = await open(`${url}/text/?model=again.onnx`);
  assert.match((await other.textContent("#status")) ?? "", /^again\.onnx: text-classification \(textcnn\), 2 classes/);
  await other.goto(`${url}/text/?model=nothing.onnx`);
  await other.waitForSelector('#status[data-state="error"]');
  assert.match((await other.textContent("#status")) ?? "", /no nothing\.onnx beside the page \(HTTP 404\)/);
});

test("onnx page: the metadata reader and --web refuse what they cannot handle, by name", async () => {
  assert.throws(
    () => fl.io.readOnnxMetadata(Uint8Array.from([0x72, 0x40, 0x0a])),
    (e: unknown) => e instanceof fl.FlambeauError && e.code === "E_FORMAT" && /past the end/.test(e.message),
  );
  assert.deepEqual(fl.io.readOnnxMetadata(new Uint8Array(0)), {});
  // An audio classifier exports, but the page prepares only images and texts: refused before anything is written.
  const dir = join(root, "kws");
  const net = AUDIO_CLASSIFIERS["kws-cnn"]({ nMels: 40, numClasses: 2 });
  const pre = { sampleRate: 16000, nFft: 512, winLength: 400, hopLength: 160, nMels: 40, mean: -40, std: 20, length: 8000, data: "test" };
  const config = { task: "audio-classification", architecture: "kws-cnn", hyper: { nMels: 40, numClasses: 2 }, labels: ["yes", "no"] };
  await saveModelDir(dir, { ...config, preprocessing: pre }, net.stateDict());
  net.dispose();
  await assert.rejects(
    runExportCli(dir, { out: join(root, "kws.onnx"), web: join(root, "kws-site") }),
    (e: unknown) =>
      e instanceof fl.FlambeauError &&
      e.code === "E_ARG" &&
      /image-classification and text-classification.*audio-classification/.test(e.message),
  );
  assert.equal(existsSync(join(root, "kws.onnx")), false);
  const bytes = readFileSync((await runExportCli(dir, { out: join(root, "kws.onnx") })).out);
  assert.equal(fl.io.readOnnxMetadata(bytes).task, "audio-classification");
  writeFileSync(join(root, "a-file"), "");
  await assert.rejects(
    runExportCli(dir, { out: join(root, "kws2.onnx"), web: join(root, "a-file") }),
    /the page runs image-classification and text-classification models/,
  );
  await assert.rejects(planWebPage("image-classification", join(root, "a-file")), /a-file exists and is not a folder/);
});
