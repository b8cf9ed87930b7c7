// Ugly inputs that libtorch 1.13 already survives still get clear errors: a FlambeauError
// with a code, the op's name and the values received. These are not known crash classes,
// so they share one child process (a crash there still fails the tests, not the runner).
import assert from "node:assert/strict";
import { before, describe, test } from "node:test";
import { assertRejected, type Case, type ChildRun, runInChild } from "./child.js";

const CASES: Case[] = [
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
  ["unknown dtype name", "fl.zeros([2], { dtype: 'float128' })", "E_DTYPE", /zeros: unknown dtype "float128"/],
  ["an inherited key as a dtype", "fl.zeros([2], { dtype: 'toString' })", "E_DTYPE", /zeros: unknown dtype "toString"/],
  [
    "an inherited key as a reduction",
    "fl.nn.functional.mseLoss(fl.zeros([2]), fl.zeros([2]), { reduction: 'constructor' })",
    "E_ARG",
    /mseLoss: reduction must be 'none', 'mean' or 'sum', got "constructor"/,
  ],
  ["size of a 0-dim tensor", "fl.tensor(1).size(0)", "E_ARG", /size: a 0-dim tensor has no dims/],
  ["float index for indexSelect", "fl.zeros([3]).indexSelect(0, fl.tensor([0.5]))", "E_NATIVE", /aten::index_select/],
  ["disposed tensor", "const t = fl.zeros([2]); t.dispose(); t.sum()", "E_DISPOSED", /aten::sum: .*disposed/],
  [
    "disposed tensor as a later argument",
    "const t = fl.zeros([2]); t.dispose(); fl.zeros([2]).add(t)",
    "E_DISPOSED",
    /aten::add: .*disposed/,
  ],
  [
    "disposed tensor where metadata is read first",
    "const t = fl.zeros([2]); t.dispose(); fl.softmax(t, 0)",
    "E_DISPOSED",
    /softmax: input was disposed/,
  ],
  [
    "gather index out of range",
    "fl.zeros([2,2]).gather(1, fl.tensor([[0n, 5n], [0n, 0n]]))",
    "E_NATIVE",
    /aten::gather: index 5 is out of bounds/,
  ],
  [
    "indexAdd index out of range",
    "fl.zeros([3]).indexAdd(0, fl.tensor([5n]), fl.ones([1]))",
    "E_NATIVE",
    /aten::index_add: index out of range/,
  ],
  [
    "scatter index out of range",
    "fl.zeros([3]).scatter(0, fl.tensor([5n]), 1)",
    "E_NATIVE",
    /aten::scatter.value: index 5 is out of bounds/,
  ],
  ["NaN size", "fl.zeros([NaN])", "E_ARG", /zeros: shape \[NaN\] has a non-integer size/],
  ["Infinity size", "fl.ones([2, Infinity])", "E_ARG", /ones: shape .* non-integer size Infinity/],
  ["fractional size", "fl.rand([2.5])", "E_ARG", /rand: shape \[2.5\] has a non-integer size/],
  ["negative size", "fl.empty([-3])", "E_ARG", /empty: shape \[-3\] has a negative size/],
  ["two inferred dims", "fl.zeros([4]).view(-1, -1)", "E_ARG", /view: shape \[-1, -1\] has a negative size/],
  ["a string where a tensor belongs", "fl.add('x', 1)", "E_ARG", /aten::add.Scalar argument 'self': expected a Tensor/],
  ["null where a tensor belongs (metadata read first)", "fl.softmax(null, 0)", "E_ARG", /softmax: input must be a Tensor, got null/],
  ["an object where a number belongs", "fl.clamp(fl.zeros([2]), {}, 1)", "E_ARG", /expected a number, got an object/],
  [
    "a tensor where a number belongs",
    "fl.nanToNum(fl.zeros([2]), { nan: fl.zeros([1]) })",
    "E_ARG",
    /aten::nan_to_num argument .nan.: expected a number, got a Tensor/,
  ],
  ["an object where a size belongs", "fl.zeros([{}])", "E_ARG", /zeros: shape .* non-integer size an object/],
  ["a string where a shape belongs", "fl.zeros('abc')", "E_ARG", /zeros: shape must be an array of integers, got "abc"/],
  ["a non-finite int argument", "fl.zeros([3]).narrow(0, NaN, 1)", "E_ARG", /narrow: start must be a safe integer, got NaN/],
  ["an unsafe integer", "fl.zeros([3]).select(0, 2**53)", "E_ARG", /select: index must be a safe integer/],
  ["a BigInt dim", "fl.zeros([3]).size(-1n)", "E_ARG", /size: dim -1n is out of range/],
  ["a BigInt enum", "fl.zeros([3]).div(2, -1n)", "E_ARG", /div: roundingMode must be one of 'trunc', 'floor', got -1n/],
  ["options that are not an object", 'fl.zeros([2,3]).sum("x")', "E_ARG", /sum: options must be an object, got "x"/],
  [
    "an option the op does not know",
    "fl.zeros([2,3]).std({ unbaised: false })",
    "E_ARG",
    /std: unknown option "unbaised"; options: dim, keepdim, correction, unbiased/,
  ],
  ["max of an empty tensor", "fl.zeros([0]).max()", "E_ARG", /max: cannot reduce an empty tensor/],
  ["integer division by zero", "fl.tensor([1n]).div(fl.tensor([0n]), 'floor')", "E_NATIVE", /ZeroDivisionError/],
  ["ragged nested array", "fl.tensor([[1, 2], [3]])", "E_ARG", /tensor: ragged nested array/],
  ["a self-containing array", "const a = []; a.push(a); fl.tensor(a)", "E_ARG", /tensor: nested arrays deeper than the maximum rank 32/],
  ["multinomial with negative probabilities", "fl.multinomial(fl.tensor([0.5, -1]), 1)", "E_NATIVE", /aten::multinomial/],
  ["permute with repeated dims", "fl.zeros([2,3]).permute(0, 0)", "E_ARG", /permute: dims \[0, 0\] repeat a dimension/],
  [
    "conv2d with wrong channels",
    "fl.nn.functional.conv2d(fl.zeros([1,3,4,4]), fl.zeros([2,4,3,3]))",
    "E_ARG",
    /conv2d: input has 3 channels but weight/,
  ],
  [
    "pool kernel as an object",
    "fl.nn.functional.maxPool1d(fl.zeros([1,1,4]), {})",
    "E_ARG",
    /maxPool1d: kernelSize must be an integer or an array/,
  ],
  [
    "crossEntropy with a target out of range",
    "fl.nn.functional.crossEntropy(fl.zeros([2,3]), fl.tensor([0n, 3n]))",
    "E_ARG",
    /crossEntropy: target values must be class indices in \[0, 2\]/,
  ],
  ["item of a multi-element tensor", "fl.zeros([2]).item()", "E_ARG", /item: a Tensor with 2 elements/],
  [
    "an allocation past the memory",
    "fl.nn.functional.conv2d(fl.zeros([1,1,1,1]), fl.zeros([1,1,1,1]), null, { padding: 2**20 })",
    "E_MEMORY",
    /exceed the memory budget|can't allocate memory/,
  ],
  [
    "grad of a different shape",
    "const x = fl.zeros([2]); x.grad = fl.zeros([3])",
    "E_ARG",
    /grad: assigned grad has shape \[3\], the tensor has \[2\]/,
  ],
  [
    "grad of a different dtype",
    "const x = fl.zeros([2]); x.grad = fl.zeros([2], { dtype: 'float64' })",
    "E_ARG",
    /grad: assigned grad has dtype float64/,
  ],
  [
    "backward with a non-tensor gradient",
    "fl.zeros([2], { requiresGrad: true }).sum().backward(5)",
    "E_ARG",
    /backward: grads\[0\] must be a Tensor, got 5/,
  ],
  ["retainGrad without requiresGrad", "fl.zeros([2]).retainGrad()", "E_ARG", /retainGrad: can't retain_grad/],
  ["tidy of a non-function", "fl.tidy(5)", "E_ARG", /tidy: expects a function/],
  ["noGrad of a non-function", "fl.noGrad('x')", "E_ARG", /noGrad: expects a function, got "x"/],
  ["setRngState of a float tensor", "fl.setRngState(fl.zeros([5]))", "E_ARG", /setRngState: RNG state must be a torch.ByteTensor/],
  ["manualSeed of a string", "fl.manualSeed('7')", "E_ARG", /manualSeed: seed must be a safe integer, got "7"/],
  ["setMemoryBudget of NaN", "fl.setMemoryBudget(NaN)", "E_ARG", /setMemoryBudget: expected a byte count/],
  ["jit.load of a directory", "fl.jit.load('/')", "E_FORMAT", /jit.load/],
];

describe("ugly inputs give clear errors (one child process)", () => {
  let run: ChildRun;
  before(() => {
    run = runInChild(CASES.map((c) => c[1]));
  });
  CASES.forEach((c, i) => test(c[0], () => assertRejected(c, run.outcomes[i], run)));
});

test("empty tensors, NaN and INT_MIN flow through valid ops without error", () => {
  const run = runInChild([
    `const e = fl.zeros([0, 3]);
     const r = [e.sum({ dim: 0 }).shape, Number.isNaN(e.mean().item()), Number.isNaN(Number(fl.tensor([NaN, 1]).softmax(0).data()[0])),
       fl.zeros([0], { dtype: 'int64' }).div(-1, 'floor').shape, fl.tensor([-(2n**63n)]).div(2n, 'floor').itemBigInt() === -(2n**62n),
       fl.tensor([-(2n**63n), 4n]).remainder(3n).shape, fl.zeros([0, 4]).matmul(fl.zeros([4, 2])).shape];
     throw new fl.FlambeauError('E_STATE', JSON.stringify(r), 'probe')`,
  ]);
  const o = run.outcomes[0];
  assert.ok(o?.thrown && o.code === "E_STATE", `${o?.name}: ${o?.message}\n${run.stderr}`);
  assert.deepEqual(JSON.parse(o.message!), [[3], true, true, [0], true, [2], [0, 2]]);
});
