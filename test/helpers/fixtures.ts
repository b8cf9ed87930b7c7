// Reading JSON fixtures written by scripts/fixtures/*.py and comparing tensors with tolerances.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as fl from "flambeau";

export const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..", "test", "fixtures");

export interface TensorJson {
  shape: number[];
  dtype: string;
  data: (number | boolean)[];
}

export function readFixture<T>(...parts: string[]): T {
  return JSON.parse(readFileSync(join(FIXTURES, ...parts), "utf8")) as T;
}

export function fromJson(t: TensorJson): fl.Tensor {
  const shape = t.shape;
  switch (t.dtype) {
    case "int64":
      return fl.tensor(
        BigInt64Array.from(t.data as number[], (v) => BigInt(v)),
        { shape },
      );
    case "bool":
      return fl
        .tensor(
          Uint8Array.from(t.data as boolean[], (v) => (v ? 1 : 0)),
          { shape },
        )
        .to("bool");
    case "float64":
      return fl.tensor(Float64Array.from(t.data as number[]), { shape });
    default:
      return fl.tensor(Float32Array.from(t.data as number[]), { shape });
  }
}

export function stateFromJson(s: Record<string, TensorJson>): Map<string, fl.Tensor> {
  return new Map(Object.entries(s).map(([k, v]) => [k, fromJson(v)]));
}

/** Asserts same shape and |a − b| ≤ atol + rtol·|b| elementwise, naming the worst element. */
export function assertClose(actual: fl.Tensor, expected: TensorJson | fl.Tensor, what: string, rtol = 1e-4, atol = 1e-5): void {
  const e = expected instanceof fl.Tensor ? expected : fromJson(expected);
  assert.deepEqual([...actual.shape], [...e.shape], `${what}: shape`);
  const a = Array.from(actual.to("float64").data() as Float64Array);
  const b = Array.from(e.to("float64").data() as Float64Array);
  let worst = -1;
  let excess = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i]! - b[i]!) - (atol + rtol * Math.abs(b[i]!));
    if (d > excess || Number.isNaN(a[i]!) !== Number.isNaN(b[i]!)) {
      excess = Number.isNaN(d) ? Number.POSITIVE_INFINITY : d;
      worst = i;
    }
  }
  assert.ok(worst < 0, `${what}: element ${worst} is ${a[worst]}, expected ${b[worst]}`);
}
