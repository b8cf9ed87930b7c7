// Recurrent networks as plain functions on ATen's fused kernels (aten::lstm / gru /
// rnn_tanh / rnn_relu), the twins of nn.LSTM / GRU / RNN. Weights come in PyTorch's flat
// order: per layer and direction weight_ih, weight_hh[, bias_ih, bias_hh][, weight_hr (LSTM with
// projections)]. Variable lengths
// go through ATen's packed sequences, sorted by length as pack_padded_sequence
// (enforce_sorted=False) does, so results match PyTorch's packed path exactly.
import { aten } from "../core/aten.js";
import { callTs } from "../core/dispatch.js";
import { argError } from "../core/errors.js";
import { type Tensor, tensor, tidy, zeros } from "../core/index.js";
import { checkInt, checkOptTensor, checkTensor, optionsOf } from "../core/validate.js";

export type RNNMode = "LSTM" | "GRU" | "RNN_TANH" | "RNN_RELU";
/** Gate blocks stacked in weight_ih / weight_hh (LSTM: i, f, g, o; GRU: r, z, n). */
export const RNN_GATES: Readonly<Record<RNNMode, number>> = { LSTM: 4, GRU: 3, RNN_TANH: 1, RNN_RELU: 1 };
const OPS: Record<RNNMode, string> = { LSTM: "lstm", GRU: "gru", RNN_TANH: "rnn_tanh", RNN_RELU: "rnn_relu" };

/**
 * The fused op a recurrent network runs, in its padded form ("input": head [x], common ending
 * in batchFirst) or packed form ("data": head [data, batchSizes]); `common` is [bias, numLayers,
 * dropout, training, bidirectional]. ATen's float op on the flat weights by default; quant's
 * dynamic LSTM / GRU runs aten::quantized_lstm / quantized_gru on packed int8 weights instead.
 */
export type RecurrentKernel = (
  form: "input" | "data",
  head: readonly Tensor[],
  hx: Tensor | Tensor[],
  common: readonly unknown[],
) => Tensor[];

/** ATen's float kernel of `mode` on the flat weight list. */
const atenKernel =
  (mode: RNNMode, params: readonly Tensor[]): RecurrentKernel =>
  (form, head, hx, common) =>
    callTs(aten(`${OPS[mode]}.${form}`), ...head, hx, params, ...common);

export interface RNNFunctionalOptions {
  numLayers?: number;
  /** Whether `params` holds biases (4 tensors per layer and direction, else 2). */
  bias?: boolean;
  batchFirst?: boolean;
  /** Dropout between layers (training only). */
  dropout?: number;
  bidirectional?: boolean;
  training?: boolean;
  /** Initial hidden state [layers × directions, B, H]; zeros when absent. */
  h0?: Tensor | null;
  /** Initial cell state (LSTM only). */
  c0?: Tensor | null;
  /** LSTM only: the size each step's hidden state is projected to (a weight_hr per layer and direction; 0: none). */
  projSize?: number;
  /** Valid length of each sequence; padded steps neither update the state nor produce output (zeros). */
  lengths?: readonly number[] | null;
  /** The op that runs the recurrence (default: ATen's float one on `params`, which are checked either way). */
  kernel?: RecurrentKernel | null;
}

export interface RNNResult {
  output: Tensor;
  h: Tensor;
  c?: Tensor;
}

