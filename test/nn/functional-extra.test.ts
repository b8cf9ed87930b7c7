// The nn.functional additions and their parameterless modules against PyTorch 1.13
// (scripts/fixtures/nn.py: functional_extra.json, modules_extra.json): outputs, and input
// gradients where the output is differentiable. One row per op; the seeded rows (rrelu in
// training, gumbelSoftmax) draw the same random numbers as PyTorch for the same seed.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as fl from "flambeau";
import { assertClose, fromJson, readFixture, type TensorJson } from "../helpers/fixtures.js";

const F = fl.nn.functional;
const nn = fl.nn;
type T = fl.Tensor;
interface Row {
  name: string;
  inputs: TensorJson[];
  output: TensorJson;
  weight?: TensorJson;
  inputGrads?: (TensorJson | null)[];
}
const i64 = (v: number[], shape?: number[]) => fl.tensor(BigInt64Array.from(v, BigInt), { shape: shape ?? [v.length] });
const idx = () => i64([1, 2, 4, 5, 4, 3, 2, 9]);
const offs = () => i64([0, 3, 3, 6]);
const pm = (x: T): T => x; // a row whose module is built in the table below

const functional: Record<string, (...xs: T[]) => T> = {
  normalize: (x) => F.normalize(x!),
  normalize_p3_dim0: (x) => F.normalize(x!, { p: 3, dim: 0 }),
  softsign: (x) => F.softsign(x!),
  softshrink: (x) => F.softshrink(x!, 0.7),
  hardshrink: (x) => F.hardshrink(x!, 0.3),
  tanhshrink: (x) => F.tanhshrink(x!),
  threshold: (x) => F.threshold(x!, 0.2, -1),
  softmin: (x) => F.softmin(x!, 1),
  rrelu_eval: (x) => F.rrelu(x!, { lower: 0.1, upper: 0.3 }),
  rrelu_train_seeded: (x) => F.rrelu(x!, { lower: 0.1, upper: 0.3, training: true }),
  gumbel_softmax_seeded: (x) => F.gumbelSoftmax(x!, { tau: 0.5 }),
  gumbel_softmax_hard_seeded: (x) => F.gumbelSoftmax(x!, { hard: true, dim: 0 }),
  grid_sample_bilinear: (x, g) => F.gridSample(x!, g!),
  grid_sample_nearest_border: (x, g) => F.gridSample(x!, g!, { mode: "nearest", paddingMode: "border" }),
  grid_sample_bicubic_reflection: (x, g) => F.gridSample(x!, g!, { mode: "bicubic", paddingMode: "reflection", alignCorners: true }),
  affine_grid: (t) => F.affineGrid(t!, [2, 3, 4, 5]),
  affine_grid_3d_align: (t) => F.affineGrid(t!, [1, 1, 2, 3, 4], true),
  unfold: (x) => F.unfold(x!, [2, 3], { padding: 1, stride: [2, 1] }),
  fold: (x) => F.fold(x!, [4, 5], 2),
  instance_norm: (x, w, b) => F.instanceNorm(x!, { weight: w, bias: b, eps: 1e-3 }),
  local_response_norm_3d: (x) => F.localResponseNorm(x!, 3),
  local_response_norm_4d: (x) => F.localResponseNorm(x!, 4, { alpha: 1e-2, beta: 0.6, k: 2 }),
  embedding_bag_mean: (w) => F.embeddingBag(idx(), w!, { offsets: offs() }),
  embedding_bag_sum_weights: (w, p) => F.embeddingBag(idx(), w!, { offsets: offs(), mode: "sum", perSampleWeights: p }),
  embedding_bag_max_2d: (w) => F.embeddingBag(idx().reshape([2, 4]), w!, { mode: "max" }),
  embedding_bag_padding_last: (w) => F.embeddingBag(idx(), w!, { offsets: i64([0, 3, 8]), paddingIdx: 4, includeLastOffset: true }),
  hinge_embedding_loss: (x, y) => F.hingeEmbeddingLoss(x!, y!, { margin: 0.5 }),
  soft_margin_loss: (x, y) => F.softMarginLoss(x!, y!, { reduction: "sum" }),
  multi_margin_loss_p2_weight: (x, w) => F.multiMarginLoss(x!, i64([0, 4, 2]), { p: 2, margin: 0.7, weight: w }),
  multi_margin_loss_none: (x) => F.multiMarginLoss(x!, i64([1, 1, 3]), { reduction: "none" }),
  multilabel_margin_loss: (x) => F.multilabelMarginLoss(x!, i64([3, 0, -1, 1, 2, 1, 2, 3, 4, 0, 4, -1, 0, 0, 0], [3, 5])),
  multilabel_soft_margin_loss: (x, y, w) => F.multilabelSoftMarginLoss(x!, y!, { weight: w }),
  poisson_nll_loss: (x, y) => F.poissonNllLoss(x!, y!),
  poisson_nll_loss_rate_full: (x, y) => F.poissonNllLoss(x!, y!, { logInput: false, full: true, reduction: "sum" }),
  gaussian_nll_loss_homoscedastic_full: (x, y, v) => F.gaussianNllLoss(x!, y!, v!, { full: true }),
  gaussian_nll_loss_clamped_sum: (x, y, v) => F.gaussianNllLoss(x!, y!, v!, { eps: 0.05, reduction: "sum" }),
  triplet_margin_loss_swap: (a, p, n) => F.tripletMarginLoss(a!, p!, n!, { margin: 0.5, p: 1, eps: 1e-4, swap: true }),
  triplet_margin_with_distance_loss: (a, p, n) => F.tripletMarginWithDistanceLoss(a!, p!, n!, { swap: true, margin: 2, reduction: "none" }),
  interpolate_nearest1d: (x) => F.interpolate(x!, { scaleFactor: 2 }),
  interpolate_nearest_exact: (x) => F.interpolate(x!, { size: [7, 3], mode: "nearest-exact" }),
  interpolate_linear_align: (x) => F.interpolate(x!, { size: 9, mode: "linear", alignCorners: true }),
  interpolate_bilinear_scale: (x) => F.interpolate(x!, { scaleFactor: 1.5, mode: "bilinear" }),
  interpolate_bicubic: (x) => F.interpolate(x!, { size: [6, 7], mode: "bicubic" }),
  interpolate_trilinear: (x) => F.interpolate(x!, { scaleFactor: [1.5, 0.5, 2], mode: "trilinear" }),
  interpolate_area: (x) => F.interpolate(x!, { scaleFactor: 0.5, mode: "area" }),
  interpolate_bilinear_antialias: (x) => F.interpolate(x!, { size: [2, 3], mode: "bilinear", antialias: true }),
  interpolate_recompute: (x) => F.interpolate(x!, { scaleFactor: 1.7, mode: "bilinear", recomputeScaleFactor: true }),
  max_pool3d: (x) => F.maxPool3d(x!, 2, { stride: [1, 2, 2], padding: 1, ceilMode: true }),
  avg_pool3d: (x) => F.avgPool3d(x!, [2, 3, 2], { stride: 2, padding: 1, ceilMode: true, countIncludePad: false }),
  avg_pool3d_divisor: (x) => F.avgPool3d(x!, 2, { divisorOverride: 3 }),
  adaptive_avg_pool3d: (x) => F.adaptiveAvgPool3d(x!, [3, 2, 4]),
  adaptive_max_pool1d: (x) => F.adaptiveMaxPool1d(x!, 3),
  adaptive_max_pool3d: (x) => F.adaptiveMaxPool3d(x!, [2, 3, 2]),
  lp_pool1d: (x) => F.lpPool1d(x!, 3, 2),
  lp_pool2d: (x) => F.lpPool2d(x!, 2, [2, 3], { stride: 1 }),
  max_unpool1d: (x) => {
    const [out, indices] = F.maxPool1dWithIndices(x!, 2);
    return F.maxUnpool1d(out, indices, 2);
  },
  max_unpool2d_size: (x) => {
    const [out, indices] = F.maxPool2dWithIndices(x!, 2);
    return F.maxUnpool2d(out, indices, 2, { outputSize: [5, 5] });
  },
  max_unpool3d: (x) => {
    const [out, indices] = F.maxPool3dWithIndices(x!, 2);
    return F.maxUnpool3d(out, indices, 2);
  },
  conv_transpose3d: (x, w, b) =>
    F.convTranspose3d(x!, w!, b, { stride: [1, 2, 1], padding: [0, 1, 1], outputPadding: [0, 1, 0], groups: 2 }),
  pairwise_distance: (a, b) => F.pairwiseDistance(a!, b!, { p: 1.5, keepdim: true }),
  pdist: (x) => F.pdist(x!, 3),
  channel_shuffle: (x) => F.channelShuffle(x!, 3),
  one_hot: (i) => F.oneHot(i!, 6),
  one_hot_infer: (i) => F.oneHot(i!),
};

