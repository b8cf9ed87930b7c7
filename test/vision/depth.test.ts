// Depth estimation: the metrics against hand-computed values, the ray caster's exact depth and
// disparity on known scenes, the Middlebury reader, and the task end to end at a tiny budget.
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { FlambeauError } from "../../src/core/errors.js";
import { tensor } from "../../src/core/index.js";
import { depthMetrics, disparityMetrics } from "../../src/vision/depth/metrics.js";
import { middleburyMotorcycle, readNpzFloat32, resizeDisparity, SKIMAGE_DATA } from "../../src/vision/depth/middlebury.js";
import { disparityOf, type Plane, renderView, type StereoCamera, type Texture } from "../../src/vision/depth/render.js";
import { renderedSet } from "../../src/vision/depth/rendered.js";
import { writeImage } from "../../src/vision/image-io.js";
import { VISION_TASKS } from "../../src/vision/tasks/index.js";

const near = (x: number, y: number, tol: number, what: string) => assert.ok(Math.abs(x - y) <= tol, `${what}: ${x} vs ${y}`);

test("depth metrics: AbsRel, RMSE and δ<1.25 by hand, unknown ground truth skipped", () => {
  // Valid: (1,1), (2,2.5), (4,2); inf is unknown. |e|/d = 0, 0.2, 1 → 0.4; e² = 0, 0.25, 4;
  // ratios 1, 1.25 (not < 1.25), 2 → δ = 1/3.
  const m = depthMetrics([1, 2, 4, 10], [1, 2.5, 2, Number.POSITIVE_INFINITY]);
  near(m.absRel, 0.4, 1e-12, "AbsRel");
  near(m.rmse, Math.sqrt(4.25 / 3), 1e-12, "RMSE");
  near(m.delta1, 1 / 3, 1e-12, "δ<1.25");
  assert.equal(m.pixels, 3);
});

test("disparity metrics: end-point error and bad-2.0 by hand", () => {
  // Valid: errors 0, 3, 0.5 (the 0 and inf ground truths are unknown) → EPE 3.5/3, bad-2.0 = 1 of 3.
  const m = disparityMetrics([1, 5, 3.5, 0, 7], [1, 2, 4, Number.POSITIVE_INFINITY, 0]);
  near(m.epe, 3.5 / 3, 1e-12, "EPE");
  near(m.bad, 100 / 3, 1e-12, "bad-2.0");
  // An error of exactly 2 px is not bad (strictly greater than the threshold).
  near(disparityMetrics([3], [1]).bad, 0, 0, "bad at exactly 2");
  assert.throws(() => disparityMetrics([1], [1, 2]), FlambeauError);
});

function stripes(): Texture {
  const h = 64;
  const w = 64;
  const data = new Uint8Array(3 * h * w);
  for (let i = 0; i < h * w; i++) {
    const x = i % w;
    const y = Math.floor(i / w);
    data[i] = (x * 37 + y * 11) % 256;
    data[h * w + i] = (x * 5 + y * 53) % 256;
    data[2 * h * w + i] = (x * y) % 256;
  }
  return { data, height: h, width: w };
}

const CAM: StereoCamera = { width: 48, height: 32, focal: 112, cx: 24, cy: 16, baseline: 0.25 };

test("ray caster: a fronto-parallel plane at z = 3.5 has depth 3.5 and disparity f·B/z = 8 px everywhere, and the right view is the left shifted 8 px", () => {
  const wall: Plane = {
    kind: "plane",
    normal: [0, 0, 1],
    d: 3.5,
    uAxis: [1, 0, 0],
    texture: stripes(),
    texScale: 0.013,
    texOffset: [3, 5],
  };
  const scene = { primitives: [wall], light: [0, 0, -1] as const, ambient: 0.5 };
  const l = renderView(scene, CAM, 0);
  const r = renderView(scene, CAM, CAM.baseline);
  for (const z of l.depth) near(z, 3.5, 1e-6, "depth");
  for (const d of disparityOf(l.depth, CAM)) near(d, 8, 1e-5, "disparity");
  // Left pixel x and right pixel x − 8 see the same world point, so the same texel (allowing
  // a rare float tie at a texel border).
  let same = 0;
  let total = 0;
  const hw = CAM.height * CAM.width;
  for (let y = 0; y < CAM.height; y++)
    for (let x = 8; x < CAM.width; x++) {
      total++;
      let eq = true;
      for (let c = 0; c < 3; c++) if (l.rgb[c * hw + y * CAM.width + x] !== r.rgb[c * hw + y * CAM.width + x - 8]) eq = false;
      if (eq) same++;
    }
  assert.ok(same / total > 0.99, `right view matches the shifted left view at ${same}/${total} pixels`);
});

