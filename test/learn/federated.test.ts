// Federated learning's pieces against references: FedAvg of identical clients equals one
// client's training; the weighted average by hand; FedProx's proximal gradient against
// finite differences; Dirichlet label proportions; secure aggregation's masked view is
// uncorrelated with the update while the decoded sum equals the plain sum (with a client
// recovered after dropping out); the RDP accountant against an independent numerical
// integration in Python (scipy) of the sampled Gaussian's Rényi divergence.

import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { test } from "node:test";
import * as fl from "flambeau";

const { federated: fed } = fl.learn;

test("weightedMean by hand and FedAvg's step", () => {
  const m = fed.weightedMean([Float32Array.from([1, 2]), Float32Array.from([4, -1])], [1, 2]);
  assert.deepEqual([...m], [3, 0]); // (1·1 + 2·4)/3, (2 − 2)/3
  const s = fed.makeStrategy("fedavg");
  const global = Float32Array.from([1, 1]);
  const delta = fed.aggregateDeltas(
    global,
    [
      { id: 0, weights: Float32Array.from([2, 3]), examples: 10 },
      { id: 1, weights: Float32Array.from([5, 1]), examples: 30 },
    ],
    {},
  );
  // Δ = (10·[1, 2] + 30·[4, 0]) / 40 = [3.25, 0.5]
  assert.deepEqual([...s.step(global, delta)], [4.25, 1.5]);
  assert.throws(() => fed.makeStrategy("fedsgd"), /unknown federated strategy "fedsgd"/);
  // FedAdam's first step by hand (Reddi et al. 2021, Alg. 2; v starts at τ²):
  // m = 0.1Δ, v = 0.99τ² + 0.01Δ², w + η m / (√v + τ).
  const adam = fed.makeStrategy("fedadam", { serverLr: 0.1, tau: 0.01 });
  const d = Float32Array.from([0.5, -2]);
  const next = adam.step(Float32Array.from([0, 0]), d);
  [0.5, -2].forEach((x, i) => {
    const expected = (0.1 * 0.1 * x) / (Math.sqrt(0.99 * 1e-4 + 0.01 * x * x) + 0.01);
    assert.ok(Math.abs(next[i]! - expected) < 1e-6, `FedAdam coordinate ${i}: ${next[i]} vs ${expected}`);
  });
});

test("FedAvg of identical clients equals one client's local training", () => {
  fl.manualSeed(3);
  const x = fl.randn([40, 5]);
  const y = fl.tensor(
    Array.from({ length: 40 }, (_, i) => i % 3),
    { dtype: "int64" },
  );
  const make = () => {
    fl.manualSeed(1);
    return new fl.nn.Sequential(new fl.nn.Linear(5, 8), new fl.nn.ReLU(), new fl.nn.Linear(8, 3));
  };
  const model = make();
  const layout = fed.layoutOf(model);
  const w0 = fed.flatten(model, layout);
  const local = { epochs: 2, batchSize: 8, lr: 0.1, seed: 5 };
  const one = fed.localUpdate(model, layout, w0, { x, y }, local);
  const updates = [0, 1, 2].map((id) => ({ id, examples: 40, weights: fed.localUpdate(model, layout, w0, { x, y }, local).weights }));
  const avg = fed.makeStrategy("fedavg").step(w0, fed.aggregateDeltas(w0, updates));
  let err = 0;
  for (let i = 0; i < avg.length; i++) err = Math.max(err, Math.abs(avg[i]! - one.weights[i]!));
  assert.ok(err < 1e-6, `max difference ${err}`);
  assert.ok(Math.abs(fed.l2norm(one.weights) - fed.l2norm(w0)) > 1e-3, "training moved the weights");
});

test("FedProx's proximal term: gradient μ(w − w_g) against finite differences", () => {
  fl.manualSeed(0);
  const lin = new fl.nn.Linear(3, 2);
  const params = lin.parameters();
  const globals = params.map((p) => p.detach().add(fl.randn(p.shape).mul(0.3)));
  const mu = 0.7;
  const t = fed.proximalTerm(params, globals, mu);
  t.backward();
  const w = params[0]!;
  const g = w.grad!.data() as Float32Array;
  const wv = w.detach().data() as Float32Array;
  const gv = globals[0]!.data() as Float32Array;
  const value = () => fed.proximalTerm(params, globals, mu).item();
  const h = 1e-2;
  for (let i = 0; i < wv.length; i++) {
    assert.ok(Math.abs(g[i]! - mu * (wv[i]! - gv[i]!)) < 1e-5, `analytic gradient at ${i}`);
    const flatW = w.detach().reshape([-1]);
    const old = flatW.data()[i] as number;
    fl.noGrad(() =>
      w
        .view([-1])
        .narrow(0, i, 1)
        .fill_(old + h),
    );
    const up = value();
    fl.noGrad(() =>
      w
        .view([-1])
        .narrow(0, i, 1)
        .fill_(old - h),
    );
    const down = value();
    fl.noGrad(() => w.view([-1]).narrow(0, i, 1).fill_(old));
    const fd = (up - down) / (2 * h);
    assert.ok(Math.abs(fd - g[i]!) < 2e-3, `finite difference ${fd} vs autograd ${g[i]} at ${i}`);
  }
});

