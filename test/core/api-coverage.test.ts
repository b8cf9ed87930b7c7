// Name coverage: how many of PyTorch 1.13's public names (per surface, camelCased, those that
// apply to dense CPU tensors; the list and its exclusions are written by scripts/gen-api.py into
// test/fixtures/core/api-names.json) exist on Flambeau's surface. Fails when a surface drops
// below its committed floor (api-coverage-floor.json); raise the floor when coverage grows.
import assert from "node:assert/strict";
import { test } from "node:test";
import * as fl from "flambeau";
import { readFixture } from "../helpers/fixtures.js";

type Surface = "tensor" | "torch" | "linalg" | "fft" | "special";
interface Names {
  pytorch: string;
  surfaces: Record<Surface, string[]>;
  excluded: Record<string, { reason: string; names: string[] }>;
}
const names = readFixture<Names>("core", "api-names.json");
const floor = readFixture<Record<Surface, number>>("core", "api-coverage-floor.json");

const LABEL: Record<Surface, string> = {
  tensor: "`Tensor` methods",
  torch: "`torch.*` functions",
  linalg: "`torch.linalg`",
  fft: "`torch.fft`",
  special: "`torch.special`",
};

const HOLDERS: Record<Surface, object> = { tensor: fl.Tensor.prototype, torch: fl, linalg: fl.linalg, fft: fl.fft, special: fl.special };
const has = (surface: Surface, name: string): boolean => name in HOLDERS[surface];

test("PyTorch's public names exist on Flambeau's surface (coverage at or above the floor)", () => {
  const rows: string[] = ["| surface | Flambeau has | PyTorch 1.13 names (dense CPU) | coverage | floor |", "|---|---|---|---|---|"];
  const missing: string[] = [];
  for (const s of Object.keys(LABEL) as Surface[]) {
    const all = names.surfaces[s];
    const present = all.filter((n) => has(s, n));
    rows.push(`| ${LABEL[s]} | ${present.length} | ${all.length} | ${((100 * present.length) / all.length).toFixed(1)} % | ${floor[s]} |`);
    missing.push(`${s}: ${all.filter((n) => !has(s, n)).join(", ")}`);
  }
  console.log(`${rows.join("\n")}\n\nmissing:\n${missing.join("\n")}`);
  for (const s of Object.keys(LABEL) as Surface[]) {
    const present = names.surfaces[s].filter((n) => has(s, n)).length;
    assert.ok(present >= floor[s], `${s}: ${present} names present, below the floor of ${floor[s]}`);
  }
});

test("every exclusion category states its reason", () => {
  for (const [cat, { reason, names: ns }] of Object.entries(names.excluded)) {
    assert.ok(reason.length > 10, cat);
    assert.ok(ns.length > 0, cat);
  }
});
