// Flambeau side of the sequence workloads, forward + backward of a sum-of-squares loss:
// a 2-layer LSTM (input 256, hidden 256, seq 64, batch 16) and one Transformer encoder
// block (d 256, 4 heads, feed-forward 1024, seq 128, batch 16, dropout 0).
import * as fl from "flambeau";
import { median, type RunOptions, type RunResult, seqShape, timeRuns } from "./workload.js";

async function msPerStep(net: fl.nn.Module, loss: () => fl.Tensor, o: RunOptions): Promise<number> {
  const step = () =>
    fl.tidy(() => {
      net.zeroGrad();
      loss().backward();
    });
  return median(await timeRuns(step, o.smoke ? 1 : 10, o.smoke ? 0 : 2)) * 1000;
}

export async function lstm(o: RunOptions): Promise<RunResult> {
  fl.manualSeed(0);
  const net = new fl.nn.LSTM(256, 256, { numLayers: 2, batchFirst: true });
  const x = fl.randn([...seqShape(o, 16, 64), 256]);
  const ms = await msPerStep(net, () => net.forward(x).output.pow(2).mean(), o);
  return { metrics: { msPerStep: ms } };
}

export async function transformer(o: RunOptions): Promise<RunResult> {
  fl.manualSeed(0);
  const net = new fl.nn.TransformerEncoderLayer(256, 4, { dimFeedforward: 1024, dropout: 0, batchFirst: true });
  const x = fl.randn([...seqShape(o, 16, 128), 256]);
  const ms = await msPerStep(net, () => net.forward(x).pow(2).mean(), o);
  return { metrics: { msPerStep: ms } };
}
