import * as fl from "flambeau";
import { check, one } from "../helpers/module-parity.js";

const nn = fl.nn;

check("linear", () => new nn.Linear(5, 3));
check(
  "bilinear",
  () => new nn.Bilinear(3, 4, 2),
  (m, [a, b]) => [(m as fl.nn.Bilinear).forward(a!, b!)],
);
check("conv1d", () => new nn.Conv1d(3, 5, 3, { padding: 1 }));
check("conv2d", () => new nn.Conv2d(3, 4, 3, { stride: 2, padding: 1 }));
check("conv2d_groups", () => new nn.Conv2d(4, 6, 3, { padding: 2, dilation: 2, groups: 2, bias: false }));
check("conv_transpose2d", () => new nn.ConvTranspose2d(4, 3, 3, { stride: 2, padding: 1, outputPadding: 1 }));
check("batchnorm2d_train", () => new nn.BatchNorm2d(3), one, { train: true });
check("batchnorm2d_eval", () => new nn.BatchNorm2d(3));
check("layernorm", () => new nn.LayerNorm(6));
check("groupnorm", () => new nn.GroupNorm(2, 4));
check("embedding", () => new nn.Embedding(10, 4, { paddingIdx: 0 }));
const lstm = () => new nn.LSTM(4, 5, { numLayers: 2, bidirectional: true, batchFirst: true });
check("lstm", lstm, (m, [x]) => {
  const r = (m as fl.nn.LSTM).forward(x!);
  return [r.output, r.h, r.c];
});
check("lstm_packed", lstm, (m, [x], c) => {
  const r = (m as fl.nn.LSTM).forward(x!, { lengths: c.lengths });
  return [r.output, r.h, r.c];
});
check(
  "gru",
  () => new nn.GRU(4, 5),
  (m, [x]) => {
    const r = (m as fl.nn.GRU).forward(x!);
    return [r.output, r.h];
  },
);
check(
  "mha",
  () => new nn.MultiheadAttention(8, 2),
  (m, [q, k], c) => {
    const mask = fl.tensor(c.keyPaddingMask!.flat(), { shape: [2, 7] });
    const r = (m as fl.nn.MultiheadAttention).forward(q!, k!, k!, { keyPaddingMask: mask });
    return [r.output, r.weights!];
  },
);
check("encoder_layer", () => new nn.TransformerEncoderLayer(8, 2, { dimFeedforward: 16, dropout: 0, batchFirst: true }));
check(
  "encoder_layer_prenorm_gelu",
  () => new nn.TransformerEncoderLayer(8, 2, { dimFeedforward: 16, dropout: 0, batchFirst: true, normFirst: true, activation: "gelu" }),
);
check(
  "decoder_layer",
  () => new nn.TransformerDecoderLayer(8, 2, { dimFeedforward: 16, dropout: 0 }),
  (m, [t, mem]) => [(m as fl.nn.TransformerDecoderLayer).forward(t!, mem!, { tgtMask: nn.generateSquareSubsequentMask(4) })],
);
check("conv3d", () => new nn.Conv3d(2, 3, [2, 3, 3], { stride: [1, 2, 1], padding: 1 }));
check("conv_transpose1d", () => new nn.ConvTranspose1d(3, 2, 4, { stride: 2, padding: 1, dilation: 2 }));
check("batchnorm1d_train", () => new nn.BatchNorm1d(4, { momentum: null }), one, { train: true });
check(
  "rnn_relu",
  () => new nn.RNN(3, 4, { numLayers: 2, nonlinearity: "relu", bias: false }),
  (m, [x]) => {
    const r = (m as fl.nn.RNN).forward(x!);
    return [r.output, r.h];
  },
);
check(
  "gru_bi_h0",
  () => new nn.GRU(4, 5, { bidirectional: true, batchFirst: true }),
  (m, [x, h0]) => {
    const r = (m as fl.nn.GRU).forward(x!, { h0 });
    return [r.output, r.h];
  },
);
check(
  "mha_kdim_mask",
  () => new nn.MultiheadAttention(6, 3, { batchFirst: true, kdim: 4, vdim: 5 }),
  (m, [q, k, v], c) => {
    const mask = fl.tensor(c.attnMask!.flat(), { shape: [3, 4] });
    const r = (m as fl.nn.MultiheadAttention).forward(q!, k!, v!, { attnMask: mask, averageAttnWeights: false });
    return [r.output, r.weights!];
  },
);
check(
  "encoder_stack",
  () =>
    new nn.TransformerEncoder(() => new nn.TransformerEncoderLayer(8, 2, { dimFeedforward: 16, dropout: 0 }), 2, {
      norm: new nn.LayerNorm(8),
    }),
);
