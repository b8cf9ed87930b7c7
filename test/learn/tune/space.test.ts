// Search spaces: JSON and flag forms, and the errors of a space with no valid point, each
// naming the parameter; a task's default space derived from its declared options.

import assert from "node:assert/strict";
import { test } from "node:test";
import * as fl from "flambeau";

const { tune } = fl.learn;
const imageTask = fl.tasks.getTask("image-classification");

const rejects = (f: () => unknown, pattern: RegExp) =>
  assert.throws(f, (e: unknown) => e instanceof fl.FlambeauError && pattern.test(e.message), `expected ${pattern}`);

test("a space from JSON (a bare array is a choice list) and from --param flags", () => {
  const s = tune.parseSpaceJson('{"lr": {"type": "float", "low": 1e-4, "high": 1e-2, "log": true}, "model": ["small-cnn", "lenet5"]}');
  assert.deepEqual(s, {
    lr: { type: "float", low: 1e-4, high: 1e-2, log: true },
    model: { type: "categorical", choices: ["small-cnn", "lenet5"] },
  });
  assert.deepEqual(tune.parseParamFlag("width=intlog:8:64"), ["width", { type: "int", low: 8, high: 64, log: true }]);
  assert.deepEqual(tune.parseParamFlag("hflip=choice:true,false"), ["hflip", { type: "categorical", choices: [true, false] }]);
  assert.deepEqual(tune.parseParamFlag("batchSize=choice:32,64"), ["batchSize", { type: "categorical", choices: [32, 64] }]);
});

test("a space with no valid point is an error naming the parameter", () => {
  rejects(() => tune.parseSpaceJson('{"model": []}'), /"model" has an empty choice list/);
  rejects(() => tune.parseParamFlag("depth=int:3:1"), /"depth" has low 3 > high 1/);
  rejects(() => tune.parseParamFlag("lr=log:0:0.1"), /"lr" is log-uniform with low 0 ≤ 0/);
  rejects(() => tune.parseSpaceJson('{"lr": {"type": "float", "low": -1, "high": 1, "log": true}}'), /"lr" is log-uniform/);
  rejects(
    () => tune.parseSpaceJson('{"width": {"type": "int", "low": 1.5, "high": 4}}'),
    /"width" is an int range with non-integer bounds/,
  );
  rejects(() => tune.parseSpaceJson('{"x": {"type": "gaussian"}}'), /"x" has type "gaussian"/);
  rejects(() => tune.parseSpaceJson("[1, 2]"), /a search space is a JSON object/);
  rejects(() => tune.parseParamFlag("lr=1e-3"), /--param must be NAME=/);
  rejects(() => tune.checkSpace({}), /no parameter to search/);
});

test("a task's space: lr plus the declared search hints; unknown names and wrong kinds are errors", () => {
  assert.deepEqual(tune.defaultSpace(imageTask), {
    lr: tune.DEFAULT_LR,
    width: { type: "int", low: 8, high: 64, log: true },
    depth: { type: "int", low: 1, high: 3 },
  });
  assert.deepEqual(Object.keys(tune.defaultSpace(imageTask, ["lr", "depth"])), ["width"]);
  assert.deepEqual(tune.tunableNames(imageTask), ["lr", "batchSize", "model", "hflip", "width", "depth"]);
  rejects(
    () => tune.checkTaskSpace(imageTask, { dropout: { type: "float", low: 0, high: 0.5 } }),
    /"dropout" is not an option of image-classification; searchable: lr, batchSize, model, hflip, width, depth/,
  );
  rejects(() => tune.checkTaskSpace(imageTask, { topK: { type: "int", low: 1, high: 5 } }), /"topK" is not an option/);
  rejects(
    () => tune.checkTaskSpace(imageTask, { model: { type: "categorical", choices: ["small-cnn", "gpt"] } }),
    /"model" has choice "gpt"/,
  );
  rejects(() => tune.checkTaskSpace(imageTask, { width: { type: "float", low: 8, high: 64 } }), /"width" is an integer option/);
  rejects(() => tune.checkTaskSpace(imageTask, { width: { type: "int", low: 0, high: 64 } }), /"width" range \[0, 64\] leaves/);
  rejects(() => tune.checkTaskSpace(imageTask, { depth: { type: "int", low: 1, high: 2 } }, ["depth"]), /"depth" is both given as a fixed/);
});

