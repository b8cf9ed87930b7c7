// ONNX export: zoo models traced at batch 2 run in onnxruntime-node at batch 3 and agree with
// Flambeau's forward (max abs diff ≤ 1e-4); saved model directories export through the CLI
// with their preprocessing in the metadata; unsupported ops and training mode are refused.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import * as fl from "flambeau";
import { AUDIO_CLASSIFIERS } from "../../src/audio/models/zoo.js";
import { runExportCli } from "../../src/cli/export.js";
import { exportOnnx } from "../../src/io/onnx/index.js";
import { encodeModel } from "../../src/io/onnx/proto.js";
import { getTask } from "../../src/tasks/registry.js";
import { TEXT_CLASSIFIERS } from "../../src/text/tasks/text-classification.js";
import { saveModelDir } from "../../src/train/model-dir.js";
import { readImage } from "../../src/vision/image-io.js";
import { CenterNet } from "../../src/vision/models/centernet.js";
import { UNet } from "../../src/vision/models/unet.js";
import { IMAGE_CLASSIFIERS } from "../../src/vision/models/zoo.js";
import { FIXTURES } from "../helpers/fixtures.js";
import { trainImageModel } from "../serve/fixture.js";

type Ort = typeof import("onnxruntime-node");
let ort: Ort | undefined;
try {
  ort = createRequire(import.meta.url)("onnxruntime-node") as Ort;
} catch {
  ort = undefined;
}
const skip = ort ? false : "onnxruntime-node is not installed (npm install -D onnxruntime-node with ONNXRUNTIME_NODE_INSTALL=skip)";
const TOL = 1e-4;
type Forward = fl.nn.Module & { forward(x: fl.Tensor): fl.Tensor };

