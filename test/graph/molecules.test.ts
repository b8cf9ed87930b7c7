// Molecules as graphs: SMILES → atoms/bonds/features on hand-checked molecules, circular
// fingerprints' properties, Murcko scaffolds and the scaffold split, the CSV/SDF readers'
// errors, and GINEConv against PyTorch (scripts/fixtures/molecules.py).
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import * as fl from "flambeau";
import { GINEConv } from "../../src/graph/models/gine-conv.js";
import { loadMoleculeSet, readMoleculeCsv, readMoleculeSdf } from "../../src/graph/molecules/datasets.js";
import {
  ATOM_FEATURE_NAMES,
  ATOM_FEATURES,
  atomFeatures,
  BOND_FEATURES,
  batchMolecules,
  moleculeArrays,
  moleculeToGraph,
} from "../../src/graph/molecules/features.js";
import { morganFingerprint, morganIdentifiers, tanimoto } from "../../src/graph/molecules/fingerprint.js";
import { decodeBonds, trainMoleculeVgae, validMolecule } from "../../src/graph/molecules/generate.js";
import { moleculeFromSmiles } from "../../src/graph/molecules/molecule.js";
import { classNames } from "../../src/graph/molecules/prepare.js";
import { murckoAtoms, murckoScaffold, randomSplit, scaffoldSplit } from "../../src/graph/molecules/scaffold.js";
import { assertClose, fromJson, readFixture, type TensorJson } from "../helpers/fixtures.js";

const isFl = (re: RegExp) => (e: Error) => e instanceof fl.FlambeauError && re.test(e.message);
const tmp = () => mkdtempSync(join(tmpdir(), "fl-mol-"));
const feature = (smiles: string, atom: number): string[] => {
  const f = atomFeatures(moleculeFromSmiles(smiles));
  return ATOM_FEATURE_NAMES.filter((_, k) => f[atom * ATOM_FEATURES + k] === 1);
};

test("benzene: 6 aromatic ring carbons with one H each, 6 aromatic ring bonds", () => {
  const m = moleculeFromSmiles("c1ccccc1");
  assert.equal(m.atoms.length, 6);
  for (const a of m.atoms)
    assert.deepEqual([a.symbol, a.degree, a.hydrogens, a.aromatic, a.inRing, a.formalCharge], ["C", 2, 1, true, true, 0]);
  assert.deepEqual(
    m.bonds.map((b) => [b.type, b.inRing]),
    Array(6).fill(["aromatic", true]),
  );
  assert.deepEqual(feature("c1ccccc1", 0), ["element=C", "degree=2", "charge=0", "aromatic", "hydrogens=1", "inRing"]);
  // Kekulé input is perceived as aromatic too.
  assert.ok(moleculeFromSmiles("C1=CC=CC=C1").atoms.every((a) => a.aromatic));
});

test("ethanol: hydrogens are counted on heavy atoms, not made nodes; the Graph has both bond directions", () => {
  const m = moleculeFromSmiles("CCO");
  assert.deepEqual(
    m.atoms.map((a) => [a.symbol, a.degree, a.hydrogens]),
    [
      ["C", 1, 3],
      ["C", 2, 2],
      ["O", 1, 1],
    ],
  );
  assert.deepEqual(feature("CCO", 2), ["element=O", "degree=1", "charge=0", "hydrogens=1"]);
  const g = moleculeToGraph(m);
  assert.equal(g.numNodes, 3);
  assert.deepEqual(g.x!.shape, [3, ATOM_FEATURES]);
  assert.deepEqual(g.edgeIndex.toArray(), [
    [0, 1, 1, 2],
    [1, 0, 2, 1],
  ]);
  assert.deepEqual(g.edgeAttr!.shape, [4, BOND_FEATURES]);
  assert.deepEqual((g.edgeAttr!.toArray() as number[][])[0], [1, 0, 0, 0, 0]);
  g.dispose();
});

