// The op specification table (PyTorch's OpInfo, in small): each row names an op, how to
// call it in Flambeau and in PyTorch, its sample inputs and whether it is differentiable.
// Rows drive the PyTorch parity test (fixtures made by scripts/fixtures/ops.py from the
// spec this table exports), finite-difference gradient checks and dtype coverage, so
// adding a row adds its tests.
import * as fl from "flambeau";

export type InputKind = "normal" | "positive" | "unit" | "bool" | `index:${number}` | "probs";
export interface InputSpec {
  shape: number[];
  kind?: InputKind;
}
export interface OpRow {
  name: string;
  fl: (...xs: fl.Tensor[]) => fl.Tensor | fl.Tensor[];
  /** Python expression over inputs a, b, c (torch, F = torch.nn.functional); absent: no parity fixture. */
  torch?: string;
  inputs: InputSpec[];
  /** Whether to check gradients (of every float input). */
  differentiable: boolean;
  /** Other dtypes the op must accept (run and checked for a result of the right shape). */
  dtypes?: fl.DType[];
  rtol?: number;
  atol?: number;
}

const S = (...shape: number[]): InputSpec => ({ shape });
const P = (...shape: number[]): InputSpec => ({ shape, kind: "positive" });
const I = (n: number, ...shape: number[]): InputSpec => ({ shape, kind: `index:${n}` });
const F = fl.nn.functional;
const unary = (name: string, fn: (a: fl.Tensor) => fl.Tensor, torch: string, kind: InputKind = "normal"): OpRow => ({
  name,
  fl: fn,
  torch,
  inputs: [{ shape: [3, 4], kind }],
  differentiable: true,
  dtypes: ["float64"],
});

