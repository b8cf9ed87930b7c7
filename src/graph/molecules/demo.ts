// The graph-classification demo: GIN vs the Morgan-fingerprint MLP on the ChEMBL set's
// active/inactive labels (scaffold split), and a few test molecules drawn by openchemlib with
// both models' P(active).
import { join } from "node:path";
import type { DemoOptions, DemoSection, TrainInput } from "../../tasks/task.js";
import type { History } from "../../train/trainer.js";
import type { MoleculeModel } from "../models/molecule-models.js";
import { predictMolecules, type Standardizer } from "./fit.js";
import { moleculeSvg } from "./molecule.js";
import type { MoleculeData } from "./prepare.js";

interface Trained {
  model: MoleculeModel;
  data: MoleculeData;
  standardizer: Standardizer;
  test: Record<string, number>;
  history: History;
}

const esc = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);

const DATA = "chembl2321810-active";

export async function moleculeDemo(o: DemoOptions, train: (o: TrainInput) => Promise<Trained>): Promise<DemoSection> {
  const t0 = performance.now();
  const log = o.log ?? (() => {});
  const epochs = o.full ? 40 : 10;
  const gin = await train({ data: DATA, out: join(o.out, "molecules-gin"), model: "gin", epochs, seed: 0, log, progress: o.progress });
  const fp = await train({ data: DATA, out: join(o.out, "molecules-fp-mlp"), model: "fp-mlp", epochs, seed: 0, log });
  const d = gin.data;
  const test = d.split.test;
  const pg = predictMolecules(gin.model, d, test, gin.standardizer);
  const pf = predictMolecules(fp.model, d, test, fp.standardizer);
  const pick = test
    .map((_, k) => k)
    .filter((k) => k % Math.max(1, Math.floor(test.length / 8)) === 0)
    .slice(0, 8);
  const cells = pick.map((k) => {
    const i = test[k]!;
    const truth = d.classes[d.targets[i]!]!;
    return (
      `<figure style="margin:0;border:1px solid #ccc;padding:4px;width:220px"><div title="${esc(d.smiles[i]!)}">${moleculeSvg(d.smiles[i]!, 220, 160, `mol${k}`)}</div>` +
      `<figcaption style="font:12px sans-serif">truth <b>${esc(truth)}</b><br>GIN P(active) ${pg[k]![1]!.toFixed(2)} · FP-MLP ${pf[k]![1]!.toFixed(2)}</figcaption></figure>`
    );
  });
  const extraHtml =
    `<p>ChEMBL (rdkit-data FreeWilson CHEMBL2321810): active = pIC50 ≥ 7; Bemis–Murcko scaffold split ${d.split.train.length}/${d.split.val.length}/${d.split.test.length}. ` +
    `Test ROC-AUC: GIN ${gin.test.rocAuc!.toFixed(3)}, Morgan fingerprint (r = 2, 2048 bits) + MLP ${fp.test.rocAuc!.toFixed(3)}.</p>` +
    `<div style="display:flex;flex-wrap:wrap;gap:8px">${cells.join("")}</div>`;
  const cmd = (m: string) =>
    `flambeau train graph-classification --data ${DATA} --model ${m} --epochs ${epochs} --seed 0 --out ${join(o.out, `molecules-${m}`)}`;
  return {
    task: "graph-classification",
    dataset: "ChEMBL CHEMBL2321810 (rdkit-data), active = pIC50 ≥ 7, scaffold split",
    commands: [cmd("gin"), cmd("fp-mlp"), `flambeau eval ${join(o.out, "molecules-gin")} --data ${DATA} --json`],
    metrics: {
      ginTestRocAuc: gin.test.rocAuc!,
      ginTestAccuracy: gin.test.accuracy!,
      fpMlpTestRocAuc: fp.test.rocAuc!,
      fpMlpTestAccuracy: fp.test.accuracy!,
    },
    history: gin.history.epochs.map((e) => ({ loss: e.loss!, valAccuracy: e.valAccuracy })),
    seconds: (performance.now() - t0) / 1000,
    samples: pick.map((k) => {
      const i = test[k]!;
      const p = pg[k]!;
      const c = p[1]! >= 0.5 ? 1 : 0;
      return { input: d.smiles[i]!, truth: d.classes[d.targets[i]!]!, predicted: d.classes[c]!, probability: p[c]! };
    }),
    extraHtml,
  };
}