test("charged atoms, triple bonds, rings and other elements", () => {
  const ammonium = moleculeFromSmiles("C[N+](C)(C)C");
  assert.deepEqual(
    [ammonium.atoms[1]!.symbol, ammonium.atoms[1]!.formalCharge, ammonium.atoms[1]!.degree, ammonium.atoms[1]!.hydrogens],
    ["N", 1, 4, 0],
  );
  assert.deepEqual(feature("C[N+](C)(C)C", 1), ["element=N", "degree=4", "charge=+(or more)", "hydrogens=0"]);
  const acetate = moleculeFromSmiles("CC(=O)[O-]");
  assert.deepEqual(
    acetate.atoms.map((a) => a.formalCharge),
    [0, 0, 0, -1],
  );
  assert.deepEqual(
    acetate.bonds.map((b) => b.type),
    ["single", "double", "single"],
  );
  assert.deepEqual(
    moleculeFromSmiles("C#N").bonds.map((b) => b.type),
    ["triple"],
  );
  const cyclohexane = moleculeFromSmiles("C1CCCCC1");
  assert.ok(cyclohexane.atoms.every((a) => a.inRing && !a.aromatic && a.hydrogens === 2));
  const pyridine = moleculeFromSmiles("c1ccncc1");
  assert.deepEqual(feature("c1ccncc1", 3), ["element=N", "degree=2", "charge=0", "aromatic", "hydrogens=0", "inRing"]);
  assert.equal(pyridine.atoms.length, 6);
  assert.deepEqual(feature("[Na+].[Cl-]", 0), ["element=other", "degree=0", "charge=+(or more)", "hydrogens=0"]);
  assert.deepEqual(feature("CBr", 1), ["element=Br", "degree=1", "charge=0", "hydrogens=0"]);
});

test("malformed SMILES is a FlambeauError naming where and the string", () => {
  assert.throws(() => moleculeFromSmiles("C1CC(", "x.csv:7"), isFl(/x\.csv:7: malformed SMILES "C1CC\(".*ring closure/));
  assert.throws(
    () => moleculeFromSmiles("C(C)(C)(C)(C)C", "in"),
    isFl(/in: SMILES "C\(C\)\(C\)\(C\)\(C\)C": atom valence exceeded at atom 1 \(C\)/),
  );
  assert.throws(() => moleculeFromSmiles("  "), isFl(/empty SMILES/));
});

test("batchMolecules offsets atom ids and gives each atom its graph id", () => {
  const a = moleculeArrays(moleculeFromSmiles("CCO"));
  const b = moleculeArrays(moleculeFromSmiles("C#N"));
  fl.tidy(() => {
    const batch = batchMolecules([a, b]);
    assert.equal(batch.numGraphs, 2);
    assert.deepEqual(batch.batch.toArray(), [0, 0, 0, 1, 1]);
    assert.deepEqual(batch.edgeIndex.toArray(), [
      [0, 1, 1, 2, 3, 4],
      [1, 0, 2, 1, 4, 3],
    ]);
    assert.deepEqual(batch.x.shape, [5, ATOM_FEATURES]);
    assert.deepEqual((batch.edgeAttr.toArray() as number[][])[4], [0, 0, 1, 0, 0]);
  });
});

