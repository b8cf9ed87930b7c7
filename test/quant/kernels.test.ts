// Quantized kernels through the addon: quantized tensors round-trip, packed-parameter handles
// come back from the prepack ops, survive GC while held and are rejected where a tensor (or
// another class) is expected; quantized conv / linear (static and dynamic) match PyTorch's
// own quantized kernels for the same int8 weights and inputs.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as fl from "flambeau";
import { hasTorch, NO_TORCH, torchRef } from "../learn/compress/torch-ref.js";

const Q = fl.quantization;
const arr = (t: fl.Tensor): number[] => Array.from(t.float().data() as Float32Array);
const maxDiff = (a: number[], b: number[]) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0);

function rand(shape: number[], seed: number): number[] {
  fl.manualSeed(seed);
  return arr(fl.randn(shape));
}

describe("quantized tensors", () => {
  it("quantize_per_tensor / per_channel round-trip with their qparams", () => {
    const x = fl.tensor([-1, -0.5, 0, 0.25, 1, 2]);
    const q = Q.quantizePerTensor(x, 0.02, 60, "quint8");
    assert.equal(Q.qdtype(q), "quint8");
    assert.equal(Q.isQuantized(x), false);
    assert.equal(Q.qScale(q), 0.02);
    assert.equal(Q.qZeroPoint(q), 60);
    assert.deepEqual(arr(Q.intRepr(q)), [10, 35, 60, 72, 110, 160]);
    assert.ok(maxDiff(arr(Q.dequantize(q)), [-1, -0.5, 0, 0.24, 1, 2]) < 1e-6);
    const w = fl.tensor([
      [1, -2],
      [0.1, 0.3],
    ]);
    const qc = Q.quantizePerChannel(w, fl.tensor([2 / 127, 0.3 / 127], { dtype: "float64" }), fl.tensor([0n, 0n]), 0, "qint8");
    assert.equal(Q.qdtype(qc), "qint8");
    assert.deepEqual(Array.from(Q.intRepr(qc).data() as Int8Array), [64, -127, 42, 127]);
    assert.ok(maxDiff(arr(Q.qPerChannelScales(qc)), [2 / 127, 0.3 / 127]) < 1e-9);
    assert.equal(Q.qPerChannelAxis(qc), 0);
  });

  it("rejects a float dtype for quantize_per_tensor, naming the op", () => {
    assert.throws(() => Q.quantizePerTensor(fl.ones([2]), 0.1, 0, "int8" as never), /quantizePerTensor: dtype must be one of qint8/);
  });
});

describe("packed parameters", () => {
  it("come back as handles, survive GC while held, and free on dispose", () => {
    const w = Q.quantizeWeight(fl.randn([4, 3]));
    const p = Q.qcall("quantized::linear_prepack", w, null) as fl.quantization.PackedParams;
    assert.ok(p instanceof Q.PackedParams);
    assert.match(p.className, /LinearPackedParamsBase$/);
    for (let i = 0; i < 3; i++) (globalThis as { gc?: () => void }).gc?.();
    for (let i = 0; i < 200; i++) fl.tidy(() => fl.randn([64, 64]).matmul(fl.randn([64, 64])));
    const y = Q.qcall("quantized::linear_dynamic", fl.ones([2, 3]), p, false) as fl.Tensor;
    assert.deepEqual(y.shape, [2, 4]);
    const unpacked = Q.qcall("quantized::linear_unpack", p) as fl.Tensor[];
    assert.deepEqual(arr(Q.intRepr(unpacked[0]!)), arr(Q.intRepr(w)));
    p.dispose();
    assert.equal(p.disposed, true);
    assert.throws(
      () => Q.qcall("quantized::linear_dynamic", fl.ones([2, 3]), p, false),
      (e: fl.FlambeauError) => e.code === "E_DISPOSED",
    );
  });

  it("a tensor where packed params are expected (and the reverse, and the wrong class) is an FlambeauError naming the op", () => {
    const lin = Q.qcall("quantized::linear_prepack", Q.quantizeWeight(fl.randn([4, 3])), null);
    const conv = Q.qcall("quantized::conv2d_prepack", Q.quantizeWeight(fl.randn([2, 1, 3, 3])), null, [1, 1], [0, 0], [1, 1], 1);
    const check = (f: () => unknown, re: RegExp) =>
      assert.throws(
        f,
        (e: unknown) => e instanceof fl.FlambeauError && e.code === "E_ARG" && re.test(e.message) && /quantized::/.test(e.message),
      );
    check(
      () => Q.qcall("quantized::linear_dynamic", fl.ones([2, 3]), fl.ones([4, 3]), false),
      /W_prepack.*expected a packed-parameters handle/,
    );
    check(() => Q.qcall("quantized::linear_dynamic", lin, lin, false), /argument 'X': expected a Tensor/);
    check(
      () => Q.qcall("quantized::linear_dynamic", fl.ones([2, 3]), conv, false),
      /expected a .*LinearPackedParamsBase, got a .*Conv2dPackedParamsBase/,
    );
    assert.throws(() => fl.add(lin as never, 1), fl.FlambeauError);
    assert.throws(
      () => Q.qcall("quantized::no_such_op", 1),
      (e: fl.FlambeauError) => e.op === "quantized::no_such_op",
    );
  });
});

