// The layers added for Engine II against PyTorch 1.13 (RNN cells, Transformer, EmbeddingBag,
// instance norms, ConvTranspose3d): same weights (loaded through loadStateDict) and inputs give
// the same outputs, input gradients, parameter gradients and running statistics (scripts/fixtures/nn.py).
import assert from "node:assert/strict";
import { test } from "node:test";
import * as fl from "flambeau";
import { readFixture } from "../helpers/fixtures.js";
import { type Case, check, one } from "../helpers/module-parity.js";

const nn = fl.nn;

check(
  "rnn_cell",
  () => new nn.RNNCell(3, 4),
  (m, [x, h]) => [(m as fl.nn.RNNCell).forward(x!, h)],
);
check("rnn_cell_relu_nobias_unbatched", () => new nn.RNNCell(3, 4, { bias: false, nonlinearity: "relu" }));
check(
  "lstm_cell",
  () => new nn.LSTMCell(3, 4),
  (m, [x, h, c]) => {
    const r = (m as fl.nn.LSTMCell).forward(x!, [h!, c!]);
    return [r.h, r.c];
  },
);
check(
  "lstm_cell_unbatched",
  () => new nn.LSTMCell(3, 4),
  (m, [x]) => {
    const r = (m as fl.nn.LSTMCell).forward(x!);
    return [r.h, r.c];
  },
);
check(
  "gru_cell",
  () => new nn.GRUCell(3, 4),
  (m, [x, h]) => [(m as fl.nn.GRUCell).forward(x!, h)],
);
check(
  "transformer",
  () => new nn.Transformer({ dModel: 8, nhead: 2, numEncoderLayers: 2, numDecoderLayers: 1, dimFeedforward: 16, dropout: 0 }),
  (m, [s, t]) => [(m as fl.nn.Transformer).forward(s!, t!, { tgtMask: nn.Transformer.generateSquareSubsequentMask(4) })],
  { rtol: 1e-4, atol: 1e-5 },
);
check(
  "transformer_batch_first_prenorm",
  () =>
    new nn.Transformer({
      dModel: 8,
      nhead: 2,
      numEncoderLayers: 1,
      numDecoderLayers: 2,
      dimFeedforward: 12,
      dropout: 0,
      batchFirst: true,
      normFirst: true,
      activation: "gelu",
    }),
  (m, [s, t], c) => {
    const mask = fl.tensor(c.keyPaddingMask!.flat(), { shape: [2, 6] });
    return [(m as fl.nn.Transformer).forward(s!, t!, { srcKeyPaddingMask: mask, memoryKeyPaddingMask: mask })];
  },
  { rtol: 1e-4, atol: 1e-5 },
);
check("embedding_bag", () => new nn.EmbeddingBag(10, 3, { mode: "sum", paddingIdx: 2 }));
check("instance_norm1d_affine_track_train", () => new nn.InstanceNorm1d(3, { affine: true, trackRunningStats: true, momentum: 0.2 }), one, {
  train: true,
});
check("instance_norm2d_eval_running", () => new nn.InstanceNorm2d(3, { trackRunningStats: true }));
check("instance_norm3d_unbatched", () => new nn.InstanceNorm3d(2, { affine: true }), one, { train: true });
check("conv_transpose3d", () => new nn.ConvTranspose3d(2, 4, [2, 3, 2], { stride: [2, 1, 1], padding: [1, 0, 1], groups: 2 }));

test("Transformer has PyTorch's state-dict keys and Xavier-initialised matrices", () => {
  const c = readFixture<Case>("nn", "transformer.json");
  const m = new nn.Transformer({ dModel: 8, nhead: 2, numEncoderLayers: 2, numDecoderLayers: 1, dimFeedforward: 16, dropout: 0 });
  assert.deepEqual([...m.stateDict().keys()], Object.keys(c.state));
  const w = m.stateDict().get("encoder.layers.0.linear1.weight")!;
  const bound = Math.sqrt(6 / (8 + 16));
  assert.ok(w.abs().max().item() <= bound);
});
