// Dynamic int8 LSTM and GRU: the layer's kernel becomes aten::quantized_lstm / quantized_gru on
// packed per-channel int8 weights. Checked against PyTorch's same op on the same int8 weights
// (padded and packed sequences), against the float layer, and through quantizeDynamic and a
// saved plan re-applied to a fresh model.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as fl from "flambeau";
import { hasTorch, NO_TORCH, torchRef } from "../learn/compress/torch-ref.js";

const Q = fl.quantization;
const arr = (t: fl.Tensor): number[] => Array.from(t.float().contiguous().data() as Float32Array);
const maxDiff = (a: number[], b: number[]) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0);

const PY_CELLS = `
torch.backends.quantized.engine = inp["engine"]
def qw(w):
    amax = w.abs().flatten(1).amax(1)
    s = torch.where(amax > 0, amax / 127, torch.ones_like(amax)).double()
    return torch.quantize_per_channel(w, s, torch.zeros(w.shape[0], dtype=torch.long), 0, torch.qint8)
W = [torch.tensor(v).reshape(s) for v, s in zip(inp["weights"], inp["shapes"])]
cells = []
for i in range(0, len(W), 4):
    wih, whh, bih, bhh = W[i:i + 4]
    pih = torch.ops.quantized.linear_prepack(qw(wih), bih)
    phh = torch.ops.quantized.linear_prepack(qw(whh), bhh)
    cells.append(torch.ops.quantized.make_quantized_cell_params_dynamic(pih, phh, bih, bhh, inp["reduce"]))
x = torch.tensor(inp["x"]).reshape(inp["xshape"])
`;

function weightsOf(rnn: fl.nn.LSTM | fl.nn.GRU) {
  return { weights: rnn.flatWeights.map((p) => arr(p)), shapes: rnn.flatWeights.map((p) => p.shape) };
}

describe("dynamic int8 LSTM / GRU", { skip: hasTorch ? false : NO_TORCH }, () => {
  const engine = Q.quantizedEngine();
  const reduce = Q.reduceRangeFor(engine);

  it("a 2-layer bidirectional LSTM equals PyTorch's aten::quantized_lstm on the same int8 weights, padded and packed", () => {
    fl.manualSeed(3);
    const lstm = new fl.nn.LSTM(6, 5, { numLayers: 2, bidirectional: true, batchFirst: true });
    lstm.eval();
    const x = fl.randn([3, 7, 6]);
    const lengths = [7, 4, 2];
    const float = fl.noGrad(() => lstm.forward(x));
    const floatPacked = fl.noGrad(() => lstm.forward(x, { lengths }));
    const q = new Q.DynamicQuantizedRNN(lstm);
    lstm.useKernel(q.kernel);
    const got = fl.noGrad(() => lstm.forward(x));
    const gotPacked = fl.noGrad(() => lstm.forward(x, { lengths }));
    const ref = torchRef<Record<string, number[]>>(
      `${PY_CELLS}
h0 = [torch.zeros(4, 3, 5), torch.zeros(4, 3, 5)]
o, h, c = torch.quantized_lstm(x, h0, cells, True, 2, 0.0, False, True, True, dtype=torch.qint8, use_dynamic=True)
packed = torch.nn.utils.rnn.pack_padded_sequence(x, torch.tensor(inp["lengths"]), batch_first=True)
po, ph, pc = torch.quantized_lstm(packed.data, packed.batch_sizes, h0, cells, True, 2, 0.0, False, True, dtype=torch.qint8, use_dynamic=True)
po, _ = torch.nn.utils.rnn.pad_packed_sequence(torch.nn.utils.rnn.PackedSequence(po, packed.batch_sizes), batch_first=True, total_length=7)
out = {k: v.flatten().tolist() for k, v in dict(o=o, h=h, c=c, po=po, ph=ph, pc=pc).items()}
`,
      { engine, reduce, ...weightsOf(lstm), x: arr(x), xshape: x.shape, lengths },
    );
    assert.ok(maxDiff(arr(got.output), ref.o!) < 1e-5, `output vs PyTorch: ${maxDiff(arr(got.output), ref.o!)}`);
    assert.ok(maxDiff(arr(got.h), ref.h!) < 1e-5);
    assert.ok(maxDiff(arr(got.c), ref.c!) < 1e-5);
    assert.ok(maxDiff(arr(gotPacked.output), ref.po!) < 1e-5, `packed output vs PyTorch: ${maxDiff(arr(gotPacked.output), ref.po!)}`);
    assert.ok(maxDiff(arr(gotPacked.h), ref.ph!) < 1e-5);
    assert.ok(maxDiff(arr(gotPacked.c), ref.pc!) < 1e-5);
    // int8 weights and per-step int8 activations stay close to the float recurrence.
    assert.ok(maxDiff(arr(got.output), arr(float.output)) < 0.03, `vs float: ${maxDiff(arr(got.output), arr(float.output))}`);
    assert.ok(maxDiff(arr(gotPacked.output), arr(floatPacked.output)) < 0.03);
    lstm.useKernel(null);
    assert.deepEqual(arr(fl.noGrad(() => lstm.forward(x)).output), arr(float.output));
    assert.throws(() => lstm.useKernel("int8" as never), /LSTM\.useKernel: kernel must be a function or null, got string/);
    q.dispose();
  });

  it("a GRU equals PyTorch's aten::quantized_gru on the same int8 weights", () => {
    fl.manualSeed(4);
    const gru = new fl.nn.GRU(4, 6);
    gru.eval();
    const x = fl.randn([5, 2, 4]);
    const float = fl.noGrad(() => gru.forward(x));
    const q = new Q.DynamicQuantizedRNN(gru);
    gru.useKernel(q.kernel);
    const got = fl.noGrad(() => gru.forward(x));
    const ref = torchRef<Record<string, number[]>>(
      `${PY_CELLS}
o, h = torch.quantized_gru(x, torch.zeros(1, 2, 6), cells, True, 1, 0.0, False, False, False)
out = {"o": o.flatten().tolist(), "h": h.flatten().tolist()}
`,
      { engine, reduce, ...weightsOf(gru), x: arr(x), xshape: x.shape },
    );
    assert.ok(maxDiff(arr(got.output), ref.o!) < 1e-5, `GRU vs PyTorch: ${maxDiff(arr(got.output), ref.o!)}`);
    assert.ok(maxDiff(arr(got.h), ref.h!) < 1e-5);
    assert.ok(maxDiff(arr(got.output), arr(float.output)) < 0.03);
    q.dispose();
  });
});

