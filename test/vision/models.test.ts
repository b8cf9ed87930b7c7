// The model zoo: torchvision's state-dict keys and shapes for ResNet-18/34 and MobileNetV2,
// torchvision weights loading with identical outputs, and forward shapes of every family.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import * as fl from "flambeau";
import { assertClose, FIXTURES, readFixture } from "../helpers/fixtures.js";

const { vision } = fl;
const PY = "/usr/bin/python3";
const hasTorchvision = spawnSync(PY, ["-c", "import torchvision"]).status === 0;
type Keys = Record<"resnet18" | "resnet34" | "mobilenet_v2", [string, number[]][]>;
const ref = readFixture<Keys>("vision", "torchvision_keys.json");

function sameKeys(m: fl.nn.Module, expected: [string, number[]][], what: string): void {
  const sd = m.stateDict();
  const got = new Map([...sd].map(([k, v]) => [k, [...v.shape]]));
  assert.deepEqual([...got.keys()].sort(), expected.map(([k]) => k).sort(), `${what}: keys`);
  for (const [k, shape] of expected) assert.deepEqual(got.get(k), shape, `${what}: shape of ${k}`);
}

test("ResNet-18/34 and MobileNetV2 have torchvision's state-dict keys and shapes", () => {
  sameKeys(vision.resnet18(), ref.resnet18, "resnet18");
  sameKeys(vision.resnet34(), ref.resnet34, "resnet34");
  sameKeys(new vision.MobileNetV2(), ref.mobilenet_v2, "mobilenet_v2");
});

test("torchvision ResNet-18 and MobileNetV2 weights load through safetensors with identical outputs", {
  skip: hasTorchvision ? false : "needs /usr/bin/python3 with torchvision (apt python3-torchvision)",
}, async () => {
  const dir = mkdtempSync(join(tmpdir(), "fl-vision-"));
  try {
    const path = join(dir, "tv.safetensors");
    const r = spawnSync(PY, [join(FIXTURES, "..", "..", "scripts", "fixtures", "vision_models.py"), "weights", path], { encoding: "utf8" });
    assert.equal(r.status, 0, r.stderr);
    const all = await fl.load(path);
    const x = all.get("input")!;
    const models: [string, { forward(x: fl.Tensor): fl.Tensor } & Pick<fl.nn.Module, "loadStateDict" | "eval">][] = [
      ["resnet18", vision.resnet18({ numClasses: 10 })],
      ["mobilenet_v2", new vision.MobileNetV2({ numClasses: 10 })],
    ];
    for (const [name, m] of models) {
      const sd = new Map([...all].filter(([k]) => k.startsWith(`${name}.`)).map(([k, v]) => [k.slice(name.length + 1), v]));
      m.loadStateDict(sd);
      m.eval();
      assertClose(
        fl.noGrad(() => m.forward(x)),
        all.get(`${name}:output`)!,
        `${name} on torchvision weights`,
        1e-4,
        1e-4,
      );
    }
    // Transfer learning's path: the whole file by key, the prefix mapped away, a 3-class head
    // skipped for shape, the other model's keys reported as unexpected.
    const report = await fl.io.loadWeights(vision.resnet18({ numClasses: 3 }), path, { keyMap: [["resnet18.", ""]] });
    assert.equal(report.loaded.length, 120);
    assert.deepEqual(
      report.mismatched.map((m) => m.key),
      ["fc.weight", "fc.bias"],
    );
    assert.ok(report.unexpected.length > 300 && report.unexpected.every((k) => !k.startsWith("conv1.")));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("ResNet options: CIFAR stem keeps resolution, inChannels 1 takes grayscale, fewer stages narrow the head", () => {
  const m = new vision.ResNet({ layers: [1, 1], width: 8, stem: "cifar", inChannels: 1, numClasses: 3 });
  assert.deepEqual([...m.stateDict().get("conv1.weight")!.shape], [8, 1, 3, 3]);
  assert.deepEqual([...m.stateDict().get("fc.weight")!.shape], [3, 16]);
  const y = fl.noGrad(() => m.forward(fl.randn([2, 1, 28, 28])));
  assert.deepEqual([...y.shape], [2, 3]);
  const img = vision.resnet18({ inChannels: 1, numClasses: 5 });
  assert.deepEqual([...fl.noGrad(() => img.forward(fl.randn([1, 1, 64, 64]))).shape], [1, 5]);
  assert.throws(() => new vision.ResNet({ layers: [] }), /ResNet: layers must be 1 to 4/);
  assert.throws(() => new vision.ResNet({ layers: [2], stem: "tiny" as "cifar" }), /stem must be/);
});

test("every image-classification zoo model maps 28 px grayscale and 32 px RGB to class scores", () => {
  // resnet18/34 are covered above and too slow to build twice more here.
  const names = Object.keys(vision.IMAGE_CLASSIFIERS).filter((n) => n !== "resnet18" && n !== "resnet34");
  for (const name of names) {
    const make = vision.IMAGE_CLASSIFIERS[name as keyof typeof vision.IMAGE_CLASSIFIERS];
    for (const [c, s] of [
      [1, 28],
      [3, 32],
    ] as const) {
      const m = make({ inChannels: c, numClasses: 7, size: s });
      m.eval();
      const y = fl.noGrad(() => m.forward(fl.randn([2, c, s, s])));
      assert.deepEqual([...y.shape], [2, 7], `${name} at ${c}×${s}×${s}`);
    }
  }
});

test("VGG has torchvision's layout for a named config, and a small head for small images", () => {
  const m = new vision.VGG({ config: "vgg11", numClasses: 10, hidden: 64 });
  const sd = m.stateDict();
  assert.deepEqual([...sd.get("features.0.weight")!.shape], [64, 3, 3, 3]);
  assert.deepEqual([...sd.get("classifier.0.weight")!.shape], [64, 512 * 7 * 7]);
  assert.deepEqual([...sd.get("classifier.6.weight")!.shape], [10, 64]);
  assert.throws(() => new vision.VGG({ config: ["M"] }), /at least one conv/);
  assert.throws(() => new vision.VGG({ config: "vgg99" as "vgg11" }), /unknown config "vgg99"/);
});
