// Recurrent layers on ATen's fused kernels (aten::lstm / gru / rnn_tanh / rnn_relu), with
// PyTorch's flat weight layout (weight_ih_l0, weight_hh_l0, bias_ih_l0, bias_hh_l0,
// …_reverse) so state dicts move both ways. Variable lengths go through ATen's packed
// sequences, sorting by length as pack_padded_sequence(enforce_sorted=False) does.
import { aten } from "../core/aten.js";
import { callTs } from "../core/dispatch.js";
import { argError } from "../core/errors.js";
import { empty, type Tensor, tensor, tidy, zeros } from "../core/index.js";
import { checkInt } from "../core/validate.js";
import { uniform_ } from "./init.js";
import { Module, pyBool, pyFloat } from "./module.js";
import { Parameter } from "./parameter.js";

export interface RNNOptions {
  numLayers?: number;
  bias?: boolean;
  batchFirst?: boolean;
  dropout?: number;
  bidirectional?: boolean;
}

type Mode = "LSTM" | "GRU" | "RNN_TANH" | "RNN_RELU";
const GATES: Record<Mode, number> = { LSTM: 4, GRU: 3, RNN_TANH: 1, RNN_RELU: 1 };
const OPS: Record<Mode, string> = { LSTM: "lstm", GRU: "gru", RNN_TANH: "rnn_tanh", RNN_RELU: "rnn_relu" };

export interface RNNForwardOptions {
  /** Initial hidden state [layers × directions, B, H] (LSTM: also `c0`). */
  h0?: Tensor;
  c0?: Tensor;
  /** Valid length of each sequence; padded steps neither update the state nor produce output (zeros). */
  lengths?: readonly number[];
}

abstract class RNNBase extends Module {
  readonly mode: Mode;
  readonly inputSize: number;
  readonly hiddenSize: number;
  readonly numLayers: number;
  readonly bias: boolean;
  readonly batchFirst: boolean;
  readonly dropout: number;
  readonly bidirectional: boolean;
  readonly #flat: Parameter[] = [];

  constructor(mode: Mode, inputSize: number, hiddenSize: number, o: RNNOptions) {
    super();
    const name = this.constructor.name;
    this.mode = mode;
    this.inputSize = checkInt(name, "inputSize", inputSize, 1);
    this.hiddenSize = checkInt(name, "hiddenSize", hiddenSize, 1);
    this.numLayers = checkInt(name, "numLayers", o.numLayers ?? 1, 1, 1024);
    this.bias = o.bias ?? true;
    this.batchFirst = o.batchFirst ?? false;
    this.dropout = o.dropout ?? 0;
    if (!(this.dropout >= 0 && this.dropout <= 1)) argError(name, `dropout must be in [0, 1], got ${this.dropout}`);
    this.bidirectional = o.bidirectional ?? false;
    const dirs = this.bidirectional ? 2 : 1;
    const g = GATES[mode] * hiddenSize;
    for (let layer = 0; layer < this.numLayers; layer++)
      for (let d = 0; d < dirs; d++) {
        const suffix = `_l${layer}${d === 1 ? "_reverse" : ""}`;
        const inSize = layer === 0 ? inputSize : hiddenSize * dirs;
        const shapes: [string, number[]][] = [
          [`weight_ih${suffix}`, [g, inSize]],
          [`weight_hh${suffix}`, [g, hiddenSize]],
        ];
        if (this.bias) shapes.push([`bias_ih${suffix}`, [g]], [`bias_hh${suffix}`, [g]]);
        for (const [k, s] of shapes) {
          const p = new Parameter(empty(s));
          this.registerParameter(k, p);
          this.#flat.push(p);
        }
      }
    this.resetParameters();
  }

