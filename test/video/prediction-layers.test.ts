// The video-prediction building blocks against references: the ConvLSTM cell (peepholes
// included), PredRNN's ST-LSTM cell and the backward warp against PyTorch (scripts/fixtures/video_prediction.py),
// the warp on hand-made flows, and the per-frame MSE/SSIM and baselines on hand values.
import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import * as fl from "flambeau";
import { ConvLSTMCell } from "../../src/video/prediction/conv-lstm-cell.js";
import { ConvLstmForecaster } from "../../src/video/prediction/encoder-forecaster.js";
import { FlowInterpolator } from "../../src/video/prediction/flow-interpolator.js";
import { copyLastFrame, meanInputFrame, perFrameMse, perFrameSsim } from "../../src/video/prediction/metrics.js";
import { PredRnn } from "../../src/video/prediction/predrnn.js";
import { SpatioTemporalLSTMCell } from "../../src/video/prediction/st-lstm-cell.js";
import { backwardWarp } from "../../src/video/prediction/warp.js";
import { assertClose, FIXTURES } from "../helpers/fixtures.js";

const ref = await fl.load(join(FIXTURES, "video", "video_prediction.safetensors"));
const get = (k: string) => ref.get(k)!;

test("ConvLSTM cell: three steps match Shi et al.'s equations in PyTorch", () => {
  const cell = new ConvLSTMCell(3, 4, { kernel: 3, peephole: [6, 5] });
  cell.loadStateDict(new Map(["conv.weight", "conv.bias", "w_ci", "w_cf", "w_co"].map((k) => [k, get(k)])));
  let s: [fl.Tensor, fl.Tensor] = [get("h0"), get("c0")];
  fl.noGrad(() => {
    for (let t = 0; t < 3; t++) s = cell.forward(get("xs").select(0, t), s);
  });
  assertClose(s[0], get("h3"), "h after 3 steps", 1e-4, 1e-5);
  assertClose(s[1], get("c3"), "c after 3 steps", 1e-4, 1e-5);
  assert.throws(() => cell.forward(fl.zeros([2, 2, 6, 5]), s), /input must be \[N, 3, H, W\]/);
  assert.throws(() => new ConvLSTMCell(3, 4, { kernel: 4 }), /kernel must be an odd integer/);
});

test("PredRNN's ST-LSTM cell: three steps match the authors' cell in PyTorch", () => {
  const cell = new SpatioTemporalLSTMCell(3, 4, 3);
  const keys = ["conv_x", "conv_h", "conv_m", "conv_o", "conv_last"].map((k) => `${k}.weight`);
  cell.loadStateDict(new Map(keys.map((k) => [k, get(`st.${k}`)])));
  let s: [fl.Tensor, fl.Tensor, fl.Tensor] = [get("h0"), get("c0"), get("st.m0")];
  fl.noGrad(() => {
    for (let t = 0; t < 3; t++) s = cell.forward(get("xs").select(0, t), s);
  });
  assertClose(s[0], get("st.h3"), "h after 3 steps", 1e-4, 1e-5);
  assertClose(s[1], get("st.c3"), "c after 3 steps", 1e-4, 1e-5);
  assertClose(s[2], get("st.m3"), "m after 3 steps", 1e-4, 1e-5);
  assert.throws(() => cell.forward(fl.zeros([2, 3, 6, 5]), [s[0], s[1], fl.zeros([2, 4, 5, 5])]), /state tensors must be/);
});

test("PredRNN: shapes, pixels in (0, 1), unequal layers rejected", () => {
  fl.manualSeed(0);
  const m = new PredRnn({ channels: 1, size: 16, patch: 4, hidden: [8, 8], kernel: 3 });
  const y = fl.noGrad(() => m.forward(fl.rand([2, 3, 1, 16, 16]), 2));
  assert.deepEqual([...y.shape], [2, 2, 1, 16, 16]);
  assert.ok((y.min().item() as number) > 0 && (y.max().item() as number) < 1);
  assert.throws(() => new PredRnn({ channels: 1, size: 16, patch: 4, hidden: [8, 4], kernel: 3 }), /same hidden size/);
});

