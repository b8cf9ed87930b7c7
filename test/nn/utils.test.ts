// nn.utils against PyTorch 1.13 (scripts/fixtures/nn.py --only-utils → test/fixtures/nn/utils.json):
// weight norm, spectral norm (same seeded vectors), pruning (L1 twice, random, global, remove),
// parametrize, and padded / packed sequences through LSTM and GRU; plus forward pre-hooks.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as fl from "flambeau";
import { assertClose, fromJson, readFixture, stateFromJson, type TensorJson } from "../helpers/fixtures.js";

const nn = fl.nn;
const U = fl.nn.utils;
type State = Record<string, TensorJson>;
interface FwdBwd {
  output: TensorJson;
  weight: TensorJson;
  inputGrads: TensorJson[];
  paramGrads: State;
}
// biome-ignore lint/suspicious/noExplicitAny: the fixture's records differ per case
const fx = readFixture<Record<string, any>>("nn", "utils.json");

function checkState(m: fl.nn.Module, expected: State, what: string): void {
  const sd = m.stateDict();
  assert.deepEqual([...sd.keys()], Object.keys(expected), `${what}: state-dict keys`);
  for (const [k, v] of Object.entries(expected)) assertClose(sd.get(k)!, v, `${what} ${k}`, 1e-5, 1e-6);
}

/** Runs forward and backward as the fixture did (loss = Σ output ⊙ weight); compares output and gradients. */
function checkFwdBwd(m: fl.nn.Module, inputs: fl.Tensor[], r: FwdBwd, what: string, fwd?: (...xs: fl.Tensor[]) => fl.Tensor): void {
  m.zeroGrad();
  const xs = inputs.map((x) => x.detach().requiresGrad_(true));
  const y = fwd ? fwd(...xs) : (m.forward(...xs) as fl.Tensor);
  assertClose(y, r.output, `${what} output`, 1e-4, 1e-5);
  y.mul(fromJson(r.weight)).sum().backward();
  xs.forEach((x, i) => assertClose(x.grad!, r.inputGrads[i]!, `${what} input grad ${i}`, 1e-4, 1e-5));
  const grads = new Map(m.namedParameters().map(([k, p]) => [k, p.grad]));
  for (const [k, g] of Object.entries(r.paramGrads)) assertClose(grads.get(k)!, g, `${what} grad ${k}`, 1e-4, 1e-5);
}

describe("nn.utils weight and spectral norm match PyTorch 1.13", () => {
  it("weightNorm on Linear (dim 0), then removeWeightNorm", () => {
    const r = fx.weight_norm_linear;
    const lin = new nn.Linear(4, 3);
    lin.loadStateDict(stateFromJson(r.before));
    U.weightNorm(lin);
    checkState(lin, r.after, "after weightNorm");
    assert.deepEqual(
      lin.namedParameters().map(([k]) => k),
      ["bias", "weight_g", "weight_v"],
    );
    checkFwdBwd(lin, [fromJson(r.input)], r, "weightNorm");
    U.removeWeightNorm(lin);
    checkState(lin, fx.weight_norm_removed.after, "after removeWeightNorm");
    assert.ok(lin.weight instanceof nn.Parameter);
  });

  it("weightNorm on Conv1d over the whole tensor (dim null)", () => {
    const r = fx.weight_norm_conv_dimnone;
    const conv = new nn.Conv1d(2, 3, 3);
    conv.loadStateDict(stateFromJson(r.before));
    U.weightNorm(conv, "weight", null);
    checkState(conv, r.after, "after weightNorm");
    checkFwdBwd(conv, [fromJson(r.input)], r, "weightNorm dim null");
  });

  it("spectralNorm on Linear: seeded vectors, power iteration per training forward, none in eval", () => {
    const r = fx.spectral_norm_linear;
    const lin = new nn.Linear(5, 4);
    lin.loadStateDict(stateFromJson(r.before));
    fl.manualSeed(3);
    U.spectralNorm(lin);
    checkState(lin, r.init, "after spectralNorm");
    const x = fromJson(r.input);
    for (let k = 0; k < 2; k++) {
      assertClose(lin.forward(x), r.steps[k].output, `forward ${k}`, 1e-4, 1e-5);
      checkState(lin, r.steps[k].state, `state after forward ${k}`);
    }
    checkState(lin, r.steps[2].state, "state before forward 2");
    checkFwdBwd(lin, [x], r.steps[2], "spectralNorm forward 2");
    lin.eval();
    assertClose(lin.forward(x), r.eval, "eval forward", 1e-4, 1e-5);
    U.removeSpectralNorm(lin);
    assert.deepEqual([...lin.stateDict().keys()], ["weight", "bias"].reverse());
  });

  it("spectralNorm on ConvTranspose2d uses dim 1, two power iterations", () => {
    const r = fx.spectral_norm_convt;
    const ct = new nn.ConvTranspose2d(3, 2, 2);
    ct.loadStateDict(stateFromJson(r.before));
    fl.manualSeed(4);
    U.spectralNorm(ct, { nPowerIterations: 2 });
    checkState(ct, r.init, "after spectralNorm");
    checkFwdBwd(ct, [fromJson(r.input)], r, "spectralNorm convT");
    checkState(ct, r.stateAfter, "after forward");
  });
});