describe("quantized kernels against PyTorch", { skip: hasTorch ? false : NO_TORCH }, () => {
  for (const engine of Q.supportedQuantizedEngines()) {
    it(`${engine}: conv2d(+relu), static linear and dynamic linear equal PyTorch's for the same int8 weights`, () => {
      Q.setQuantizedEngine(engine);
      assert.equal(Q.quantizedEngine(), engine);
      const x = rand([2, 3, 8, 8], 1);
      const w = rand([4, 3, 3, 3], 2).map((v) => v * 0.3);
      const b = rand([4], 3);
      const lw = rand([5, 16], 4).map((v) => v * 0.2);
      const lb = rand([5], 5);
      const lx = rand([3, 16], 6);
      // onednn on this AVX2 CPU needs 7-bit activations (reduce_range); qnnpack takes 8.
      const reduce = Q.reduceRangeFor(engine);
      const xs = reduce ? { scale: 0.06, zeroPoint: 64 } : { scale: 0.03, zeroPoint: 128 };
      const ys = { scale: 0.05, zeroPoint: 100 };
      const xt = fl.tensor(x).reshape([2, 3, 8, 8]);
      const wt = fl.tensor(w).reshape([4, 3, 3, 3]);
      const conv = new Q.QuantizedConv2d(
        wt,
        fl.tensor(b),
        { stride: [1, 1], padding: [1, 1], dilation: [1, 1], groups: 1 },
        { input: xs, output: ys, dequantize: true },
      );
      const convRelu = new Q.QuantizedConv2d(
        wt,
        fl.tensor(b),
        { stride: [2, 2], padding: [0, 0], dilation: [1, 1], groups: 1 },
        { input: xs, output: ys, dequantize: true, relu: true },
      );
      const lwt = fl.tensor(lw).reshape([5, 16]);
      const lxt = fl.tensor(lx).reshape([3, 16]);
      const lin = new Q.QuantizedLinear(lwt, fl.tensor(lb), { input: xs, output: ys, dequantize: true });
      const dyn = new Q.DynamicQuantizedLinear(lwt, fl.tensor(lb));
      const ref = torchRef<Record<"conv" | "convRelu" | "lin" | "dyn" | "convF" | "convReluF" | "linF" | "dynF", number[]>>(
        `
torch.backends.quantized.engine = inp["engine"]
def qw(w):
    amax = w.abs().flatten(1).amax(1)
    s = torch.where(amax > 0, amax / 127, torch.ones_like(amax)).double()
    return torch.quantize_per_channel(w, s, torch.zeros(w.shape[0], dtype=torch.long), 0, torch.qint8)
x = torch.tensor(inp["x"]).reshape(2, 3, 8, 8)
xs, xz = (0.06, 64) if inp["reduce"] else (0.03, 128)
qx = torch.quantize_per_tensor(x, xs, xz, torch.quint8)
w = qw(torch.tensor(inp["w"]).reshape(4, 3, 3, 3)); b = torch.tensor(inp["b"])
p1 = torch.ops.quantized.conv2d_prepack(w, b, [1, 1], [1, 1], [1, 1], 1)
p2 = torch.ops.quantized.conv2d_prepack(w, b, [2, 2], [0, 0], [1, 1], 1)
conv = torch.ops.quantized.conv2d(qx, p1, 0.05, 100).dequantize()
convRelu = torch.ops.quantized.conv2d_relu(qx, p2, 0.05, 100).dequantize()
lw = qw(torch.tensor(inp["lw"]).reshape(5, 16)); lb = torch.tensor(inp["lb"]); lx = torch.tensor(inp["lx"]).reshape(3, 16)
lp = torch.ops.quantized.linear_prepack(lw, lb)
qlx = torch.quantize_per_tensor(lx, xs, xz, torch.quint8)
lin = torch.ops.quantized.linear(qlx, lp, 0.05, 100).dequantize()
# A fresh pack: onednn's packed weights keep state from a static call that a dynamic one then misreads.
dyn = torch.ops.quantized.linear_dynamic(lx, torch.ops.quantized.linear_prepack(lw, lb), inp["reduce"])
F = torch.nn.functional
convF = F.conv2d(qx.dequantize(), w.dequantize(), b, padding=1)
convReluF = F.relu(F.conv2d(qx.dequantize(), w.dequantize(), b, stride=2))
linF = F.linear(qlx.dequantize(), lw.dequantize(), lb)
dynF = F.linear(lx, lw.dequantize(), lb)
out = {k: v.flatten().tolist() for k, v in dict(conv=conv, convRelu=convRelu, lin=lin, dyn=dyn, convF=convF, convReluF=convReluF, linF=linF, dynF=dynF).items()}
`,
        { engine, reduce, x, w, b, lw, lb, lx },
      );
      // Same int8 inputs and weights, same kernels: equal to the output's quantization step; and
      // within one output step (plus rounding) of float arithmetic on the dequantized values.
      const got = { conv: arr(conv.forward(xt)), convRelu: arr(convRelu.forward(xt)), lin: arr(lin.forward(lxt)) };
      for (const k of ["conv", "convRelu", "lin"] as const) {
        assert.ok(maxDiff(got[k], ref[k]) <= ys.scale + 1e-6, `${k} vs PyTorch: ${maxDiff(got[k], ref[k])}`);
        assert.ok(maxDiff(got[k], ref[`${k}F`]) <= ys.scale * 0.5 + 1e-3, `${k} vs float: ${maxDiff(got[k], ref[`${k}F`])}`);
      }
      const dy = arr(dyn.forward(lxt));
      assert.ok(maxDiff(dy, ref.dyn) < 1e-4, `linear_dynamic vs PyTorch: ${maxDiff(dy, ref.dyn)}`);
      assert.ok(maxDiff(dy, ref.dynF) < 0.1, `linear_dynamic vs float: ${maxDiff(dy, ref.dynF)}`);
      Q.setQuantizedEngine("onednn");
    });
  }

  it("an unknown engine is an E_ARG naming the supported ones", () => {
    assert.throws(() => Q.setQuantizedEngine("fbgemm"), /setQuantizedEngine: engine "fbgemm" is not supported.*supported: /);
  });
});