test("encoder–forecaster: shapes, pixels in (0, 1), bad frames rejected", () => {
  fl.manualSeed(0);
  const m = new ConvLstmForecaster({ channels: 1, size: 16, patch: 4, hidden: [8, 8], kernel: 3, peephole: true });
  const y = fl.noGrad(() => m.forward(fl.rand([2, 3, 1, 16, 16]), 2));
  assert.deepEqual([...y.shape], [2, 2, 1, 16, 16]);
  assert.ok((y.min().item() as number) > 0 && (y.max().item() as number) < 1);
  assert.throws(() => m.forward(fl.rand([2, 3, 1, 12, 12]), 2), /frames must be \[N, T, 1, 16, 16\]/);
  assert.throws(
    () => new ConvLstmForecaster({ channels: 1, size: 16, patch: 3, hidden: [8], kernel: 3, peephole: false }),
    /patch must be/,
  );
});

test("backward warp: PyTorch's grid_sample on a random flow, identity and a one-pixel shift by hand", () => {
  assertClose(backwardWarp(get("warp.img"), get("warp.flow")), get("warp.out"), "warp vs F.grid_sample", 1e-5, 1e-6);
  const img = fl.arange(12, undefined, 1, { dtype: "float32" }).view([1, 1, 3, 4]);
  assertClose(backwardWarp(img, fl.zeros([1, 2, 3, 4])), img, "zero flow", 0, 1e-6);
  // u = +1: each pixel reads its right neighbour; the last column repeats the border.
  const right = fl.cat([fl.ones([1, 1, 3, 4]), fl.zeros([1, 1, 3, 4])], 1);
  assert.deepEqual(Array.from(backwardWarp(img, right).data() as Float32Array).map(Math.round), [1, 2, 3, 3, 5, 6, 7, 7, 9, 10, 11, 11]);
  // v = +0.5: halfway to the row below.
  const down = fl.cat([fl.zeros([1, 1, 3, 4]), fl.full([1, 1, 3, 4], 0.5)], 1);
  assertClose(
    backwardWarp(img, down),
    fl.tensor([2, 3, 4, 5, 6, 7, 8, 9, 8, 9, 10, 11], { shape: [1, 1, 3, 4] }),
    "half-pixel shift",
    0,
    1e-5,
  );
  assert.throws(() => backwardWarp(img, fl.zeros([1, 2, 3, 3])), /flow must be \[1, 2, 3, 4\]/);
});

test("flow interpolator: zero flows and an even mask give the linear blend", () => {
  const net = new FlowInterpolator({ channels: 1, width: 4, blocks: 1 });
  for (const v of net.head.stateDict().values()) v.zero_();
  const [a, b] = [fl.rand([1, 1, 8, 8]), fl.rand([1, 1, 8, 8])];
  assertClose(
    fl.noGrad(() => net.forward(a, b)),
    a.add(b).div(2),
    "blend",
    0,
    1e-6,
  );
  assert.throws(() => net.forward(fl.rand([1, 1, 6, 6]), fl.rand([1, 1, 6, 6])), /multiples of 4/);
});

test("per-frame MSE (sum over the frame) and SSIM on hand values; the two baselines", () => {
  // N = 2 sequences, T = 2 frames of 12×12; truth 0.5 on frame 0 of sequence 0 only.
  const truth = fl.zeros([2, 2, 1, 12, 12]);
  truth.narrow(0, 0, 1).narrow(1, 0, 1).fill_(0.5);
  const pred = fl.zeros([2, 2, 1, 12, 12]);
  // Frame 0: 144 px × 0.25 in sequence 0, 0 in sequence 1 → mean 18; frame 1: 0.
  assert.deepEqual(perFrameMse(pred, truth), [18, 0]);
  // Constant images a, b (in [0, 255]): SSIM = (2ab + C1)/(a² + b² + C1); a = 127.5, b = 0 → C1/(127.5² + C1).
  const c1 = (0.01 * 255) ** 2;
  const s = perFrameSsim(pred, truth);
  assert.ok(Math.abs(s[0]! - (c1 / (127.5 ** 2 + c1) + 1) / 2) < 1e-9, `SSIM frame 0 ${s[0]}`);
  assert.ok(Math.abs(s[1]! - 1) < 1e-12);
  const input = fl.tensor([1, 2, 3, 4, 5, 6], { shape: [1, 3, 1, 1, 2] });
  assert.deepEqual(Array.from(copyLastFrame(input, 2).data() as Float32Array), [5, 6, 5, 6]);
  assert.deepEqual(Array.from(meanInputFrame(input, 2).data() as Float32Array), [3, 4, 3, 4]);
  assert.throws(() => perFrameMse(pred, truth.narrow(1, 0, 1)), /two \[N, T, C, H, W\] clips of one shape/);
});