test("partitions: IID sizes, pathological ≤ 2 classes, Dirichlet label proportions follow α", () => {
  const labels = Int32Array.from({ length: 6000 }, (_, i) => i % 10);
  const iid = fed.partitionIid(6000, { clients: 100, seed: 1 });
  assert.ok(iid.every((p) => p.length === 60));
  assert.equal(new Set(iid.flat()).size, 6000);
  const path = fed.partitionPathological(labels, { clients: 100, seed: 1 });
  assert.equal(new Set(path.flat()).size, 6000);
  assert.ok(path.every((p) => new Set(p.map((i) => labels[i])).size <= 2 && p.length === 60));
  assert.deepEqual(fed.partitionPathological(labels, { clients: 100, seed: 1 }), path, "seeded");
  // Dir(α) over 10 clients: each client's share of a class has mean 1/10 and variance
  // (1/10)(9/10)/(10α + 1); small α concentrates a class on few clients.
  for (const alpha of [0.1, 100]) {
    const parts = fed.partitionDirichlet(labels, { clients: 10, alpha, seed: 2 });
    assert.equal(new Set(parts.flat()).size, 6000);
    const shares: number[] = [];
    for (let c = 0; c < 10; c++) for (let k = 0; k < 10; k++) shares.push(parts[c]!.filter((i) => labels[i] === k).length / 600);
    const mean = shares.reduce((a, b) => a + b, 0) / shares.length;
    const variance = shares.reduce((a, b) => a + (b - mean) ** 2, 0) / shares.length;
    const expected = (0.1 * 0.9) / (10 * alpha + 1);
    assert.ok(Math.abs(mean - 0.1) < 1e-9);
    assert.ok(variance > expected / 2.5 && variance < expected * 2.5, `α=${alpha}: variance ${variance} vs ${expected}`);
  }
});

