// The Python-level functions of torch.* written by hand in Flambeau (torch/_lowrank.py,
// torch.functional, torch.nn.functional): values against PyTorch 1.13
// (scripts/fixtures/torch_forms.py), PyTorch's return shapes (named tuples as objects, plain
// tuples as arrays), the variadic forms, and a FlambeauError naming the op and the argument for
// bad input. The OpInfo replay (opinfo-db.test.ts) covers the rest of their samples.
import assert from "node:assert/strict";
import { test } from "node:test";
import * as fl from "flambeau";
import { assertClose, fromJson, readFixture, type TensorJson } from "../helpers/fixtures.js";

const F = fl.nn.functional;
const ref = readFixture<Record<string, TensorJson | TensorJson[]>>("core", "torch-forms.json");
const one = (k: string): TensorJson => ref[k] as TensorJson;
const many = (k: string): TensorJson[] => ref[k] as TensorJson[];
const close = (a: fl.Tensor, e: TensorJson, what: string) => assertClose(a, e, what, 1e-9, 1e-9);
const matrix = (rows: number, cols: number, f: (i: number, j: number) => number): fl.Tensor =>
  fl.tensor(
    Array.from({ length: rows }, (_, i) => Array.from({ length: cols }, (_, j) => f(i, j))),
    { dtype: "float64" },
  );
/** The rank-3 20 × 8 matrix of torch_forms.py. */
const lowRank = (): fl.Tensor =>
  matrix(20, 3, (i, j) => ((i * 7 + j * 3) % 11) - 5).matmul(matrix(3, 8, (i, j) => ((i * 5 + j * 2) % 7) - 3));
const reconstruct = (U: fl.Tensor, S: fl.Tensor, V: fl.Tensor): fl.Tensor => U.mul(S).matmul(V.mT);

test("svdLowrank and pcaLowrank: PyTorch's numbers after the same seed, and what does not depend on it", () => {
  fl.tidy(() => {
    const A = lowRank();
    close(A, one("A"), "A");
    const cases: [string, () => fl.Tensor[]][] = [
      ["svd_lowrank", () => fl.svdLowrank(A, 5)],
      ["svd_lowrank_wide", () => fl.svdLowrank(A.mT, { q: 4, niter: 1 })],
      ["svd_lowrank_M", () => fl.svdLowrank(A, 4, null, A.mean({ dim: -2, keepdim: true }).expand([20, 8]))],
      ["pca_lowrank", () => fl.pcaLowrank(A, { q: 4 })],
      ["pca_lowrank_uncentred", () => fl.pcaLowrank(A, null, false)],
    ];
    for (const [name, run] of cases) {
      fl.manualSeed(7);
      const out = run();
      assert.equal(out.length, 3, `${name}: [U, S, V]`);
      // A has rank 3: the columns past the third belong to zero singular values, and which null-space
      // basis the subspace iteration lands on depends on the BLAS kernels of the CPU (they differed
      // on an AVX-512 bf16/VNNI machine from the fixtures' one); the leading three are determined.
      const lead = (t: fl.Tensor, i: number) => (i === 1 ? t.narrow(0, 0, 3) : t.narrow(-1, 0, 3));
      many(name).forEach((e, i) => assertClose(lead(out[i] as fl.Tensor, i), lead(fromJson(e), i), `${name}[${i}]`, 1e-9, 1e-9));
    }
    // Seed-independent: A has rank 3 ≤ q, so U diag(S) Vᵀ is A and S holds its singular values.
    fl.manualSeed(123);
    const [U, S, V] = fl.svdLowrank(A, 5);
    assertClose(reconstruct(U, S, V), A, "svdLowrank reconstruction", 1e-9, 1e-9);
    assertClose(S.narrow(0, 0, 3), fromJson(one("svdvals")).narrow(0, 0, 3), "svdLowrank singular values", 1e-9, 1e-9);
    const [pu, ps, pv] = fl.pcaLowrank(A, 4);
    const centred = A.sub(A.mean({ dim: 0, keepdim: true }));
    assertClose(reconstruct(pu, ps, pv), centred, "pcaLowrank reconstruction", 1e-9, 1e-9);
  });
});

