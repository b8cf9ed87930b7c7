// The crash classes of shared/RELIABILITY.md as code snippets that must now end in a
// FlambeauError: run by crash.test.ts (each group in a child process) and, under valgrind,
// by valgrind-child.ts. Snippets see `fl`, `A` (aten), `callT` and `callTs`.
import type { Case } from "./child.js";

const z = (s: string) => `fl.zeros(${s})`;

export const CRASH_GROUPS: { title: string; cases: Case[] }[] = [
  {
    title: "signed INT_MIN ÷ −1 (SIGFPE)",
    cases: [
      [
        "int64 div trunc by a tensor -1",
        "fl.tensor([-(2n**63n)]).div(fl.tensor([-1n]), 'trunc')",
        "E_ARG",
        /aten::div\.\w+: integer overflow/,
      ],
      ["int64 div floor by scalar -1", "fl.tensor([-(2n**63n)]).div(-1, 'floor')", "E_ARG", /aten::div\.\w+: integer overflow/],
      ["int64 div floor by BigInt -1n", "fl.tensor([-(2n**63n)]).div(-1n, 'floor')", "E_ARG", /aten::div\.\w+: integer overflow/],
      [
        "int32 remainder by a tensor -1",
        "fl.tensor([-(2**31)], {dtype:'int32'}).remainder(fl.tensor([-1], {dtype:'int32'}))",
        "E_ARG",
        /aten::remainder\.\w+: integer overflow/,
      ],
      ["int64 remainder by BigInt -1n", "fl.tensor([3n, -(2n**63n)]).remainder(-1n)", "E_ARG", /aten::remainder\.\w+: integer overflow/],
      ["int64 fmod by scalar -1", "fl.fmod(fl.tensor([-(2n**63n), 5n]), -1)", "E_ARG", /aten::fmod\.\w+: integer overflow/],
      ["int64 fmod by BigInt -1n", "fl.fmod(fl.tensor([-(2n**63n)]), -1n)", "E_ARG", /aten::fmod\.\w+: integer overflow/],
      [
        "int64 floorDivide by a tensor -1",
        "fl.floorDivide(fl.tensor([-(2n**63n)]), fl.tensor([-1n]))",
        "E_ARG",
        /aten::floor_divide(\.\w+)?: integer overflow/,
      ],
      [
        "int16 floorDivide by scalar -1",
        "fl.floorDivide(fl.tensor([-32768], {dtype:'int16'}), -1)",
        "E_ARG",
        /aten::floor_divide(\.\w+)?: integer overflow/,
      ],
    ],
  },
  {
    title: "huge or zero conv/pool parameters (SIGSEGV, SIGFPE)",
    cases: [
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
    ],
  },
  {
    title: "huge logical sizes: a zero dim beside huge ones, expanded views (SIGSEGV, hang)",
    cases: [
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
      // Found by the fuzzer (seed 20261127): 20 s building millions of empty JS arrays.
      [
        "toArray of an empty view with a huge leading shape (hang)",
        "fl.zeros([2, 1, 2, 0]).expand([2, 2**20, 2, 0]).toArray()",
        "E_MEMORY",
        /toArray: a tensor of shape \[2, 1048576, 2, 0\] would build/,
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
    ],
  },
  {
    title: "index-like inputs libtorch reads without checking (SIGSEGV, invalid reads)",
    cases: [
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
    ],
  },
  {
    title: "raw ATen calls: the schema guard refuses each crash class",
    cases: [
      [
        "INT_MIN ÷ −1: in-place div_ floor",
        "callT(A('div_.Scalar_mode'), fl.tensor([-(2n**63n)]), -1, 'floor')",
        "E_ARG",
        /integer overflow/,
      ],
      [
        "INT_MIN ÷ −1: in-place remainder_ by a tensor",
        "callT(A('remainder_.Tensor'), fl.tensor([-(2**31)], {dtype:'int32'}), fl.tensor([-1], {dtype:'int32'}))",
        "E_ARG",
        /integer overflow/,
      ],
      [
        "INT_MIN ÷ −1: floor_divide_",
        "callT(A('floor_divide_.Scalar'), fl.tensor([-128], {dtype:'int8'}), -1)",
        "E_ARG",
        /integer overflow/,
      ],
      ["zero group count: native_channel_shuffle", `callT(A('native_channel_shuffle'), ${z("[1,4,2]")}, 0)`, "E_ARG", /groups must be in/],
      ["zero group count: channel_shuffle", `callT(A('channel_shuffle'), ${z("[1,4,2]")}, 0)`, "E_ARG", /groups must be in/],
      [
        "conv1d dilation 2^31 with 'same'",
        `callT(A('conv1d.padding'), ${z("[1,1,8]")}, ${z("[1,1,3]")}, null, [1], 'same', [2**31], 1)`,
        "E_ARG",
        /dilation must be in/,
      ],
      [
        "conv2d padding near 2^63 (BigInt)",
        `callT(A('conv2d'), ${z("[1,1,4,4]")}, ${z("[1,1,3,3]")}, null, [1,1], [2n**62n, 0], [1,1], 1)`,
        "E_ARG",
        /padding must be in/,
      ],
      [
        "max_pool1d kernel 1e12",
        `callT(A('max_pool1d'), ${z("[1,1,8]")}, [1e12], [1], [0], [1], false)`,
        "E_ARG",
        /kernel_size must be in/,
      ],
      [
        "max_pool1d_with_indices padding 10^18",
        `callTs(A('max_pool1d_with_indices'), ${z("[1,1,8]")}, [2], [1], [10n**18n], [1], false)`,
        "E_ARG",
        /padding must be in/,
      ],
      ["a zero dim beside huge ones: rand", "callT(A('rand'), [8, 0, 9, 13, 1.3e15])", "E_ARG", /size .* exceeds the cap/],
      ["a zero dim beside huge ones: view", `callT(A('view'), ${z("[0]")}, [8, 0, 9, 13, 2**50])`, "E_ARG", /size .* exceeds the cap/],
      [
        "huge out-of-range dim: _fft_r2c",
        `callT(A('_fft_r2c'), ${z("[4]")}, [-1e12], 0, true)`,
        "E_ARG",
        /dim -1000000000000 is out of range/,
      ],
      ["huge out-of-range dim: cumsum", `callT(A('cumsum'), ${z("[4]")}, 2**40, null)`, "E_ARG", /dim 1099511627776 is out of range/],
      [
        "embedding_bag offsets past the indices",
        `callTs(A('_embedding_bag'), ${z("[3,2]")}, fl.tensor([0n,1n]), fl.tensor([0n,5n]), false, 0)`,
        "E_ARG",
        /offsets must be in \[0, 2\]/,
      ],
      [
        "searchsorted with a bad sorter",
        "callT(A('searchsorted.Tensor'), fl.tensor([1,2,3]), fl.tensor([2]), false, false, null, fl.tensor([0n, 7n, 1n]))",
        "E_ARG",
        /sorter must be in \[0, 2\]/,
      ],
      [
        "ctc_loss targets out of range",
        "callT(A('ctc_loss.IntList'), fl.randn([6,1,4]).logSoftmax(2), fl.tensor([[1n, 9n]]), [6], [2], 0, 1, false)",
        "E_ARG",
        /target labels must be in \[0, 3\]/,
      ],
      [
        "max_pool2d backward with bad indices",
        `callT(A('max_pool2d_with_indices_backward'), ${z("[1,1,2,2]")}, ${z("[1,1,4,4]")}, [2,2], [2,2], [0,0], [1,1], false, fl.tensor([[[[0n,1n],[99n,-5n]]]]))`,
        "E_ARG",
        /indices must be in \[0, 15\]/,
      ],
      [
        "max_unpool2d with bad indices",
        `callT(A('max_unpool2d'), ${z("[1,1,2,2]")}, fl.tensor([[[[0n,1n],[2n,1000n]]]]), [4,4])`,
        "E_ARG",
        /indices must be in \[0, 15\]/,
      ],
      [
        "embedding_dense_backward with bad indices",
        `callT(A('embedding_dense_backward'), ${z("[2,3]")}, fl.tensor([0n, 50n]), 4, -1, false)`,
        "E_ARG",
        /indices must be in \[0, 3\]/,
      ],
      [
        "repeat_interleave with a lying output_size",
        "callT(A('repeat_interleave.Tensor'), fl.tensor([3n, 4n]), 2)",
        "E_ARG",
        /output_size 2 differs from the sum of repeats 7/,
      ],
      [
        "raw enum: _embedding_bag mode 9",
        `callTs(A('_embedding_bag'), ${z("[3,2]")}, fl.tensor([0n,1n]), fl.tensor([0n]), false, 9)`,
        "E_ARG",
        /mode must be in \[0, 2\]/,
      ],
      [
        "raw enum: grid_sampler_2d mode 99",
        `callT(A('grid_sampler_2d'), ${z("[1,1,2,2]")}, ${z("[1,2,2,2]")}, 99, 0, false)`,
        "E_ARG",
        /interpolation_mode must be in \[0, 2\]/,
      ],
      [
        "raw enum: nll_loss reduction 99",
        "callT(A('nll_loss'), fl.zeros([2,3]), fl.tensor([0n,1n]), null, 99, -100)",
        "E_ARG",
        /reduction must be in \[0, 2\]/,
      ],
      [
        "native_batch_norm with a short running_mean",
        `callTs(A('native_batch_norm'), ${z("[2,4,3]")}, null, null, ${z("[2]")}, fl.ones([2]), false, 0.1, 1e-5)`,
        "E_ARG",
        /running_mean must have 4 elements/,
      ],
      [
        "hang: a huge expanded view",
        "callT(A('sum'), callT(A('expand'), fl.ones([1]), [2**40]), null)",
        "E_ARG",
        /size 1099511627776 exceeds the cap/,
      ],
      ["hang: a huge tile", "callT(A('tile'), fl.ones([1000]), [2**30])", "E_ARG", /dims \[1073741824\] would describe/],
      [
        "hang: a polynomial of degree 2^31 (found by the fuzzer)",
        "fl.special.hermitePolynomialHe(fl.zeros([4,3,3]), 2147483648)",
        "E_ARG",
        /hermite_polynomial_he.*degree n must be at most 65536, got 2147483648/,
      ],
      [
        "histogramdd with an empty bins list (SIGSEGV, found by the fuzzer)",
        "fl.histogramdd(fl.zeros([1,1]), [])",
        "E_ARG",
        /histogramdd: bins must give one entry per dimension D = 1 of the input, got 0/,
      ],
      ["hang: a NaN binomial count", "fl.binomial(fl.tensor([NaN]), fl.tensor([0.5]))", "E_ARG", /binomial: count must be finite/],
    ],
  },
];
