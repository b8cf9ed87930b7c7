// Gaussian diffusion: the schedules against improved-diffusion's formulas (values computed with
// numpy from `get_named_beta_schedule` / `betas_for_alpha_bar`, T = 1000), the forward process
// and v target against their definitions, and DDIM with an exact denoiser landing on the data.
import assert from "node:assert/strict";
import { test } from "node:test";
import { manualSeed, tensor } from "../../src/core/index.js";
import { alphasCumprod, GaussianDiffusion } from "../../src/nn/diffusion.js";

const AT = [0, 1, 249, 499, 749, 998, 999];

test("alphasCumprod: cosine and linear schedules equal improved-diffusion's", () => {
  const cosine = [9.99958716e-1, 9.99912576e-1, 8.47012161e-1, 4.9384359e-1, 1.44272102e-1, 2.42876691e-6, 2.42876691e-9];
  const linear = [9.999e-1, 9.99780092e-1, 5.24085374e-1, 7.85872429e-2, 3.35055044e-3, 4.11819364e-5, 4.03582977e-5];
  for (const [name, want] of [
    ["cosine", cosine],
    ["linear", linear],
  ] as const) {
    const got = alphasCumprod(1000, name);
    AT.forEach((t, i) => {
      assert.ok(Math.abs(got[t]! - want[i]!) <= 1e-8 * Math.max(1, want[i]! * 1e3), `${name} ᾱ[${t}] ${got[t]} vs ${want[i]}`);
    });
  }
  assert.throws(() => alphasCumprod(1, "cosine"), /steps must be an integer/);
  // @ts-expect-error: a schedule that does not exist
  assert.throws(() => alphasCumprod(10, "sigmoid"), /schedule must be/);
});

test("qSample, velocity and split agree with their definitions and invert each other", () => {
  const d = new GaussianDiffusion({ steps: 1000 });
  const x0 = tensor([0.5, -0.25, 1, 0], { shape: [2, 2] });
  const eps = tensor([1, 2, -1, 0.5], { shape: [2, 2] });
  const t = [10, 700];
  const xt = d.qSample(x0, t, eps);
  const v = d.velocity(x0, t, eps);
  const x = x0.toArray() as number[][];
  const e = eps.toArray() as number[][];
  t.forEach((s, b) => {
    const a = Math.sqrt(d.alphasCumprod[s]!);
    const r = Math.sqrt(1 - d.alphasCumprod[s]!);
    for (let j = 0; j < 2; j++) {
      assert.ok(Math.abs((xt.toArray() as number[][])[b]![j]! - (a * x[b]![j]! + r * e[b]![j]!)) < 1e-6);
      assert.ok(Math.abs((v.toArray() as number[][])[b]![j]! - (a * e[b]![j]! - r * x[b]![j]!)) < 1e-6);
    }
  });
  const back = d.split(xt, t, v);
  assert.ok(back.x0.sub(x0).abs().max().item() < 1e-5);
  assert.ok(back.eps.sub(eps).abs().max().item() < 1e-5);
  assert.throws(() => d.qSample(x0, [10], eps), /1 timesteps for a batch of 2/);
  assert.throws(() => d.qSample(x0, [10, 1000], eps), /timestep must be an integer in \[0, 1000\)/);
});

test("DDIM with the exact denoiser of a one-point data set returns that point; guidance mixes the two predictions", () => {
  const d = new GaussianDiffusion({ steps: 200 });
  const point = tensor([0.3, -0.7, 0.1], { shape: [1, 3] });
  // For data that is always `point`, ε = (x_t − √ᾱ·x₀)/√(1−ᾱ), so v is known exactly.
  const exact = (target: typeof point) => (x: typeof point, t: readonly number[]) => {
    const ab = d.alphasCumprod[t[0]!]!;
    const x0 = target.expand(x.shape);
    const eps = x.sub(x0.mul(Math.sqrt(ab))).div(Math.sqrt(1 - ab));
    return eps.mul(Math.sqrt(ab)).sub(x0.mul(Math.sqrt(1 - ab)));
  };
  manualSeed(3);
  const out = d.sample(exact(point), [4, 3], { steps: 10 });
  assert.deepEqual(out.shape, [4, 3]);
  assert.ok(
    out
      .sub(point.expand([4, 3]))
      .abs()
      .max()
      .item() < 1e-4,
  );
  // Guidance w on conditional target c and unconditional target u lands on u + w·(c − u) (inside the clip range).
  const c = tensor([0.4, 0.2, -0.2], { shape: [1, 3] });
  const u = tensor([0.2, 0.1, -0.1], { shape: [1, 3] });
  const guided = d.sample((x, t, conditional) => exact(conditional ? c : u)(x, t), [2, 3], { steps: 10, guidance: 2 });
  const want = tensor([0.6, 0.3, -0.3], { shape: [1, 3] }).expand([2, 3]);
  assert.ok(guided.sub(want).abs().max().item() < 1e-3, String(guided.toArray()));
  assert.deepEqual(d.samplingSteps(4), [199, 133, 66, 0]);
  assert.throws(() => d.sample(exact(point), [1, 3], { guidance: -1 }), /guidance must be ≥ 0/);
});