test("ray caster: a box's front face and a sphere's near point have their analytic depth; a tilted floor's depth follows its plane", () => {
  const tex = { texture: stripes(), texScale: 0.02, texOffset: [0, 0] as const };
  const box = renderView(
    { primitives: [{ kind: "box", center: [0, 0, 3], half: [0.5, 0.4, 0.25], yaw: 0, ...tex }], light: [0, 0, -1], ambient: 0.4 },
    CAM,
    0,
  );
  // The face z = 2.75 spans |x| ≤ 0.5 → |col − cx| ≤ 0.5·112/2.75 ≈ 20 px.
  near(box.depth[16 * CAM.width + 24]!, 2.75, 1e-6, "box centre");
  near(box.depth[5 * CAM.width + 10]!, 2.75, 1e-6, "box off-centre");
  // Floor y = −1: a pixel row with ray dy = −(row + ½ − cy)/f meets it at z = 1/|dy|.
  const floor = renderView(
    { primitives: [{ kind: "plane", normal: [0, 1, 0], d: -1, uAxis: [1, 0, 0], ...tex }], light: [0, 1, 0], ambient: 0.4 },
    CAM,
    0,
  );
  for (const row of [20, 25, 31]) near(floor.depth[row * CAM.width + 7]!, CAM.focal / (row + 0.5 - CAM.cy), 1e-4, `floor row ${row}`);
  assert.equal(floor.depth[3 * CAM.width]!, Number.POSITIVE_INFINITY, "a ray above the horizon hits nothing");
  // A sphere of radius 1 at z = 5 on the ray through a pixel centre: depth = t of the ray-sphere hit.
  const cam = { ...CAM, cx: 24.5, cy: 16.5 }; // pixel (24, 16)'s centre on the optical axis
  const sph = renderView(
    { primitives: [{ kind: "sphere", center: [0, 0, 5], radius: 1, ...tex }], light: [0, 0, -1], ambient: 0.4 },
    cam,
    0,
  );
  near(sph.depth[16 * CAM.width + 24]!, 4, 1e-6, "sphere near point");
});

test("rendered sets are cached, and a smaller set is the first scenes of a larger cached one", async (t) => {
  if (!existsSync(SKIMAGE_DATA)) return t.skip("python3-skimage is not installed");
  const cache = mkdtempSync(join(tmpdir(), "fl-depth-cache-"));
  try {
    const three = await renderedSet("val", { count: 3, seed: 5, cache });
    const two = await renderedSet("val", { count: 2, seed: 5, cache });
    assert.equal(two.count, 2);
    assert.deepEqual(Array.from(two.depth), Array.from(three.depth.subarray(0, two.depth.length)));
    assert.deepEqual(Array.from(two.right), Array.from(three.right.subarray(0, two.right.length)));
    assert.equal(readdirSync(join(cache, "depth-rendered")).length, 1, "nothing new rendered");
    for (const z of three.depth) assert.ok(z > 1 && z < 15, `depth ${z} in the scene's range`);
  } finally {
    rmSync(cache, { recursive: true, force: true });
  }
});

