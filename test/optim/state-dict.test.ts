// Optimizer state dicts: PyTorch's layout and key names, a round trip that continues exactly
// as an uninterrupted run (the PyTorch trajectory), JSON-safe groups, checked loading.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as fl from "flambeau";
import { assertClose, build, flat, optFixture as fx, gradsAt, makeParams } from "./helpers.js";

describe("optimizer stateDict / loadStateDict", () => {
  for (const c of fx.cases) {
    it(`${c.name}: resumed run equals PyTorch's uninterrupted run`, () => {
      const a = build(c);
      for (let k = 0; k < 2; k++) {
        gradsAt(c, a.params, k);
        a.opt.step();
      }
      const sd = a.opt.stateDict();
      // PyTorch's key names, in state and in groups.
      assert.deepEqual(Object.keys(sd.paramGroups[0]!).sort(), c.groupKeys);
      for (const [i, keys] of Object.entries(c.stateKeys))
        assert.deepEqual([...(sd.state.get(Number(i))?.keys() ?? [])].sort(), keys, `state ${i}`);
      // Group options survive JSON (the checkpoint writer stores them so).
      const groups = JSON.parse(JSON.stringify(sd.paramGroups)) as typeof sd.paramGroups;
      assert.deepEqual(groups, sd.paramGroups);

      const b = build(c, a.params.map(flat));
      const countTensors = (state: Iterable<Map<string, unknown>>) =>
        [...state].flatMap((s) => [...s.values()]).filter((v) => v instanceof fl.Tensor).length;
      const live = fl.memory().liveTensors - countTensors(b.opt.state.values()); // Adagrad's state exists from the start
      b.opt.loadStateDict({ state: sd.state, paramGroups: groups });
      assert.equal(
        fl.memory().liveTensors,
        live + countTensors(sd.state.values()),
        "loading copies each state tensor once and frees the old",
      );
      a.opt.dispose();
      for (let k = 2; k < c.params.length; k++) {
        gradsAt(c, b.params, k);
        b.opt.step();
        b.params.forEach((p, i) => assertClose(flat(p), c.params[k]![i]!, 1e-6, 0, `${c.name} resumed step ${k} param ${i}`));
      }
      b.opt.dispose();
      // Undisposed garbage would be freed by GC at random times and disturb the counts of later cases.
      fl.dispose([a.params, b.params]);
    });
  }

  it("loading replaces group options and casts state to the parameter dtype", () => {
    const c = fx.cases.find((x) => x.name === "adam-amsgrad-wd")!;
    const a = build(c);
    gradsAt(c, a.params, 0);
    a.opt.step();
    a.opt.paramGroups[0]!.lr = 0.5;
    const params64 = a.params.map((p) => fl.tidy(() => new fl.nn.Parameter(p.to("float64"))));
    const b = new fl.optim.Adam(params64);
    b.loadStateDict(a.opt.stateDict());
    assert.equal(b.paramGroups[0]!.lr, 0.5);
    assert.equal(b.paramGroups[0]!.amsgrad, true);
    assert.deepEqual(b.paramGroups[0]!.betas, [0.8, 0.95]);
    assert.equal(b.paramGroups[0]!.params[0], params64[0]);
    const s = b.state.get(params64[0]!)!;
    assert.equal(s.get("step"), 1);
    assert.equal((s.get("exp_avg") as fl.Tensor).dtype, "float64");
    a.opt.dispose();
    b.dispose();
    fl.dispose([a.params, params64]);
  });

  it("loading the same dict twice leaves it usable, and frees the replaced state", () => {
    const c = fx.cases.find((x) => x.name === "adam")!;
    const a = build(c);
    gradsAt(c, a.params, 0);
    a.opt.step();
    const sd = a.opt.stateDict();
    a.opt.loadStateDict(sd); // sd holds the current state tensors: they must survive
    const live = fl.memory().liveTensors;
    a.opt.loadStateDict(sd); // the copies made by the first load are freed
    assert.equal(fl.memory().liveTensors, live);
    a.opt.dispose();
    fl.dispose(a.params);
  });

  it("rejects dicts that do not fit", () => {
    const c = fx.cases.find((x) => x.name === "adam-groups")!;
    const a = build(c);
    gradsAt(c, a.params, 0);
    a.opt.step();
    const sd = a.opt.stateDict();
    const one = new fl.optim.Adam(makeParams(fx.init, fx.shapes));
    assert.throws(() => one.loadStateDict(sd), /2 parameter groups, this optimizer 1/);
    const swapped = makeParams([fx.init[1]!, fx.init[0]!], [fx.shapes[1]!, fx.shapes[0]!]);
    const other = new fl.optim.Adam([{ params: [swapped[0]!] }, { params: [swapped[1]!] }]);
    assert.throws(() => other.loadStateDict(sd), /state "exp_avg" of parameter 0 has shape \[3, 4\], the parameter \[4\]/);
    const bad = { ...sd, paramGroups: sd.paramGroups.map((g) => ({ ...g, lr: -1 })) };
    assert.throws(() => a.opt.loadStateDict(bad), /lr .*got -1/);
  });
});
