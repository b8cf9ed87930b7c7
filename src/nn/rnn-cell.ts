// Single-step recurrent cells (RNNCell, LSTMCell, GRUCell) with PyTorch's parameter names
// (weight_ih, weight_hh, bias_ih, bias_hh), over ATen's fused cell kernels; unbatched
// input ([inputSize]) is accepted as PyTorch 1.13 does.
import { aten } from "../core/aten.js";
import { callT, callTs } from "../core/dispatch.js";
import { argError } from "../core/errors.js";
import { empty, type Tensor, tidy, zeros } from "../core/index.js";
import { checkInt, checkOptTensor, checkTensor } from "../core/validate.js";
import { uniform_ } from "./init.js";
import { Module, pyBool } from "./module.js";
import { Parameter } from "./parameter.js";

export interface CellWeights {
  weightIh: Tensor;
  weightHh: Tensor;
  biasIh?: Tensor | null;
  biasHh?: Tensor | null;
}

function cellArgs(op: string, x: Tensor, hx: Tensor, w: CellWeights): void {
  checkTensor(op, "input", x);
  checkTensor(op, "hx", hx);
  if (w === null || typeof w !== "object") argError(op, `weights must be { weightIh, weightHh, biasIh?, biasHh? }, got ${String(w)}`);
  checkTensor(op, "weightIh", w.weightIh);
  checkTensor(op, "weightHh", w.weightHh);
  checkOptTensor(op, "biasIh", w.biasIh);
  checkOptTensor(op, "biasHh", w.biasHh);
  if (x.ndim !== 2 || x.shape[1] !== w.weightIh.shape[1])
    argError(op, `input must be [B, ${w.weightIh.shape[1]}], got [${x.shape.join(", ")}]`);
  const h = w.weightHh.shape[1]!;
  if (hx.ndim !== 2 || hx.shape[0] !== x.shape[0] || hx.shape[1] !== h)
    argError(op, `hidden state must be [${x.shape[0]}, ${h}], got [${hx.shape.join(", ")}]`);
}
const RNN_TANH_CELL = aten("rnn_tanh_cell");
const RNN_RELU_CELL = aten("rnn_relu_cell");
const LSTM_CELL = aten("lstm_cell");
const GRU_CELL = aten("gru_cell");
/** h' = tanh(x Wᵢₕᵀ + bᵢₕ + h Wₕₕᵀ + bₕₕ) for batched [B, I] input. */
export function rnnTanhCell(x: Tensor, hx: Tensor, w: CellWeights): Tensor {
  cellArgs("rnnTanhCell", x, hx, w);
  return callT(RNN_TANH_CELL, x, hx, w.weightIh, w.weightHh, w.biasIh ?? null, w.biasHh ?? null);
}
/** The ReLU Elman cell. */
export function rnnReluCell(x: Tensor, hx: Tensor, w: CellWeights): Tensor {
  cellArgs("rnnReluCell", x, hx, w);
  return callT(RNN_RELU_CELL, x, hx, w.weightIh, w.weightHh, w.biasIh ?? null, w.biasHh ?? null);
}
/** One LSTM step: returns the new [h, c]. */
export function lstmCell(x: Tensor, hx: readonly [Tensor, Tensor], w: CellWeights): [Tensor, Tensor] {
  if (!Array.isArray(hx) || hx.length !== 2) argError("lstmCell", "hx must be [h, c]");
  cellArgs("lstmCell", x, hx[0], w);
  if (checkTensor("lstmCell", "c", hx[1]).shape.join() !== hx[0].shape.join())
    argError("lstmCell", `c [${hx[1].shape.join(", ")}] must have h's shape [${hx[0].shape.join(", ")}]`);
  const [h, c] = callTs(LSTM_CELL, x, [hx[0], hx[1]], w.weightIh, w.weightHh, w.biasIh ?? null, w.biasHh ?? null);
  return [h!, c!];
}
/** One GRU step. */
export function gruCell(x: Tensor, hx: Tensor, w: CellWeights): Tensor {
  cellArgs("gruCell", x, hx, w);
  return callT(GRU_CELL, x, hx, w.weightIh, w.weightHh, w.biasIh ?? null, w.biasHh ?? null);
}