  resetParameters(): void {
    const b = 1 / Math.sqrt(this.hiddenSize);
    for (const p of this.#flat) uniform_(p, -b, b);
  }

  /** Runs the sequence; returns the output, the final hidden state(s). */
  protected run(x: Tensor, o: RNNForwardOptions): { output: Tensor; h: Tensor; c?: Tensor } {
    const name = this.constructor.name;
    if (x.ndim !== 3)
      argError(name, `input must be [${this.batchFirst ? "B, T" : "T, B"}, ${this.inputSize}], got [${x.shape.join(", ")}]`);
    if (x.shape[2] !== this.inputSize) argError(name, `input has ${x.shape[2]} features, expected ${this.inputSize}`);
    const batch = x.shape[this.batchFirst ? 0 : 1]!;
    const steps = x.shape[this.batchFirst ? 1 : 0]!;
    const dirs = this.bidirectional ? 2 : 1;
    const hShape = [this.numLayers * dirs, batch, this.hiddenSize];
    for (const [k, t] of [
      ["h0", o.h0],
      ["c0", o.c0],
    ] as const)
      if (t && t.shape.join() !== hShape.join()) argError(name, `${k} must be [${hShape.join(", ")}], got [${t.shape.join(", ")}]`);
    const params = this.#flat.map((p) => p as Tensor);
    const isLstm = this.mode === "LSTM";
    return tidy(() => {
      const h0 = o.h0 ?? zeros(hShape, { dtype: x.dtype });
      const c0 = o.c0 ?? zeros(hShape, { dtype: x.dtype });
      const hx = isLstm ? [h0, c0] : h0;
      const common = [this.bias, this.numLayers, this.dropout, this.training, this.bidirectional] as const;
      if (o.lengths === undefined) {
        const out = callTs(aten(`${OPS[this.mode]}.input`), x, hx, params, ...common, this.batchFirst);
        return { output: out[0]!, h: out[1]!, c: isLstm ? out[2] : undefined };
      }
      if (o.lengths.length !== batch) argError(name, `lengths has ${o.lengths.length} entries for a batch of ${batch}`);
      for (const l of o.lengths) checkInt(name, "length", l, 1, steps);
      // Sort by decreasing length, pack, run, unpack, then restore the caller's order.
      const order = [...o.lengths.keys()].sort((a, b) => o.lengths![b]! - o.lengths![a]!);
      const sortIdx = tensor(BigInt64Array.from(order, BigInt));
      const unsortIdx = tensor(
        BigInt64Array.from(
          order.map((_, i) => order.indexOf(i)),
          BigInt,
        ),
      );
      const bd = this.batchFirst ? 0 : 1;
      const xs = x.indexSelect(bd, sortIdx);
      const lens = tensor(BigInt64Array.from(order.map((i) => BigInt(o.lengths![i]!))));
      const [data, batchSizes] = callTs(aten("_pack_padded_sequence"), xs, lens, this.batchFirst);
      const hxs = isLstm ? [h0.indexSelect(1, sortIdx), c0.indexSelect(1, sortIdx)] : h0.indexSelect(1, sortIdx);
      const out = callTs(aten(`${OPS[this.mode]}.data`), data, batchSizes, hxs, params, ...common);
      const [padded] = callTs(aten("_pad_packed_sequence"), out[0], batchSizes, this.batchFirst, 0, steps);
      return {
        output: padded!.indexSelect(bd, unsortIdx),
        h: out[1]!.indexSelect(1, unsortIdx),
        c: isLstm ? out[2]!.indexSelect(1, unsortIdx) : undefined,
      };
    });
  }

  override extraRepr(): string {
    let s = `${this.inputSize}, ${this.hiddenSize}`;
    if (this.numLayers !== 1) s += `, num_layers=${this.numLayers}`;
    if (!this.bias) s += ", bias=False";
    if (this.batchFirst) s += `, batch_first=${pyBool(true)}`;
    if (this.dropout) s += `, dropout=${pyFloat(this.dropout)}`;
    if (this.bidirectional) s += `, bidirectional=${pyBool(true)}`;
    return s;
  }
}

export class LSTM extends RNNBase {
  constructor(inputSize: number, hiddenSize: number, o: RNNOptions = {}) {
    super("LSTM", inputSize, hiddenSize, o);
  }
  forward(x: Tensor, o: RNNForwardOptions = {}): { output: Tensor; h: Tensor; c: Tensor } {
    const r = this.run(x, o);
    return { output: r.output, h: r.h, c: r.c! };
  }
}
export class GRU extends RNNBase {
  constructor(inputSize: number, hiddenSize: number, o: RNNOptions = {}) {
    super("GRU", inputSize, hiddenSize, o);
  }
  forward(x: Tensor, o: Omit<RNNForwardOptions, "c0"> = {}): { output: Tensor; h: Tensor } {
    const r = this.run(x, o);
    return { output: r.output, h: r.h };
  }
}
export class RNN extends RNNBase {
  constructor(inputSize: number, hiddenSize: number, o: RNNOptions & { nonlinearity?: "tanh" | "relu" } = {}) {
    super(o.nonlinearity === "relu" ? "RNN_RELU" : "RNN_TANH", inputSize, hiddenSize, o);
  }
  forward(x: Tensor, o: Omit<RNNForwardOptions, "c0"> = {}): { output: Tensor; h: Tensor } {
    const r = this.run(x, o);
    return { output: r.output, h: r.h };
  }
}