test("Middlebury: the motorcycle disparity reads from its .npz with inf for unknown pixels, and resizes by nearest neighbour with scaled values", async (t) => {
  const npz = join(SKIMAGE_DATA, "motorcycle_disp.npz");
  if (!existsSync(npz)) return t.skip("python3-skimage is not installed");
  const { data, shape } = readNpzFloat32(npz);
  assert.deepEqual(shape, [500, 741]);
  let unknown = 0;
  for (const d of data) if (!Number.isFinite(d)) unknown++;
  // numpy: (~np.isfinite(d)).sum() == 27226.
  assert.equal(unknown, 27226);
  const small = resizeDisparity(new Float32Array([1, 2, 3, 4, 5, 6, 7, 8]), 2, 4, 1, 2);
  // Rows 2→1 picks row 1; columns 4→2 pick 1 and 3; values × 2/4.
  assert.deepEqual(Array.from(small), [3, 4]);
  const pair = await middleburyMotorcycle(256);
  assert.equal(pair.height, 173);
  assert.equal(pair.left.length, 3 * 173 * 256);
});

test("depth-estimation end to end: stereo and monocular train at a tiny budget, evaluate, predict PNGs; a mismatched pair names its files", async (t) => {
  if (!existsSync(join(SKIMAGE_DATA, "motorcycle_left.png"))) return t.skip("python3-skimage is not installed");
  const root = mkdtempSync(join(tmpdir(), "fl-depth-"));
  const saved = process.env.FLAMBEAU_CACHE;
  process.env.FLAMBEAU_CACHE = join(root, "cache");
  try {
    const task = VISION_TASKS["depth-estimation"];
    const stereo = join(root, "stereo");
    const r = await task.train({ data: "rendered", out: stereo, model: "stereo", limit: 8, epochs: 1, batchSize: 4 });
    assert.ok(Number.isFinite(r.metrics.epe as number));
    const ev = await task.evaluate(stereo, "rendered", { limit: 4 });
    assert.equal(ev.scenes, 4);
    assert.ok((ev.bad2 as number) >= 0 && (ev.bad2 as number) <= 100);
    const mb = await task.evaluate(stereo, "middlebury");
    assert.equal(mb.width, 256);
    assert.ok(Number.isFinite(mb.epe as number) && Number.isFinite(mb.medianConstantEpe as number));
    const left = join(SKIMAGE_DATA, "motorcycle_left.png");
    const right = join(SKIMAGE_DATA, "motorcycle_right.png");
    const [p] = (await task.predict(stereo, [left, right])) as { output: string; kind: string }[];
    assert.equal(p!.kind, "disparity");
    assert.ok(existsSync(p!.output));
    // A right image of another size: the error names both files.
    const odd = join(root, "odd.png");
    await writeImage(odd, tensor(new Uint8Array(3 * 20 * 30), { shape: [3, 20, 30] }));
    await assert.rejects(task.predict(stereo, [left, odd]), (e: unknown) => {
      assert.ok(e instanceof FlambeauError);
      assert.match(e.message, /motorcycle_left\.png/);
      assert.match(e.message, /odd\.png/);
      return true;
    });
    await assert.rejects(task.predict(stereo, [left]), /pairs/);

    const mono = join(root, "mono");
    const m = await task.train({ data: "rendered", out: mono, model: "unet", limit: 8, epochs: 1, batchSize: 4 });
    assert.ok(Number.isFinite(m.metrics.absRel as number));
    const me = await task.evaluate(mono, "rendered", { limit: 4 });
    assert.ok((me.delta1 as number) >= 0 && (me.delta1 as number) <= 1);
    assert.ok(Number.isFinite(me.meanDepthAbsRel as number));
    await assert.rejects(task.evaluate(mono, "middlebury"), /stereo models/);
    const [q] = (await task.predict(mono, [left])) as { output: string; kind: string }[];
    assert.equal(q!.kind, "depth");
    assert.ok(existsSync(q!.output));
    await assert.rejects(task.train({ data: "photos", out: join(root, "x") }), /rendered/);
  } finally {
    if (saved === undefined) delete process.env.FLAMBEAU_CACHE;
    else process.env.FLAMBEAU_CACHE = saved;
    rmSync(root, { recursive: true, force: true });
  }
});