abstract class RNNCellBase extends Module {
  readonly inputSize: number;
  readonly hiddenSize: number;
  readonly bias: boolean;
  weight_ih: Parameter;
  weight_hh: Parameter;
  bias_ih: Parameter | null;
  bias_hh: Parameter | null;
  constructor(inputSize: number, hiddenSize: number, bias: boolean, gates: number) {
    super();
    const op = this.constructor.name;
    this.inputSize = checkInt(op, "inputSize", inputSize, 1);
    this.hiddenSize = checkInt(op, "hiddenSize", hiddenSize, 1);
    this.bias = bias;
    this.weight_ih = new Parameter(empty([gates * hiddenSize, inputSize]));
    this.weight_hh = new Parameter(empty([gates * hiddenSize, hiddenSize]));
    this.bias_ih = bias ? new Parameter(empty([gates * hiddenSize])) : null;
    this.bias_hh = bias ? new Parameter(empty([gates * hiddenSize])) : null;
    this.resetParameters();
  }
  resetParameters(): void {
    const b = 1 / Math.sqrt(this.hiddenSize);
    for (const p of this.parameters()) uniform_(p, -b, b);
  }
  protected get weights(): CellWeights {
    return { weightIh: this.weight_ih, weightHh: this.weight_hh, biasIh: this.bias_ih, biasHh: this.bias_hh };
  }
  /** Runs `step` on batched input, adding and removing the batch dim for [inputSize] input. */
  protected batched<T>(x: Tensor, h: readonly (Tensor | null | undefined)[], step: (x: Tensor, h: Tensor[]) => T, unbatch: (r: T) => T): T {
    const op = this.constructor.name;
    checkTensor(op, "input", x);
    if (x.ndim !== 1 && x.ndim !== 2) argError(op, `expected input to be 1-D or 2-D, got [${x.shape.join(", ")}]`);
    const isBatched = x.ndim === 2;
    return tidy(() => {
      const xb = isBatched ? x : x.unsqueeze(0);
      const hs = h.map((t) => {
        if (t == null) return zeros([xb.shape[0]!, this.hiddenSize], { dtype: x.dtype });
        checkTensor(op, "hx", t);
        if (t.ndim !== x.ndim) argError(op, `hidden state must be ${x.ndim}-D for ${x.ndim}-D input, got [${t.shape.join(", ")}]`);
        return isBatched ? t : t.unsqueeze(0);
      });
      const r = step(xb, hs);
      return isBatched ? r : unbatch(r);
    });
  }
  override extraRepr(): string {
    return `${this.inputSize}, ${this.hiddenSize}${this.bias ? "" : `, bias=${pyBool(false)}`}`;
  }
}

/** An Elman RNN cell: h' = tanh or relu(x Wᵢₕᵀ + bᵢₕ + h Wₕₕᵀ + bₕₕ). */
export class RNNCell extends RNNCellBase {
  readonly nonlinearity: "tanh" | "relu";
  constructor(inputSize: number, hiddenSize: number, o: { bias?: boolean; nonlinearity?: "tanh" | "relu" } = {}) {
    super(inputSize, hiddenSize, o.bias ?? true, 1);
    this.nonlinearity = o.nonlinearity ?? "tanh";
    if (this.nonlinearity !== "tanh" && this.nonlinearity !== "relu")
      argError("RNNCell", `nonlinearity must be 'tanh' or 'relu', got ${String(this.nonlinearity)}`);
  }
  forward(x: Tensor, hx?: Tensor | null): Tensor {
    const f = this.nonlinearity === "tanh" ? rnnTanhCell : rnnReluCell;
    return this.batched(
      x,
      [hx],
      (xb, [h]) => f(xb, h!, this.weights),
      (r) => r.squeeze(0),
    );
  }
  override extraRepr(): string {
    return super.extraRepr() + (this.nonlinearity === "tanh" ? "" : `, nonlinearity=${this.nonlinearity}`);
  }
}

export class LSTMCell extends RNNCellBase {
  constructor(inputSize: number, hiddenSize: number, o: { bias?: boolean } = {}) {
    super(inputSize, hiddenSize, o.bias ?? true, 4);
  }
  /** Returns the new hidden and cell states; `hx` = [h, c] (default zeros). */
  forward(x: Tensor, hx?: readonly [Tensor, Tensor] | null): { h: Tensor; c: Tensor } {
    return this.batched(
      x,
      hx ? [hx[0], hx[1]] : [null, null],
      (xb, [h, c]) => {
        const [h1, c1] = lstmCell(xb, [h!, c!], this.weights);
        return { h: h1, c: c1 };
      },
      (r) => ({ h: r.h.squeeze(0), c: r.c.squeeze(0) }),
    );
  }
}

export class GRUCell extends RNNCellBase {
  constructor(inputSize: number, hiddenSize: number, o: { bias?: boolean } = {}) {
    super(inputSize, hiddenSize, o.bias ?? true, 3);
  }
  forward(x: Tensor, hx?: Tensor | null): Tensor {
    return this.batched(
      x,
      [hx],
      (xb, [h]) => gruCell(xb, h!, this.weights),
      (r) => r.squeeze(0),
    );
  }
}