test("lu: [LU, pivots], or { LU, pivots, info } with getInfos, as torch.lu", () => {
  fl.tidy(() => {
    const B = matrix(4, 4, (i, j) => ((i * 3 + j * 5) % 7) - 2.5);
    const [LU, pivots] = fl.lu(B);
    close(LU, many("lu")[0]!, "LU");
    assert.deepEqual(Array.from(pivots.data() as Int32Array), many("lu")[1]!.data);
    const r = B.unsqueeze(0).expand([2, 4, 4]).lu({ getInfos: true });
    assert.deepEqual(Object.keys(r), ["LU", "pivots", "info"]);
    close(r.LU, many("lu_infos")[0]!, "batched LU");
    assert.deepEqual(Array.from(r.info.data() as Int32Array), [0, 0]);
  });
});

test("fractional max pooling with given samples; returnIndices gives [output, indices]", () => {
  fl.tidy(() => {
    const P = fl
      .arange(2 * 7 * 7, { dtype: "float64" })
      .reshape([1, 2, 7, 7])
      .sin();
    const samples = fl.tensor(
      [
        [
          [0.3, 0.7],
          [0.9, 0.1],
        ],
      ],
      { dtype: "float64" },
    );
    const [o, i] = F.fractionalMaxPool2d(P, 2, { outputSize: 3, returnIndices: true, randomSamples: samples });
    close(o, many("fractional_max_pool2d")[0]!, "fractionalMaxPool2d");
    assert.deepEqual(Array.from(i.data() as BigInt64Array, Number), many("fractional_max_pool2d")[1]!.data);
    const Q = fl
      .arange(2 * 6 * 5 * 4, { dtype: "float64" })
      .reshape([2, 6, 5, 4])
      .cos();
    const s3 = fl.tensor(
      [
        [
          [0.25, 0.5, 0.75],
          [0, 0.4, 0.99],
        ],
      ],
      { dtype: "float64" },
    );
    close(F.fractionalMaxPool3d(Q, [2, 2, 1], null, 0.5, false, s3) as fl.Tensor, one("fractional_max_pool3d"), "fractionalMaxPool3d");
  });
});

test("upsampleBilinear and upsampleNearest are interpolate with PyTorch's fixed modes", () => {
  fl.tidy(() => {
    const U4 = fl
      .arange(2 * 3 * 4 * 4, { dtype: "float64" })
      .reshape([2, 3, 4, 4])
      .sqrt();
    close(F.upsampleBilinear(U4, { scaleFactor: 1.7 }), one("upsample_bilinear"), "upsampleBilinear");
    close(F.upsampleNearest(U4.select(0, 0), 7), one("upsample_nearest"), "upsampleNearest");
  });
});

test("return shapes: named tuples as objects with PyTorch's field names, plain tuples as arrays", () => {
  fl.tidy(() => {
    const x = fl.tensor([3, 1, 3, 2], { dtype: "float64" });
    assert.ok(fl.unique(x) instanceof fl.Tensor);
    const [values, inverse, counts] = fl.unique(x, { returnInverse: true, returnCounts: true });
    assert.deepEqual(
      [values.toArray(), inverse.toArray(), counts.toArray()],
      [
        [1, 2, 3],
        [2, 0, 2, 1],
        [1, 1, 2],
      ],
    );
    assert.equal(fl.uniqueConsecutive(x, { returnCounts: true }).length, 2);
    assert.deepEqual(Object.keys(fl.sort(x)), ["values", "indices"]);
    assert.deepEqual(Object.keys(fl.svd(matrix(3, 2, (i, j) => i + 2 * j))), ["U", "S", "V"]);
    assert.deepEqual(
      fl.nonzero(x.sub(3), { asTuple: true }).map((t) => t.toArray()),
      [[1, 3]],
    );
    const m = fl.arange(16, { dtype: "float64" }).reshape([1, 1, 4, 4]);
    const [pooled, idx] = F.maxPool2d(m, 2, { returnIndices: true });
    assert.deepEqual(F.maxUnpool2d(pooled, idx, 2).shape, [1, 1, 4, 4]);
    assert.equal(F.adaptiveMaxPool2d(m, 2, true).length, 2);
  });
});

