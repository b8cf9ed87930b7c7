// Printing tensors the way PyTorch does: aligned columns, 4 decimals or scientific
// notation, integral floats as "1.", summarised with "..." past 1000 elements.
import type { Tensor } from "./tensor.js";

const THRESHOLD = 1000;
const EDGE = 3;

function formatter(values: number[], floating: boolean): (v: number) => string {
  if (!floating) return (v) => String(v);
  const finite = values.filter((v) => Number.isFinite(v));
  const absNz = finite.map(Math.abs).filter((v) => v > 0);
  const allInt = finite.every((v) => Number.isInteger(v));
  const max = absNz.length ? Math.max(...absNz) : 0;
  const min = absNz.length ? Math.min(...absNz) : 0;
  const fmtSpecial = (v: number) => (Number.isNaN(v) ? "nan" : v > 0 ? "inf" : "-inf");
  if (allInt && max < 1e8) return (v) => (Number.isFinite(v) ? `${v.toFixed(0)}.` : fmtSpecial(v));
  if (max / Math.max(min, Number.MIN_VALUE) > 1000 || max > 1e8 || (min > 0 && min < 1e-4)) {
    return (v) => {
      if (!Number.isFinite(v)) return fmtSpecial(v);
      const [m, e] = v.toExponential(4).split("e");
      const exp = Number(e);
      return `${m}e${exp < 0 ? "-" : "+"}${String(Math.abs(exp)).padStart(2, "0")}`;
    };
  }
  return (v) => (Number.isFinite(v) ? v.toFixed(4) : fmtSpecial(v));
}

export function formatTensor(t: Tensor): string {
  const dtype = t.dtype;
  const shape = t.shape;
  const numel = t.numel;
  let flat: number[];
  if (dtype === "float16" || dtype === "bfloat16") {
    const f = t.to("float32");
    flat = Array.from(f.data() as Float32Array);
    f.dispose();
  } else {
    flat = Array.from(t.data() as ArrayLike<number | bigint>, Number);
  }
  const floating = dtype.startsWith("float") || dtype === "bfloat16";
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
  const visible: number[] = [];
  const walk = (depth: number, offset: number): void => {
    if (depth === shape.length) {
      visible.push(flat[offset]!);
      return;
    }
    for (const i of shown(shape[depth]!)) if (i >= 0) walk(depth + 1, offset + i * strides[depth]!);
  };
  walk(0, 0);
  const fmt = dtype === "bool" ? (v: number) => (v ? "True" : "False") : formatter(visible, floating);
  const width = Math.max(1, ...visible.map((v) => fmt(v).length));
  const prefix = "tensor(";
  const LINE_WIDTH = 80;
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
  let body = numel === 0 && shape.length > 0 ? "[]" : render(0, 0, prefix.length);
  if (numel === 0 && shape.length > 1) body = `[], size=(${shape.join(", ")})`;
  const extras: string[] = [];
  if (dtype !== "float32" && dtype !== "int64" && dtype !== "bool") extras.push(`dtype=${dtype}`);
  const gradFn = t.gradFn;
  if (gradFn) extras.push(`grad_fn=<${gradFn}>`);
  else if (t.requiresGrad) extras.push("requires_grad=True");
  return `${prefix}${body}${extras.length ? `, ${extras.join(", ")}` : ""})`;
}
