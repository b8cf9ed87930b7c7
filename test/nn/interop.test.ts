// Weights move both ways between Flambeau and PyTorch through safetensors: a model trained
// here loads in Python PyTorch with identical outputs, and a PyTorch-trained one loads here.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import * as fl from "flambeau";
import { assertClose, FIXTURES } from "../helpers/fixtures.js";
import { smallCnn } from "../helpers/models.js";

const model = smallCnn;
const PY = "/usr/bin/python3";
const script = join(FIXTURES, "..", "..", "scripts", "fixtures", "interop_cnn.py");
const hasTorch = spawnSync(PY, ["-c", "import torch"]).status === 0;

test("a PyTorch-trained CNN loads into the same Flambeau architecture with identical outputs", async () => {
  const sd = await fl.load(join(FIXTURES, "nn", "torch_cnn.safetensors"));
  const x = sd.get("input")!;
  const y = sd.get("output")!;
  sd.delete("input");
  sd.delete("output");
  const m = model();
  m.loadStateDict(sd);
  m.eval();
  assertClose(
    fl.noGrad(() => m.forward(x)),
    y,
    "Flambeau output on PyTorch weights",
    1e-5,
    1e-6,
  );
});

test("a Flambeau-trained CNN loads into PyTorch with identical outputs", {
  skip: hasTorch ? false : "needs /usr/bin/python3 with torch (apt python3-torch)",
}, async () => {
  fl.manualSeed(5);
  const m = model();
  const opt = new fl.optim.Adam(m.parameters(), { lr: 0.01 });
  for (let i = 0; i < 5; i++)
    fl.tidy(() => {
      const loss = fl.nn.functional.crossEntropy(m.forward(fl.randn([16, 1, 8, 8])), fl.randint(0, 10, [16]));
      opt.zeroGrad();
      loss.backward();
      opt.step();
    });
  m.eval();
  const x = fl.randn([4, 1, 8, 8]);
  const y = fl.noGrad(() => m.forward(x));
  const file = join(mkdtempSync(join(tmpdir(), "flambeau-interop-")), "cnn.safetensors");
  const sd = m.stateDict();
  sd.set("input", x);
  await fl.save(sd, file);
  const r = spawnSync(PY, [script, "check", file], { encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  const torchOut = JSON.parse(r.stdout) as number[];
  assertClose(y, fl.tensor(torchOut, { shape: [4, 10] }), "PyTorch output on Flambeau weights", 1e-5, 1e-6);
});
