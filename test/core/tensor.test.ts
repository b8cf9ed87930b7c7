// Tensor basics against PyTorch: printing, data out, float16/bfloat16 rounding, threads, TorchScript.
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import * as fl from "flambeau";
import { FIXTURES, readFixture } from "../helpers/fixtures.js";

type Encoded = number | boolean | string | Encoded[];
interface Misc {
  reprs: Record<string, { data?: Encoded; dtype?: fl.DType; build?: string; repr: string }>;
  half: { values: number[]; float16: number[]; bfloat16: number[]; float16_bits: number[] };
  jit: { x: number[][]; a: number[]; b: number[][]; y1: number[][]; y2: number[][]; keys: string[] };
}
const misc = readFixture<Misc>("core", "misc.json");

// core_misc.py sends NaN, infinities, -0 and int64 past 2^53 as strings (JSON has none of them).
function decode(v: Encoded, dtype: fl.DType): fl.NestedArray {
  if (Array.isArray(v)) return v.map((x) => decode(x, dtype));
  if (typeof v === "string")
    return dtype === "int64" ? BigInt(v) : v === "nan" ? Number.NaN : v === "inf" ? Infinity : v === "-inf" ? -Infinity : -0;
  return dtype === "int64" && typeof v === "number" ? BigInt(v) : v;
}
const x = () => fl.tensor([1, 2], { requiresGrad: true });
const BUILD: Record<string, () => fl.Tensor> = {
  summarised: () => fl.arange(2000, undefined, 1, { dtype: "float32" }).reshape(40, 50).div(7),
  rank3: () => fl.arange(24, undefined, 1, { dtype: "float32" }).reshape(2, 3, 4).div(3),
  wrapped_row: () => fl.arange(30, undefined, 1, { dtype: "float32" }).mul(1.5),
  empty_2x0: () => fl.zeros([2, 0]),
  empty_2x0_int32: () => fl.zeros([2, 0], { dtype: "int32" }),
  requires_grad: x,
  grad_fn: () => x().mul(x()),
  grad_fn_float64: () => x().double().mul(x().double()),
};

test("toString matches PyTorch's print (dtype names without 'torch.')", () => {
  for (const [name, r] of Object.entries(misc.reprs)) {
    const t = r.build ? BUILD[r.build]!() : fl.tensor(decode(r.data!, r.dtype!), { dtype: r.dtype });
    assert.equal(t.toString(), r.repr.replaceAll("torch.", ""), name);
  }
  assert.ok(Object.keys(misc.reprs).length >= 30);
});

test("data(), toArray(), item() per dtype", () => {
  assert.ok(fl.tensor([1, 2]).data() instanceof Float32Array);
  assert.ok(fl.arange(3).data() instanceof BigInt64Array);
  assert.ok(fl.tensor([true]).data() instanceof Uint8Array);
  assert.ok(fl.tensor([1], { dtype: "int32" }).data() instanceof Int32Array);
  assert.ok(fl.tensor([1], { dtype: "float16" }).data() instanceof Uint16Array);
  assert.deepEqual(
    fl
      .tensor(
        [
          [1, 2],
          [3, 4],
        ],
        { dtype: "int32" },
      )
      .toArray(),
    [
      [1, 2],
      [3, 4],
    ],
  );
  assert.deepEqual(fl.tensor([true, false]).toArray(), [true, false]);
  assert.equal(fl.tensor(2.5).item(), 2.5);
  // item() is a number for every dtype (int64 exactly, bool as 1/0); itemBigInt()/itemBool() for the rest.
  const n: number = fl.tensor([7n]).item();
  assert.equal(n, 7);
  assert.equal(fl.tensor([true]).item(), 1);
  assert.equal(fl.tensor([2n ** 53n - 1n]).item(), 2 ** 53 - 1);
  assert.throws(() => fl.tensor([2n ** 53n]).item(), /int64 value 9007199254740992 is past ±\(2\^53 − 1\).*use itemBigInt\(\)/);
  assert.equal(fl.tensor([2n ** 62n]).itemBigInt(), 2n ** 62n);
  assert.equal(fl.tensor([7], { dtype: "int32" }).itemBigInt(), 7n);
  assert.equal(fl.tensor([true]).itemBigInt(), 1n);
  assert.throws(() => fl.tensor(2.5).itemBigInt(), /itemBigInt: a float32 tensor holds no integer; use item\(\)/);
  assert.equal(fl.tensor([true]).itemBool(), true);
  assert.equal(fl.tensor([0n]).itemBool(), false);
  assert.equal(fl.tensor(0.5).itemBool(), true);
  assert.throws(() => fl.zeros([2]).itemBool(), /itemBool: a Tensor with 2 elements|2 elements cannot be converted/);
  assert.throws(() => fl.zeros([2]).item(), /2 elements cannot be converted/);
  assert.deepEqual(fl.tensor(BigInt64Array.of(-(2n ** 63n), 2n ** 63n - 1n)).data(), BigInt64Array.of(-(2n ** 63n), 2n ** 63n - 1n));
});