/** Runs a recurrent network of `mode` over `x` ([T, B, F], or [B, T, F] with batchFirst). */
export function rnnForward(mode: RNNMode, x: Tensor, params: readonly Tensor[], options: RNNFunctionalOptions | null = {}): RNNResult {
  const op = OPS[mode];
  const o = optionsOf(op, options);
  checkTensor(op, "input", x);
  if (!Array.isArray(params)) argError(op, `params must be an array of Tensors, got ${typeof params}`);
  params.forEach((t, i) => checkTensor(op, `params[${i}]`, t));
  checkOptTensor(op, "h0", o.h0);
  checkOptTensor(op, "c0", o.c0);
  const numLayers = checkInt(op, "numLayers", o.numLayers ?? 1, 1, 1024);
  const bias = o.bias ?? true;
  const batchFirst = o.batchFirst ?? false;
  const dropout = o.dropout ?? 0;
  if (!(dropout >= 0 && dropout <= 1)) argError(op, `dropout must be in [0, 1], got ${dropout}`);
  const bidirectional = o.bidirectional ?? false;
  const training = o.training ?? false;
  const dirs = bidirectional ? 2 : 1;
  const proj = projSize(mode, o.projSize);
  const hidden = checkParams(mode, x, params, numLayers, dirs, bias, proj);
  const batch = x.shape[batchFirst ? 0 : 1]!;
  const steps = x.shape[batchFirst ? 1 : 0]!;
  const hShape = [numLayers * dirs, batch, proj || hidden];
  const cShape = [numLayers * dirs, batch, hidden];
  for (const [k, t, shape] of [
    ["h0", o.h0, hShape],
    ["c0", o.c0, cShape],
  ] as const)
    if (t && t.shape.join() !== shape.join()) argError(op, `${k} must be [${shape.join(", ")}], got [${t.shape.join(", ")}]`);
  const isLstm = mode === "LSTM";
  if (o.c0 && !isLstm) argError(op, "c0 is only used by LSTM");
  return tidy(() => {
    const h0 = o.h0 ?? zeros(hShape, { dtype: x.dtype });
    const c0 = o.c0 ?? zeros(cShape, { dtype: x.dtype });
    const hx = isLstm ? [h0, c0] : h0;
    const common = [bias, numLayers, dropout, training, bidirectional] as const;
    const kernel = o.kernel ?? atenKernel(mode, params);
    if (o.lengths === undefined || o.lengths === null) {
      const out = kernel("input", [x], hx, [...common, batchFirst]);
      return { output: out[0]!, h: out[1]!, ...(isLstm ? { c: out[2]! } : {}) };
    }
    const lengths = o.lengths;
    if (!Array.isArray(lengths)) argError(op, `lengths must be an array of integers, got ${typeof lengths}`);
    if (lengths.length !== batch) argError(op, `lengths has ${lengths.length} entries for a batch of ${batch}`);
    for (const l of lengths) checkInt(op, "length", l, 1, steps);
    // Sort by decreasing length, pack, run, unpack, then restore the caller's order.
    const order = [...lengths.keys()].sort((a, b) => lengths[b]! - lengths[a]! || a - b);
    const inverse = new Array<number>(order.length);
    order.forEach((src, i) => {
      inverse[src] = i;
    });
    const sortIdx = tensor(BigInt64Array.from(order, BigInt));
    const unsortIdx = tensor(BigInt64Array.from(inverse, BigInt));
    const bd = batchFirst ? 0 : 1;
    const lens = tensor(BigInt64Array.from(order, (i) => BigInt(lengths[i]!)));
    const [data, batchSizes] = callTs(aten("_pack_padded_sequence"), x.indexSelect(bd, sortIdx), lens, batchFirst);
    const hxs = isLstm ? [h0.indexSelect(1, sortIdx), c0.indexSelect(1, sortIdx)] : h0.indexSelect(1, sortIdx);
    const out = kernel("data", [data!, batchSizes!], hxs, common);
    const [padded] = callTs(aten("_pad_packed_sequence"), out[0], batchSizes, batchFirst, 0, steps);
    return {
      output: padded!.indexSelect(bd, unsortIdx),
      h: out[1]!.indexSelect(1, unsortIdx),
      ...(isLstm ? { c: out[2]!.indexSelect(1, unsortIdx) } : {}),
    };
  });
}

export interface RNNPackedOptions {
  numLayers: number;
  bias: boolean;
  dropout: number;
  bidirectional: boolean;
  training: boolean;
  /** Initial states in the caller's batch order (permuted to the packed order here). */
  h0?: Tensor | null;
  c0?: Tensor | null;
  projSize?: number;
  /** The packed order (PackedSequence.sortedIndices) and its inverse; null when the batch was sorted. */
  sortedIndices: Tensor | null;
  unsortedIndices: Tensor | null;
  kernel?: RecurrentKernel | null;
}

/** Runs a recurrent network on packed data ([steps of all sequences, F], batchSizes int64), as PyTorch does for a PackedSequence. */
export function rnnPackedForward(
  mode: RNNMode,
  data: Tensor,
  batchSizes: Tensor,
  params: readonly Tensor[],
  o: RNNPackedOptions,
): RNNResult {
  const op = OPS[mode];
  checkTensor(op, "data", data);
  if (data.ndim !== 2) argError(op, `packed data must be [steps, features], got [${data.shape.join(", ")}]`);
  const dirs = o.bidirectional ? 2 : 1;
  const isLstm = mode === "LSTM";
  return tidy(() => {
    const proj = projSize(mode, o.projSize);
    const hidden = checkParams(mode, data.unsqueeze(0), params, o.numLayers, dirs, o.bias, proj);
    const maxBatch = Number(batchSizes.data()[0]);
    const hShape = [o.numLayers * dirs, maxBatch, proj || hidden];
    const cShape = [o.numLayers * dirs, maxBatch, hidden];
    for (const [k, t, shape] of [
      ["h0", o.h0, hShape],
      ["c0", o.c0, cShape],
    ] as const)
      if (t && t.shape.join() !== shape.join()) argError(op, `${k} must be [${shape.join(", ")}], got [${t.shape.join(", ")}]`);
    const permute = (t: Tensor, idx: Tensor | null) => (idx === null ? t : t.indexSelect(1, idx));
    const h0 = o.h0 ? permute(o.h0, o.sortedIndices) : zeros(hShape, { dtype: data.dtype });
    const c0 = o.c0 ? permute(o.c0, o.sortedIndices) : zeros(cShape, { dtype: data.dtype });
    const hx = isLstm ? [h0, c0] : h0;
    const kernel = o.kernel ?? atenKernel(mode, params);
    const out = kernel("data", [data, batchSizes], hx, [o.bias, o.numLayers, o.dropout, o.training, o.bidirectional]);
    return {
      output: out[0]!,
      h: permute(out[1]!, o.unsortedIndices),
      ...(isLstm ? { c: permute(out[2]!, o.unsortedIndices) } : {}),
    };
  });
}