test("secure aggregation: one masked update looks like noise, the sum is exact, a dropout is recovered", () => {
  const n = 20_000;
  const rand = (s: number) => {
    let x = s;
    return () => ((x = (x * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * 2 - 1;
  };
  const updates = new Map<number, Float32Array>();
  for (let id = 0; id < 5; id++) {
    const r = rand(id + 1);
    updates.set(
      id,
      Float32Array.from({ length: n }, () => r()),
    );
  }
  const client = new fed.SecAggClient(0, 7);
  const peers = [client, new fed.SecAggClient(1, 7), new fed.SecAggClient(2, 7)].map((c) => ({ id: c.id, publicKey: c.publicKey }));
  const view = fed.decodeFixed(client.mask(updates.get(0)!, peers));
  const truth = updates.get(0)!;
  const corr = (a: ArrayLike<number>, b: ArrayLike<number>) => {
    let [sa, sb, sab, saa, sbb] = [0, 0, 0, 0, 0];
    for (let i = 0; i < a.length; i++) {
      sa += a[i]!;
      sb += b[i]!;
      sab += a[i]! * b[i]!;
      saa += a[i]! ** 2;
      sbb += b[i]! ** 2;
    }
    const m = a.length;
    return (sab / m - (sa / m) * (sb / m)) / Math.sqrt((saa / m - (sa / m) ** 2) * (sbb / m - (sb / m) ** 2));
  };
  const c = corr(view, truth);
  // |r| of independent samples is ~1/√n ≈ 0.007.
  assert.ok(Math.abs(c) < 0.03, `correlation of the server's view with the update: ${c}`);
  // The view spans the whole ring, not the update's ±1.
  assert.ok(Math.max(...view.slice(0, 1000).map(Math.abs)) > 1000);
  const plain = new Float64Array(n);
  for (const v of updates.values()) v.forEach((x, i) => (plain[i]! += x));
  const sum = fed.secureSum(updates, 3);
  let err = 0;
  for (let i = 0; i < n; i++) err = Math.max(err, Math.abs(sum[i]! - plain[i]!));
  assert.ok(err <= 5 * 2 ** -17 + 1e-7, `secure sum error ${err}`);
  // Client 4 drops after sharing its key: the server recovers its masks from 3 survivors.
  const survivors = new Float64Array(n);
  for (const [id, v] of updates) if (id !== 4) v.forEach((x, i) => (survivors[i]! += x));
  const recovered = fed.secureSum(updates, 4, { dropAfterSharing: [4] });
  err = 0;
  for (let i = 0; i < n; i++) err = Math.max(err, Math.abs(recovered[i]! - survivors[i]!));
  assert.ok(err <= 5 * 2 ** -17 + 1e-7, `recovered sum error ${err}`);
  assert.throws(() => fed.encodeFixed(Float32Array.from([1e6]), 10), /outside/);
});

test("Shamir: any t shares rebuild the secret, t − 1 do not", () => {
  const secret = 123456789012345678901234567890n;
  const shares = fed.splitSecret(secret, 5, 3);
  assert.equal(fed.combineShares([shares[0]!, shares[2]!, shares[4]!]), secret);
  assert.equal(fed.combineShares([shares[3]!, shares[1]!, shares[0]!]), secret);
  assert.notEqual(fed.combineShares([shares[0]!, shares[1]!]), secret);
});

test("RDP accountant: the sampled Gaussian against scipy integration, ε for (q, σ, steps, δ)", () => {
  const cases: [number, number, number][] = [
    [0.01, 1.1, 8],
    [0.1, 1.0, 4],
    [0.05, 2.0, 32],
  ];
  // Independent reference: A_α = ∫ μ₀ (μ/μ₀)^α dz with μ₀ = N(0, σ²), μ = (1−q)μ₀ + qN(1, σ²).
  const py = `
import json, sys, numpy as np
from scipy.special import logsumexp
from scipy.stats import norm
out = []
for q, s, a in json.loads(sys.argv[1]):
    z = np.linspace(-40*s, 40*s + a, 2_000_001); dz = z[1] - z[0]
    l0 = norm.logpdf(z, 0, s); l1 = norm.logpdf(z, 1, s)
    lmu = np.logaddexp(np.log1p(-q) + l0, np.log(q) + l1)
    out.append(float((logsumexp(l0 + a*(lmu - l0)) + np.log(dz)) / (a - 1)))
print(json.dumps(out))`;
  const ref = JSON.parse(execFileSync("/usr/bin/python3", ["-c", py, JSON.stringify(cases)], { encoding: "utf8" })) as number[];
  cases.forEach(([q, s, a], i) => {
    const ours = fed.rdpSampledGaussian(q, s, a);
    assert.ok(Math.abs(ours - ref[i]!) < 1e-6 * Math.max(1, ref[i]!), `q=${q} σ=${s} α=${a}: ${ours} vs ${ref[i]}`);
  });
  // Full mechanism: q = 1 is the plain Gaussian, RDP α/2σ².
  assert.ok(Math.abs(fed.rdpSampledGaussian(1, 2, 10) - 10 / 8) < 1e-12);
  // Abadi et al. (2016)'s MNIST setting q = 0.01, σ = 4, 10,000 steps, δ = 1e-5: they report
  // ε ≈ 1.26 with the moments accountant; RDP with Balle et al.'s conversion is a bit tighter.
  const e = fed.epsilonFor(0.01, 4, 10_000, 1e-5).epsilon;
  assert.ok(e > 0.9 && e < 1.3, `ε = ${e}`);
  const sigma = fed.noiseForEpsilon(8, 0.1, 100, 1e-5);
  assert.ok(Math.abs(fed.epsilonFor(0.1, sigma, 100, 1e-5).epsilon - 8) < 0.05);
});

test("DP-SGD: per-example clipping by hand (σ = 0), noise of std σC/B with σ > 0", () => {
  // Linear regression w·x with loss (w·x − y)²/2: example i's gradient is (w·x − y)x.
  const w = new fl.nn.Linear(2, 1, { bias: false });
  fl.noGrad(() => w.weight.copy_(fl.tensor([[1, 0]])));
  const xs = [
    [3, 4],
    [0.1, 0.2],
  ];
  const ys = [0, 0];
  const loss = (i: number) =>
    w
      .forward(fl.tensor([xs[i]!]))
      .sub(ys[i]!)
      .square()
      .sum()
      .mul(0.5);
  fed.dpSgdGradients(w.parameters(), 2, loss, { clip: 1, noiseMultiplier: 0 });
  // g₀ = 3·[3, 4] = [9, 12] (norm 15 → clipped to [0.6, 0.8]); g₁ = 0.1·[0.1, 0.2] (kept).
  const g = w.weight.grad!.data() as Float32Array;
  assert.ok(Math.abs(g[0]! - (0.6 + 0.01) / 2) < 1e-6 && Math.abs(g[1]! - (0.8 + 0.02) / 2) < 1e-6, `${[...g]}`);
  // With noise only (zero loss gradient) the std of the gradient is σC/B.
  const big = new fl.nn.Linear(1000, 1, { bias: false });
  fl.noGrad(() => big.weight.zero_());
  const zero = () => big.forward(fl.zeros([1, 1000])).sum();
  fed.dpSgdGradients(big.parameters(), 4, zero, { clip: 2, noiseMultiplier: 1.5 }, 9);
  const v = big.weight.grad!.data() as Float32Array;
  const std = Math.sqrt(v.reduce((a, x) => a + x * x, 0) / v.length);
  assert.ok(Math.abs(std - (1.5 * 2) / 4) < 0.06, `noise std ${std}`);
});