test("Morgan fingerprint: invariant to atom order, radius grows the bit set, benzene has 3 environments", () => {
  const fp = (s: string, o = {}) => morganFingerprint(moleculeFromSmiles(s), o);
  const count = (b: Uint8Array) => b.reduce((a, v) => a + v, 0);
  assert.deepEqual(fp("CCO"), fp("OCC"));
  assert.deepEqual(fp("c1ccccc1O"), fp("Oc1ccccc1"));
  // Every benzene carbon has the same environment at every radius: 3 identifiers.
  assert.equal(count(fp("c1ccccc1")), 3);
  assert.equal(new Set(morganIdentifiers(moleculeFromSmiles("c1ccccc1"), 2).flat()).size, 3);
  // Ethanol: 3 distinct atoms × radii 0, 1, 2 (all distinct environments).
  assert.equal(new Set(morganIdentifiers(moleculeFromSmiles("CCO"), 2).flat()).size, 9);
  assert.equal(count(fp("CCO", { radius: 0 })), 3);
  const r1 = fp("CC(=O)Nc1ccc(O)cc1", { radius: 1 });
  const r2 = fp("CC(=O)Nc1ccc(O)cc1", { radius: 2 });
  for (let k = 0; k < r1.length; k++) if (r1[k]) assert.equal(r2[k], 1, "radius 1 bits are kept at radius 2");
  assert.equal(fp("CCO", { nBits: 1024 }).length, 1024);
  assert.equal(tanimoto(fp("CCO"), fp("OCC")), 1);
  const sim = tanimoto(fp("CCCCO"), fp("CCCCN"));
  assert.ok(sim > 0 && sim < 1);
  assert.ok(tanimoto(fp("CCCCO"), fp("CCCCN")) > tanimoto(fp("CCCCO"), fp("c1ccncc1")));
  assert.throws(() => fp("CCO", { nBits: 0 }), isFl(/nBits must be a positive integer, got 0/));
});

test("Murcko scaffold: side chains go, rings and linkers stay; acyclic molecules have none", () => {
  const paracetamol = moleculeFromSmiles("CC(=O)Nc1ccc(O)cc1");
  assert.deepEqual(
    murckoAtoms(paracetamol).map((i) => paracetamol.atoms[i]!.symbol),
    Array(6).fill("C"),
  );
  assert.equal(murckoScaffold(paracetamol), murckoScaffold(moleculeFromSmiles("c1ccccc1")));
  // Linker kept: two rings joined by CC.
  const linked = moleculeFromSmiles("Cc1ccncc1CCc1ccccc1");
  assert.equal(murckoAtoms(linked).length, 14);
  assert.equal(murckoScaffold(linked), murckoScaffold(moleculeFromSmiles("c1ccncc1CCc1ccc(Cl)cc1")));
  assert.notEqual(murckoScaffold(linked), murckoScaffold(moleculeFromSmiles("c1ccncc1Cc1ccccc1")));
  assert.equal(murckoScaffold(moleculeFromSmiles("CCCC")), "");
  // Salts: the largest fragment decides.
  assert.equal(murckoScaffold(moleculeFromSmiles("[Na+].[O-]C(=O)c1ccccc1")), murckoScaffold(moleculeFromSmiles("c1ccccc1")));
});

test("scaffold split keeps scaffold groups whole, largest groups in train", () => {
  const sc = ["a", "a", "a", "a", "b", "b", "b", "c", "d", "e"];
  const s = scaffoldSplit(sc);
  // 80% of 10: a (4) + b (3) + c (1) fill train exactly; d goes to val (1), e to test.
  assert.deepEqual(s.train, [0, 1, 2, 3, 4, 5, 6, 7]);
  assert.deepEqual(s.val, [8]);
  assert.deepEqual(s.test, [9]);
  // A group that does not fit moves on whole (b fits neither train nor val); a later small one still fills train.
  const t = scaffoldSplit(["a", "a", "a", "a", "a", "a", "a", "b", "b", "c"]);
  assert.deepEqual([t.train, t.val, t.test], [[0, 1, 2, 3, 4, 5, 6, 9], [], [7, 8]]);
  const r = randomSplit(10, 3);
  assert.deepEqual(
    [...r.train, ...r.val, ...r.test].sort((a, b) => a - b),
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
  );
  assert.deepEqual([r.train.length, r.val.length, r.test.length], [8, 1, 1]);
  assert.deepEqual(randomSplit(10, 3), r);
  assert.throws(() => scaffoldSplit(sc, [0.5, 0.5, 0.5]), isFl(/sum to 1/));
});

test("class names put the negative class first", () => {
  assert.deepEqual(classNames(["active", "inactive", "active"]), ["inactive", "active"]);
  assert.deepEqual(classNames(["1", "0"]), ["0", "1"]);
  assert.deepEqual(classNames(["toxic", "benign", "x"]), ["benign", "toxic", "x"]);
});

