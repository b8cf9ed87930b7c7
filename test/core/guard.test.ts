// The schema-driven guard (src/core/guard.ts): its schema parser, and that the dims and
// sizes it allows are exactly those valid calls use (unsqueeze/stack at rank r, -1 in
// view, tile) while each crash class is refused with the op and argument named.
import assert from "node:assert/strict";
import { test } from "node:test";
import * as fl from "flambeau";
import { aten } from "../../src/core/aten.js";
import { callT } from "../../src/core/dispatch.js";
import { parseSchema } from "../../src/core/guard.js";

test("parseSchema reads types, optionality and names, skipping '*'", () => {
  const args = parseSchema("aten::sum.dim_IntList(Tensor self, int[1]? dim, bool keepdim=False, *, ScalarType? dtype=None) -> Tensor");
  assert.deepEqual(args, [
    { type: "Tensor", optional: false, name: "self" },
    { type: "int[]", optional: true, name: "dim" },
    { type: "bool", optional: false, name: "keepdim" },
    { type: "ScalarType", optional: true, name: "dtype" },
  ]);
  const alias = parseSchema("aten::as_strided(Tensor(a) self, SymInt[] size, SymInt[] stride, SymInt? storage_offset=None) -> Tensor(a)");
  assert.deepEqual(
    alias.map((a) => `${a.type}${a.optional ? "?" : ""} ${a.name}`),
    ["Tensor self", "int[] size", "int[] stride", "int? storage_offset"],
  );
  assert.deepEqual(parseSchema("aten::max_pool1d(Tensor self, int[1] kernel_size, int[1] padding=[0, 0]) -> Tensor")[2], {
    type: "int[]",
    optional: false,
    name: "padding",
  });
});

test("valid edge calls pass the guard", () => {
  const x = fl.zeros([2, 3]);
  assert.deepEqual(x.unsqueeze(2).shape, [2, 3, 1]);
  assert.deepEqual(x.unsqueeze(-3).shape, [1, 2, 3]);
  assert.deepEqual(fl.stack([x, x], 2).shape, [2, 3, 2]);
  assert.deepEqual(x.view([-1]).shape, [6]);
  assert.deepEqual(callT(aten("tile"), x, [2, 2]).shape, [4, 6]);
  assert.deepEqual(fl.tensor(5).sum({ dim: 0 }).shape, []);
  assert.deepEqual(fl.floorDivide(fl.tensor([-(2n ** 63n) + 1n]), -1).toArray(), [2 ** 63 - 1]);
  assert.deepEqual(fl.zeros([0, 3]).expand([0, 3]).shape, [0, 3]);
});

test("refusals name the ATen op and argument", () => {
  const refuse = (f: () => unknown, re: RegExp) =>
    assert.throws(f, (e: Error) => e instanceof fl.FlambeauError && e.code === "E_ARG" && e.op !== undefined && re.test(e.message));
  refuse(() => callT(aten("cumsum"), fl.zeros([2]), 5, null), /^aten::cumsum: dim 5 is out of range for a tensor of rank 1/);
  refuse(() => callT(aten("view"), fl.zeros([4]), [2 ** 20, 2 ** 20]), /^aten::view: size \[1048576, 1048576\] would describe/);
  refuse(() => callT(aten("pixel_shuffle"), fl.zeros([1, 4, 2, 2]), 0), /^aten::pixel_shuffle: upscale_factor must be in \[1, /);
  refuse(() => callT(aten("mse_loss"), fl.zeros([2]), fl.zeros([2]), 3), /^aten::mse_loss: reduction must be in \[0, 2\], got 3/);
});
