// Quantized tensors (torch.quantize_per_tensor and friends). A quantized tensor is a Tensor
// whose dtype Flambeau's DType does not name (qint8, quint8, qint32): read it through
// `qdtype`, `intRepr` or `dequantize`.
import { FlambeauError } from "../core/errors.js";
import type { Tensor } from "../core/index.js";
import { native } from "../core/native.js";
import { qcall, qcallT } from "./ops.js";

export type QDType = "qint8" | "quint8" | "qint32";
const QCODE: Readonly<Record<QDType, number>> = { qint8: 12, quint8: 13, qint32: 14 };
const BY_CODE = new Map(Object.entries(QCODE).map(([k, v]) => [v, k as QDType]));

function qcode(op: string, d: unknown): number {
  if (typeof d === "string" && Object.hasOwn(QCODE, d)) return QCODE[d as QDType];
  throw new FlambeauError("E_DTYPE", `${op}: dtype must be one of qint8, quint8, qint32, got ${JSON.stringify(d)}`, op);
}

/** The quantized dtype of `t`, or null for an ordinary tensor. */
export const qdtype = (t: Tensor): QDType | null => BY_CODE.get(native.dtype(t.handle)) ?? null;
export const isQuantized = (t: Tensor): boolean => qdtype(t) !== null;

export const quantizePerTensor = (x: Tensor, scale: number, zeroPoint: number, dtype: QDType): Tensor =>
  qcallT("aten::quantize_per_tensor", x, scale, zeroPoint, qcode("quantizePerTensor", dtype));

export const quantizePerChannel = (x: Tensor, scales: Tensor, zeroPoints: Tensor, axis: number, dtype: QDType): Tensor =>
  qcallT("aten::quantize_per_channel", x, scales, zeroPoints, axis, qcode("quantizePerChannel", dtype));

export const dequantize = (q: Tensor): Tensor => qcallT("aten::dequantize.self", q);
/** The stored integers (int8 for qint8, uint8 for quint8, int32 for qint32). */
export const intRepr = (q: Tensor): Tensor => qcallT("aten::int_repr", q);
export const qScale = (q: Tensor): number => qcall("aten::q_scale", q) as number;
export const qZeroPoint = (q: Tensor): number => qcall("aten::q_zero_point", q) as number;
export const qPerChannelScales = (q: Tensor): Tensor => qcallT("aten::q_per_channel_scales", q);
export const qPerChannelZeroPoints = (q: Tensor): Tensor => qcallT("aten::q_per_channel_zero_points", q);
export const qPerChannelAxis = (q: Tensor): number => qcall("aten::q_per_channel_axis", q) as number;
