// Argument classes that crash (SIGFPE, SIGSEGV) or hang libtorch 1.13 itself
// (shared/RELIABILITY.md) are rejected before dispatch. Each case runs in its own child
// process: a regression kills that child and fails that test, not the runner.
import { describe, test } from "node:test";
import { assertRejected, type Case, runInChildAsync } from "./child.js";

function isolated(cases: Case[]): void {
  for (const c of cases) {
    // Started now, awaited by its test: a few children run at once.
    const pending = runInChildAsync([c[1]]);
    test(c[0], async () => {
      const run = await pending;
      assertRejected(c, run.outcomes[0], run);
    });
  }
}

describe("signed INT_MIN ÷ −1 (SIGFPE)", () => {
  isolated([
    ["int64 div trunc by a tensor -1", "fl.tensor([-(2n**63n)]).div(fl.tensor([-1n]), 'trunc')", "E_ARG", /div: integer overflow/],
    ["int64 div floor by scalar -1", "fl.tensor([-(2n**63n)]).div(-1, 'floor')", "E_ARG", /div: integer overflow/],
    ["int64 div floor by BigInt -1n", "fl.tensor([-(2n**63n)]).div(-1n, 'floor')", "E_ARG", /div: integer overflow/],
    [
      "int32 remainder by a tensor -1",
      "fl.tensor([-(2**31)], {dtype:'int32'}).remainder(fl.tensor([-1], {dtype:'int32'}))",
      "E_ARG",
      /remainder: integer overflow/,
    ],
    ["int64 remainder by BigInt -1n", "fl.tensor([3n, -(2n**63n)]).remainder(-1n)", "E_ARG", /remainder: integer overflow/],
    ["int64 fmod by scalar -1", "fl.fmod(fl.tensor([-(2n**63n), 5n]), -1)", "E_ARG", /fmod: integer overflow/],
    ["int64 fmod by BigInt -1n", "fl.fmod(fl.tensor([-(2n**63n)]), -1n)", "E_ARG", /fmod: integer overflow/],
    [
      "int64 floorDivide by a tensor -1",
      "fl.floorDivide(fl.tensor([-(2n**63n)]), fl.tensor([-1n]))",
      "E_ARG",
      /floorDivide: integer overflow/,
    ],
    [
      "int16 floorDivide by scalar -1",
      "fl.floorDivide(fl.tensor([-32768], {dtype:'int16'}), -1)",
      "E_ARG",
      /floorDivide: integer overflow/,
    ],
  ]);
});

describe("huge or zero conv/pool parameters (SIGSEGV, SIGFPE)", () => {
  isolated([
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
    [
      "conv2d with zero groups",
      "fl.nn.functional.conv2d(fl.zeros([1,2,4,4]), fl.zeros([2,1,3,3]), null, { groups: 0 })",
      "E_ARG",
      /conv2d: groups/,
    ],
    ["groupNorm with zero groups", "fl.nn.functional.groupNorm(fl.zeros([2,4,3]), 0)", "E_ARG", /groupNorm: numGroups/],
    ["pixelShuffle by 0", "fl.nn.functional.pixelShuffle(fl.zeros([1,4,2,2]), 0)", "E_ARG", /pixelShuffle: factor/],
    ["maxPool1d kernel 1e12", "fl.nn.functional.maxPool1d(fl.zeros([1,1,8]), 1e12)", "E_ARG", /maxPool1d: kernelSize/],
    ["maxPool2d padding 1e15", "fl.nn.functional.maxPool2d(fl.zeros([1,1,8,8]), 2, { padding: 1e15 })", "E_ARG", /maxPool2d: padding/],
    ["avgPool1d stride 2^62", "fl.nn.functional.avgPool1d(fl.zeros([1,1,8]), 2, { stride: 2**62 })", "E_ARG", /avgPool1d: stride/],
  ]);
});

describe("huge logical sizes: a zero dim beside huge ones, expanded views (SIGSEGV, hang)", () => {
  isolated([
    ["a zero dim beside huge ones", "fl.zeros([8, 0, 9, 13, 1.3e18])", "E_ARG", /zeros: shape/],
    [
      "matmul against a zero-size tensor with a huge dim",
      "fl.matmul(fl.zeros([2, 9]), fl.zeros([8, 0, 9, 13, 2**40]))",
      "E_ARG",
      /zeros: shape .* exceeds the cap/,
    ],
    [
      "reshape of an empty tensor to a huge zero-size shape",
      "fl.zeros([0]).reshape([8, 0, 9, 13, 2**50])",
      "E_ARG",
      /reshape: shape .* exceeds the cap/,
    ],
    ["huge expanded view summed (hang)", "fl.ones([1]).expand([2**40]).sum()", "E_ARG", /expand: shape .* exceeds the cap/],
    ["huge out-of-range dim", "fl.zeros([2, 3]).sum({ dim: -1e12 })", "E_ARG", /sum: dim -1000000000000 is out of range/],
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

describe("index-like inputs libtorch reads without checking (SIGSEGV, invalid reads)", () => {
  isolated([
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
      "ctcLoss with an input length past T",
      "fl.nn.functional.ctcLoss(fl.randn([6,1,4]).logSoftmax(2), fl.tensor([[1n, 2n]]), [7], [2])",
      "E_ARG",
      /ctcLoss: input length must be in \[0, 6\]/,
    ],
    [
      "batchNorm with running stats shorter than the channels",
      "fl.nn.functional.batchNorm(fl.zeros([2,4,3]), fl.zeros([2]), fl.ones([2]))",
      "E_ARG",
      /batchNorm: runningMean must have shape \[4\]/,
    ],
    [
      "embedding index out of range",
      "fl.nn.functional.embedding(fl.tensor([7n]), fl.zeros([3, 2]))",
      "E_NATIVE",
      /aten::embedding.*out of range/,
    ],
    [
      "nllLoss with an unknown reduction (raw enum)",
      "fl.nn.functional.nllLoss(fl.zeros([2,3]), fl.tensor([0n, 1n]), { reduction: 'bogus' })",
      "E_ARG",
      /nllLoss: reduction must be/,
    ],
  ]);
});