function projSize(mode: RNNMode, p: number | undefined): number {
  const proj = checkInt(OPS[mode], "projSize", p ?? 0, 0);
  if (proj > 0 && mode !== "LSTM") argError(OPS[mode], `projSize is only supported by LSTM, got ${proj}`);
  return proj;
}

/** Checks the flat weight list against the layout ATen expects (it does not check all of it); returns the hidden size. */
function checkParams(
  mode: RNNMode,
  x: Tensor,
  params: readonly Tensor[],
  numLayers: number,
  dirs: number,
  bias: boolean,
  proj = 0,
): number {
  const op = OPS[mode];
  const per = (bias ? 4 : 2) + (proj ? 1 : 0);
  if (params.length !== numLayers * dirs * per)
    argError(
      op,
      `expected ${numLayers * dirs * per} weight tensors (${numLayers} layers × ${dirs} directions × ${per}), got ${params.length}`,
    );
  if (x.ndim !== 3) argError(op, `input must be rank 3, got [${x.shape.join(", ")}]`);
  const wih = params[0]!;
  if (wih.ndim === 2 && wih.shape[1] !== x.shape[2])
    argError(op, `input has ${x.shape[2]} features, expected ${wih.shape[1]} (weight_ih_l0 is [${wih.shape.join(", ")}])`);
  const whh = params[1]!;
  if (whh.ndim !== 2) argError(op, `weight_hh_l0 must be rank 2, got [${whh.shape.join(", ")}]`);
  // With projections weight_hh is [gates·hidden, proj]: the hidden size comes from its rows.
  const hidden = proj ? whh.shape[0]! / RNN_GATES[mode] : whh.shape[1]!;
  const out = proj || hidden;
  const g = RNN_GATES[mode] * hidden;
  const show = (s: readonly number[]) => `[${s.join(", ")}]`;
  for (let layer = 0; layer < numLayers; layer++)
    for (let d = 0; d < dirs; d++) {
      const at = (layer * dirs + d) * per;
      const suffix = `_l${layer}${d === 1 ? "_reverse" : ""}`;
      const inSize = layer === 0 ? x.shape[2]! : out * dirs;
      const expected: [string, number[]][] = [
        [`weight_ih${suffix}`, [g, inSize]],
        [`weight_hh${suffix}`, [g, out]],
      ];
      if (bias) expected.push([`bias_ih${suffix}`, [g]], [`bias_hh${suffix}`, [g]]);
      if (proj) expected.push([`weight_hr${suffix}`, [proj, hidden]]);
      expected.forEach(([name, shape], i) => {
        const p = params[at + i]!;
        if (p.shape.join() !== shape.join())
          argError(op, `${name} must be ${show(shape)} for input ${show(x.shape)} and hidden size ${hidden}, got ${show(p.shape)}`);
      });
    }
  return hidden;
}

export type LSTMFunctionalOptions = RNNFunctionalOptions;
export type GRUFunctionalOptions = Omit<RNNFunctionalOptions, "c0">;

export function lstm(x: Tensor, params: readonly Tensor[], o: LSTMFunctionalOptions | null = {}): { output: Tensor; h: Tensor; c: Tensor } {
  const r = rnnForward("LSTM", x, params, o);
  return { output: r.output, h: r.h, c: r.c! };
}
export function gru(x: Tensor, params: readonly Tensor[], o: GRUFunctionalOptions | null = {}): { output: Tensor; h: Tensor } {
  return rnnForward("GRU", x, params, o);
}
export function rnnTanh(x: Tensor, params: readonly Tensor[], o: GRUFunctionalOptions | null = {}): { output: Tensor; h: Tensor } {
  return rnnForward("RNN_TANH", x, params, o);
}
export function rnnRelu(x: Tensor, params: readonly Tensor[], o: GRUFunctionalOptions | null = {}): { output: Tensor; h: Tensor } {
  return rnnForward("RNN_RELU", x, params, o);
}
