// Dynamic quantization's recurrent layers (torch.ao.nn.quantized.dynamic.LSTM / GRU): per
// layer and direction, weight_ih and weight_hh become int8 (per output channel) packed with
// their biases, and the recurrence runs in ATen's aten::quantized_lstm / quantized_gru, which
// quantize each step's input and hidden state on the fly as quantized::linear_dynamic does.
// The float layer keeps its forward (padded, lengths, PackedSequence, unbatched), its
// parameters and its state-dict keys: only the kernel under it changes.
import { FlambeauError } from "../core/errors.js";
import { noGrad, type Tensor, zeros } from "../core/index.js";
import type { RecurrentKernel } from "../nn/functional.js";
import { GRU, LSTM, Module } from "../nn/index.js";
import { quantizedEngine, reduceRangeFor } from "./engine.js";
import { quantizeWeight } from "./modules.js";
import { type PackedParams, qcall, qcallP } from "./ops.js";

/** qint8's ScalarType code: aten::quantized_lstm's `dtype` for int8 weights. */
const QINT8 = 12;

/** Why `rnn` cannot run dynamic int8 (the reason named), or null. */
export function dynamicRnnProblem(rnn: Module): string | null {
  if (!(rnn instanceof LSTM || rnn instanceof GRU)) return `${rnn.constructor.name} is not an LSTM or GRU`;
  if (rnn.projSize > 0) return `an LSTM with projections (projSize ${rnn.projSize}) has no quantized kernel in libtorch`;
  return null;
}

export class DynamicQuantizedRNN extends Module {
  readonly mode: "LSTM" | "GRU";
  readonly reduceRange: boolean;
  /** One CellParamsBase per layer and direction, in PyTorch's order. */
  readonly cells: PackedParams[] = [];
  readonly #packed: PackedParams[] = [];

  constructor(rnn: LSTM | GRU, o: { reduceRange?: boolean } = {}) {
    super();
    const problem = dynamicRnnProblem(rnn);
    if (problem) throw new FlambeauError("E_ARG", `quantizeDynamic: ${problem}`, "quantizeDynamic");
    this.mode = rnn instanceof LSTM ? "LSTM" : "GRU";
    this.reduceRange = o.reduceRange ?? reduceRangeFor(quantizedEngine());
    const flat = rnn.flatWeights;
    const per = rnn.bias ? 4 : 2;
    noGrad(() => {
      for (let at = 0; at < flat.length; at += per) {
        const [wih, whh] = [flat[at]!, flat[at + 1]!];
        // A bias-free layer packs zero biases: the cell takes bias tensors either way.
        const [bih, bhh] = rnn.bias ? [flat[at + 2]!.detach(), flat[at + 3]!.detach()] : [zeros([wih.shape[0]!]), zeros([whh.shape[0]!])];
        const pack = (w: Tensor, b: Tensor) => {
          const q = quantizeWeight(w);
          const p = qcallP("quantized::linear_prepack", q, b);
          q.dispose();
          this.#packed.push(p);
          return p;
        };
        const pih = pack(wih, bih);
        const phh = pack(whh, bhh);
        this.cells.push(qcallP("quantized::make_quantized_cell_params_dynamic", pih, phh, bih, bhh, this.reduceRange));
        if (!rnn.bias) {
          bih.dispose();
          bhh.dispose();
        }
      }
    });
  }

  /** The kernel the float layer runs once this is installed (`rnn.useKernel(q.kernel)`). */
  readonly kernel: RecurrentKernel = (form, head, hx, common) => {
    const op = `aten::quantized_${this.mode.toLowerCase()}.${form}`;
    // quantized_lstm takes the weights' dtype and a dynamic flag as keywords; quantized_gru reads them from the cells.
    const rest = this.mode === "LSTM" ? [QINT8, true] : [];
    return qcall(op, ...head, hx, this.cells, ...common, ...rest) as Tensor[];
  };

  forward(): never {
    throw new FlambeauError("E_STATE", "DynamicQuantizedRNN: run the float layer it was installed in", "DynamicQuantizedRNN");
  }

  override dispose(): void {
    for (const p of [...this.cells, ...this.#packed]) p.dispose();
  }
}
