// Parameter importance (paramImportances): the variance share each parameter explains alone,
// normalised to 1 — checked on trials whose value depends on one parameter only, on a
// categorical parameter, against the correlation ratio computed by hand, and on studies with
// too few completed trials or no variance.
import assert from "node:assert/strict";
import { test } from "node:test";
import * as fl from "flambeau";

type Trial = Parameters<typeof fl.learn.tune.paramImportances>[0][number];
const trial = (number: number, params: Record<string, unknown>, value: number, state = "complete"): Trial =>
  ({ number, params, value, state, intermediate: {} }) as Trial;

test("importance: the parameter the value depends on takes almost all of it", () => {
  const trials = Array.from({ length: 24 }, (_, i) => {
    const lr = 10 ** (-4 + (3 * ((i * 7) % 24)) / 23);
    const width = 8 + ((i * 5) % 24);
    return trial(i, { lr, width }, -Math.abs(Math.log10(lr) + 2.5));
  });
  const imp = fl.learn.tune.paramImportances(trials);
  assert.deepEqual(Object.keys(imp), ["lr", "width"]);
  assert.ok(imp.lr! > 0.85, `lr ${imp.lr}`);
  assert.ok(Math.abs(imp.lr! + imp.width! - 1) < 1e-12);
});

test("importance: a categorical parameter is grouped by value; η² as computed by hand", () => {
  // model a: 0.8, 0.9; model b: 0.5, 0.6 → between-group SS 2·(0.85−0.7)² + 2·(0.55−0.7)² = 0.09,
  // total SS 0.09 + 4·0.0025 = 0.1: η²(model) = 0.9. dropout (0.1, 0.2, 0.1, 0.2 in 2 bins of
  // sorted values: {0.1, 0.1} → 0.8, 0.5; {0.2, 0.2} → 0.9, 0.6) explains 2·0.05² · 2 = 0.01: η² 0.1.
  const trials = [
    trial(0, { model: "a", dropout: 0.1 }, 0.8),
    trial(1, { model: "a", dropout: 0.2 }, 0.9),
    trial(2, { model: "b", dropout: 0.1 }, 0.5),
    trial(3, { model: "b", dropout: 0.2 }, 0.6),
    trial(4, { model: "c" }, 0.7, "pruned"),
  ];
  const imp = fl.learn.tune.paramImportances(trials);
  assert.ok(Math.abs(imp.model! - 0.9) < 1e-9, `model ${imp.model}`);
  assert.ok(Math.abs(imp.dropout! - 0.1) < 1e-9, `dropout ${imp.dropout}`);
});

test("importance: undecidable studies give {}", () => {
  assert.deepEqual(fl.learn.tune.paramImportances([trial(0, { lr: 1 }, 0.5), trial(1, { lr: 2 }, 0.6)]), {});
  assert.deepEqual(fl.learn.tune.paramImportances([0, 1, 2].map((i) => trial(i, { lr: i }, 0.5))), {});
  assert.equal(fl.learn.tune.importanceSvg({}), "");
  assert.match(fl.learn.tune.importanceSvg({ lr: 0.7, width: 0.3 }), /<svg[^>]*aria-label="parameter importance".*lr.*0\.70/s);
});
