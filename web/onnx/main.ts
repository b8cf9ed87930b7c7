// The page: loads an exported classifier (model.onnx beside the page, ?model=URL, or a file
// the user picks), reads its metadata, and classifies a drawing, a photo or a text with
// onnxruntime-web's WebAssembly backend. Everything it loads comes from its own folder.
import * as ort from "onnxruntime-web/wasm";
import { readOnnxMetadata } from "../../src/io/onnx/metadata.js";
import { imageInput, resizedPixels } from "./image.js";
import { type ModelInfo, modelInfo, probabilities } from "./model-info.js";
import { padIds } from "./tokenizer.js";

// Several threads need a cross-origin-isolated page (COOP/COEP headers), which a plain static
// server does not send; one thread works everywhere and these models are small.
ort.env.wasm.numThreads = 1;
ort.env.wasm.wasmPaths = new URL("./", import.meta.url).href;

const el = <T extends HTMLElement = HTMLElement>(id: string): T => {
  const e = document.getElementById(id);
  if (!e) throw new Error(`the page has no #${id}`);
  return e as T;
};
const statusEl = el("status");
const draw = el<HTMLCanvasElement>("draw");
const seen = el<HTMLCanvasElement>("seen");
const result = el<HTMLPreElement>("result");

function status(state: "loading" | "ready" | "error", text: string): void {
  statusEl.dataset.state = state;
  statusEl.textContent = text;
}

let model: { session: ort.InferenceSession; info: ModelInfo } | undefined;
/** Runs one at a time, in order: a session is not re-entrant. */
let queue: Promise<unknown> = Promise.resolve();
const enqueue = (job: () => Promise<void>) => {
  queue = queue.then(job).catch((e: unknown) => status("error", String((e as Error)?.message ?? e)));
};

async function load(bytes: Uint8Array, name: string): Promise<void> {
  status("loading", `Loading ${name}…`);
  const info = modelInfo(readOnnxMetadata(bytes));
  const session = await ort.InferenceSession.create(bytes, { executionProviders: ["wasm"] });
  await model?.session.release();
  model = { session, info };
  el("image").hidden = info.kind !== "image";
  el("text").hidden = info.kind !== "text";
  el("top").replaceChildren();
  const what = info.kind === "image" ? "draw or upload an image" : "type a text";
  status("ready", `${name}: ${info.task} (${info.architecture}), ${info.labels.length} classes — ${what}.`);
}

/** Runs the model on one input; shows the top classes and leaves the numbers in #result. */
async function classify(input: Float32Array | BigInt64Array): Promise<void> {
  if (!model) throw new Error("no model is loaded");
  const { session, info } = model;
  const dims = info.kind === "image" ? [1, info.image.channels, info.image.size, info.image.size] : [1, info.text.maxTokens];
  const x = input instanceof Float32Array ? new ort.Tensor("float32", input, dims) : new ort.Tensor("int64", input, dims);
  const out = await session.run({ [session.inputNames[0]!]: x });
  const logits = out[session.outputNames[0]!]!.data as Float32Array;
  const probs = probabilities(logits, info.multiLabel);
  const order = probs.map((_, i) => i).sort((a, b) => probs[b]! - probs[a]!);
  el("top").replaceChildren(
    ...order.slice(0, 5).map((i) => {
      const li = document.createElement("li");
      const bar = document.createElement("span");
      bar.className = "bar";
      bar.style.width = `${Math.round(probs[i]! * 200)}px`;
      li.append(`${info.labels[i]} ${(probs[i]! * 100).toFixed(1)} %`, bar);
      return li;
    }),
  );
  result.textContent = JSON.stringify({
    input: Array.from(input, Number),
    logits: Array.from(logits),
    probabilities: probs,
  });
  result.dataset.run = String(Number(result.dataset.run ?? 0) + 1);
}

function classifyPicture(src: CanvasImageSource, width: number, height: number): void {
  enqueue(async () => {
    if (model?.info.kind !== "image") return;
    const pre = model.info.image;
    const rgba = resizedPixels(src, width, height, pre.size);
    seen.width = pre.size;
    seen.height = pre.size;
    seen.getContext("2d")?.putImageData(new ImageData(new Uint8ClampedArray(rgba), pre.size, pre.size), 0, 0);
    await classify(imageInput(rgba, pre));
  });
}

// --- drawing: white strokes on black, as the Fashion-MNIST and MNIST images are ---------------
const pen = draw.getContext("2d");
function clearDrawing(): void {
  if (!pen) return;
  pen.fillStyle = "#000";
  pen.fillRect(0, 0, draw.width, draw.height);
}
clearDrawing();
let last: [number, number] | undefined;
const at = (e: PointerEvent): [number, number] => {
  const r = draw.getBoundingClientRect();
  return [((e.clientX - r.left) * draw.width) / r.width, ((e.clientY - r.top) * draw.height) / r.height];
};
draw.addEventListener("pointerdown", (e) => {
  draw.setPointerCapture(e.pointerId);
  last = at(e);
});
draw.addEventListener("pointermove", (e) => {
  if (!last || !pen) return;
  const p = at(e);
  pen.strokeStyle = "#fff";
  pen.lineWidth = draw.width / 12;
  pen.lineCap = "round";
  pen.lineJoin = "round";
  pen.beginPath();
  pen.moveTo(...last);
  pen.lineTo(...p);
  pen.stroke();
  last = p;
});
const endStroke = () => {
  if (!last) return;
  last = undefined;
  classifyPicture(draw, draw.width, draw.height);
};
draw.addEventListener("pointerup", endStroke);
draw.addEventListener("pointercancel", endStroke);
el("clear").addEventListener("click", () => {
  clearDrawing();
  el("top").replaceChildren();
});

// --- a photo ------------------------------------------------------------------------------
el<HTMLInputElement>("photo").addEventListener("change", async (e) => {
  const file = (e.target as HTMLInputElement).files?.[0];
  if (!file) return;
  try {
    // No colour management: the pixels as stored, as Flambeau's decoder reads them.
    const bitmap = await createImageBitmap(file, { colorSpaceConversion: "none", premultiplyAlpha: "none" });
    classifyPicture(bitmap, bitmap.width, bitmap.height);
  } catch (err) {
    status("error", `${file.name}: not an image this browser decodes (${String(err)})`);
  }
});

// --- a text -------------------------------------------------------------------------------
el("classify-text").addEventListener("click", () => {
  enqueue(async () => {
    if (model?.info.kind !== "text") return;
    const { tokenizer, maxTokens, padId } = model.info.text;
    await classify(padIds(tokenizer.encode(el<HTMLTextAreaElement>("text-input").value), maxTokens, padId));
  });
});

// --- the model ----------------------------------------------------------------------------
el<HTMLInputElement>("model-file").addEventListener("change", (e) => {
  const file = (e.target as HTMLInputElement).files?.[0];
  if (file) enqueue(async () => load(new Uint8Array(await file.arrayBuffer()), file.name));
});

const url = new URLSearchParams(location.search).get("model") ?? "model.onnx";
enqueue(async () => {
  const res = await fetch(url);
  if (!res.ok) {
    status("error", `no ${url} beside the page (HTTP ${res.status}): choose an exported .onnx file above`);
    return;
  }
  await load(new Uint8Array(await res.arrayBuffer()), url);
});