test("float16 and bfloat16 round like PyTorch", () => {
  const v = fl.tensor(misc.half.values);
  assert.deepEqual(Array.from(v.to("float16").to("float32").data() as Float32Array), misc.half.float16.map(Math.fround));
  assert.deepEqual(Array.from(v.to("bfloat16").to("float32").data() as Float32Array), misc.half.bfloat16.map(Math.fround));
  assert.deepEqual(Array.from(new Int16Array((v.to("float16").data() as Uint16Array).buffer)), misc.half.float16_bits);
});

test("setNumThreads / getNumThreads", () => {
  const prev = fl.getNumThreads();
  fl.setNumThreads(1);
  assert.equal(fl.getNumThreads(), 1);
  fl.setNumThreads(prev);
  assert.equal(fl.getNumThreads(), prev);
  assert.throws(() => fl.setNumThreads(0), /setNumThreads/);
  assert.throws(() => fl.setNumThreads(1.5), /safe integer/);
});

test("jit.load runs a TorchScript module exported from Python (tensors and tuples)", () => {
  const m = fl.jit.load(join(FIXTURES, "core", "tiny_module.pt"));
  const j = misc.jit;
  const out = m.forward(fl.tensor(j.x), [fl.tensor(j.a), fl.tensor(j.b)]) as fl.Tensor[];
  assert.equal(out.length, 2);
  const close = (t: fl.Tensor, e: number[][]) => assert.ok(fl.allclose(t, fl.tensor(e), { atol: 1e-6 }));
  close(out[0]!, j.y1);
  close(out[1]!, j.y2);
  assert.deepEqual([...m.stateDict().keys()], j.keys);
  assert.throws(
    () => fl.jit.load("/no/such/module.pt"),
    (e: Error) => e instanceof fl.FlambeauError && /no such file/.test(e.message),
  );
  const bad = join(tmpdir(), "corrupt-module.pt");
  writeFileSync(bad, "not a zip archive");
  assert.throws(() => fl.jit.load(bad), fl.FlambeauError);
  assert.throws(() => m.call("nope"), /no method 'nope'/);
  const gone = fl.zeros([2]);
  gone.dispose();
  const refused = (code: string, re: RegExp) => (e: unknown) => e instanceof fl.FlambeauError && e.code === code && re.test(e.message);
  assert.throws(() => m.forward(gone), refused("E_DISPOSED", /jit.forward: this tensor was disposed/));
  assert.throws(() => m.forward({} as never), refused("E_ARG", /unsupported argument type/));
  assert.throws(() => m.forward(1n << 70n), refused("E_ARG", /BigInt argument out of int64 range/));
  assert.throws(() => m.forward(fl.zeros([4, 3])), refused("E_NATIVE", /missing value for argument 'pair'/));
});
