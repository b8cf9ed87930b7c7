// Name coverage of torch.nn and torch.optim: how many of PyTorch 1.13's public functional
// ops, modules, optimizers and LR schedulers (listed with their exclusions by
// scripts/fixtures/nn_names.py in test/fixtures/nn/api-names.json) exist in fl.nn.functional,
// fl.nn and fl.optim. Fails when a surface drops below its floor (api-coverage-floor.json).
import assert from "node:assert/strict";
import { test } from "node:test";
import * as fl from "flambeau";
import { readFixture } from "../helpers/fixtures.js";

type Surface = "functional" | "modules" | "optimizers" | "schedulers";
interface Names {
  surfaces: Record<Surface, string[]>;
  excluded: Record<string, { reason: string; names: string[] }>;
}
const names = readFixture<Names>("nn", "api-names.json");
const floor = readFixture<Record<Surface, number>>("nn", "api-coverage-floor.json");

const LABEL: Record<Surface, string> = {
  functional: "`nn.functional`",
  modules: "`nn` modules (not `Lazy*`)",
  optimizers: "optimizers",
  schedulers: "LR schedulers",
};
const HOLDERS: Record<Surface, object> = { functional: fl.nn.functional, modules: fl.nn, optimizers: fl.optim, schedulers: fl.optim };
const has = (s: Surface, name: string): boolean => typeof (HOLDERS[s] as Record<string, unknown>)[name] === "function";

test("PyTorch's torch.nn and torch.optim names exist in Flambeau (coverage at or above the floor)", () => {
  const rows = ["| surface | Flambeau has | PyTorch 1.13 names | coverage | floor |", "|---|---|---|---|---|"];
  const missing: string[] = [];
  for (const s of Object.keys(LABEL) as Surface[]) {
    const all = names.surfaces[s];
    const present = all.filter((n) => has(s, n));
    rows.push(`| ${LABEL[s]} | ${present.length} | ${all.length} | ${((100 * present.length) / all.length).toFixed(1)} % | ${floor[s]} |`);
    missing.push(`${s}: ${all.filter((n) => !has(s, n)).join(", ")}`);
    assert.ok(present.length >= floor[s], `${s}: ${present.length} names present, below the floor of ${floor[s]}`);
  }
  console.log(`${rows.join("\n")}\n\nmissing:\n${missing.join("\n")}`);
});

test("every nn exclusion states its reason", () => {
  for (const [cat, { reason, names: ns }] of Object.entries(names.excluded)) assert.ok(reason.length > 10 && ns.length > 0, cat);
});