const cosDist = (a: T, b: T): T => F.cosineSimilarity(a, b).neg().add(1);
const modules: Record<string, () => fl.nn.Module> = {
  ZeroPad2d: () => new nn.ZeroPad2d([1, 2, 0, 3]),
  ConstantPad1d: () => new nn.ConstantPad1d(2, 3.5),
  ConstantPad2d: () => new nn.ConstantPad2d([1, 0, 2, 1], -1),
  ConstantPad3d: () => new nn.ConstantPad3d(1, 0.5),
  ReflectionPad1d: () => new nn.ReflectionPad1d([2, 3]),
  ReflectionPad2d: () => new nn.ReflectionPad2d([1, 2, 3, 0]),
  ReflectionPad3d: () => new nn.ReflectionPad3d(1),
  ReplicationPad1d: () => new nn.ReplicationPad1d([3, 1]),
  ReplicationPad2d: () => new nn.ReplicationPad2d(2),
  ReplicationPad3d: () => new nn.ReplicationPad3d([1, 0, 2, 1, 0, 1]),
  PixelShuffle: () => new nn.PixelShuffle(2),
  PixelUnshuffle: () => new nn.PixelUnshuffle(2),
  ChannelShuffle: () => new nn.ChannelShuffle(2),
  Upsample: () => new nn.Upsample({ scaleFactor: 2, mode: "nearest" }),
  Upsample_bilinear_align: () => new nn.Upsample({ size: [7, 9], mode: "bilinear", alignCorners: true }),
  UpsamplingNearest2d: () => new nn.UpsamplingNearest2d({ size: [3, 8] }),
  UpsamplingBilinear2d: () => new nn.UpsamplingBilinear2d({ scaleFactor: 2 }),
  Unfold: () => new nn.Unfold([2, 3], { dilation: [1, 2], stride: 2 }),
  Fold: () => new nn.Fold([4, 5], [2, 2]),
  LocalResponseNorm: () => new nn.LocalResponseNorm(3, { alpha: 0.01, beta: 0.5, k: 1.5 }),
  Softsign: () => new nn.Softsign(),
  Softshrink: () => new nn.Softshrink(0.4),
  Hardshrink: () => new nn.Hardshrink(0.6),
  Tanhshrink: () => new nn.Tanhshrink(),
  Threshold: () => new nn.Threshold(0.3, 20),
  Softmin: () => new nn.Softmin(2),
  Softmax2d: () => new nn.Softmax2d(),
  RReLU: () => new nn.RReLU(0.2, 0.4),
  MaxPool3d: () => new nn.MaxPool3d(2, { stride: 1 }),
  AvgPool3d: () => new nn.AvgPool3d([1, 2, 2], { padding: [0, 1, 1] }),
  AdaptiveAvgPool3d: () => new nn.AdaptiveAvgPool3d(2),
  AdaptiveMaxPool1d: () => new nn.AdaptiveMaxPool1d(4),
  AdaptiveMaxPool3d: () => new nn.AdaptiveMaxPool3d([2, 3, 2]),
  LPPool1d: () => new nn.LPPool1d(2, 3, { stride: 2 }),
  LPPool2d: () => new nn.LPPool2d(1.5, 2, { ceilMode: true }),
  CosineSimilarity: () => new nn.CosineSimilarity({ dim: 0 }),
  PairwiseDistance: () => new nn.PairwiseDistance({ p: 1, keepdim: true }),
  HingeEmbeddingLoss: () => new nn.HingeEmbeddingLoss({ margin: 2 }),
  SoftMarginLoss: () => new nn.SoftMarginLoss(),
  MultiMarginLoss: () => new nn.MultiMarginLoss({ margin: 0.5 }),
  MultiLabelMarginLoss: () => new nn.MultiLabelMarginLoss({ reduction: "sum" }),
  MultiLabelSoftMarginLoss: () => new nn.MultiLabelSoftMarginLoss({ reduction: "none" }),
  PoissonNLLLoss: () => new nn.PoissonNLLLoss({ full: true }),
  GaussianNLLLoss: () => new nn.GaussianNLLLoss({ eps: 1e-3 }),
  TripletMarginWithDistanceLoss: () => new nn.TripletMarginWithDistanceLoss({ distanceFunction: cosDist, margin: 0.5 }),
  TripletMarginLoss_swap: () => new nn.TripletMarginLoss({ margin: 0.3, swap: true }),
};
void pm;

