// image-generation: the cVAE's and the DCGAN's shapes, the closed-form KL and the hinge losses
// against hand-computed values, the pixel-Gaussian baseline and the sample grid's layout, the
// task end to end at a toy budget (train → evaluate reproduces train's figures → predict's PNG
// grid), and the errors of bad options.
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import sharp from "sharp";
import { FlambeauError } from "../../src/core/errors.js";
import { arange, manualSeed, noGrad, randn, tensor } from "../../src/core/index.js";
import { ConditionalVae, gaussianKl } from "../../src/vision/models/cvae.js";
import { ConditionalDcgan, hingeDiscriminatorLoss, hingeGeneratorLoss } from "../../src/vision/models/dcgan.js";
import { PixelGaussian } from "../../src/vision/models/pixel-gaussian.js";
import { imageGeneration, imageGrid } from "../../src/vision/tasks/image-generation.js";
import { trainImageJudge } from "../../src/vision/tasks/image-generation-judge.js";

const dir = mkdtempSync(join(tmpdir(), "fl-imggen-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const close = (a: number, b: number, tol = 1e-5) => assert.ok(Math.abs(a - b) < tol, `${a} vs ${b}`);
const labels = (xs: number[]) => tensor(BigInt64Array.from(xs, BigInt));

test("gaussianKl: ½ Σ (μ² + σ² − 1 − log σ²) per row, 0 at the prior", () => {
  const kl = gaussianKl(
    tensor([
      [1, 0],
      [0, 0],
    ]),
    tensor([
      [0, Math.log(4)],
      [0, 0],
    ]),
  ).toArray() as number[];
  // Row 0: ½ [(1 + 1 − 1 − 0) + (0 + 4 − 1 − ln 4)] = ½ (4 − ln 4).
  close(kl[0]!, 0.5 * (4 - Math.log(4)));
  close(kl[1]!, 0);
});

test("gaussianKl against a prior N(μ_p, σ_p²): the closed form per row; N(0, I) gives the standard KL; 0 when q is the prior", () => {
  const mean = tensor([[1, -2]]);
  const logVar = tensor([[0, Math.log(4)]]);
  const prior = { mean: tensor([[0.5, 0]]), logVar: tensor([[Math.log(2), Math.log(0.5)]]) };
  // ½ Σ (ln σ_p² − ln σ² + (σ² + (μ − μ_p)²) / σ_p² − 1), term by term.
  const want = 0.5 * (Math.log(2) - 0 + (1 + 0.25) / 2 - 1) + 0.5 * (Math.log(0.5) - Math.log(4) + (4 + 4) / 0.5 - 1);
  close(gaussianKl(mean, logVar, prior).item(), want);
  const standard = { mean: tensor([[0, 0]]), logVar: tensor([[0, 0]]) };
  close(gaussianKl(mean, logVar, standard).item(), gaussianKl(mean, logVar).item());
  close(gaussianKl(prior.mean, prior.logVar, prior).item(), 0);
});

test("ConditionalVae with the class prior: it starts as N(0, I); samples of a class are drawn around that class's mean", () => {
  manualSeed(0);
  const vae = new ConditionalVae({ channels: 1, size: 8, classes: 3, latent: 4, width: 4, hidden: 8, prior: "class" });
  const x = randn([2, 1, 8, 8]).sigmoid();
  const y = labels([0, 2]);
  const { mean, logVar } = vae.encode(x, y);
  close(vae.loss(x, y).kl.item(), gaussianKl(mean, logVar).mean().item(), 1e-4);
  // A class mean far out: decoding it alone must match a sample of that class at σ_y → 0.
  noGrad(() => {
    vae.priorMean!.weight.copy_(
      tensor([
        [0, 0, 0, 0],
        [0, 0, 0, 0],
        [5, -5, 5, -5],
      ]),
    );
    vae.priorLogVar!.weight.fill_(-40);
  });
  const s = noGrad(() => vae.sample(labels([2])));
  const want = noGrad(() => vae.decode(tensor([[5, -5, 5, -5]]), labels([2])).sigmoid());
  close(s.sub(want).abs().max().item(), 0, 1e-5);
  assert.equal(new ConditionalVae({ channels: 1, size: 8, classes: 3 }).priorMean, null, "the standard prior is the default");
  assert.throws(
    () => new ConditionalVae({ channels: 1, size: 8, classes: 3, prior: "mixture" as "class" }),
    /ConditionalVae: prior must be one of 'standard', 'class', got "mixture"/,
  );
});

test("hinge losses: D = E[max(0, 1 − D(real))] + E[max(0, 1 + D(fake))], G = −E[D(fake)]", () => {
  close(hingeDiscriminatorLoss(tensor([2, 0.5]), tensor([-2, 0])).item(), 0.25 + 0.5);
  close(hingeGeneratorLoss(tensor([-2, 0])).item(), 1);
});

test("ConditionalVae: encoder, decoder and sample shapes; loss = reconstruction + KL", () => {
  manualSeed(0);
  const vae = new ConditionalVae({ channels: 1, size: 28, classes: 10, latent: 8, width: 8, hidden: 32 });
  const x = randn([4, 1, 28, 28]).sigmoid();
  const y = labels([0, 3, 9, 3]);
  const { logits, mean, logVar } = vae.forward(x, y);
  assert.deepEqual(logits.shape, [4, 1, 28, 28]);
  assert.deepEqual(mean.shape, [4, 8]);
  assert.deepEqual(logVar.shape, [4, 8]);
  const l = vae.loss(x, y);
  assert.ok(l.kl.item() >= 0);
  close(l.loss.item(), l.reconstruction.item() + l.kl.item(), 1e-3);
  const s = vae.sample(y);
  assert.deepEqual(s.shape, [4, 1, 28, 28]);
  assert.ok(s.min().item() >= 0 && s.max().item() <= 1);
  const rgb = new ConditionalVae({ channels: 3, size: 32, classes: 2, width: 4, hidden: 8 });
  assert.deepEqual(rgb.sample(labels([0, 1])).shape, [2, 3, 32, 32]);
  assert.throws(() => new ConditionalVae({ channels: 1, size: 30, classes: 10 }), /size must be a multiple of 4 in \[8, 128\].*got 30/);
  assert.throws(() => new ConditionalVae({ channels: 2, size: 28, classes: 10 }), /channels must be 1 or 3, got 2/);
});

test("ConditionalDcgan: generator in [−1, 1], one score per image, spectral norm on every discriminator layer", () => {
  manualSeed(0);
  const gan = new ConditionalDcgan({
    channels: 1,
    size: 28,
    classes: 10,
    latent: 8,
    width: 8,
    discriminatorWidth: 8,
    discriminatorHidden: 16,
  });
  const y = labels([1, 2, 7]);
  const fake = gan.forward(y);
  assert.deepEqual(fake.shape, [3, 1, 28, 28]);
  assert.ok(fake.min().item() >= -1 && fake.max().item() <= 1);
  assert.deepEqual(gan.discriminator.forward(fake, y).shape, [3]);
  const keys = [...gan.stateDict().keys()];
  for (const layer of ["conv1", "conv2", "dense", "psi", "embed"])
    for (const suffix of ["weight_orig", "weight_u", "weight_v"])
      assert.ok(keys.includes(`discriminator.${layer}.${suffix}`), `${layer}.${suffix}`);
  assert.ok(keys.includes("generator.bn1.running_mean"));
  assert.throws(() => new ConditionalDcgan({ channels: 1, size: 28, classes: 10, latent: 0 }), /latent must be a positive integer, got 0/);
});

test("PixelGaussian: per-class mean and std; samples are uint8 images of the asked classes' silhouettes", () => {
  const imgs = tensor(Uint8Array.from([0, 0, 0, 0, 200, 200, 100, 100, 255, 255, 255, 255, 255, 255, 255, 255]), { shape: [4, 1, 2, 2] });
  const g = PixelGaussian.fit(imgs, labels([0, 0, 1, 1]), 2);
  const mean = g.mean.toArray() as number[][][][];
  close(mean[0]![0]![0]![0]!, 100 / 255);
  close(mean[1]![0]![1]![1]!, 1);
  manualSeed(1);
  const s = g.sample(labels([1, 1, 0]));
  assert.equal(s.dtype, "uint8");
  assert.deepEqual(s.shape, [3, 1, 2, 2]);
  // Class 1 has no spread: its samples are its mean exactly.
  assert.deepEqual(Array.from(s.narrow(0, 0, 2).data() as Uint8Array), Array(8).fill(255));
  g.dispose();
  assert.throws(() => PixelGaussian.fit(imgs, labels([0, 0, 0, 1]), 2), /class 1 has 1 image\(s\); each class needs ≥ 2/);
});

test("imageGrid: rows of classes, columns of samples, enlarged by nearest neighbour", () => {
  // Four 1×1 grey images with values 0..3 in 2 rows: [[0, 1], [2, 3]], then ×2.
  const g = imageGrid(arange(4).byte().reshape([4, 1, 1, 1]), 2, 2);
  assert.deepEqual(g.shape, [1, 4, 4]);
  assert.deepEqual(g.toArray(), [
    [
      [0, 0, 1, 1],
      [0, 0, 1, 1],
      [2, 2, 3, 3],
      [2, 2, 3, 3],
    ],
  ]);
  assert.throws(() => imageGrid(arange(3).byte().reshape([3, 1, 1, 1]), 2), /3 images do not fill 2 rows/);
});

test("image-generation end to end at a toy budget: train, evaluate agrees, predict writes the grid; bad options", async () => {
  const judge = join(dir, "judge");
  await trainImageJudge({ data: "fashion-mnist", out: judge, seed: 0, epochs: 1, limit: 256, log: () => {} });
  const toy = { data: "fashion-mnist", judge, epochs: 1, limit: 256, fidSamples: 40, seed: 0, log: () => {} };
  const out = join(dir, "cvae");
  const r = await imageGeneration.train({ ...toy, out, model: "cvae", width: 4, latent: 4 });
  const m = r.metrics as Record<string, number>;
  for (const k of ["fid", "fidTrainVsTest", "fidBaseline"]) assert.ok(Number.isFinite(m[k]) && m[k]! >= 0, k);
  for (const k of ["hitRate", "baselineHitRate", "judgeTestAccuracy"]) assert.ok(m[k]! >= 0 && m[k]! <= 1, k);
  assert.equal((m.hitRatePerClass as unknown as number[]).length, 10);
  assert.equal(m.fidSamples, 40);
  assert.ok(r.history.epochs[0]!.valLoss! > 0, "the cVAE logs a held-out negative ELBO");
  const e = await imageGeneration.evaluate(out, "fashion-mnist", { fidSamples: 40 });
  for (const k of ["fid", "fidTrainVsTest", "fidBaseline", "hitRate", "judgeTestAccuracy"]) assert.equal(e[k], m[k], k);
  const meta = await sharp(join(out, "samples.png")).metadata();
  assert.deepEqual([meta.width, meta.height], [4 * 28 * 2, 10 * 28 * 2]);

  const preds = (await imageGeneration.predict(out, ["dress", "7"], { perClass: 3, scale: 1, seed: 5 })) as {
    label: string;
    row: number;
    output: string;
  }[];
  assert.deepEqual(
    preds.map((p) => [p.label, p.row]),
    [
      ["Dress", 0],
      ["Sneaker", 1],
    ],
  );
  assert.match(preds[0]!.output, /predictions\/3-7-seed5\.png$/);
  const grid = await sharp(preds[0]!.output).metadata();
  assert.deepEqual([grid.format, grid.width, grid.height], ["png", 3 * 28, 2 * 28]);
  assert.equal(imageGeneration.formatPrediction(preds[1]), `row 2 (Sneaker) of ${preds[1]!.output}`);

  const gan = await imageGeneration.train({ ...toy, out: join(dir, "gan"), model: "dcgan", width: 4, latent: 4, batchSize: 32 });
  assert.ok(Number.isFinite((gan.metrics as Record<string, number>).fid));
  assert.ok(Number.isFinite(gan.history.epochs[0]!.discriminatorLoss), "the GAN logs its discriminator's loss");

  const isArgError = (pattern: RegExp) => (err: unknown) =>
    err instanceof FlambeauError && err.code === "E_ARG" && pattern.test(err.message);
  await assert.rejects(
    imageGeneration.train({ ...toy, out: join(dir, "x"), model: "pixelcnn" }),
    isArgError(/unknown model "pixelcnn" for image-generation; models: dcgan, cvae/),
  );
  await assert.rejects(
    imageGeneration.evaluate(out, "fashion-mnist", { fidSamples: 12 }),
    isArgError(/--fid-samples must be an integer ≥ 2 × classes \(20\), got 12/),
  );
  await assert.rejects(imageGeneration.predict(out, ["hat"], {}), isArgError(/unknown class "hat"; classes: 0 T-shirt\/top, 1 Trouser/));
  await assert.rejects(
    imageGeneration.predict(out, [], { perClass: 100 }),
    isArgError(/--per-class must be an integer in \[1, 64\], got 100/),
  );
  await assert.rejects(
    imageGeneration.train({ ...toy, out: join(dir, "x"), size: 32 }),
    isArgError(/--size resizes an ImageFolder; fashion-mnist is an IDX folder/),
  );
  const folder = join(dir, "folder");
  mkdirSync(join(folder, "a"), { recursive: true });
  await assert.rejects(
    imageGeneration.train({ ...toy, data: folder, out: join(dir, "x") }),
    isArgError(/needs held-out images to score against/),
  );
});

test("image-generation on a small ImageFolder: FID's sample count follows the test split; a count it cannot give fails before training", async () => {
  // Two classes of 16 px grey pictures (a dark and a bright square on noise): 8 training and 3 test images each.
  const folder = join(dir, "small-folder");
  let seed = 3;
  const noise = () => {
    seed = (seed * 16807) % 2147483647;
    return seed % 64;
  };
  for (const [split, n] of [
    ["train", 8],
    ["test", 3],
  ] as const)
    for (const [c, level] of [
      ["dark", 40],
      ["bright", 200],
    ] as const) {
      mkdirSync(join(folder, split, c), { recursive: true });
      for (let i = 0; i < n; i++) {
        const px = Buffer.from(
          Array.from({ length: 16 * 16 }, (_, j) => (j % 16 > 3 && j % 16 < 12 && j > 64 && j < 192 ? level : noise())),
        );
        await sharp(px, { raw: { width: 16, height: 16, channels: 1 } })
          .png()
          .toFile(join(folder, split, c, `${i}.png`));
      }
    }
  const judge = join(dir, "small-judge");
  await trainImageJudge({ data: folder, out: judge, seed: 0, epochs: 1, log: () => {} });
  const opts = { data: folder, judge, size: 16, epochs: 1, seed: 0, model: "cvae", width: 4, latent: 4, log: () => {} };
  const r = await imageGeneration.train({ ...opts, out: join(dir, "small-cvae") });
  // 3 test images of each class: FID compares 3 generated against 3 real per class.
  assert.equal((r.metrics as Record<string, number>).fidSamples, 6);
  assert.ok(Number.isFinite((r.metrics as Record<string, number>).fid));
  const t0 = performance.now();
  await assert.rejects(
    imageGeneration.train({ ...opts, out: join(dir, "small-x"), fidSamples: 40 }),
    (err: unknown) =>
      err instanceof FlambeauError &&
      /--fid-samples 40 needs 20 test images of each class; class 0 of the test split has 3/.test(err.message),
  );
  assert.ok(performance.now() - t0 < 5000, "the error comes before training");
});