describe("nn.utils.prune matches PyTorch 1.13", () => {
  it("L1 (fraction, then a count among the kept), random (seeded), global L1; training respects the mask; remove", () => {
    const r = fx.prune;
    const a = new nn.Linear(6, 5);
    const b = new nn.Linear(4, 6);
    a.loadStateDict(stateFromJson(r.before.a));
    b.loadStateDict(stateFromJson(r.before.b));
    U.prune.l1Unstructured(a, "weight", 0.3);
    assertClose(a.getBuffer("weight_mask")!, r.maskA1, "mask after l1 0.3");
    U.prune.l1Unstructured(a, "weight", 3);
    assertClose(a.getBuffer("weight_mask")!, r.maskA2, "mask after l1 3");
    fl.manualSeed(5);
    U.prune.randomUnstructured(b, "bias", 0.5);
    assertClose(b.getBuffer("bias_mask")!, r.maskBiasB, "random mask");
    U.prune.globalUnstructured(
      [
        [a, "weight"],
        [b, "weight"],
      ],
      "l1Unstructured",
      0.4,
    );
    checkState(a, r.afterGlobal.a, "a after global");
    checkState(b, r.afterGlobal.b, "b after global");
    assert.ok(U.prune.isPruned(a));
    const seq = new nn.Sequential(b, new nn.ReLU(), a);
    checkFwdBwd(seq, [fromJson(r.input)], r, "pruned forward");
    U.prune.remove(a, "weight");
    checkState(a, r.afterRemove, "after remove");
    assert.ok(!U.prune.isPruned(a));
    assert.throws(() => U.prune.remove(a, "weight"), /is not pruned/);
  });
});

class Symmetric extends nn.Module {
  forward(x: fl.Tensor): fl.Tensor {
    return x.triu().add(x.triu(1).transpose(0, 1));
  }
}

describe("nn.utils.parametrize matches PyTorch 1.13", () => {
  it("a symmetric weight: state-dict keys, value, gradients; removal keeps the value", () => {
    const r = fx.parametrize_symmetric;
    const lin = new nn.Linear(3, 3);
    lin.loadStateDict(stateFromJson(r.before));
    U.parametrize.registerParametrization(lin, "weight", new Symmetric());
    checkState(lin, r.after, "after registerParametrization");
    assertClose(lin.weight, r.weightValue, "parametrized weight");
    checkFwdBwd(lin, [fromJson(r.input)], r, "parametrized forward");
    assert.ok(U.parametrize.isParametrized(lin, "weight"));
    U.parametrize.removeParametrizations(lin, "weight");
    assertClose(lin.weight, r.weightValue, "weight after removal");
    assert.deepEqual([...lin.stateDict().keys()].sort(), ["bias", "weight"]);
  });
});

