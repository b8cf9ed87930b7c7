// The surface generated from ATen's schemas (scripts/gen-api.py): (a) the committed files are
// what the generator writes today, (b) a sample of generated ops gives PyTorch's numbers
// (test/fixtures/core/api-values.json, written by `gen-api.py --values`), (c) bad arguments
// raise a FlambeauError that names the op, the argument and the overloads.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import * as fl from "flambeau";
import { assertClose, FIXTURES, fromJson, readFixture, type TensorJson } from "../helpers/fixtures.js";

const ROOT = join(FIXTURES, "..", "..");
const PYTHONS = ["/usr/bin/python3", "python3"];
const python = PYTHONS.find((py) => spawnSync(py, ["-c", "import torch"], { stdio: "ignore", timeout: 60_000 }).status === 0);

describe("the committed generated files are fresh", () => {
  test("re-running scripts/gen-api.py changes nothing", {
    skip: python === undefined ? "no python3 can `import torch` (apt install python3-torch)" : false,
  }, () => {
    const out = mkdtempSync(join(tmpdir(), "flambeau-gen-api-"));
    try {
      const r = spawnSync(python!, [join(ROOT, "scripts", "gen-api.py"), "--out", out], { encoding: "utf8", timeout: 300_000 });
      assert.equal(r.status, 0, `gen-api.py failed:\n${r.stdout}\n${r.stderr}`);
      const committed = readdirSync(join(ROOT, "src", "core", "generated")).filter((f) => f !== "bind.ts");
      const fresh = readdirSync(join(out, "src", "core", "generated"));
      assert.deepEqual(
        fresh.sort(),
        committed.sort(),
        "the generated file list differs: regenerate with /usr/bin/python3 scripts/gen-api.py",
      );
      for (const rel of [...fresh.map((f) => join("src", "core", "generated", f)), join("test", "fixtures", "core", "api-names.json")])
        assert.ok(
          readFileSync(join(out, rel), "utf8") === readFileSync(join(ROOT, rel), "utf8"),
          `${rel} differs from the generator's output: regenerate with /usr/bin/python3 scripts/gen-api.py`,
        );
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});

interface Values {
  inputs: Record<"a" | "b" | "v" | "p", TensorJson>;
  outputs: Record<string, TensorJson>;
}
const values = readFixture<Values>("core", "api-values.json");

describe("generated ops give PyTorch's values", () => {
  const a = fromJson(values.inputs.a);
  const b = fromJson(values.inputs.b);
  const v = fromJson(values.inputs.v);
  const p = fromJson(values.inputs.p);
  const f64 = (x: number[]) => fl.tensor(x, { dtype: "float64" });
  const real = (t: fl.Tensor) => fl.viewAsReal(t.resolveConj()); // complex results are compared as (re, im) pairs
  // One row per fixture entry: the Flambeau call that must match PyTorch's output.
  const CALLS: Record<string, () => fl.Tensor> = {
    erf: () => a.erf(),
    erfc: () => fl.erfc(a),
    "cumprod dim 1": () => a.cumprod(1),
    "diag of a matrix": () => a.diag(),
    "diag of a vector, diagonal 1": () => fl.diag(v, { diagonal: 1 }),
    "fmod scalar (method)": () => a.fmod(1.5),
    "fmod tensor (method)": () => a.fmod(f64([1, 0.75, 2])),
    "floorDivide scalar (method)": () => a.floorDivide(0.75),
    "remainder scalar (function)": () => fl.remainder(a, -0.75),
    "linalg.det": () => fl.linalg.det(a),
    "linalg.inv": () => fl.linalg.inv(a),
    "linalg.solve": () => fl.linalg.solve(a, b),
    "linalg.norm": () => fl.linalg.norm(a),
    "linalg.norm fro": () => fl.linalg.norm(a, "fro"),
    "linalg.norm dim 1": () => fl.linalg.norm(a, { dim: 1 }),
    "linalg.norm ord 1 dim 0": () => fl.linalg.norm(a, 1, 0),
    "fft.fft": () => real(fl.fft.fft(v)),
    "fft.rfft": () => real(fl.fft.rfft(v)),
    "fft.ifft norm ortho": () => real(fl.fft.ifft(v, { norm: "ortho" })),
    "special.erfcx": () => fl.special.erfcx(a),
    "special.logit": () => fl.special.logit(p),
    "special.logit eps": () => fl.special.logit(p, { eps: 1e-3 }),
    "cos_ in place": () => a.clone().cos_(),
    logcumsumexp: () => fl.logcumsumexp(a, 0),
    "aminmax dim 1: min": () => a.aminmax({ dim: 1 }).min,
    "aminmax dim 1: max": () => fl.aminmax(a, { dim: 1 })[1],
    "var correction 0": () => fl.var(a, 1, { correction: 0 }),
    "addcmul_ value": () => a.clone().addcmul_(a, a, { value: 0.5 }),
  };
  test("every fixture entry has a call", () => {
    assert.deepEqual(Object.keys(CALLS).sort(), Object.keys(values.outputs).sort());
  });
  for (const [name, expected] of Object.entries(values.outputs))
    test(name, () => {
      const got = CALLS[name]!();
      assertClose(got, expected, name, 1e-10, 1e-12);
    });

  test("an in-place op returns the tensor itself and updates it", () => {
    const x = a.clone();
    const r = x.cos_();
    assert.equal(r, x);
    assertClose(x, values.outputs["cos_ in place"]!, "cos_", 1e-12, 1e-12);
  });
  test("named tuple results destructure and carry PyTorch's field names", () => {
    const r = a.aminmax({ dim: 1 });
    const [lo, hi] = r;
    assert.equal(lo, r.min);
    assert.equal(hi, r.max);
  });
  test("a result of type ScalarType comes back as a dtype name", () => {
    assert.equal(fl.resultType(a, 1), "float64");
    assert.equal(fl.resultType(fl.tensor([1, 2], { dtype: "int32" }), 1.5), "float32");
  });
  test("overloads resolve by the JS argument types (Tensor vs Scalar, full vs dim reduction)", () => {
    assert.deepEqual(a.fmod(2).shape, [3, 3]);
    assert.deepEqual(a.fmod(f64([2, 2, 2])).shape, [3, 3]);
    assert.deepEqual(fl.nansum(a).shape, []);
    assert.deepEqual(fl.nansum(a, 1).shape, [3]);
    assert.deepEqual(fl.nansum(a, { dim: [0, 1], keepdim: true }).shape, [1, 1]);
  });
  test("internals are not generated (deny by default)", () => {
    const top = fl as unknown as Record<string, unknown>;
    for (const name of [
      "_addmmActivation",
      "nativeBatchNorm",
      "nativeChannelShuffle",
      "quantizePerTensor",
      "cudnnConvolution",
      "mkldnnConvolution",
    ])
      assert.equal(top[name], undefined, name);
    const proto = fl.Tensor.prototype as unknown as Record<string, unknown>;
    for (const name of ["_values", "qScale", "intRepr", "toSparse", "dataPtr"]) assert.equal(proto[name], undefined, `Tensor.${name}`);
  });
});

describe("bad arguments raise a FlambeauError naming the op, the argument and the overloads", () => {
  const a = fl.tensor(
    [
      [1, 2],
      [3, 4],
    ],
    { dtype: "float64" },
  );
  const refuses = (fn: () => unknown, op: string, pattern: RegExp) =>
    assert.throws(fn, (e: unknown) => {
      assert.ok(e instanceof fl.FlambeauError, `threw ${String(e)}`);
      assert.equal(e.op, op);
      assert.equal(e.code, "E_ARG");
      assert.match(e.message, pattern);
      return true;
    });
  const loose = fl as unknown as Record<string, (...a: unknown[]) => unknown>;
  const NS = { linalg: fl.linalg, fft: fl.fft, special: fl.special };
  const ns = (n: keyof typeof NS) => NS[n] as unknown as Record<string, (...a: unknown[]) => unknown>;
  const method = (t: fl.Tensor, name: string, ...args: unknown[]) =>
    (t as unknown as Record<string, (...a: unknown[]) => unknown>)[name]!(...args);

  test("a number where a Tensor is required", () => refuses(() => loose.erfc!(3), "erfc", /input must be a Tensor, got 3/));
  test("a string where a Tensor or a Scalar is expected lists both overloads", () =>
    refuses(() => method(a, "fmod", "x"), "fmod", /other must be a Tensor, got "x".*\n.*aten::fmod\.Tensor.*\n.*aten::fmod\.Scalar/s));
  test("an unknown option is named", () =>
    refuses(() => ns("linalg").norm!(a, { bogus: 1 }), "linalg.norm", /unknown option bogus[\s\S]*linalg_norm\.ord_str/));
  test("a missing required argument is named", () => refuses(() => ns("linalg").solve!(a), "linalg.solve", /missing required argument B/));
  test("too many positional arguments", () => refuses(() => method(a, "erf", 1), "erf", /takes at most 0 positional arguments, got 1/));
  test("a non-integer where an int is expected", () => refuses(() => method(a, "cumprod", 0.5), "cumprod", /dim must be a safe integer/));
  test("an unknown dtype", () => refuses(() => method(a, "cumprod", 0, { dtype: "float128" }), "cumprod", /dtype must be a dtype/));
  test("a value given both positionally and as an option", () =>
    refuses(() => ns("fft").fft!(a, 2, { n: 2 }), "fft.fft", /n is given both positionally and in the options/));
  test("a wrong element type in a list", () =>
    refuses(() => ns("fft").fftn!(a, { dim: [0, "1"] }), "fft.fftn", /dim must be an integer or an array of integers/));
  test("guard.ts still runs behind generated calls (signed INT_MIN ÷ −1)", () => {
    const min = fl.tensor(BigInt64Array.from([-(2n ** 63n)]), { shape: [1] });
    assert.throws(
      () => min.fmod_(-1),
      (e: unknown) => e instanceof fl.FlambeauError && /integer overflow/.test(e.message),
    );
    assert.throws(
      () => fl.divide(min, fl.tensor(BigInt64Array.from([-1n]), { shape: [1] }), { roundingMode: "trunc" }),
      (e: unknown) => e instanceof fl.FlambeauError && /integer overflow/.test(e.message),
    );
  });
  test("a dim out of range is caught before dispatch", () =>
    assert.throws(
      () => ns("fft").fft!(a, { dim: -(10 ** 12) }),
      (e: unknown) => e instanceof fl.FlambeauError && /out of range/.test(e.message),
    ));
});