test("variadic tensors, matrix views and PyTorch's argument forms", () => {
  fl.tidy(() => {
    const a = fl.tensor([1, 2], { dtype: "float64" });
    const b = fl.tensor([3, 4, 5], { dtype: "float64" });
    const same = (x: fl.Tensor[], y: fl.Tensor[]) =>
      assert.deepEqual(
        x.map((t) => t.toArray()),
        y.map((t) => t.toArray()),
      );
    same(fl.meshgrid(a, b), fl.meshgrid([a, b]));
    same(fl.meshgrid(a, b, { indexing: "xy" }), fl.meshgrid([a, b], { indexing: "xy" }));
    same([fl.blockDiag(a.unsqueeze(0), b.unsqueeze(0))], [fl.blockDiag([a.unsqueeze(0), b.unsqueeze(0)])]);
    same([fl.cartesianProd(a, b)], [fl.cartesianProd([a, b])]);
    same(fl.broadcastTensors(a.unsqueeze(1), b), fl.broadcastTensors([a.unsqueeze(1), b]));
    same(fl.atleast2d(a, b), [a.unsqueeze(0), b.unsqueeze(0)]);
    assert.deepEqual(fl.broadcastShapes([5, 1], 5), [5, 5]);
    const m = fl.arange(6, { dtype: "float64" }).reshape([2, 3]);
    same([m.H, m.mH, m.mT], [m.t(), m.t(), m.t()]);
    const s = fl.full([], 2);
    same([s.mT, s.H], [s, s]);
    same([m.sumToSize(1, 3)], [m.sumToSize([1, 3])]);
    same(
      [
        fl.tensordot(m, m, [
          [0, 1],
          [0, 1],
        ]),
      ],
      [fl.tensordot(m, m, 2)],
    );
    same(fl.gradient(m, { spacing: [2, 0.5] }), [fl.gradient(m, { spacing: 2, dim: 0 })[0]!, fl.gradient(m, { spacing: 0.5, dim: 1 })[0]!]);
    same([fl.arange(false, true, true, { dtype: "float64" })], [fl.tensor([0], { dtype: "float64" })]);
  });
});