test("CSV and SDF readers: labels, and errors naming file:line and the string", () => {
  const dir = tmp();
  const good = join(dir, "good.csv");
  writeFileSync(good, "smiles,label\nCCO,1\nc1ccccc1,0\n");
  assert.deepEqual(
    readMoleculeCsv(good).map((r) => [r.smiles, r.label, r.where]),
    [
      ["CCO", "1", `${good}:2`],
      ["c1ccccc1", "0", `${good}:3`],
    ],
  );
  const bad = join(dir, "bad.csv");
  writeFileSync(bad, "smiles,label\nCCO,1\nC1CC(,0\n");
  assert.throws(() => loadMoleculeSet(bad), isFl(new RegExp(`${bad.replace(/[.]/g, "\\.")}:3: malformed SMILES "C1CC\\("`)));
  const noCol = join(dir, "nocol.csv");
  writeFileSync(noCol, "smi,label\nCCO,1\n");
  assert.throws(() => readMoleculeCsv(noCol), isFl(/nocol\.csv:1: no "smiles" column/));
  const empty = join(dir, "empty.csv");
  writeFileSync(empty, "smiles,label\nCCO,\n");
  assert.throws(() => readMoleculeCsv(empty), isFl(/empty\.csv:2: empty label for "CCO"/));
  const ragged = join(dir, "ragged.csv");
  writeFileSync(ragged, "smiles,label\nCCO,1,2\n");
  assert.throws(() => readMoleculeCsv(ragged), isFl(/ragged\.csv:2: 3 fields/));
  assert.throws(() => loadMoleculeSet(join(dir, "nope.csv")), isFl(/neither a built-in set .* nor an existing file/));
  const sdf = join(dir, "m.sdf");
  const mol = (name: string, act: string) =>
    `${name}\n  test\n\n  2  1  0  0  0  0  0  0  0  0999 V2000\n    0.0000    0.0000    0.0000 C   0  0  0  0  0  0  0  0  0  0  0  0\n    1.5000    0.0000    0.0000 O   0  0  0  0  0  0  0  0  0  0  0  0\n  1  2  1  0\nM  END\n>  <ACT>\n${act}\n\n$$$$\n`;
  writeFileSync(sdf, mol("methanol", "5.5") + mol("again", "6"));
  const recs = readMoleculeSdf(sdf, "ACT");
  assert.deepEqual(
    recs.map((r) => r.label),
    ["5.5", "6"],
  );
  assert.equal(moleculeFromSmiles(recs[0]!.smiles).atoms.length, 2);
  assert.equal(recs[1]!.where, `${sdf}:13`);
  assert.throws(() => readMoleculeSdf(sdf, "IC50"), isFl(/m\.sdf:1: record has no data field <IC50>/));
  assert.throws(() => loadMoleculeSet(sdf), isFl(/give the label field .* as ".*m\.sdf:FIELD"/));
  assert.equal(loadMoleculeSet(`${sdf}:ACT`).records.length, 2);
});

test("GINEConv matches PyTorch (output and gradients)", () => {
  type Case = {
    x: TensorJson;
    edge_index: TensorJson;
    edge_attr: TensorJson;
    w: TensorJson;
    params: Record<string, TensorJson>;
    out: TensorJson;
    grads: Record<string, TensorJson>;
  };
  const c = readFixture<{ gine: Case }>("graph", "molecules.json").gine;
  fl.tidy(() => {
    const conv = new GINEConv(new fl.nn.Linear(3, 5), 3, 2);
    const sd = new Map(Object.entries(c.params).map(([k, v]) => [k, fromJson(v).float()]));
    conv.loadStateDict(sd);
    const x = fromJson(c.x).float().requiresGrad_();
    const ea = fromJson(c.edge_attr).float().requiresGrad_();
    const out = conv.forward(x, fromJson(c.edge_index), ea);
    assertClose(out, c.out, "GINEConv out");
    out.mul(fromJson(c.w).float()).sum().backward();
    assertClose(x.grad!, c.grads.x!, "dx");
    assertClose(ea.grad!, c.grads.edge_attr!, "d edge_attr");
    const params = new Map(conv.namedParameters());
    assertClose(params.get("eps")!.grad!, c.grads.eps!, "d eps", 1e-4, 1e-4);
    assertClose(params.get("lin.weight")!.grad!, c.grads["lin.weight"]!, "d lin.weight");
    assertClose(params.get("nn.weight")!.grad!, c.grads["nn.weight"]!, "d nn.weight", 1e-4, 1e-4);
  });
  assert.throws(
    () =>
      fl.tidy(() =>
        new GINEConv(new fl.nn.Linear(3, 5), 3, 2).forward(
          fl.zeros([2, 3]),
          fl.tensor(BigInt64Array.from([0n, 1n]), { shape: [2, 1] }),
          fl.zeros([2, 2]),
        ),
      ),
    isFl(/GINEConv: edgeAttr must be \[1, 2\], got \[2, 2\]/),
  );
});

