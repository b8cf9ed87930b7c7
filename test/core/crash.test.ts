// No input may crash or hang the process. Each case runs in a child process (a crash
// there fails the test instead of killing the runner) and must end in a FlambeauError
// with the expected code and a message naming the op. The first group are the classes
// that crash libtorch 1.13 itself (shared/RELIABILITY.md).
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, test } from "node:test";
import { FIXTURES } from "../helpers/fixtures.js";

const ROOT = join(FIXTURES, "..", "..");

function probe(code: string): {
  status: number | null;
  signal: NodeJS.Signals | null;
  result?: { thrown: boolean; name?: string; code?: string; message?: string };
  stderr: string;
} {
  const src = `import * as fl from "flambeau";
try { ${code}; console.log(JSON.stringify({ thrown: false })); }
catch (e) { console.log(JSON.stringify({ thrown: true, name: e?.name, code: e?.code, message: String(e?.message) })); }`;
  const r = spawnSync(process.execPath, ["--input-type=module", "-e", src], { cwd: ROOT, encoding: "utf8", timeout: 20_000 });
  const last = r.stdout.trim().split("\n").pop();
  return { status: r.status, signal: r.signal, stderr: r.stderr, result: last ? JSON.parse(last) : undefined };
}

type Case = [name: string, code: string, errCode: string, message: RegExp];

function run(cases: Case[]): void {
  for (const [name, code, errCode, message] of cases)
    test(name, () => {
      const r = probe(code);
      assert.equal(r.signal, null, `${name}: killed by ${r.signal} (timeout or crash)\n${r.stderr}`);
      assert.equal(r.status, 0, `${name}: exit ${r.status}\n${r.stderr}`);
      assert.ok(r.result?.thrown, `${name}: no error was thrown`);
      assert.equal(r.result.name, "FlambeauError", `${name}: ${r.result.name}: ${r.result.message}`);
      assert.equal(r.result.code, errCode, `${name}: ${r.result.message}`);
      assert.match(r.result.message!, message);
    });
}

describe("argument classes that crash libtorch 1.13 are rejected before dispatch", () => {
  run([
    ["int64 INT_MIN / -1 (trunc)", "fl.tensor([-(2n**63n)]).div(fl.tensor([-1n]), 'trunc')", "E_ARG", /div: integer overflow/],
    ["int64 INT_MIN floor-divided by scalar -1", "fl.tensor([-(2n**63n)]).div(-1, 'floor')", "E_ARG", /div: integer overflow/],
    [
      "int32 INT_MIN remainder -1",
      "fl.tensor([-(2**31)], {dtype:'int32'}).remainder(fl.tensor([-1], {dtype:'int32'}))",
      "E_ARG",
      /remainder: integer overflow/,
    ],
    ["int64 INT_MIN fmod -1", "fl.fmod(fl.tensor([-(2n**63n), 5n]), -1)", "E_ARG", /fmod: integer overflow/],
    ["int64 INT_MIN floorDivide -1", "fl.floorDivide(fl.tensor([-(2n**63n)]), fl.tensor([-1n]))", "E_ARG", /floorDivide: integer overflow/],
    [
      "conv1d dilation 2^31 with padding 'same'",
      "fl.nn.functional.conv1d(fl.zeros([1,1,8]), fl.zeros([1,1,3]), null, { dilation: 2**31, padding: 'same' })",
      "E_ARG",
      /conv1d: dilation/,
    ],
    [
      "conv2d padding near 2^63",
      "fl.nn.functional.conv2d(fl.zeros([1,1,4,4]), fl.zeros([1,1,3,3]), null, { padding: 2**62 })",
      "E_ARG",
      /conv2d: padding/,
    ],
    ["maxPool1d kernel 1e12", "fl.nn.functional.maxPool1d(fl.zeros([1,1,8]), 1e12)", "E_ARG", /maxPool1d: kernelSize/],
    ["maxPool2d padding 1e15", "fl.nn.functional.maxPool2d(fl.zeros([1,1,8,8]), 2, { padding: 1e15 })", "E_ARG", /maxPool2d: padding/],
    ["a zero dim beside huge ones", "fl.zeros([8, 0, 9, 13, 1.3e18])", "E_ARG", /zeros: shape/],
    [
      "matmul against a zero-dim tensor with a huge dim",
      "fl.matmul(fl.zeros([2, 9]), fl.zeros([8, 0, 9, 13, 2**40]))",
      "E_ARG",
      /zeros: shape .* exceeds the cap/,
    ],
    ["huge expanded view summed (hang)", "fl.ones([1]).expand([2**40]).sum()", "E_ARG", /expand: shape .* exceeds the cap/],
    ["huge out-of-range dim", "fl.zeros([2, 3]).sum({ dim: -1e12 })", "E_ARG", /sum: dim -1000000000000 is out of range/],
    [
      "ctcLoss with targets out of range",
      "fl.nn.functional.ctcLoss(fl.randn([6,1,4]).logSoftmax(2), fl.tensor([[1n, 9n]]), [6], [2])",
      "E_ARG",
      /ctcLoss: target labels must be in \[0, 3\]/,
    ],
    [
      "ctcLoss with a target length past the targets",
      "fl.nn.functional.ctcLoss(fl.randn([6,1,4]).logSoftmax(2), fl.tensor([[1n, 2n]]), [6], [5])",
      "E_ARG",
      /ctcLoss: target length 5 exceeds/,
    ],
    [
      "batchNorm with running stats shorter than the channels",
      "fl.nn.functional.batchNorm(fl.zeros([2,4,3]), fl.zeros([2]), fl.ones([2]))",
      "E_ARG",
      /batchNorm: runningMean must have shape \[4\]/,
    ],
    [
      "interpolate to an enormous size",
      "fl.nn.functional.interpolate(fl.zeros([1,1,4,4]), { scaleFactor: 1e9, mode: 'nearest' })",
      "E_ARG",
      /interpolate: bad scaleFactor/,
    ],
    ["bincount of a huge value", "fl.bincount(fl.tensor([2n**40n]))", "E_ARG", /bincount: values above 2\^31/],
    ["randperm of 2^40", "fl.randperm(2**40)", "E_ARG", /randperm: n must be in/],
    ["repeat to a huge size", "fl.ones([1000]).repeat([2**30])", "E_ARG", /repeat: result would have/],
    ["pad by 2^40", "fl.pad(fl.zeros([2,2]), [2**40, 0])", "E_ARG", /pad: padding/],
  ]);
});

