import assert from "node:assert/strict";
import { test } from "node:test";
import * as fl from "flambeau";
import { hog } from "../../src/vision/features/hog.js";
import { assertClose, fromJson, readFixture, type TensorJson } from "../helpers/fixtures.js";

interface Case {
  images: TensorJson;
  options: { orientations?: number; pixels_per_cell?: [number, number]; cells_per_block?: [number, number]; block_norm?: string };
  expected: TensorJson;
}

const uint8 = (t: TensorJson) => fl.tensor(Uint8Array.from(t.data as number[]), { shape: t.shape });

test("hog equals scikit-image's feature.hog (grayscale items, RGB photo; L2-Hys, L1, L2; odd cell shapes)", () => {
  for (const [i, c] of readFixture<Case[]>("features", "hog.json").entries()) {
    const o = c.options;
    const got = hog(uint8(c.images), {
      orientations: o.orientations,
      pixelsPerCell: o.pixels_per_cell,
      cellsPerBlock: o.cells_per_block,
      blockNorm: o.block_norm as "L2-Hys" | undefined,
    });
    assertClose(got, fromJson(c.expected), `hog case ${i}`, 1e-4, 2e-5);
  }
});

test("hog rejects images too small for one block and bad options", () => {
  assert.throws(() => hog(fl.zeros([1, 1, 6, 6])), /6×6 images hold 0×0 cells/);
  assert.throws(() => hog(fl.zeros([1, 28, 28])), /expected images \[B, C, H, W\]/);
  assert.throws(() => hog(fl.zeros([1, 1, 28, 28]), { orientations: 0 }), /orientations must be a positive integer/);
});
