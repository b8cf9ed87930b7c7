// The clip generator: clips are a pure function of (seed, split, index), every box is the
// bounds of its object's pixels, and the boxes follow the action (hand-checked motion).
import assert from "node:assert/strict";
import { test } from "node:test";
import * as fl from "flambeau";

const { video, vision } = fl;

test("clips are a pure function of (seed, split, index), with balanced labels", async () => {
  const o = { count: 9, seed: 5, size: 32, frames: 6 };
  const a = await video.generateClips(o);
  const b = await video.generateClips(o);
  const prefix = await video.generateClips({ ...o, count: 4 });
  const other = await video.generateClips({ ...o, seed: 6 });
  const held = await video.generateClips({ ...o, split: "test" });
  assert.deepEqual(a.clips, b.clips, "same options, same clips");
  assert.deepEqual(prefix.clips, a.clips.slice(0, 4), "clip i does not depend on the count");
  assert.notDeepEqual(other.clips[0]!.frames, a.clips[0]!.frames);
  assert.notDeepEqual(held.clips[0]!.frames, a.clips[0]!.frames, "the test split draws held-out objects and photos");
  assert.deepEqual(
    a.clips.map((c) => a.classes[c.label]),
    ["move-left", "move-right", "move-up", "move-down", "rotate", "grow", "bounce", "appear", "swap"],
  );
  assert.equal(a.clips[0]!.frames.length, 6 * 3 * 32 * 32);
  await assert.rejects(
    video.generateClips({ count: 1, frames: 2 }),
    (e: unknown) => e instanceof fl.FlambeauError && /frames/.test(e.message),
  );
});

test("boxes are exactly the bounds of each object's pixels and follow the action", async () => {
  const set = await video.generateClips({ count: 27, seed: 2, size: 32, frames: 8, masks: true });
  const s = set.size;
  const T = set.frames;
  for (const c of set.clips) {
    const action = set.classes[c.label]!;
    for (let t = 0; t < T; t++) {
      const inst = c.masks!.subarray(t * s * s, (t + 1) * s * s);
      c.objects.forEach((_, k) => assert.deepEqual(c.boxes[t]![k], vision.maskBox(inst, s, s, k + 1)));
    }
    // The acting object drawn last is never hidden: its box centre is where it was placed (to half a pixel each way).
    const k = c.objects.length - 1;
    assert.ok(c.objects[k]!.acting);
    const centres: [number, number][] = [];
    for (let t = 0; t < T; t++) {
      const box = c.boxes[t]![k];
      const st = c.states[t]![k]!;
      if (!st.visible) {
        assert.equal(box, null, `${action}: hidden in frame ${t}`);
        continue;
      }
      assert.ok(box, `${action}: visible in frame ${t}`);
      const [x, y, w, h] = box;
      centres.push([x + w / 2, y + h / 2]);
      if (x > 0 && y > 0 && x + w < s && y + h < s) {
        assert.ok(
          Math.abs(x + w / 2 - st.cx) <= 1 && Math.abs(y + h / 2 - st.cy) <= 1,
          `${action} frame ${t}: box ${box} vs centre ${st.cx}, ${st.cy}`,
        );
      }
    }
    const dx = centres.at(-1)![0] - centres[0]![0];
    const dy = centres.at(-1)![1] - centres[0]![1];
    if (action === "move-left") assert.ok(dx <= -5 && Math.abs(dy) <= 1, `${action} dx ${dx} dy ${dy}`);
    if (action === "move-right") assert.ok(dx >= 5 && Math.abs(dy) <= 1, `${action} dx ${dx} dy ${dy}`);
    if (action === "move-up") assert.ok(dy <= -5 && Math.abs(dx) <= 1, `${action} dx ${dx} dy ${dy}`);
    if (action === "move-down") assert.ok(dy >= 5 && Math.abs(dx) <= 1, `${action} dx ${dx} dy ${dy}`);
    if (action === "grow") assert.ok(c.states[T - 1]![k]!.length > 1.5 * c.states[0]![k]!.length);
    if (action === "appear") assert.ok(!c.states[0]![k]!.visible && c.states[T - 1]![k]!.visible);
    if (action === "swap") {
      const [p, q] = [c.states[0]!, c.states[T - 1]!];
      assert.ok(Math.abs(p[k]!.cx - q[k - 1]!.cx) < 1e-9 && Math.abs(p[k - 1]!.cy - q[k]!.cy) < 1e-9, "the two trade places");
    }
    if (action === "bounce") {
      // Moves one way, then back: the motion along its axis changes sign once.
      const axis = Math.abs(c.states[1]![k]!.cx - c.states[0]![k]!.cx) > 1e-9 ? "cx" : "cy";
      const v = c.states.slice(1).map((st, t) => Math.sign(st[k]![axis] - c.states[t]![k]![axis]));
      assert.equal(v.filter((d, t) => t > 0 && d !== v[t - 1]).length, 1, `${action}: ${v}`);
    }
  }
});