test("search hints of text, audio and token classification: the model, a width or embedding size, dropout", () => {
  const lr = { type: "float", low: 3e-4, high: 3e-2, log: true };
  const dropout = { type: "float", low: 0, high: 0.5 };
  assert.deepEqual(tune.defaultSpace(fl.tasks.getTask("text-classification")), {
    lr,
    model: { type: "categorical", choices: ["wide-deep", "textcnn", "bilstm"] },
    embedDim: { type: "int", low: 32, high: 128, log: true },
    dropout,
  });
  assert.deepEqual(tune.defaultSpace(fl.tasks.getTask("audio-classification")), {
    lr,
    model: { type: "categorical", choices: ["tc-resnet8", "kws-cnn"] },
    width: { type: "int", low: 8, high: 48, log: true },
    dropout,
  });
  assert.deepEqual(tune.defaultSpace(fl.tasks.getTask("token-classification"), ["model"]), {
    lr,
    wordDim: { type: "int", low: 32, high: 128, log: true },
    hiddenSize: { type: "int", low: 48, high: 192, log: true },
    dropout,
  });
  // Each default space passes the task's own check (the hints fit what the options accept).
  for (const name of ["text-classification", "audio-classification", "token-classification"]) {
    const task = fl.tasks.getTask(name);
    tune.checkTaskSpace(task, tune.defaultSpace(task));
  }
});

test("tune: trials < 1, parallel < 1 and unknown samplers are errors naming the option", async () => {
  await assert.rejects(tune.tune(imageTask, { data: "x", out: "/tmp/none", trials: 0 }), /trials must be a positive integer, got 0/);
  await assert.rejects(
    tune.tune(imageTask, { data: "x", out: "/tmp/none", trials: 2, parallel: 0 }),
    /parallel must be a positive integer, got 0/,
  );
  assert.throws(() => tune.studyParts({ sampler: "grid" as never }), /sampler must be random or tpe, got "grid"/);
  assert.throws(() => tune.studyParts({ pruner: "median" as never }), /pruner must be asha, hyperband or none, got "median"/);
  assert.throws(() => new tune.AshaPruner({ reductionFactor: 1 }), /reductionFactor must be an integer ≥ 2, got 1/);
});

test("small-cnn's width and depth (the architecture choices searched): parameter counts by hand", () => {
  const count = (o: { width?: number; depth?: number }) =>
    new fl.vision.SmallCNN({ inChannels: 1, numClasses: 10, size: 28, ...o })
      .parameters()
      .reduce((n, p) => n + p.shape.reduce((a, b) => a * b, 1), 0);
  // Default (2 blocks of 32, 64): convs 288 + 18432, BN 64 + 128, Linear 3136→128 401536, 128→10 1290.
  assert.equal(count({}), 421738);
  // 3 blocks of 8, 16, 32 (28 → 3 px): convs 72 + 1152 + 4608, BN 16 + 32 + 64, Linear 288→32 9248, 32→10 330.
  assert.equal(count({ width: 8, depth: 3 }), 15522);
  // 1 block of 8 (14 px, pooled to 7): conv 72, BN 16, Linear 392→32 12576, 32→10 330.
  assert.equal(count({ width: 8, depth: 1 }), 12994);
  rejects(
    () => new fl.vision.SmallCNN({ inChannels: 1, numClasses: 10, size: 28, depth: 5 }),
    /depth must be an integer in \[1, log2\(size 28\)\], got 5/,
  );
});