describe("ugly inputs give clear errors", () => {
  run([
    [
      "mismatched shapes",
      "fl.zeros([2,3]).add(fl.zeros([4]))",
      "E_NATIVE",
      /aten::add.*size of tensor a \(3\) must match.*float32\[2, 3\], float32\[4\]/,
    ],
    [
      "matmul shapes",
      "fl.zeros([2,3]).matmul(fl.zeros([4,5]))",
      "E_NATIVE",
      /aten::matmul: mat1 and mat2 shapes cannot be multiplied \(2x3 and 4x5\)/,
    ],
    ["wrong dtype name", "fl.zeros([2], { dtype: 'float128' })", "E_DTYPE", /zeros: unknown dtype "float128"/],
    ["float index for indexSelect", "fl.zeros([3]).indexSelect(0, fl.tensor([0.5]))", "E_NATIVE", /aten::index_select/],
    ["disposed tensor", "const t = fl.zeros([2]); t.dispose(); t.sum()", "E_DISPOSED", /disposed/],
    [
      "gather index out of range",
      "fl.zeros([2,2]).gather(1, fl.tensor([[0n, 5n], [0n, 0n]]))",
      "E_NATIVE",
      /aten::gather: index 5 is out of bounds/,
    ],
    [
      "embedding index out of range",
      "fl.nn.functional.embedding(fl.tensor([7n]), fl.zeros([3, 2]))",
      "E_NATIVE",
      /aten::embedding.*out of range/,
    ],
    ["NaN size", "fl.zeros([NaN])", "E_ARG", /zeros: shape \[NaN\] has a non-integer size/],
    ["Infinity size", "fl.ones([2, Infinity])", "E_ARG", /ones: shape .* non-integer size/],
    ["negative size", "fl.empty([-3])", "E_ARG", /empty: shape \[-3\] has a negative size/],
    ["two inferred dims", "fl.zeros([4]).view(-1, -1)", "E_ARG", /view: shape \[-1, -1\] has a negative size/],
    ["a string where a tensor belongs", "fl.add('x', 1)", "E_NATIVE", /expected a Tensor/],
    ["an object where a size belongs", "fl.zeros([{}])", "E_ARG", /zeros: shape .* non-integer size/],
    ["a non-finite int argument", "fl.zeros([3]).narrow(0, NaN, 1)", "E_ARG", /narrow: start must be a safe integer/],
    ["max of an empty tensor", "fl.zeros([0]).max()", "E_ARG", /max: cannot reduce an empty tensor/],
    ["integer division by zero", "fl.tensor([1n]).div(fl.tensor([0n]), 'floor')", "E_NATIVE", /ZeroDivisionError/],
    ["ragged nested array", "fl.tensor([[1, 2], [3]])", "E_ARG", /tensor: ragged nested array/],
    ["multinomial with negative probabilities", "fl.multinomial(fl.tensor([0.5, -1]), 1)", "E_NATIVE", /aten::multinomial/],
    ["permute with repeated dims", "fl.zeros([2,3]).permute(0, 0)", "E_ARG", /permute: dims \[0, 0\] repeat a dimension/],
    [
      "conv2d with wrong channels",
      "fl.nn.functional.conv2d(fl.zeros([1,3,4,4]), fl.zeros([2,4,3,3]))",
      "E_ARG",
      /conv2d: input has 3 channels but weight/,
    ],
    [
      "crossEntropy with a target out of range",
      "fl.nn.functional.crossEntropy(fl.zeros([2,3]), fl.tensor([0n, 3n]))",
      "E_ARG",
      /crossEntropy: target values must be class indices in \[0, 2\]/,
    ],
    ["item of a multi-element tensor", "fl.zeros([2]).item()", "E_ARG", /item: a Tensor with 2 elements/],
  ]);
  test("empty tensors and NaN flow through without crashing", () => {
    const r = probe(
      "const e = fl.zeros([0, 3]); const s = e.sum({dim: 0}); const m = e.mean(); const n = fl.tensor([NaN, 1]).softmax(0); console.log(JSON.stringify([s.shape, Number.isNaN(Number(m.item())), Number.isNaN(Number(n.data()[0]))])); throw new fl.FlambeauError('E_ARG', 'done')",
    );
    assert.equal(r.status, 0, r.stderr);
  });
});