describe("quantizeDynamic with recurrent layers", () => {
  class Tagger extends fl.nn.Module {
    lstm = new fl.nn.LSTM(8, 6, { batchFirst: true, bidirectional: true });
    head = new fl.nn.Linear(12, 3);
    forward(x: fl.Tensor): fl.Tensor {
      return this.head.forward(this.lstm.forward(x).output);
    }
  }

  it("quantizes the LSTM and the Linear, keeps the state-dict keys, and a saved plan rebuilds the same outputs", () => {
    fl.manualSeed(5);
    const model = new Tagger();
    const x = fl.randn([2, 9, 8]);
    model.eval();
    const float = arr(fl.noGrad(() => model.forward(x)));
    const keys = [...model.stateDict().keys()];
    const plan = Q.quantizeDynamic(model);
    assert.deepEqual(plan.kernels === "dynamic" && plan.layers, ["lstm", "head"]);
    assert.ok(Q.quantizedModuleOf(model.lstm) instanceof Q.DynamicQuantizedRNN);
    const got = arr(fl.noGrad(() => model.forward(x)));
    assert.ok(maxDiff(got, float) < 0.05, `int8 vs float: ${maxDiff(got, float)}`);
    assert.ok(maxDiff(got, float) > 0, "the int8 kernels ran");
    assert.deepEqual([...model.stateDict().keys()], keys);
    const again = new Tagger();
    again.loadStateDict(model.stateDict());
    Q.applyQuantizationPlan(again, JSON.parse(JSON.stringify(plan)));
    assert.deepEqual(arr(fl.noGrad(() => again.forward(x))), got);
  });

  it("an LSTM with projections stays float (no libtorch kernel), and asking for it names the reason", () => {
    const lstm = new fl.nn.LSTM(4, 6, { projSize: 3 });
    assert.deepEqual(Q.dynamicLayers(lstm), []);
    assert.throws(() => new Q.DynamicQuantizedRNN(lstm), /quantizeDynamic: an LSTM with projections \(projSize 3\)/);
    assert.throws(() => Q.quantizeDynamic(lstm), /has no Linear, LSTM or GRU layer/);
    const plan: fl.quantization.QuantizationPlan = { kernels: "dynamic", engine: Q.quantizedEngine(), layers: [""] };
    assert.throws(() => Q.applyQuantizationPlan(lstm, plan), /quantizeDynamic: an LSTM with projections/);
  });
});
