// Parameter-free modules (activations, losses) against PyTorch, the functional twins of the
// layers, Module.to(dtype) keeping Parameter identity, and layer argument validation.
import assert from "node:assert/strict";
import { test } from "node:test";
import * as fl from "flambeau";
import { assertClose, fromJson, readFixture, type TensorJson } from "../helpers/fixtures.js";

const nn = fl.nn;
const F = fl.nn.functional;
interface Row {
  name: string;
  inputs: TensorJson[];
  output: TensorJson;
  weight: TensorJson;
  inputGrads: (TensorJson | null)[];
}
type Fn = (...xs: fl.Tensor[]) => fl.Tensor;
const fwd =
  (m: fl.nn.Module): Fn =>
  (...xs) =>
    (m as unknown as { forward(...a: fl.Tensor[]): fl.Tensor }).forward(...xs);

/** Checks each fixture row: output and the gradients of (output · weight).sum() w.r.t. the inputs. */
function checkTable(file: string, fns: Record<string, Fn>): void {
  const rows = readFixture<Row[]>("nn", file);
  assert.deepEqual(rows.map((r) => r.name).sort(), Object.keys(fns).sort(), `${file}: every row has a module`);
  for (const r of rows) {
    const ins = r.inputs.map((j) => {
      const t = fromJson(j);
      return t.dtype.startsWith("float") ? t.requiresGrad_(true) : t;
    });
    const y = fns[r.name]!(...ins);
    assertClose(y, r.output, `${r.name} output`, 1e-5, 1e-6);
    y.mul(fromJson(r.weight)).sum().backward();
    ins.forEach((x, i) => {
      const g = r.inputGrads[i];
      if (g) assertClose(x.grad!, g, `${r.name} grad of input ${i}`, 1e-5, 1e-6);
    });
  }
}

test("activation modules match PyTorch (outputs and gradients)", () => {
  checkTable("activations.json", {
    ReLU: fwd(new nn.ReLU()),
    ReLU6: fwd(new nn.ReLU6()),
    GELU: fwd(new nn.GELU()),
    GELU_tanh: fwd(new nn.GELU({ approximate: "tanh" })),
    SiLU: fwd(new nn.SiLU()),
    Sigmoid: fwd(new nn.Sigmoid()),
    Tanh: fwd(new nn.Tanh()),
    Mish: fwd(new nn.Mish()),
    LeakyReLU: fwd(new nn.LeakyReLU(0.2)),
    ELU: fwd(new nn.ELU(0.5)),
    Softplus: fwd(new nn.Softplus({ beta: 2, threshold: 5 })),
    Hardtanh: fwd(new nn.Hardtanh(-0.5, 1.5)),
    Softmax: fwd(new nn.Softmax(1)),
    LogSoftmax: fwd(new nn.LogSoftmax(0)),
    SELU: fwd(new nn.SELU()),
    CELU: fwd(new nn.CELU(0.7)),
    Hardsigmoid: fwd(new nn.Hardsigmoid()),
    Hardswish: fwd(new nn.Hardswish()),
    LogSigmoid: fwd(new nn.LogSigmoid()),
    GLU: fwd(new nn.GLU()),
    PReLU: fwd(new nn.PReLU()),
  });
});

test("loss modules match PyTorch (values and gradients)", () => {
  checkTable("losses.json", {
    CrossEntropyLoss: fwd(new nn.CrossEntropyLoss({ labelSmoothing: 0.1 })),
    CrossEntropyLoss_weight_ignore: fwd(new nn.CrossEntropyLoss({ weight: fl.tensor([1, 2, 0.5, 1, 3]), ignoreIndex: 0 })),
    NLLLoss: (x, t) => new nn.NLLLoss({ reduction: "sum" }).forward(x!.logSoftmax(1), t!),
    MSELoss: fwd(new nn.MSELoss()),
    L1Loss: fwd(new nn.L1Loss({ reduction: "none" })),
    SmoothL1Loss: fwd(new nn.SmoothL1Loss({ beta: 0.5 })),
    HuberLoss: fwd(new nn.HuberLoss({ delta: 0.7 })),
    BCELoss: (x, y) => new nn.BCELoss().forward(x!.sigmoid(), y!),
    BCEWithLogitsLoss: fwd(new nn.BCEWithLogitsLoss({ posWeight: fl.tensor([1, 2, 3]) })),
    KLDivLoss: (x, y) => new nn.KLDivLoss({ reduction: "batchmean" }).forward(x!.logSoftmax(1), y!),
    CosineEmbeddingLoss: fwd(new nn.CosineEmbeddingLoss({ margin: 0.2 })),
    MarginRankingLoss: (x, y, t) => new nn.MarginRankingLoss({ margin: 0.1 }).forward(x!.select(1, 0), y!.select(1, 0), t!),
    TripletMarginLoss: fwd(new nn.TripletMarginLoss({ margin: 0.5 })),
    CTCLoss: (lp, t) => new nn.CTCLoss().forward(lp!, t!, [6, 5], [3, 2]),
  });
});

