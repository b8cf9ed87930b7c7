// Recurrent layers (LSTM, GRU, RNN) with PyTorch's flat weight layout and names
// (weight_ih_l0, weight_hh_l0, bias_ih_l0, bias_hh_l0, …_reverse), so state dicts move
// both ways; the computation is functional-rnn's rnnForward on ATen's fused kernels.
import { argError } from "../core/errors.js";
import { empty, type Tensor, tidy } from "../core/index.js";
import { checkInt } from "../core/validate.js";
import { type RecurrentKernel, RNN_GATES, type RNNMode, type RNNResult, rnnForward, rnnPackedForward } from "./functional-rnn.js";
import { uniform_ } from "./init.js";
import { Module, pyBool, pyFloat } from "./module.js";
import { Parameter } from "./parameter.js";
import { PackedSequence } from "./utils/rnn.js";

export interface RNNOptions {
  numLayers?: number;
  bias?: boolean;
  batchFirst?: boolean;
  dropout?: number;
  bidirectional?: boolean;
}

/** LSTM's options: RNNOptions and projections. */
export interface LSTMOptions extends RNNOptions {
  /** Projects each step's hidden state to this size (a weight_hr per layer and direction); 0: none. */
  projSize?: number;
}

export interface RNNForwardOptions {
  /** Initial hidden state [layers × directions, B, H] (LSTM: also `c0`); [layers × directions, H] for an unbatched input. */
  h0?: Tensor;
  c0?: Tensor;
  /** Valid length of each sequence; padded steps neither update the state nor produce output (zeros). */
  lengths?: readonly number[];
}

abstract class RNNBase extends Module {
  readonly mode: RNNMode;
  readonly inputSize: number;
  readonly hiddenSize: number;
  readonly numLayers: number;
  readonly bias: boolean;
  readonly batchFirst: boolean;
  readonly dropout: number;
  readonly bidirectional: boolean;
  readonly projSize: number;
  readonly #flat: Parameter[] = [];
  #kernel: RecurrentKernel | null = null;

  constructor(mode: RNNMode, inputSize: number, hiddenSize: number, o: LSTMOptions) {
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
    this.projSize = checkInt(name, "projSize", o.projSize ?? 0, 0);
    if (this.projSize && mode !== "LSTM") argError(name, `projSize is only supported by LSTM, got ${this.projSize}`);
    if (this.projSize >= hiddenSize) argError(name, `projSize ${this.projSize} must be smaller than hiddenSize ${hiddenSize}`);
    const dirs = this.bidirectional ? 2 : 1;
    const g = RNN_GATES[mode] * hiddenSize;
    const out = this.projSize || hiddenSize;
    for (let layer = 0; layer < this.numLayers; layer++)
      for (let d = 0; d < dirs; d++) {
        const suffix = `_l${layer}${d === 1 ? "_reverse" : ""}`;
        const inSize = layer === 0 ? inputSize : out * dirs;
        const shapes: [string, number[]][] = [
          [`weight_ih${suffix}`, [g, inSize]],
          [`weight_hh${suffix}`, [g, out]],
        ];
        if (this.bias) shapes.push([`bias_ih${suffix}`, [g]], [`bias_hh${suffix}`, [g]]);
        if (this.projSize) shapes.push([`weight_hr${suffix}`, [this.projSize, hiddenSize]]);
        for (const [k, s] of shapes) {
          const p = new Parameter(empty(s));
          this.registerParameter(k, p);
          this.#flat.push(p);
        }
      }
    this.resetParameters();
  }

  /**
   * Runs the recurrence with `kernel` instead of ATen's float op on the parameters (null: back
   * to it). Dynamic quantization installs its int8 kernel here, so the layer keeps its forward,
   * its parameters and its state-dict keys.
   */
  useKernel(kernel: RecurrentKernel | null): void {
    if (kernel !== null && typeof kernel !== "function")
      argError(`${this.constructor.name}.useKernel`, `kernel must be a function or null, got ${typeof kernel}`);
    this.#kernel = kernel;
  }

  /** The flat weight list in PyTorch's order (per layer and direction: weight_ih, weight_hh[, bias_ih, bias_hh][, weight_hr]). */
  get flatWeights(): readonly Parameter[] {
    return this.#flat;
  }

  resetParameters(): void {
    const b = 1 / Math.sqrt(this.hiddenSize);
    for (const p of this.#flat) uniform_(p, -b, b);
  }

  /** Runs the sequence(s); returns the output (packed like the input) and the final hidden state(s), in the caller's batch order. */
  protected run(x: Tensor | PackedSequence, o: RNNForwardOptions): { output: Tensor | PackedSequence; h: Tensor; c?: Tensor } {
    if (x instanceof PackedSequence) {
      if (o.lengths !== undefined) argError(this.constructor.name, "lengths are given by the PackedSequence; leave the lengths option out");
      const r = rnnPackedForward(this.mode, x.data, x.batchSizes, this.#flat, {
        numLayers: this.numLayers,
        bias: this.bias,
        dropout: this.dropout,
        bidirectional: this.bidirectional,
        training: this.training,
        h0: o.h0,
        c0: o.c0,
        projSize: this.projSize,
        sortedIndices: x.sortedIndices,
        unsortedIndices: x.unsortedIndices,
        kernel: this.#kernel,
      });
      return { ...r, output: x.withData(r.output) };
    }
    return this.runPadded(x, o);
  }