test("bad arguments are FlambeauErrors naming the op and the argument", () => {
  fl.tidy(() => {
    const m = fl.ones([4, 4], { dtype: "float64" });
    const img = fl.ones([1, 2, 6, 6], { dtype: "float64" });
    const cases: [() => unknown, RegExp][] = [
      [() => fl.svdLowrank(m, 5), /svdLowrank: q must be in \[0, 4\]/],
      [() => fl.svdLowrank(fl.ones([4]), 1), /svdLowrank: A must be a \(batch of\) matrices/],
      [() => fl.svdLowrank(m, 2, null, fl.ones([4, 3], { dtype: "float64" })), /svdLowrank: M must be float64/],
      [() => fl.pcaLowrank(m, { q: 2, center: 1 as never }), /pcaLowrank: center must be a boolean/],
      [() => fl.pcaLowrank(m, { niter: -1 }), /pcaLowrank: niter must be in/],
      [() => fl.lu(fl.ones([3])), /lu: input must be a \(batch of\) matrices/],
      [() => fl.lu(m, "yes" as never), /lu: pivot and getInfos must be booleans/],
      [() => F.fractionalMaxPool2d(img, 2), /fractionalMaxPool2d: give outputSize or outputRatio/],
      [() => F.fractionalMaxPool2d(img, 4, { outputSize: 4 }), /fractionalMaxPool2d: kernel 4 is too large/],
      [() => F.fractionalMaxPool2d(img, 2, { outputRatio: 1.5 }), /fractionalMaxPool2d: outputRatio must be/],
      [
        () => F.fractionalMaxPool2d(img, 2, { outputSize: 3, randomSamples: fl.full([1, 2, 2], 1, { dtype: "float64" }) }),
        /fractionalMaxPool2d: randomSamples must lie in \[0, 1\)/,
      ],
      [() => F.fractionalMaxPool3d(fl.ones([2, 6, 6]), 2, { outputSize: 2 }), /fractionalMaxPool3d: input must have rank 4 or 5/],
      [() => F.upsampleBilinear(fl.ones([1, 2, 3]), { size: 4 }), /upsampleBilinear: input must be 4-D/],
      [() => F.upsampleNearest(img, { size: 4, mode: "bilinear" } as never), /upsampleNearest: unknown option "mode"/],
      [() => fl.ones([3]).H, /H: needs a matrix/],
      [() => fl.ones([3]).mH, /mH: needs a \(batch of\) matrices/],
      [() => fl.unique(m, { returnCounts: 1 as never }), /unique: returnCounts must be a boolean/],
      [() => fl.nonzero(m, { asTupel: true } as never), /nonzero: unknown option "asTupel"/],
      [() => fl.gradient(m, { spacing: [1, 2, 3] }), /gradient: spacing must be a number or a list of 2/],
      [() => fl.gradient(m, { edgeOrder: 3 }), /gradient: edgeOrder must be in \[1, 2\]/],
      [() => fl.stft(fl.ones([3, 2, 100]), 16), /stft: input must be a 1-D signal/],
      [() => fl.stft(fl.ones([100]), 16, { winLength: 20 }), /stft: winLength must be in \[1, 16\]/],
      [() => fl.tensordot(m, m, "x" as never), /tensordot: dims must be an integer/],
      [() => fl.tensordot(m, m, 3), /tensordot: dims must be in \[0, 2\]/],
      [() => F.maxPool2d(img, 2, { returnIndices: "y" as never }), /maxPool2d: returnIndices must be a boolean/],
      [() => fl.svd(m, { some: "no" as never }), /svd: some and computeUv must be booleans/],
      [() => fl.arange(0, "x" as never), /arange: end must be a finite number or a boolean/],
      [
        () => fl.nn.functional.ctcLoss(fl.ones([5, 1, 3]), fl.ones([1, 2], { dtype: "int64" }), fl.ones([1, 1]), [2]),
        /ctcLoss: inputLengths must be a 1-D integer tensor/,
      ],
    ];
    for (const [run, re] of cases)
      assert.throws(run, (e: unknown) => e instanceof fl.FlambeauError && re.test(e.message), `expected ${re}`);
  });
});

test("nn.FractionalMaxPool2d/3d and the *WithIndices forms use the functional ops' numbers", () => {
  fl.tidy(() => {
    const P = fl
      .arange(2 * 7 * 7, { dtype: "float64" })
      .reshape([1, 2, 7, 7])
      .sin();
    const randomSamples = fl.tensor(
      [
        [
          [0.3, 0.7],
          [0.9, 0.1],
        ],
      ],
      { dtype: "float64" },
    );
    const layer = new fl.nn.FractionalMaxPool2d(2, { outputSize: 3, randomSamples });
    close(layer.forward(P) as fl.Tensor, many("fractional_max_pool2d")[0]!, "FractionalMaxPool2d");
    const [, indices] = F.fractionalMaxPool2dWithIndices(P, 2, { outputSize: 3, randomSamples });
    assert.deepEqual(Array.from(indices.data() as BigInt64Array, Number), many("fractional_max_pool2d")[1]!.data);
    assert.equal(
      String(new fl.nn.FractionalMaxPool3d(2, { outputRatio: 0.5 })),
      "FractionalMaxPool3d(kernel_size=2, output_size=None, output_ratio=0.5)",
    );
    assert.throws(() => new fl.nn.FractionalMaxPool2d(2), /FractionalMaxPool2d: give exactly one of outputSize and outputRatio/);
  });
});