test("to(dtype) converts in place: the same Parameter objects, an optimizer made before still trains", () => {
  fl.manualSeed(1);
  const m = new nn.Sequential(new nn.Linear(3, 4), new nn.BatchNorm1d(4), new nn.LSTM(4, 2));
  const before = m.parameters();
  const opt = new fl.optim.SGD(before, { lr: 0.1 });
  const w0 = (m.at(0) as fl.nn.Linear).weight.toArray();
  m.to("float64");
  const after = m.parameters();
  assert.equal(after.length, before.length);
  after.forEach((p, i) => assert.equal(p, before[i], "same Parameter object"));
  assert.ok(after.every((p) => p.dtype === "float64" && p.requiresGrad && p.isLeaf));
  const bn = m.at(1) as fl.nn.BatchNorm1d;
  assert.equal(bn.runningMean!.dtype, "float64");
  assert.equal(bn.getBuffer("num_batches_tracked")!.dtype, "int64", "integer buffers keep their dtype");
  assert.deepEqual((m.at(0) as fl.nn.Linear).weight.toArray(), w0, "values survive the conversion");
  const x = fl.randn([5, 3], { dtype: "float64" });
  const lin = m.at(0) as fl.nn.Linear;
  const bnOut = bn.forward(lin.forward(x));
  const { output } = (m.at(2) as fl.nn.LSTM).forward(bnOut.unsqueeze(1));
  assert.equal(output.dtype, "float64");
  output.sum().backward();
  assert.equal(lin.weight.grad!.dtype, "float64");
  const w1 = lin.weight.clone();
  opt.step();
  assert.ok(lin.weight.sub(w1).abs().max().item() > 0, "the optimizer updates the converted parameter");
  // Gradients are converted along with their parameters.
  m.to("float32");
  assert.equal(lin.weight.grad!.dtype, "float32");
});

test("layers are built on their functional twins", () => {
  fl.manualSeed(2);
  const lstm = new nn.LSTM(3, 4, { numLayers: 2, bidirectional: true });
  const x = fl.randn([5, 2, 3]);
  const a = lstm.forward(x, { lengths: [5, 3] });
  const params = lstm.parameters();
  const b = F.lstm(x, params, { numLayers: 2, bidirectional: true, lengths: [5, 3] });
  assertClose(a.output, b.output, "lstm output", 0, 0);
  assertClose(a.c, b.c, "lstm c", 0, 0);
  // Padded steps produce zeros and do not change the final state.
  assert.equal(a.output.narrow(0, 3, 2).select(1, 1).abs().sum().item(), 0);
  const short = F.lstm(x.narrow(0, 0, 3).narrow(1, 1, 1), params, { numLayers: 2, bidirectional: true });
  assertClose(a.h.narrow(1, 1, 1), short.h, "h of the shorter sequence", 1e-6, 1e-7);

  const gru = new nn.GRU(3, 4);
  assertClose(gru.forward(x).h, F.gru(x, gru.parameters()).h, "gru h", 0, 0);
  const mha = new nn.MultiheadAttention(6, 2);
  const q = fl.randn([4, 2, 6]);
  const r = mha.forward(q);
  const sd = mha.stateDict();
  const r2 = F.multiHeadAttentionForward(q, q, q, {
    numHeads: 2,
    inProjWeight: sd.get("in_proj_weight")!,
    inProjBias: sd.get("in_proj_bias")!,
    outProjWeight: sd.get("out_proj.weight")!,
    outProjBias: sd.get("out_proj.bias")!,
    dropout: 0,
    training: false,
  });
  assertClose(r.output, r2.output, "mha output", 0, 0);
});

