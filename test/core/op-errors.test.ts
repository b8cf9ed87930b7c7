// The op table's error samples (OpRow.errors): inputs each op must refuse with a
// FlambeauError that names the op and matches the row's pattern. These are inputs
// libtorch rejects cleanly or that src/core validates, so they run in this process.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import * as fl from "flambeau";
import { fromJson } from "../helpers/fixtures.js";
import { OPS } from "./opinfo.js";
import { rng, sampleInput } from "./opspec.js";

describe("op table: inputs that must fail", () => {
  for (const row of OPS)
    (row.errors ?? []).forEach((sample, k) =>
      test(`${row.name} #${k}: ${sample.message.source}`, () => {
        const r = rng(2000 + k);
        const ins = sample.inputs.map((s) => fromJson(sampleInput(s, r)));
        assert.throws(
          () => row.fl(...ins),
          (e: unknown) => {
            assert.ok(e instanceof fl.FlambeauError, `${row.name}: threw ${String(e)}`);
            assert.ok(e.op, `${row.name}: the error names no op: ${e.message}`);
            assert.match(e.message, sample.message);
            return true;
          },
        );
      }),
    );
  test("at least 40 rows list error samples", () => {
    assert.ok(OPS.filter((o) => o.errors?.length).length >= 40);
  });
});