export const OPS: OpRow[] = [
  // elementwise, binary with broadcasting
  {
    name: "add",
    fl: (a, b) => fl.add(a, b, 2),
    torch: "torch.add(a, b, alpha=2)",
    inputs: [S(3, 4), S(4)],
    differentiable: true,
    dtypes: ["float64", "int64", "int32"],
  },
  { name: "sub", fl: (a, b) => fl.sub(a, b), torch: "a - b", inputs: [S(2, 3, 4), S(3, 1)], differentiable: true, dtypes: ["int64"] },
  {
    name: "mul",
    fl: (a, b) => fl.mul(a, b),
    torch: "a * b",
    inputs: [S(3, 4), S(3, 4)],
    differentiable: true,
    dtypes: ["int32", "float64"],
  },
  { name: "div", fl: (a, b) => fl.div(a, b), torch: "a / b", inputs: [S(3, 4), P(3, 4)], differentiable: true },
  { name: "pow", fl: (a, b) => fl.pow(a, b), torch: "torch.pow(a, b)", inputs: [P(3, 4), S(3, 4)], differentiable: true },
  { name: "powScalar", fl: (a) => fl.pow(a, 3), torch: "a ** 3", inputs: [S(5)], differentiable: true },
  { name: "maximum", fl: (a, b) => fl.maximum(a, b), torch: "torch.maximum(a, b)", inputs: [S(3, 4), S(3, 4)], differentiable: true },
  { name: "atan2", fl: (a, b) => fl.atan2(a, b), torch: "torch.atan2(a, b)", inputs: [S(6), P(6)], differentiable: true },
  {
    name: "where",
    fl: (a, b) => fl.where(a.gt(0), a, b),
    torch: "torch.where(a > 0, a, b)",
    inputs: [S(3, 4), S(3, 4)],
    differentiable: true,
  },
  { name: "clamp", fl: (a) => fl.clamp(a, -0.5, 0.5), torch: "torch.clamp(a, -0.5, 0.5)", inputs: [S(3, 4)], differentiable: true },
  { name: "lerp", fl: (a, b) => fl.lerp(a, b, 0.3), torch: "torch.lerp(a, b, 0.3)", inputs: [S(4), S(4)], differentiable: true },
  // elementwise, unary
  unary("exp", fl.exp, "torch.exp(a)"),
  unary("log", fl.log, "torch.log(a)", "positive"),
  unary("sqrt", fl.sqrt, "torch.sqrt(a)", "positive"),
  unary("rsqrt", fl.rsqrt, "torch.rsqrt(a)", "positive"),
  unary("sin", fl.sin, "torch.sin(a)"),
  unary("tanh", fl.tanh, "torch.tanh(a)"),
  unary("sigmoid", fl.sigmoid, "torch.sigmoid(a)"),
  unary("relu", fl.relu, "torch.relu(a)"),
  unary("gelu", (a) => fl.gelu(a), "F.gelu(a)"),
  unary("geluTanh", (a) => fl.gelu(a, "tanh"), "F.gelu(a, approximate='tanh')"),
  unary("silu", fl.silu, "F.silu(a)"),
  unary("softplus", (a) => fl.softplus(a), "F.softplus(a)"),
  unary("elu", (a) => fl.elu(a), "F.elu(a)"),
  unary("leakyRelu", (a) => fl.leakyRelu(a, 0.2), "F.leaky_relu(a, 0.2)"),
  unary("asin", fl.asin, "torch.asin(a)", "unit"),
  unary("erf", fl.erf, "torch.erf(a)"),
  unary("abs", fl.abs, "torch.abs(a)"),
  unary("log1p", fl.log1p, "torch.log1p(a)", "positive"),
  // reductions
  { name: "sum", fl: (a) => a.sum(), torch: "a.sum()", inputs: [S(3, 4)], differentiable: true, dtypes: ["int64", "float64", "bool"] },
  {
    name: "sumDim",
    fl: (a) => a.sum({ dim: [0, 2], keepdim: true }),
    torch: "a.sum(dim=(0, 2), keepdim=True)",
    inputs: [S(2, 3, 4)],
    differentiable: true,
  },
  { name: "mean", fl: (a) => a.mean({ dim: 1 }), torch: "a.mean(dim=1)", inputs: [S(3, 4)], differentiable: true },
  { name: "var", fl: (a) => a.var({ dim: 1 }), torch: "a.var(dim=1)", inputs: [S(3, 5)], differentiable: true },
  { name: "stdBiased", fl: (a) => a.std({ correction: 0 }), torch: "a.std(unbiased=False)", inputs: [S(3, 5)], differentiable: true },
  { name: "prod", fl: (a) => a.prod({ dim: 0 }), torch: "a.prod(dim=0)", inputs: [S(3, 4)], differentiable: true },
  {
    name: "maxDim",
    fl: (a) => {
      const r = a.maxDim(1);
      return [r.values, r.indices];
    },
    torch: "tuple(a.max(dim=1))",
    inputs: [S(3, 5)],
    differentiable: true,
  },
  { name: "amax", fl: (a) => a.amax([0, 1]), torch: "a.amax(dim=(0, 1))", inputs: [S(3, 4, 2)], differentiable: true },
  { name: "argmax", fl: (a) => a.argmax(1), torch: "a.argmax(1)", inputs: [S(4, 5)], differentiable: false, dtypes: ["int32"] },
  {
    name: "norm",
    fl: (a) => a.norm(2, { dim: 1 }),
    torch: "torch.linalg.vector_norm(a, 2, dim=1)",
    inputs: [S(3, 4)],
    differentiable: true,
  },
  { name: "logsumexp", fl: (a) => a.logsumexp(1), torch: "torch.logsumexp(a, 1)", inputs: [S(3, 4)], differentiable: true },
  { name: "cumsum", fl: (a) => a.cumsum(1), torch: "torch.cumsum(a, 1)", inputs: [S(3, 4)], differentiable: true, dtypes: ["int64"] },
  { name: "softmax", fl: (a) => a.softmax(-1), torch: "torch.softmax(a, -1)", inputs: [S(3, 5)], differentiable: true },
  { name: "logSoftmax", fl: (a) => a.logSoftmax(0), torch: "torch.log_softmax(a, 0)", inputs: [S(3, 5)], differentiable: true },
  // shape and movement
  {
    name: "permuteReshape",
    fl: (a) => a.permute(2, 0, 1).reshape(4, -1),
    torch: "a.permute(2, 0, 1).reshape(4, -1)",
    inputs: [S(2, 3, 4)],
    differentiable: true,
    dtypes: ["int64", "bool"],
  },
  {
    name: "transposeContiguous",
    fl: (a) => a.transpose(0, 1).contiguous(),
    torch: "a.transpose(0, 1).contiguous()",
    inputs: [S(3, 4)],
    differentiable: true,
  },
  { name: "cat", fl: (a, b) => fl.cat([a, b], 1), torch: "torch.cat([a, b], 1)", inputs: [S(2, 3), S(2, 2)], differentiable: true },
  { name: "stack", fl: (a, b) => fl.stack([a, b], 1), torch: "torch.stack([a, b], 1)", inputs: [S(2, 3), S(2, 3)], differentiable: true },
  { name: "split", fl: (a) => a.split([1, 3], 1), torch: "a.split([1, 3], 1)", inputs: [S(2, 4)], differentiable: true },
  {
    name: "narrowSelect",
    fl: (a) => a.narrow(1, 1, 2).select(0, 1),
    torch: "a.narrow(1, 1, 2).select(0, 1)",
    inputs: [S(3, 4)],
    differentiable: true,
  },
  { name: "sliceStep", fl: (a) => a.slice(1, 0, null, 2), torch: "a[:, 0::2]", inputs: [S(3, 5)], differentiable: true },
  { name: "expand", fl: (a) => a.expand(3, 4).mul(1), torch: "a.expand(3, 4) * 1", inputs: [S(1, 4)], differentiable: true },
  {
    name: "pad",
    fl: (a) => fl.pad(a, [1, 2, 0, 1], "constant", 0.5),
    torch: "F.pad(a, (1, 2, 0, 1), value=0.5)",
    inputs: [S(2, 3)],
    differentiable: true,
  },
  {
    name: "padReflect",
    fl: (a) => fl.pad(a, [2, 1], "reflect"),
    torch: "F.pad(a, (2, 1), mode='reflect')",
    inputs: [S(1, 2, 5)],
    differentiable: true,
  },
  {
    name: "repeatFlipRoll",
    fl: (a) => a.repeat(2, 1).flip(0).roll(1, 1),
    torch: "a.repeat(2, 1).flip(0).roll(1, 1)",
    inputs: [S(2, 3)],
    differentiable: true,
  },
  { name: "triu", fl: (a) => a.triu(1), torch: "a.triu(1)", inputs: [S(4, 4)], differentiable: true },
  // indexing
  {
    name: "indexSelect",
    fl: (a, i) => a.indexSelect(0, i),
    torch: "a.index_select(0, b)",
    inputs: [S(5, 3), I(5, 4)],
    differentiable: true,
  },
  { name: "gather", fl: (a, i) => a.gather(1, i), torch: "a.gather(1, b)", inputs: [S(3, 5), I(5, 3, 2)], differentiable: true },
  {
    name: "scatterAdd",
    fl: (a, i, s) => a.scatterAdd(1, i, s),
    torch: "a.scatter_add(1, b, c)",
    inputs: [S(3, 5), I(5, 3, 2), S(3, 2)],
    differentiable: true,
  },
  { name: "indexAdvanced", fl: (a, i) => a.index([i]), torch: "a[b]", inputs: [S(5, 3), I(5, 6)], differentiable: true },
  {
    name: "maskedFill",
    fl: (a) => a.maskedFill(a.lt(0), 0.25),
    torch: "a.masked_fill(a < 0, 0.25)",
    inputs: [S(3, 4)],
    differentiable: true,
  },
  {
    name: "topk",
    fl: (a) => {
      const r = a.topk(2, 1);
      return [r.values, r.indices];
    },
    torch: "tuple(a.topk(2, 1))",
    inputs: [S(3, 5)],
    differentiable: true,
  },
  {
    name: "sort",
    fl: (a) => {
      const r = a.sort(1, true);
      return [r.values, r.indices];
    },
    torch: "tuple(a.sort(1, descending=True))",
    inputs: [S(3, 5)],
    differentiable: true,
  },
  // linear algebra
  {
    name: "matmul",
    fl: (a, b) => fl.matmul(a, b),
    torch: "a @ b",
    inputs: [S(2, 3, 4), S(4, 5)],
    differentiable: true,
    dtypes: ["float64"],
  },
  { name: "bmm", fl: (a, b) => fl.bmm(a, b), torch: "torch.bmm(a, b)", inputs: [S(2, 3, 4), S(2, 4, 2)], differentiable: true },
  {
    name: "einsum",
    fl: (a, b) => fl.einsum("bij,bjk->bik", a, b),
    torch: "torch.einsum('bij,bjk->bik', a, b)",
    inputs: [S(2, 3, 4), S(2, 4, 2)],
    differentiable: true,
  },
  {
    name: "inv",
    fl: (a) => fl.inv(a.add(fl.eye(3).mul(3))),
    torch: "torch.linalg.inv(a + 3 * torch.eye(3))",
    inputs: [S(3, 3)],
    differentiable: true,
  },
  // neural-network functions
  {
    name: "linear",
    fl: (x, w, b) => F.linear(x, w, b),
    torch: "F.linear(a, b, c)",
    inputs: [S(4, 3), S(2, 3), S(2)],
    differentiable: true,
  },
  {
    name: "conv1d",
    fl: (x, w, b) => F.conv1d(x, w, b, { padding: 1, stride: 2 }),
    torch: "F.conv1d(a, b, c, padding=1, stride=2)",
    inputs: [S(2, 3, 7), S(4, 3, 3), S(4)],
    differentiable: true,
  },
  {
    name: "conv2d",
    fl: (x, w) => F.conv2d(x, w, null, { padding: 1, groups: 2 }),
    torch: "F.conv2d(a, b, padding=1, groups=2)",
    inputs: [S(1, 4, 5, 5), S(4, 2, 3, 3)],
    differentiable: true,
  },
  {
    name: "convTranspose2d",
    fl: (x, w) => F.convTranspose2d(x, w, null, { stride: 2 }),
    torch: "F.conv_transpose2d(a, b, stride=2)",
    inputs: [S(1, 2, 3, 3), S(2, 3, 3, 3)],
    differentiable: true,
  },
  { name: "maxPool2d", fl: (x) => F.maxPool2d(x, 2), torch: "F.max_pool2d(a, 2)", inputs: [S(1, 2, 4, 6)], differentiable: true },
  {
    name: "avgPool2d",
    fl: (x) => F.avgPool2d(x, 3, { stride: 2, padding: 1 }),
    torch: "F.avg_pool2d(a, 3, stride=2, padding=1)",
    inputs: [S(1, 2, 5, 5)],
    differentiable: true,
  },
  {
    name: "adaptiveAvgPool2d",
    fl: (x) => F.adaptiveAvgPool2d(x, [2, 3]),
    torch: "F.adaptive_avg_pool2d(a, (2, 3))",
    inputs: [S(1, 2, 5, 7)],
    differentiable: true,
  },
  {
    name: "batchNormTrain",
    fl: (x, w, b) => F.batchNorm(x, null, null, { weight: w, bias: b, training: true }),
    torch: "F.batch_norm(a, None, None, b, c, training=True)",
    inputs: [S(4, 3, 2, 2), S(3), S(3)],
    differentiable: true,
  },
  {
    name: "layerNorm",
    fl: (x, w, b) => F.layerNorm(x, [4], w, b),
    torch: "F.layer_norm(a, (4,), b, c)",
    inputs: [S(3, 4), S(4), S(4)],
    differentiable: true,
  },
  { name: "groupNorm", fl: (x) => F.groupNorm(x, 2), torch: "F.group_norm(a, 2)", inputs: [S(2, 4, 3)], differentiable: true },
  { name: "embedding", fl: (i, w) => F.embedding(i, w), torch: "F.embedding(a, b)", inputs: [I(6, 2, 3), S(6, 4)], differentiable: true },
  {
    name: "interpolateBilinear",
    fl: (x) => F.interpolate(x, { size: [5, 7], mode: "bilinear" }),
    torch: "F.interpolate(a, size=(5, 7), mode='bilinear')",
    inputs: [S(1, 2, 3, 4)],
    differentiable: true,
  },
  {
    name: "cosineSimilarity",
    fl: (a, b) => F.cosineSimilarity(a, b),
    torch: "F.cosine_similarity(a, b)",
    inputs: [S(3, 4), S(3, 4)],
    differentiable: true,
  },
  // losses
  {
    name: "crossEntropy",
    fl: (x, t) => F.crossEntropy(x, t),
    torch: "F.cross_entropy(a, b)",
    inputs: [S(4, 5), I(5, 4)],
    differentiable: true,
  },
  {
    name: "crossEntropySmoothIgnore",
    fl: (x, t) => F.crossEntropy(x, t.maskedFill(t.eq(0), -100), { labelSmoothing: 0.1 }),
    torch: "F.cross_entropy(a, b.masked_fill(b == 0, -100), label_smoothing=0.1)",
    inputs: [S(6, 5), I(5, 6)],
    differentiable: true,
  },
  {
    name: "nllLoss",
    fl: (x, t) => F.nllLoss(x.logSoftmax(1), t, { reduction: "sum" }),
    torch: "F.nll_loss(a.log_softmax(1), b, reduction='sum')",
    inputs: [S(4, 3), I(3, 4)],
    differentiable: true,
  },
  { name: "mseLoss", fl: (a, b) => F.mseLoss(a, b), torch: "F.mse_loss(a, b)", inputs: [S(3, 4), S(3, 4)], differentiable: true },
  {
    name: "l1Loss",
    fl: (a, b) => F.l1Loss(a, b, { reduction: "none" }),
    torch: "F.l1_loss(a, b, reduction='none')",
    inputs: [S(3, 4), S(3, 4)],
    differentiable: true,
  },
  {
    name: "smoothL1Loss",
    fl: (a, b) => F.smoothL1Loss(a, b, { beta: 0.5 }),
    torch: "F.smooth_l1_loss(a, b, beta=0.5)",
    inputs: [S(3, 4), S(3, 4)],
    differentiable: true,
  },
  {
    name: "bceWithLogits",
    fl: (a, b) => F.binaryCrossEntropyWithLogits(a, b),
    torch: "F.binary_cross_entropy_with_logits(a, b)",
    inputs: [S(3, 4), { shape: [3, 4], kind: "probs" }],
    differentiable: true,
  },
  {
    name: "bce",
    fl: (a, b) => F.binaryCrossEntropy(a, b),
    torch: "F.binary_cross_entropy(a, b)",
    inputs: [
      { shape: [3, 4], kind: "probs" },
      { shape: [3, 4], kind: "probs" },
    ],
    differentiable: true,
  },
  {
    name: "klDiv",
    fl: (a, b) => F.klDiv(a.logSoftmax(1), b, { reduction: "batchmean" }),
    torch: "F.kl_div(a.log_softmax(1), b, reduction='batchmean')",
    inputs: [S(3, 4), { shape: [3, 4], kind: "probs" }],
    differentiable: true,
  },
  {
    name: "ctcLoss",
    fl: (x, t) => F.ctcLoss(x.logSoftmax(2), t.add(1), [6, 5], [3, 2]),
    torch: "F.ctc_loss(a.log_softmax(2), b + 1, [6, 5], [3, 2])",
    inputs: [S(6, 2, 4), I(3, 2, 3)],
    differentiable: true,
  },
  {
    name: "cosineEmbeddingLoss",
    fl: (a, b) => F.cosineEmbeddingLoss(a, b, fl.tensor([1, -1, 1])),
    torch: "F.cosine_embedding_loss(a, b, torch.tensor([1., -1., 1.]))",
    inputs: [S(3, 4), S(3, 4)],
    differentiable: true,
  },
];