test("validMolecule: connected graphs within valence become SMILES; others are null", () => {
  // Elements index ATOM_ELEMENTS: 0 = C, 2 = O.
  assert.equal(
    validMolecule(
      [0, 0, 2],
      [
        [0, 1],
        [1, 2],
      ],
    ),
    "CCO",
  );
  assert.equal(validMolecule([0, 0, 2], [[0, 1]]), null, "disconnected");
  const star: [number, number][] = [1, 2, 3, 4, 5].map((j) => [0, j]);
  assert.equal(validMolecule([0, 0, 0, 0, 0, 0], star), null, "pentavalent carbon");
  assert.equal(validMolecule([0, 0, 0, 0, 0], star.slice(0, 4)), "CC(C)(C)C");
  // Cl (index 5) with two bonds: openchemlib would accept it, RDKit's sanitiser does not.
  assert.equal(
    validMolecule(
      [0, 5, 0],
      [
        [0, 1],
        [1, 2],
      ],
    ),
    null,
    "divalent chlorine",
  );
  // Ozone as a 3-ring: every O has two bonds, within valence.
  assert.ok(
    validMolecule(
      [2, 2, 2],
      [
        [0, 1],
        [1, 2],
        [0, 2],
      ],
    ) !== null,
  );
});

test("molecule VGAE: trains on a few molecules and reports reconstruction and validity", () => {
  const mols = ["CCO", "CCN", "CCCO", "c1ccccc1", "CC(C)O", "OCCO", "CCCC", "NCCO"].map((s) => moleculeFromSmiles(s));
  const { model, report } = trainMoleculeVgae(mols.slice(0, 6), mols.slice(6), { epochs: 2, batchSize: 4, seed: 0 });
  assert.equal(model.hyper.latent, 16);
  assert.ok(report.reconstructionAuc >= 0 && report.reconstructionAuc <= 1);
  assert.ok(report.validity >= 0 && report.validity <= 1);
  assert.ok(report.exactReconstruction >= 0 && report.exactReconstruction <= 1);
  for (const s of report.samples) assert.ok(moleculeFromSmiles(s).atoms.length >= 1, `sample ${s} parses`);
  assert.throws(() => trainMoleculeVgae(mols.slice(0, 1), mols), isFl(/needs at least 2 training molecules, got 1/));
});

test("decodeBonds: maximum spanning tree, then confident pairs within valence", () => {
  // 4 atoms, pairs in order (0,1) (0,2) (0,3) (1,2) (1,3) (2,3).
  const logits = [5, -1, -2, 4, -3, 3];
  assert.deepEqual(decodeBonds(4, logits, [0, 0, 0, 0]), [
    [0, 1],
    [1, 2],
    [2, 3],
  ]);
  // (0,2) confident too: a ring closes.
  assert.deepEqual(decodeBonds(4, [5, 1, -2, 4, -3, 3], [0, 0, 0, 0]), [
    [0, 1],
    [1, 2],
    [2, 3],
    [0, 2],
  ]);
  // ... but not on a fluorine (index 4) that already has its one bond.
  assert.deepEqual(decodeBonds(4, [5, 1, -2, 4, -3, 3], [4, 0, 0, 0]).length, 3);
});
