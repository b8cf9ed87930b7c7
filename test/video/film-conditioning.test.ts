// FiLM conditioning (adaptive group norm) of the diffusion ResBlock and the video U-Net: zero
// scale and shift is plain GroupNorm, the film block matches the additive one when the embedding
// is switched off, the option round-trips through a saved video-generation model (and a config
// without it loads as the additive form), and bad values are errors.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { FlambeauError } from "../../src/core/errors.js";
import { manualSeed, noGrad, randn, zeros } from "../../src/core/index.js";
import { GroupNorm, init } from "../../src/nn/index.js";
import { saveModelDir } from "../../src/train/model-dir.js";
import { ClipDiffusion } from "../../src/video/models/clip-diffusion.js";
import { VideoUNet } from "../../src/video/models/video-unet.js";
import { loadClipGenerator, videoGeneration } from "../../src/video/tasks/video-generation.js";
import { adaGroupNorm, DiffusionResBlock } from "../../src/vision/models/diffusion-res-block.js";

const dir = mkdtempSync(join(tmpdir(), "fl-film-"));
after(() => rmSync(dir, { recursive: true, force: true }));

test("adaGroupNorm: zero scale and shift is plain GroupNorm; scale and shift act per sample and channel", () => {
  manualSeed(3);
  const norm = new GroupNorm(4, 8);
  const h = randn([2, 8, 5, 5]);
  const plain = norm.forward(h);
  assert.ok(
    adaGroupNorm(norm, h, zeros([2, 8]), zeros([2, 8]))
      .sub(plain)
      .abs()
      .max()
      .item() < 1e-6,
  );
  const scale = randn([2, 8]);
  const shift = randn([2, 8]);
  const want = plain.mul(scale.add(1).reshape([2, 8, 1, 1])).add(shift.reshape([2, 8, 1, 1]));
  assert.ok(adaGroupNorm(norm, h, scale, shift).sub(want).abs().max().item() < 1e-5);
});

test("DiffusionResBlock film: the embedding gives 2·C outputs; switched off, the block is the additive one's", () => {
  manualSeed(4);
  const add = new DiffusionResBlock(8, 16, 12);
  const film = new DiffusionResBlock(8, 16, 12, "film");
  assert.equal(add.conditioning, "add");
  assert.deepEqual(film.emb.weight.shape, [32, 12]);
  noGrad(() => {
    const filmParams = new Map(film.namedParameters());
    for (const [name, p] of add.namedParameters()) if (!name.startsWith("emb.")) filmParams.get(name)!.copy_(p);
    // A live residual branch (conv2 starts at zero), no embedding.
    film.conv2.weight.copy_(randn(film.conv2.weight.shape).mul(0.1));
    add.conv2.weight.copy_(film.conv2.weight);
    for (const b of [add, film]) {
      init.zeros_(b.emb.weight);
      init.zeros_(b.emb.bias!);
    }
  });
  const x = randn([3, 8, 6, 6]);
  const e = randn([3, 12]);
  const y = film.forward(x, e);
  assert.ok(y.sub(add.forward(x, e)).abs().max().item() < 1e-5);
  // A non-zero embedding scales the film block's channels.
  noGrad(() => film.emb.bias!.copy_(randn([32])));
  assert.ok(film.forward(x, e).sub(y).abs().max().item() > 1e-3);
  assert.throws(
    () => new DiffusionResBlock(8, 8, 12, "mul" as "add"),
    (err: Error) => err instanceof FlambeauError && /conditioning must be one of add, film, got "mul"/.test(err.message),
  );
  assert.throws(
    () => new VideoUNet({ inChannels: 7, width: 8, steps: 10, conditioning: "scale" as "film" }),
    /one of add, film, got "scale"/,
  );
});

test("video-generation: conditioning round-trips through save/load; a config without it loads as add; --conditioning is checked", async () => {
  manualSeed(5);
  const vocabulary = ["a", "left", "moving", "red"];
  const save = async (name: string, m: ClipDiffusion, conditioning?: string) => {
    const out = join(dir, name);
    const hyper = { vocabulary, width: 8, frames: 3, size: 8, objects: "digits", objectClasses: [], judge: dir, conditioning };
    await saveModelDir(out, { task: "video-generation", architecture: "clip-diffusion", hyper }, m.stateDict());
    return out;
  };
  const film = new ClipDiffusion({ vocabulary, width: 8, steps: 1000, conditioning: "film" });
  noGrad(() => {
    for (const p of film.unet.outConv.parameters()) p.copy_(randn(p.shape).mul(0.1));
  });
  film.eval();
  const loaded = (await loadClipGenerator(await save("film", film, "film"))).model as ClipDiffusion;
  assert.equal(loaded.unet.options.conditioning, "film");
  const x = randn([1, 3, 7, 8, 8]);
  const cond = film.prompts.forward(["a red moving left"]);
  assert.equal(
    loaded.unet
      .forward(x, [10], cond)
      .sub(film.unet.forward(x, [10], cond))
      .abs()
      .max()
      .item(),
    0,
  );
  // Models saved before the option: the additive form.
  const old = (await loadClipGenerator(await save("old", new ClipDiffusion({ vocabulary, width: 8 })))).model as ClipDiffusion;
  assert.equal(old.unet.options.conditioning, "add");
  await assert.rejects(
    videoGeneration.train({ data: "clips:digits", out: join(dir, "bad"), judge: dir, conditioning: "both", seed: 0, log: () => {} }),
    /conditioning must be choice \(add, film\), got "both"/,
  );
});