/** Runs an ONNX model's single input/output on x (one thread: the test shares the machine). */
async function runOnnx(
  bytes: Uint8Array,
  x: fl.Tensor,
): Promise<{ data: Float32Array; dims: readonly number[]; session: import("onnxruntime-node").InferenceSession }> {
  const session = await ort!.InferenceSession.create(bytes, { logSeverityLevel: 3, intraOpNumThreads: 1, interOpNumThreads: 1 });
  const type = x.dtype === "int64" ? "int64" : "float32";
  const out = await session.run({ [session.inputNames[0]!]: new ort!.Tensor(type, x.data() as Float32Array, [...x.shape]) });
  const y = out[session.outputNames[0]!]!;
  return { data: y.data as Float32Array, dims: y.dims, session };
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  assert.equal(a.length, b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

/** Batch-norm statistics and affine parameters away from their initial 0/1, so the export of them is tested. */
function perturbNorms(model: fl.nn.Module): void {
  fl.manualSeed(3);
  const sd = model.stateDict();
  for (const k of [...sd.keys()].filter((k) => k.endsWith("running_var"))) {
    const p = k.slice(0, -"running_var".length);
    const like = sd.get(k)!;
    sd.set(k, fl.rand(like.shape).add(0.5));
    sd.set(`${p}running_mean`, fl.randn(like.shape).mul(0.1));
    if (sd.has(`${p}weight`)) sd.set(`${p}weight`, fl.rand(like.shape).add(0.5));
    if (sd.has(`${p}bias`)) sd.set(`${p}bias`, fl.randn(like.shape).mul(0.1));
  }
  model.loadStateDict(sd);
}

/** Exports at batch 2, runs at batch 3 in onnxruntime; returns the max abs diff against Flambeau. */
async function roundTrip(model: Forward, example: (batch: number) => fl.Tensor): Promise<number> {
  model.eval();
  const bytes = exportOnnx(model, [example(2)]);
  const x = example(3);
  const want = fl.noGrad(() => model.forward(x)) as fl.Tensor;
  const got = await runOnnx(bytes, x);
  assert.deepEqual(got.dims, want.shape);
  const ref = want.data() as Float32Array;
  assert.ok(
    ref.some((v) => Math.abs(v) > 1e-2),
    "the reference output is not trivially small",
  );
  return maxAbsDiff(got.data, ref);
}

const image = (ch: number, size: number) => (b: number) => fl.randn([b, ch, size, size]);
/** b rows of T ids below `vocab`, each row padded (0) at its end, the longer the row index. */
const ids =
  (T: number, vocab = 50) =>
  (b: number) =>
    fl.tensor(
      BigInt64Array.from({ length: b * T }, (_, i) => BigInt(i % T < T - 2 - Math.floor(i / T) ? 1 + ((i * 7) % (vocab - 1)) : 0)),
      { shape: [b, T] },
    );

const ZOO: [string, () => Forward, (b: number) => fl.Tensor][] = [
  ["image small-cnn", () => IMAGE_CLASSIFIERS["small-cnn"]({ inChannels: 1, numClasses: 10, size: 28 }), image(1, 28)],
  ["image resnet-small", () => IMAGE_CLASSIFIERS["resnet-small"]({ inChannels: 3, numClasses: 10, size: 32 }), image(3, 32)],
  ["audio kws-cnn", () => AUDIO_CLASSIFIERS["kws-cnn"]({ nMels: 40, numClasses: 12 }), image(1, 40)],
  ["audio tc-resnet8", () => AUDIO_CLASSIFIERS["tc-resnet8"]({ nMels: 40, numClasses: 12 }), (b) => fl.randn([b, 1, 40, 51])],
  ["segmentation unet-lite", () => new UNet({ inChannels: 3, outChannels: 4, depth: 3, width: 8, stemStride: 2 }), image(3, 16)],
  ["detection centernet (masks)", () => new CenterNet({ numClasses: 2, width: 8, neck: 8, head: 8, masks: true }), image(3, 16)],
  ["text textcnn", () => TEXT_CLASSIFIERS.textcnn!.make({ vocabSize: 50, numClasses: 4 }), ids(16)],
  ["text bow-logistic", () => TEXT_CLASSIFIERS["bow-logistic"]!.make({ vocabSize: 50, numClasses: 4 }), ids(16)],
  ["text bert", () => TEXT_CLASSIFIERS.bert!.make({ vocabSize: 50, numClasses: 4 }), ids(16)],
];

for (const [name, make, example] of ZOO)
  test(`onnx: ${name} traced at batch 2 runs at batch 3 in onnxruntime within ${TOL}`, { skip }, async () => {
    fl.manualSeed(0);
    const model = make();
    perturbNorms(model);
    fl.manualSeed(1);
    const diff = await roundTrip(model, example);
    assert.ok(diff <= TOL, `${name}: max abs diff ${diff}`);
    model.dispose();
  });

/** One module through the less common rows of the op table (each checked by onnxruntime's numbers). */
class OpMix extends fl.nn.Module {
  conv = new fl.nn.Conv2d(4, 6, 3, { padding: "same" });
  up = new fl.nn.ConvTranspose2d(6, 4, 2, { stride: 2 });
  forward(x: fl.Tensor): fl.Tensor {
    const F = fl.nn.functional;
    let h = fl.gelu(this.conv.forward(x), "tanh").add(F.silu(x.narrow(1, 0, 2)).mean({ dim: 1, keepdim: true }));
    h = fl.leakyRelu(h, 0.2).clamp(-1.5, 2).maximum(h.mul(0.5));
    const u = F.interpolate(this.up.forward(h), { size: [8, 8], mode: "bilinear" }); // [B, 4, 8, 8]
    const pooled = F.adaptiveAvgPool2d(F.avgPool2d(u, 2), [2, 2]).flatten(1); // [B, 16]
    const t = x.permute([0, 2, 3, 1]).select(3, 1).transpose(1, 2); // [B, 8, 8]
    const rows = F.layerNorm(t, [8]).softmax(-1).pow(2).sum({ dim: 2 }); // [B, 8]
    const gate = fl.where(rows.gt(0.2), rows, rows.neg().exp());
    return fl.cat([pooled.logSoftmax(1), gate.div(3).sub(1)], 1);
  }
}

test("onnx: convolutions with same padding, transposed convs, resizes, pools, norms and elementwise ops agree with onnxruntime", {
  skip,
}, async () => {
  fl.manualSeed(0);
  const diff = await roundTrip(new OpMix(), image(4, 8));
  assert.ok(diff <= TOL, `max abs diff ${diff}`);
});

const readMetadata = fl.io.readOnnxMetadata;

test("onnx: the protobuf writer's bytes match hand-encoded ones", () => {
  const bytes = encodeModel({
    irVersion: 8,
    opsetVersion: 17,
    producerName: "f",
    producerVersion: "1",
    graph: { name: "g", nodes: [], initializers: [], inputs: [], outputs: [] },
    metadata: { k: "v" },
  });
  // ir_version=8 (field 1 varint), producer "f" (2), version "1" (3), graph{name "g"} (7),
  // opset_import{domain "", version 17} (8), metadata_props{key "k", value "v"} (14).
  const want = [
    0x08, 8, 0x12, 1, 0x66, 0x1a, 1, 0x31, 0x3a, 3, 0x12, 1, 0x67, 0x42, 4, 0x0a, 0, 0x10, 17, 0x72, 6, 0x0a, 1, 0x6b, 0x12, 1, 0x76,
  ];
  assert.deepEqual([...bytes], want);
  assert.deepEqual(readMetadata(bytes), { k: "v" });
});

test("onnx: an op without an ONNX mapping and a model left in training mode are refused by name", () => {
  class Cumulative extends fl.nn.Module {
    forward(x: fl.Tensor): fl.Tensor {
      return x.cumsum(1);
    }
  }
  assert.throws(
    () => exportOnnx(new Cumulative(), [fl.randn([2, 4])]),
    (e: unknown) => e instanceof fl.FlambeauError && e.code === "E_ARG" && /aten::cumsum/.test(e.message),
  );
  const bn = new fl.nn.Sequential(new fl.nn.Conv2d(1, 2, 3), new fl.nn.BatchNorm2d(2));
  bn.train();
  assert.throws(
    () => exportOnnx(bn, [fl.randn([2, 1, 5, 5])]),
    (e: unknown) => e instanceof fl.FlambeauError && /batch_norm.*eval\(\)/.test(e.message),
  );
});

test("onnx: `flambeau export` writes a saved image classifier with its preprocessing; onnxruntime agrees with predict", {
  skip,
}, async () => {
  const { root, model, file } = await trainImageModel();
  const out = join(root, "model.onnx");
  const r = await runExportCli(model, { format: "onnx", out });
  assert.equal(r.task, "image-classification");
  const bytes = readFileSync(out);
  const meta = readMetadata(bytes);
  const pre = JSON.parse(meta.preprocessing!) as { size: number; channels: 1 | 3; mean: number[]; std: number[] };
  const labels = JSON.parse(meta.labels!) as string[];
  assert.equal(meta.task, "image-classification");
  assert.ok(labels.includes("bag"));

  // Prepare the file as the metadata says and compare probabilities with the task's predict.
  const img = await readImage(file, { size: pre.size, channels: pre.channels });
  const x = fl
    .tensor(
      Float32Array.from(img.data, (v) => v / 255),
      { shape: [1, pre.channels, pre.size, pre.size] },
    )
    .sub(fl.tensor(pre.mean, { shape: [1, pre.channels, 1, 1] }))
    .div(fl.tensor(pre.std, { shape: [1, pre.channels, 1, 1] }));
  const { data, session } = await runOnnx(bytes, x);
  assert.equal(session.inputNames[0], "pixels");
  const meta0 = session.inputMetadata[0] as { shape: readonly (number | string)[] };
  assert.deepEqual(meta0.shape, ["batch", pre.channels, pre.size, pre.size]);
  const probs = fl
    .tensor(data, { shape: [1, labels.length] })
    .softmax(1)
    .data() as Float32Array;
  const [p] = (await getTask("image-classification").predict(model, [file], { topK: labels.length })) as {
    labels: { label: string; probability: number }[];
  }[];
  for (const { label, probability } of p!.labels) assert.ok(Math.abs(probs[labels.indexOf(label)]! - probability) <= TOL, label);
});

test("onnx: a saved text classifier exports with its tokenizer; a bad format is refused", { skip }, async () => {
  const root = mkdtempSync(join(tmpdir(), "fl-onnx-"));
  const rows = ["text,label"];
  for (let i = 0; i < 40; i++) rows.push(i % 2 ? `the cat sat on the mat ${i % 7},cats` : `the dog ran in the park ${i % 5},dogs`);
  writeFileSync(join(root, "docs.csv"), `${rows.join("\n")}\n`);
  const model = join(root, "model");
  await getTask("text-classification").train({ data: join(root, "docs.csv"), out: model, epochs: 1, model: "textcnn", seed: 0 });
  const out = join(root, "text.onnx");
  await runExportCli(model, { out });
  const bytes = readFileSync(out);
  const meta = readMetadata(bytes);
  assert.ok(meta.tokenizer?.includes("cat"), "the vocabulary travels in the metadata");
  const { maxTokens } = JSON.parse(meta.preprocessing!) as { maxTokens: number };
  const module = (await getTask("text-classification").loadModule!(model)) as Forward;
  const vocab = module.stateDict().get("embedding.weight")?.shape[0] ?? 2;
  const x = ids(maxTokens, vocab)(3);
  const want = (fl.noGrad(() => module.forward(x)) as fl.Tensor).data() as Float32Array;
  assert.ok(maxAbsDiff((await runOnnx(bytes, x)).data, want) <= TOL);
  module.dispose();

  await assert.rejects(runExportCli(model, { format: "tflite", out: join(root, "x") }), /--format must be one of onnx, got "tflite"/);
  // The command is wired (its help needs no engine, so this child stays cheap).
  const bin = join(FIXTURES, "..", "..", "bin", "flambeau.js");
  const help = spawnSync(process.execPath, [bin, "export", "--help"], { encoding: "utf8" });
  assert.equal(help.status, 0);
  assert.match(help.stdout, /--format <name>/);
});

test("onnx: a saved audio classifier exports its log-mel front end's settings; onnxruntime agrees on the spectrogram input", {
  skip,
}, async () => {
  const dir = join(mkdtempSync(join(tmpdir(), "fl-onnx-audio-")), "model");
  fl.manualSeed(0);
  const net = AUDIO_CLASSIFIERS["tc-resnet8"]({ nMels: 40, numClasses: 3 });
  perturbNorms(net);
  const pre = { sampleRate: 16000, nFft: 512, winLength: 400, hopLength: 160, nMels: 40, mean: -40, std: 20, length: 8000, data: "test" };
  await saveModelDir(
    dir,
    {
      task: "audio-classification",
      architecture: "tc-resnet8",
      hyper: { nMels: 40, numClasses: 3 },
      labels: ["yes", "no", "up"],
      preprocessing: pre,
    },
    net.stateDict(),
  );
  const out = join(dir, "..", "kws.onnx");
  const r = await runExportCli(dir, { out });
  assert.deepEqual(r.inputs[0], { name: "log_mel", shape: ["batch", 1, 40, 51], dtype: "float32" });
  const bytes = readFileSync(out);
  const meta = readMetadata(bytes);
  assert.equal(JSON.parse(meta.preprocessing!).hopLength, 160);
  assert.deepEqual(JSON.parse(meta.labels!), ["yes", "no", "up"]);
  const spec = await getTask("audio-classification").loadExport!(dir);
  const x = fl.cat([spec.inputs[0]!, spec.inputs[0]!.narrow(0, 1, 1)], 0);
  const want = (fl.noGrad(() => spec.module.forward(x)) as fl.Tensor).data() as Float32Array;
  assert.ok(maxAbsDiff((await runOnnx(bytes, x)).data, want) <= TOL);
  spec.module.dispose();
  net.dispose();
});