describe("nn.utils.rnn matches PyTorch 1.13", () => {
  it("padSequence, packPaddedSequence (unsorted), LSTM on a PackedSequence, padPackedSequence", () => {
    const r = fx.rnn_packed_lstm;
    const seqs = (r.sequences as TensorJson[]).map(fromJson);
    assertClose(U.rnn.padSequence(seqs, { batchFirst: true, paddingValue: -1 }), r.padded, "padSequence");
    const packed = U.rnn.packPaddedSequence(U.rnn.padSequence(seqs), [2, 5, 3], { enforceSorted: false });
    assertClose(packed.data, r.packedData, "packed data");
    assert.deepEqual(Array.from(packed.batchSizes.data() as BigInt64Array, Number), r.batchSizes.data);
    assert.deepEqual(Array.from(packed.sortedIndices!.data() as BigInt64Array, Number), r.sortedIndices.data);
    assert.deepEqual(Array.from(packed.unsortedIndices!.data() as BigInt64Array, Number), r.unsortedIndices.data);
    const lstm = new nn.LSTM(4, 3, { bidirectional: true });
    lstm.loadStateDict(stateFromJson(r.state));
    const { output, lengths } = U.rnn.padPackedSequence(lstm.forward(packed).output, { batchFirst: true });
    assert.deepEqual([...output.shape], r.paddedOutputShape);
    assert.deepEqual(Array.from(lengths.data() as BigInt64Array, Number), r.lengths.data);
    checkFwdBwd(lstm, seqs, r, "LSTM packed", (a, b, c) => {
      const p = U.rnn.packPaddedSequence(U.rnn.padSequence([a!, b!, c!]), [2, 5, 3], { enforceSorted: false });
      const o = lstm.forward(p);
      const po = U.rnn.padPackedSequence(o.output, { totalLength: 6 }).output;
      return fl.cat([po.reshape([-1]), o.h.reshape([-1]), o.c.reshape([-1])]);
    });
  });

  it("GRU on a sorted packSequence; unsorted lengths with enforceSorted are refused", () => {
    const r = fx.rnn_packed_gru_sorted;
    const seqs = (r.sequences as TensorJson[]).map(fromJson);
    const gru = new nn.GRU(4, 2, { numLayers: 2 });
    gru.loadStateDict(stateFromJson(r.state));
    checkFwdBwd(gru, seqs, r, "GRU packed", (a, b, c) => {
      const o = gru.forward(U.rnn.packSequence([a!, b!, c!]));
      return fl.cat([o.output.data.reshape([-1]), o.h.reshape([-1])]);
    });
    assert.throws(() => U.rnn.packSequence([seqs[2]!, seqs[0]!]), /decreasing order/);
  });
});

describe("nn.utils helpers and module hooks", () => {
  it("parametersToVector / vectorToParameters round trip", () => {
    const lin = new nn.Linear(3, 2);
    const v = U.parametersToVector(lin.parameters());
    assert.deepEqual([...v.shape], [8]);
    U.vectorToParameters(fl.arange(0, 8).to("float32"), lin.parameters());
    assert.deepEqual(Array.from(lin.bias!.data() as Float32Array), [6, 7]);
    assert.throws(() => U.vectorToParameters(fl.zeros([7]), lin.parameters()), /7 elements, the parameters 8/);
  });

  it("clipGradNorm_ is the same function from nn.utils and optim", () => {
    assert.equal(U.clipGradNorm_, fl.optim.clipGradNorm_);
  });

  it("forward pre-hooks run before forward, may replace the inputs, and are removable", () => {
    const lin = new nn.Linear(2, 1, { bias: false });
    fl.noGrad(() => lin.weight.fill_(1));
    const seen: number[] = [];
    const h = lin.registerForwardPreHook((_m, inputs) => {
      seen.push((inputs[0] as fl.Tensor).sum().item());
      return [(inputs[0] as fl.Tensor).mul(2)];
    });
    const y = lin.forward(fl.tensor([[1, 2]]));
    assert.deepEqual(seen, [3]);
    assert.equal(y.item(), 6);
    h.remove();
    assert.equal(lin.forward(fl.tensor([[1, 2]])).item(), 3);
  });

  it("re-parametrising twice, or a registered (RNN) weight, is refused", () => {
    const lin = U.weightNorm(new nn.Linear(2, 2));
    assert.throws(() => U.spectralNorm(lin), /already re-parametrised by weightNorm/);
    assert.throws(() => U.weightNorm(new nn.LSTM(2, 2), "weight_ih_l0"), /registered parameters such as RNN weights are not supported/);
  });
});

it("ParameterList and ParameterDict register their parameters under PyTorch's keys", () => {
  const list = new fl.nn.ParameterList([new fl.nn.Parameter(fl.zeros([2])), new fl.nn.Parameter(fl.ones([3]))]);
  const dict = new fl.nn.ParameterDict({ alpha: new fl.nn.Parameter(fl.zeros([1])) });
  assert.deepEqual([...list.stateDict().keys()], ["0", "1"]);
  assert.deepEqual([...dict.stateDict().keys()], ["alpha"]);
  assert.equal(list.parameters().length, 2);
  assert.equal(list.at(-1).shape[0], 3);
  assert.throws(() => list.append(fl.zeros([1]) as never), /ParameterList: expected a Parameter/);
  assert.throws(() => dict.get("beta"), /ParameterDict: no key "beta" \(keys: alpha\)/);
});

it("adaptive max pools with indices, as max_pool*_with_indices return them", () => {
  const x = fl.arange(0, 16).float().view([1, 1, 4, 4]);
  const [values, indices] = fl.nn.functional.adaptiveMaxPool2dWithIndices(x, 2);
  assert.deepEqual(values.toArray(), [
    [
      [
        [5, 7],
        [13, 15],
      ],
    ],
  ]);
  assert.deepEqual([...(indices.data() as BigInt64Array)].map(Number), [5, 7, 13, 15]);
});
