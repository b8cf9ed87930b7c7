// Variable-length sequences (PyTorch's nn.utils.rnn): padding a list of sequences, and
// PackedSequence, the layout ATen's recurrent kernels run on (time-major, the batch shrinking
// as sequences end). LSTM, GRU and RNN accept a PackedSequence and return one.
import { aten } from "../../core/aten.js";
import { callT, callTs } from "../../core/dispatch.js";
import { argError } from "../../core/errors.js";
import { tidy } from "../../core/memory.js";
import { arange, tensor } from "../../core/ops/creation.js";
import { Tensor } from "../../core/tensor.js";

const PACK = aten("_pack_padded_sequence");
const PAD_PACKED = aten("_pad_packed_sequence");
const PAD_SEQUENCE = aten("pad_sequence");
const SORT = aten("sort");

/**
 * Sequences packed for a recurrent layer: `data` holds the steps of all sequences, time-major,
 * `batchSizes[t]` how many sequences have a step t. With enforceSorted false, `sortedIndices`
 * maps the packed (by decreasing length) order to the caller's, `unsortedIndices` back.
 */
export class PackedSequence {
  constructor(
    readonly data: Tensor,
    readonly batchSizes: Tensor,
    readonly sortedIndices: Tensor | null = null,
    readonly unsortedIndices: Tensor | null = null,
  ) {}

  /** A PackedSequence with the same layout over new data (a recurrent layer's output). */
  withData(data: Tensor): PackedSequence {
    return new PackedSequence(data, this.batchSizes, this.sortedIndices, this.unsortedIndices);
  }

  /** Frees the tensors. */
  dispose(): void {
    for (const t of [this.data, this.batchSizes, this.sortedIndices, this.unsortedIndices]) t?.dispose();
  }
}

export interface PadSequenceOptions {
  /** Output [B, T, *] instead of [T, B, *] (default false). */
  batchFirst?: boolean;
  /** The value of padded steps (default 0). */
  paddingValue?: number;
}

/** Stacks sequences of different lengths ([Lᵢ, *] each) into one padded tensor [T, B, *] (or [B, T, *]). */
export function padSequence(sequences: readonly Tensor[], options: PadSequenceOptions = {}): Tensor {
  const op = "padSequence";
  if (!Array.isArray(sequences) || sequences.length === 0) argError(op, "expected a non-empty array of tensors");
  sequences.forEach((s, i) => {
    if (!(s instanceof Tensor)) argError(op, `sequences[${i}] is not a Tensor`);
    if (s.ndim < 1) argError(op, `sequences[${i}] must have a time dimension, got a scalar`);
    if (s.shape.slice(1).join() !== sequences[0]!.shape.slice(1).join())
      argError(
        op,
        `sequences[${i}] is [${s.shape.join(", ")}]; all must share the trailing shape of sequences[0] [${sequences[0]!.shape.join(", ")}]`,
      );
  });
  return callT(PAD_SEQUENCE, sequences, options.batchFirst ?? false, options.paddingValue ?? 0);
}

export interface PackOptions {
  /** Input [B, T, *] instead of [T, B, *] (default false). */
  batchFirst?: boolean;
  /** Require lengths in decreasing order (default true); false sorts them and records the order. */
  enforceSorted?: boolean;
}

function lengthsTensor(op: string, lengths: readonly number[] | Tensor): Tensor {
  if (lengths instanceof Tensor) return lengths.to("int64");
  if (!Array.isArray(lengths) || !lengths.every((l) => Number.isSafeInteger(l) && l >= 1))
    argError(op, `lengths must be integers ≥ 1, got ${JSON.stringify(lengths)}`);
  return tensor(BigInt64Array.from(lengths, BigInt));
}

/** PyTorch's invert_permutation. */
function invert(perm: Tensor): Tensor {
  return perm.scatter(0, perm, arange(0, perm.numel));
}

/** Packs a padded batch ([T, B, *], or [B, T, *] with batchFirst) whose sequences have the given lengths. */
export function packPaddedSequence(input: Tensor, lengths: readonly number[] | Tensor, options: PackOptions = {}): PackedSequence {
  const op = "packPaddedSequence";
  if (!(input instanceof Tensor)) argError(op, "input must be a Tensor");
  const batchFirst = options.batchFirst ?? false;
  const enforceSorted = options.enforceSorted ?? true;
  const r = tidy(() => {
    let lens = lengthsTensor(op, lengths);
    const batch = input.shape[batchFirst ? 0 : 1];
    if (lens.ndim !== 1 || lens.numel !== batch) argError(op, `expected ${batch} lengths (one per sequence), got ${lens.numel}`);
    let x = input;
    let sorted: Tensor | null = null;
    if (!enforceSorted) {
      const [sl, si] = callTs(SORT, lens, -1, true);
      lens = sl!;
      sorted = si!;
      x = input.indexSelect(batchFirst ? 0 : 1, sorted);
    } else {
      const l = Array.from(lens.data() as BigInt64Array, Number);
      for (let i = 1; i < l.length; i++)
        if (l[i]! > l[i - 1]!)
          argError(op, `lengths must be in decreasing order with enforceSorted (got ${JSON.stringify(l)}); pass enforceSorted: false`);
    }
    const [data, batchSizes] = callTs(PACK, x, lens, batchFirst);
    // tidy keeps what a plain object holds, not what a class instance does.
    return { data: data!, batchSizes: batchSizes!, sorted, unsorted: sorted === null ? null : invert(sorted) };
  });
  return new PackedSequence(r.data, r.batchSizes, r.sorted, r.unsorted);
}

export interface PadPackedOptions {
  /** Output [B, T, *] instead of [T, B, *] (default false). */
  batchFirst?: boolean;
  /** The value of padded steps (default 0). */
  paddingValue?: number;
  /** Pad to this many steps (default the longest sequence). */
  totalLength?: number;
}

/** Undoes packPaddedSequence: the padded batch and each sequence's length (int64), in the caller's order. */
export function padPackedSequence(sequence: PackedSequence, options: PadPackedOptions = {}): { output: Tensor; lengths: Tensor } {
  const op = "padPackedSequence";
  if (!(sequence instanceof PackedSequence)) argError(op, "expected a PackedSequence");
  const batchFirst = options.batchFirst ?? false;
  let maxLen = sequence.batchSizes.shape[0]!;
  if (options.totalLength !== undefined) {
    if (!Number.isSafeInteger(options.totalLength) || options.totalLength < maxLen)
      argError(op, `totalLength must be an integer ≥ the longest sequence (${maxLen}), got ${options.totalLength}`);
    maxLen = options.totalLength;
  }
  return tidy(() => {
    const [out, lengths] = callTs(PAD_PACKED, sequence.data, sequence.batchSizes, batchFirst, options.paddingValue ?? 0, maxLen);
    const un = sequence.unsortedIndices;
    if (un === null) return { output: out!, lengths: lengths! };
    return { output: out!.indexSelect(batchFirst ? 0 : 1, un), lengths: lengths!.indexSelect(0, un) };
  });
}

/** Packs a list of sequences ([Lᵢ, *] each). */
export function packSequence(sequences: readonly Tensor[], options: { enforceSorted?: boolean } = {}): PackedSequence {
  const padded = padSequence(sequences);
  try {
    return packPaddedSequence(
      padded,
      sequences.map((s) => s.shape[0]!),
      { enforceSorted: options.enforceSorted ?? true },
    );
  } finally {
    padded.dispose();
  }
}
