// Continual learning on opencv-doc's real handwritten digits, split into 5 experiences of 2
// digits: fine-tuning forgets (backward transfer near −100 points in class-incremental
// learning, as van de Ven & Tolias report), replay remembers, joint training is the upper
// bound; the task-incremental scenario is easy for every strategy. Tiny budget: the pipeline
// and the ordering, not the README's figure.

import assert from "node:assert/strict";
import { test } from "node:test";
import * as fl from "flambeau";

const { continual } = fl.learn;
const data = await continual.loadContinualData("digits");
const mlp = (outputs: number) => () => new fl.nn.Sequential(new fl.nn.Linear(400, 100), new fl.nn.ReLU(), new fl.nn.Linear(100, outputs));

test("class-incremental split digits: naive forgets, replay and joint remember", async () => {
  const scenario = continual.splitScenario(data, { mode: "class" });
  assert.equal(scenario.experiences.length, 5);
  assert.deepEqual(scenario.experiences[1]!.classes, [2, 3]);
  const run = (strategy: fl.learn.continual.ContinualStrategy) =>
    continual.runContinual({ scenario, makeModel: mlp(10), strategy, epochs: 2, batchSize: 64, lr: 2e-3, seed: 0 });
  const naive = await run(continual.naive());
  const replay = await run(continual.replay({ memory: 500 }));
  const joint = await run(continual.joint());
  assert.equal(naive.accuracy.length, 5);
  assert.ok(naive.accuracy[4]![4]! > 0.9, `the last experience is learnt: ${naive.accuracy[4]}`);
  assert.ok(naive.backwardTransfer < -0.8, `naive forgets: BWT ${naive.backwardTransfer}`);
  assert.ok(naive.average < 0.3, `naive average ${naive.average}`);
  assert.ok(replay.average > naive.average + 0.3, `replay ${replay.average} vs naive ${naive.average}`);
  assert.ok(joint.average > 0.85, `joint ${joint.average}`);
  const svg = continual.accuracyHeatmapSvg(naive);
  assert.equal(svg.match(/<rect /g)?.length, 25);
  assert.match(continual.continualReportHtml("split digits", [naive, replay]), /<td>replay<\/td><td>\d+\.\d %<\/td>/);
});

test("task-incremental and domain-incremental split digits, and EWC/MAS/LwF run", async () => {
  const task = continual.splitScenario(data, { mode: "task" });
  const domain = continual.splitScenario(data, { mode: "domain" });
  assert.equal(domain.outputs, 2);
  const t = await continual.runContinual({
    scenario: task,
    makeModel: mlp(10),
    strategy: continual.ewc({ samples: 20 }),
    epochs: 1,
    seed: 0,
  });
  assert.ok(t.average > 0.85, `task-IL with EWC: ${t.average}`);
  for (const strategy of [continual.mas({ samples: 20 }), continual.lwf()]) {
    const r = await continual.runContinual({ scenario: domain, makeModel: mlp(2), strategy, epochs: 1, seed: 0 });
    assert.ok(r.average > 0.55 && r.average <= 1, `${r.strategy} domain-IL: ${r.average}`);
  }
});

test("scenarios: bad groups are errors naming the class or count", () => {
  assert.throws(() => continual.splitScenario(data, { mode: "class", groups: [[0, 1]] }), /at least 2 experiences, got 1/);
  assert.throws(
    () =>
      continual.splitScenario(data, {
        mode: "class",
        groups: [
          [0, 1],
          [1, 2],
        ],
      }),
    /class 1 is in two experiences/,
  );
  assert.throws(() => continual.splitScenario(data, { mode: "class", groups: [[0, 1], [10]] }), /class 10 is not in 0\.\.9/);
  assert.throws(() => continual.splitScenario(data, { mode: "domain", groups: [[0, 1], [2]] }), /same number of classes/);
  assert.throws(() => continual.permutedScenario(data, { experiences: 1 }), /at least 2 experiences/);
  assert.throws(() => continual.replay({ memory: 0 }), /memory must be a positive integer/);
});