function replay(file: string, run: (row: Row, ins: T[]) => T, names: Set<string>): void {
  const rows = readFixture<Row[]>("nn", file);
  it("covers every row of the fixture", () => assert.deepEqual([...names].sort(), rows.map((r) => r.name).sort()));
  for (const row of rows) {
    it(row.name, () => {
      fl.tidy(() => {
        const ins = row.inputs.map((x, i) => {
          const t = fromJson(x);
          return row.inputGrads?.[i] ? t.requiresGrad_(true) : t;
        });
        fl.manualSeed(5);
        const out = run(row, ins);
        assertClose(out, row.output, `${row.name} output`, 1e-5, 1e-6);
        if (!row.weight) return;
        out.mul(fromJson(row.weight)).sum().backward();
        row.inputGrads!.forEach((g, i) => {
          if (g) assertClose(ins[i]!.grad!, g, `${row.name} grad of input ${i}`, 1e-5, 1e-6);
        });
      });
    });
  }
}

describe("nn.functional additions match PyTorch 1.13", () => {
  replay("functional_extra.json", (row, ins) => functional[row.name]!(...ins), new Set(Object.keys(functional)));
});
describe("parameterless module additions match PyTorch 1.13", () => {
  replay(
    "modules_extra.json",
    (row, ins) => {
      const m = modules[row.name]!() as unknown as { forward(...xs: T[]): T };
      return m.forward(...ins);
    },
    new Set(Object.keys(modules)),
  );
});

// Found by `npm run fuzz` (2026-12-04): a null options object threw a TypeError.
describe("rrelu and gumbelSoftmax read their options like every op", () => {
  it("null options mean the defaults; an unknown option is an E_ARG naming it", () => {
    fl.tidy(() => {
      const x = fl.tensor([[-1, 2, -3]]);
      assertClose(F.rrelu(x, null), F.rrelu(x), "rrelu(null)", 0, 0);
      assert.deepEqual(F.gumbelSoftmax(x, null).shape, [1, 3]);
      assert.throws(() => F.rrelu(x, { lowr: 0.1 } as never), {
        code: "E_ARG",
        message: /rrelu: unknown option "lowr"; options: lower, upper, training/,
      });
      assert.throws(() => F.gumbelSoftmax(x, "hard" as never), {
        code: "E_ARG",
        message: /gumbelSoftmax: options must be an object, got "hard"/,
      });
    });
  });
});