  private runPadded(x: Tensor, o: RNNForwardOptions): RNNResult {
    const name = this.constructor.name;
    if (x.ndim !== 3 && x.ndim !== 2)
      argError(
        name,
        `input must be [${this.batchFirst ? "B, T" : "T, B"}, ${this.inputSize}] or unbatched [T, ${this.inputSize}], got [${x.shape.join(", ")}]`,
      );
    if (x.shape[x.ndim - 1] !== this.inputSize) argError(name, `input has ${x.shape[x.ndim - 1]} features, expected ${this.inputSize}`);
    if (x.ndim === 2) {
      // Unbatched, as PyTorch: a batch of one, the states [layers × directions, H].
      for (const [k, t] of [
        ["h0", o.h0],
        ["c0", o.c0],
      ] as const)
        if (t && t.ndim !== 2) argError(name, `${k} must be rank 2 for an unbatched input, got [${t.shape.join(", ")}]`);
      if (o.lengths !== undefined) argError(name, "lengths need a batched input");
      return tidy(() => {
        const r = this.runPadded(x.unsqueeze(this.batchFirst ? 0 : 1), { ...o, h0: o.h0?.unsqueeze(1), c0: o.c0?.unsqueeze(1) });
        return {
          output: r.output.squeeze(this.batchFirst ? 0 : 1),
          h: r.h.squeeze(1),
          ...(r.c ? { c: r.c.squeeze(1) } : {}),
        };
      });
    }
    return rnnForward(this.mode, x, this.#flat, {
      numLayers: this.numLayers,
      bias: this.bias,
      batchFirst: this.batchFirst,
      dropout: this.dropout,
      bidirectional: this.bidirectional,
      training: this.training,
      h0: o.h0,
      c0: o.c0,
      projSize: this.projSize,
      lengths: o.lengths,
      kernel: this.#kernel,
    });
  }

  override extraRepr(): string {
    let s = `${this.inputSize}, ${this.hiddenSize}`;
    if (this.numLayers !== 1) s += `, num_layers=${this.numLayers}`;
    if (!this.bias) s += ", bias=False";
    if (this.batchFirst) s += `, batch_first=${pyBool(true)}`;
    if (this.dropout) s += `, dropout=${pyFloat(this.dropout)}`;
    if (this.bidirectional) s += `, bidirectional=${pyBool(true)}`;
    if (this.projSize) s += `, proj_size=${this.projSize}`;
    return s;
  }
}

export class LSTM extends RNNBase {
  constructor(inputSize: number, hiddenSize: number, o: LSTMOptions = {}) {
    super("LSTM", inputSize, hiddenSize, o);
  }
  forward(x: Tensor, o?: RNNForwardOptions): { output: Tensor; h: Tensor; c: Tensor };
  forward(x: PackedSequence, o?: RNNForwardOptions): { output: PackedSequence; h: Tensor; c: Tensor };
  forward(x: Tensor | PackedSequence, o: RNNForwardOptions = {}): { output: Tensor | PackedSequence; h: Tensor; c: Tensor } {
    const r = this.run(x, o);
    return { output: r.output, h: r.h, c: r.c! };
  }
}
export class GRU extends RNNBase {
  constructor(inputSize: number, hiddenSize: number, o: RNNOptions = {}) {
    super("GRU", inputSize, hiddenSize, o);
  }
  forward(x: Tensor, o?: Omit<RNNForwardOptions, "c0">): { output: Tensor; h: Tensor };
  forward(x: PackedSequence, o?: Omit<RNNForwardOptions, "c0">): { output: PackedSequence; h: Tensor };
  forward(x: Tensor | PackedSequence, o: Omit<RNNForwardOptions, "c0"> = {}): { output: Tensor | PackedSequence; h: Tensor } {
    const r = this.run(x, o);
    return { output: r.output, h: r.h };
  }
}
export class RNN extends RNNBase {
  constructor(inputSize: number, hiddenSize: number, o: RNNOptions & { nonlinearity?: "tanh" | "relu" } = {}) {
    super(o.nonlinearity === "relu" ? "RNN_RELU" : "RNN_TANH", inputSize, hiddenSize, o);
  }
  forward(x: Tensor, o?: Omit<RNNForwardOptions, "c0">): { output: Tensor; h: Tensor };
  forward(x: PackedSequence, o?: Omit<RNNForwardOptions, "c0">): { output: PackedSequence; h: Tensor };
  forward(x: Tensor | PackedSequence, o: Omit<RNNForwardOptions, "c0"> = {}): { output: Tensor | PackedSequence; h: Tensor } {
    const r = this.run(x, o);
    return { output: r.output, h: r.h };
  }
}
