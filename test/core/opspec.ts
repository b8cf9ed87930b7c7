// Writes test/fixtures/core/opspec.json: the table's PyTorch rows with concrete inputs
// (seeded, independent of libtorch's RNG). scripts/fixtures/ops.py turns it into ops.json.
// Run: node dist/test/core/opspec.js && /usr/bin/python3 scripts/fixtures/ops.py
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { FIXTURES } from "../helpers/fixtures.js";
import { type InputSpec, OPS } from "./opinfo.js";

export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function sampleInput(spec: InputSpec, r: () => number): { shape: number[]; dtype: string; data: number[] } {
  const n = spec.shape.reduce((a, b) => a * b, 1);
  const kind = spec.kind ?? "normal";
  const data: number[] = [];
  for (let i = 0; i < n; i++) {
    const u = r();
    if (kind.startsWith("index:")) data.push(Math.floor(u * Number(kind.slice(6))));
    else if (kind.startsWith("value:")) data.push(Number(kind.slice(6)));
    else if (kind === "positive") data.push(Number((0.2 + 2 * u).toFixed(4)));
    else if (kind === "unit" || kind === "probs") data.push(Number((kind === "unit" ? 1.8 * u - 0.9 : 0.05 + 0.9 * u).toFixed(4)));
    else data.push(Number((Math.sqrt(-2 * Math.log(1 - u)) * Math.cos(2 * Math.PI * r())).toFixed(4)));
  }
  return { shape: spec.shape, dtype: kind.startsWith("index:") || kind.startsWith("value:") ? "int64" : "float32", data };
}

export function specRows() {
  return OPS.filter((o) => o.torch).map((o, k) => {
    const r = rng(1000 + k);
    return { name: o.name, torch: o.torch, differentiable: o.differentiable, inputs: o.inputs.map((s) => sampleInput(s, r)) };
  });
}

if (process.argv[1]?.endsWith("opspec.js")) {
  writeFileSync(join(FIXTURES, "core", "opspec.json"), JSON.stringify(specRows()));
  console.log(`wrote ${specRows().length} rows`);
}