test("functional twins validate their arguments", () => {
  const x = fl.randn([5, 2, 3]);
  const lstm = new nn.LSTM(3, 4);
  assert.throws(() => F.lstm(x, lstm.parameters(), { numLayers: 2 }), /expected 8 weight tensors/);
  assert.throws(() => F.lstm(x.narrow(2, 0, 2), lstm.parameters()), /input has 2 features, expected 3/);
  assert.throws(() => F.lstm(x, lstm.parameters(), { lengths: [5, 6] }), /length must be in \[1, 5\]/);
  assert.throws(() => F.gru(x, new nn.GRU(3, 4).parameters(), { h0: fl.zeros([1, 3, 4]) }), /h0 must be \[1, 2, 4\]/);
  const mha = new nn.MultiheadAttention(6, 2);
  const q = fl.randn([4, 2, 6]);
  assert.throws(() => mha.forward(q, q, q, { attnMask: fl.zeros([4, 5]) }), /attnMask must be \[4, 4\] or \[4, 4, 4\]/);
  assert.throws(() => mha.forward(q, q, q, { keyPaddingMask: fl.zeros([2, 3]) }), /keyPaddingMask must be \[2, 4\]/);
  assert.throws(() => mha.forward(q, fl.randn([3, 2, 6]), q), /must share the length and batch/);
  // Malformed arguments the fuzzer found reaching a TypeError: each is now a FlambeauError naming the op.
  const bad = (f: () => unknown, re: RegExp) => assert.throws(f, (e: Error) => e instanceof fl.FlambeauError && re.test(e.message));
  bad(() => F.gru(x, lstm.parameters(), 3 as never), /gru: options must be an object/);
  bad(() => F.rnnTanh(undefined as never, lstm.parameters()), /rnn_tanh: input must be a Tensor/);
  bad(() => F.rnnRelu(x, undefined as never), /rnn_relu: params must be an array/);
  bad(() => F.lstm(x, lstm.parameters(), { lengths: 5 as never }), /lstm: lengths must be an array/);
  const params = {
    numHeads: 2,
    inProjWeight: null,
    inProjBias: null,
    outProjWeight: fl.zeros([6, 6]),
    outProjBias: null,
    dropout: 0,
    training: false,
  };
  bad(() => F.multiHeadAttentionForward(q, 7 as never, q, params), /multiHeadAttentionForward: key must be a Tensor/);
  bad(() => F.multiHeadAttentionForward(q, q, q, null as never), /multiHeadAttentionForward: params must be an object/);
});

test("constructors reject bad options with the value received", () => {
  assert.throws(() => new nn.Conv2d(3, 4, 3, { padding: "same", stride: 2 }), /'same' is not supported for strided/);
  assert.throws(() => new nn.ConvTranspose2d(3, 4, 3, { stride: 2, outputPadding: 2 }), /outputPadding 2 must be smaller/);
  assert.throws(() => new nn.MaxPool2d(0), /kernelSize must be in \[1, .*got 0/);
  assert.throws(() => new nn.AvgPool2d(2, { padding: -1 }), /padding must be in/);
  assert.throws(() => new nn.BatchNorm2d(3, { momentum: 2 }), /momentum must be in \[0, 1\] or null, got 2/);
  assert.throws(() => new nn.BatchNorm2d(3).forward(fl.zeros([2, 4, 2, 2])), /has 4 channels, expected 3/);
  assert.throws(() => new nn.BatchNorm1d(3).forward(fl.zeros([1, 3])), /more than 1 value per channel/);
  assert.throws(() => new nn.Embedding(5, 2, { paddingIdx: 5 }), /paddingIdx must be in \[0, 4\]/);
  assert.throws(() => new nn.PReLU({ numParameters: 0 }), /numParameters/);
});

test("Embedding.fromPretrained copies the table and freezes it by default", () => {
  const w = fl.tensor(
    [
      [1, 2],
      [3, 4],
      [5, 6],
    ],
    { dtype: "float64" },
  );
  const e = nn.Embedding.fromPretrained(w);
  assert.equal(e.weight.requiresGrad, false);
  assert.equal(e.weight.dtype, "float64");
  assert.deepEqual(e.forward(fl.tensor([2n, 0n])).toArray(), [
    [5, 6],
    [1, 2],
  ]);
  assert.equal(nn.Embedding.fromPretrained(w, { freeze: false }).weight.requiresGrad, true);
});

test("ModuleList, ModuleDict and requiresGrad_ (freezing)", () => {
  const list = new nn.ModuleList([new nn.Linear(2, 2)]).append(new nn.ReLU());
  assert.equal(list.length, 2);
  assert.ok(list.at(-1) instanceof nn.ReLU);
  const d = new nn.ModuleDict({ enc: new nn.Linear(2, 3), head: new nn.Linear(3, 1) });
  assert.deepEqual([...d.stateDict().keys()], ["enc.weight", "enc.bias", "head.weight", "head.bias"]);
  assert.throws(() => d.get("nope"), /no key "nope" \(keys: enc, head\)/);
  (d.get("enc") as fl.nn.Linear).requiresGrad_(false);
  assert.deepEqual(
    d.namedParameters().map(([k, p]) => [k, p.requiresGrad]),
    [
      ["enc.weight", false],
      ["enc.bias", false],
      ["head.weight", true],
      ["head.bias", true],
    ],
  );
});

test("loss class weights are buffers in the state dict, as in PyTorch", () => {
  assert.deepEqual([...new nn.CrossEntropyLoss({ weight: fl.ones([3]) }).stateDict().keys()], ["weight"]);
  assert.deepEqual([...new nn.BCEWithLogitsLoss({ posWeight: fl.ones([3]) }).stateDict().keys()], ["pos_weight"]);
  assert.deepEqual([...new nn.MSELoss().stateDict().keys()], []);
});
