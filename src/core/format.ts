// Printing tensors the way PyTorch 1.13 does (torch/_tensor_str.py): aligned columns,
// 4 decimals or scientific notation, integral floats as "1.", summarised with "..." past
// 1000 elements, lines wrapped at 80 columns. Python's format() rounds exact ties to even
// and JS's toFixed/toExponential round them away from zero, so ties are redone here.
import type { Tensor } from "./tensor.js";

const THRESHOLD = 1000;
const EDGE = 3;
const PRECISION = 4;
const LINE_WIDTH = 80;

/** `digits` after the point (fixed) or after the first significant digit (sci), rounded as Python's format() does. */
function pyFormat(v: number, digits: number, sci: boolean): string {
  const js = sci ? v.toExponential(digits) : v.toFixed(digits);
  const sign = v < 0 || Object.is(v, -0) ? "-" : "";
  const withSign = sign && !js.startsWith("-") ? sign + js : js;
  const a = Math.abs(v);
  if (!sci && a >= 1e21) return withSign;
  // The exact decimal expansion decides whether v sits exactly halfway between two results.
  const exact = sci ? a.toExponential(100) : a.toFixed(100);
  const [mant, exp] = exact.split("e") as [string, string | undefined];
  const [intPart, frac = ""] = mant.split(".") as [string, string | undefined];
  const kept = sci ? intPart + frac.slice(0, digits) : frac.slice(0, digits);
  const rest = frac.slice(digits);
  if (rest[0] !== "5" || !/^0*$/.test(rest.slice(1))) return withSign;
  const last = kept.length > 0 ? kept[kept.length - 1]! : intPart[intPart.length - 1]!;
  if (Number(last) % 2 === 1) return withSign; // odd: rounding away from zero lands on even
  const body = sci ? `${intPart}${digits ? `.${frac.slice(0, digits)}` : ""}e${exp}` : `${intPart}${digits ? `.${kept}` : ""}`;
  return sign + body;
}

/** Python's "{:.4e}": at least two exponent digits. */
function sciStr(v: number): string {
  const [m, e] = pyFormat(v, PRECISION, true).split("e") as [string, string];
  const exp = Number(e);
  return `${m}e${exp < 0 ? "-" : "+"}${String(Math.abs(exp)).padStart(2, "0")}`;
}

interface Formatter {
  fmt: (v: number | bigint) => string;
  width: number;
}

// torch/_tensor_str.py's _Formatter: the mode and the column width come from the nonzero
// finite values only; other values are padded to that width, never widen it.
function floatFormatter(values: readonly number[]): Formatter {
  const nz = values.filter((v) => Number.isFinite(v) && v !== 0);
  const special = (v: number) => (Number.isNaN(v) ? "nan" : v > 0 ? "inf" : "-inf");
  let fmt: (v: number) => string;
  if (nz.length === 0) {
    fmt = (v) => (Number.isFinite(v) ? `${pyFormat(v, 0, false)}.` : special(v));
    return { fmt: (v) => fmt(Number(v)), width: 1 };
  }
  const abs = nz.map(Math.abs);
  const max = Math.max(...abs);
  const min = Math.min(...abs);
  const intMode = nz.every((v) => Number.isInteger(v));
  const sci = max / min > 1000 || max > 1e8 || (!intMode && min < 1e-4);
  if (sci) fmt = (v) => (Number.isFinite(v) ? sciStr(v) : special(v));
  else if (intMode) fmt = (v) => (Number.isFinite(v) ? `${pyFormat(v, 0, false)}.` : special(v));
  else fmt = (v) => (Number.isFinite(v) ? pyFormat(v, PRECISION, false) : special(v));
  const width = Math.max(1, ...nz.map((v) => fmt(v).length));
  return { fmt: (v) => fmt(Number(v)), width };
}

function plainFormatter(values: readonly (number | bigint)[], bool: boolean): Formatter {
  const fmt = bool ? (v: number | bigint) => (v ? "True" : "False") : (v: number | bigint) => String(v);
  return { fmt, width: Math.max(1, ...values.map((v) => fmt(v).length)) };
}

export function formatTensor(t: Tensor): string {
  const dtype = t.dtype;
  const shape = t.shape;
  const numel = t.numel;
  const floating = dtype.startsWith("float") || dtype === "bfloat16";
  let flat: ArrayLike<number | bigint>;
  if (dtype === "float16" || dtype === "bfloat16") {
    const f = t.to("float32");
    flat = f.data() as Float32Array;
    f.dispose();
  } else {
    flat = t.data() as ArrayLike<number | bigint>;
  }
  const summarize = numel > THRESHOLD;
  const strides: number[] = [];
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = acc;
    acc *= shape[i]!;
  }
  // Which indices along a dim are shown; -1 marks the "..." gap.
  const shown = (n: number): number[] =>
    summarize && n > 2 * EDGE ? [...Array(EDGE).keys(), -1, ...Array.from({ length: EDGE }, (_, i) => n - EDGE + i)] : [...Array(n).keys()];
  const visible: (number | bigint)[] = [];
  const walk = (depth: number, offset: number): void => {
    if (depth === shape.length) {
      visible.push(flat[offset]!);
      return;
    }
    for (const i of shown(shape[depth]!)) if (i >= 0) walk(depth + 1, offset + i * strides[depth]!);
  };
  if (numel > 0) walk(0, 0);
  const { fmt, width } = floating ? floatFormatter(visible as number[]) : plainFormatter(visible, dtype === "bool");
  const prefix = "tensor(";
  const render = (depth: number, offset: number, indent: number): string => {
    if (depth === shape.length) return fmt(flat[offset]!).padStart(width);
    if (depth === shape.length - 1) {
      // PyTorch's _vector_str: the gap is " ...", rows wrap at 80 columns.
      const items = shown(shape[depth]!).map((i) => (i < 0 ? " ..." : render(depth + 1, offset + i * strides[depth]!, indent + 1)));
      const perLine = Math.max(1, Math.floor((LINE_WIDTH - indent) / (width + 2)));
      const lines: string[] = [];
      for (let i = 0; i < items.length; i += perLine) lines.push(items.slice(i, i + perLine).join(", "));
      return `[${lines.join(`,\n${" ".repeat(indent + 1)}`)}]`;
    }
    const parts = shown(shape[depth]!).map((i) => (i < 0 ? "..." : render(depth + 1, offset + i * strides[depth]!, indent + 1)));
    const sep = `,${"\n".repeat(shape.length - depth - 1)}${" ".repeat(indent + 1)}`;
    return `[${parts.join(sep)}]`;
  };
  const extras: string[] = [];
  let body: string;
  if (numel === 0) {
    // As PyTorch: the size unless it is (0,), and the dtype unless it is the default float32
    // (an empty tensor has no values to infer it from).
    body = "[]";
    if (shape.length !== 1) extras.push(`size=(${shape.join(", ")})`);
    if (dtype !== "float32") extras.push(`dtype=${dtype}`);
  } else {
    body = render(0, 0, prefix.length);
    if (dtype !== "float32" && dtype !== "int64" && dtype !== "bool") extras.push(`dtype=${dtype}`);
  }
  const gradFn = t.gradFn;
  if (gradFn) extras.push(`grad_fn=<${gradFn}>`);
  else if (t.requiresGrad) extras.push("requires_grad=True");
  return `${prefix}${body}${extras.length ? `, ${extras.join(", ")}` : ""})`;
}
