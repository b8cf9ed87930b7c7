// The seeded clip generator: real cut-out objects (vision's scene objects: Fashion-MNIST
// items or opencv-doc's digits) acting on crops of real photos — moving, rotating, growing,
// bouncing, appearing, two of them swapping — with each object's identity and exact box in
// every frame. Clip i of a (seed, split) is a pure function of them; the test split uses
// held-out objects and held-out photos.
import { FlambeauError } from "../../core/errors.js";
import { Random } from "../../data/random.js";
import { type Background, loadBackgrounds } from "../../vision/scenes/backgrounds.js";
import type { ColorName } from "../../vision/scenes/colors.js";
import { objectTint, sceneBackground } from "../../vision/scenes/generate.js";
import { loadObjectBank, type ObjectBank, type ObjectSource } from "../../vision/scenes/objects.js";
import { maskBox, renderSprite, type Sprite } from "../../vision/scenes/raster.js";
import { ACTIONS, type Action, type ObjectState, trajectories } from "./actions.js";

export interface ClipOptions {
  count: number;
  /** Side of the square frames in px (default 32). */
  size?: number;
  /** Frames per clip (default 8). */
  frames?: number;
  /** "fashion" (default) or "digits". */
  objects?: ObjectSource;
  split?: "train" | "test";
  seed?: number;
  /** The acting object's side as a fraction of the frame (default 0.35 … 0.5). */
  minScale?: number;
  maxScale?: number;
  /** Chance that a still second object stands in the clip (default 0.5): counting objects then tells nothing. */
  distractor?: number;
  /** Keep each frame's instance map (object k + 1 where it is visible; default false). */
  masks?: boolean;
  /** Background photos: a folder or "debian-photos" (default). */
  photos?: string;
}

export interface ClipObject {
  /** Stable identity within the clip (1, 2, …), as a tracker should report it. */
  id: number;
  /** Class of the item (Fashion-MNIST class or digit). */
  category: number;
  /** Index of the item in its object bank. */
  item: number;
  /** Whether it performs the action (false: the still distractor). */
  acting: boolean;
  /** The name of its tint ("red", "gray", …), as captions say it. */
  color: ColorName;
}

export interface Clip {
  /** Index into ACTIONS. */
  label: number;
  /** uint8 [T, 3, S, S] */
  frames: Uint8Array;
  objects: ClipObject[];
  /** boxes[t][k]: [x, y, w, h] of objects[k]'s visible pixels in frame t, null where none are. */
  boxes: ([number, number, number, number] | null)[][];
  /** states[t][k]: where objects[k] was drawn in frame t (its centre, length, angle). */
  states: ObjectState[][];
  /** uint8 [T, S, S] instance maps (0 background, k + 1 for objects[k]) when asked for. */
  masks?: Uint8Array;
}

export interface ClipSet {
  size: number;
  frames: number;
  /** The action names, ACTIONS. */
  classes: string[];
  /** The object bank's class names. */
  objectClasses: string[];
  clips: Clip[];
  options: Required<ClipOptions>;
}

export const CLIP_DEFAULTS: Omit<Required<ClipOptions>, "count"> = Object.freeze({
  size: 32,
  frames: 8,
  objects: "fashion",
  split: "train",
  seed: 0,
  minScale: 0.35,
  maxScale: 0.5,
  distractor: 0.5,
  masks: false,
  photos: "debian-photos",
});

function checkOptions(o: Required<ClipOptions>): void {
  const bad = (name: string, want: string, v: unknown) =>
    new FlambeauError("E_ARG", `generateClips: ${name} must be ${want}, got ${JSON.stringify(v)}`, "generateClips");
  const int = (name: keyof ClipOptions, lo: number, hi: number) => {
    const v = o[name] as number;
    if (!Number.isInteger(v) || v < lo || v > hi) throw bad(name, `an integer in [${lo}, ${hi}]`, v);
  };
  int("count", 0, 1_000_000);
  int("size", 16, 256);
  int("frames", 5, 64);
  int("seed", 0, Number.MAX_SAFE_INTEGER);
  if (o.split !== "train" && o.split !== "test") throw bad("split", `"train" or "test"`, o.split);
  if (!(o.minScale >= 0.15 && o.minScale <= o.maxScale && o.maxScale <= 0.6))
    throw bad("minScale/maxScale", "0.15 ≤ minScale ≤ maxScale ≤ 0.6", [o.minScale, o.maxScale]);
  if (!(o.distractor >= 0 && o.distractor <= 1)) throw bad("distractor", "in [0, 1]", o.distractor);
}

interface Actor {
  item: number;
  color: [number, number, number];
  colorName: ColorName;
  gain: number;
  states: ObjectState[];
  /** Rendered sprites by (length, angle): a moving or still object is rendered once. */
  sprites: Map<string, Sprite | null>;
}

/** Pastes one actor's sprite for a state; marks its pixels `id` in the instance map. */
function paste(bank: ObjectBank, a: Actor, st: ObjectState, frame: Uint8Array, inst: Uint8Array, s: number, id: number): void {
  if (!st.visible) return;
  const side = bank.side;
  const area = side * side;
  const sp = renderSprite(
    bank.pixels.subarray(a.item * area, (a.item + 1) * area),
    bank.mask(a.item),
    side,
    Math.max(4, Math.round(st.length)),
    st.angle,
  );
  if (!sp) return;
  // The sprite is cropped to its mask: its box centre is placed on the state's centre (to half a pixel).
  const x0 = Math.round(st.cx - sp.width / 2);
  const y0 = Math.round(st.cy - sp.height / 2);
  const hw = s * s;
  for (let v = 0; v < sp.height; v++) {
    const y = y0 + v;
    if (y < 0 || y >= s) continue;
    for (let u = 0; u < sp.width; u++) {
      const x = x0 + u;
      const j = v * sp.width + u;
      if (x < 0 || x >= s || !sp.mask[j]) continue;
      const p = y * s + x;
      inst[p] = id;
      const g = a.gain * (60 + (195 * sp.gray[j]!) / 255);
      for (let c = 0; c < 3; c++) frame[c * hw + p] = Math.min(255, Math.round(g * a.color[c]!));
    }
  }
}

function clip(bank: ObjectBank, bgs: readonly Background[], o: Required<ClipOptions>, index: number): Clip {
  const rng = new Random(o.seed, o.split === "train" ? 0 : 1, index);
  const s = o.size;
  const T = o.frames;
  // Balanced classes: clip i shows action i mod 9; everything else is drawn at random.
  const label = index % ACTIONS.length;
  const action: Action = ACTIONS[label]!;
  const backdrop = sceneBackground(bgs, s, rng);
  const length = () => s * (o.minScale + rng.nextFloat() * (o.maxScale - o.minScale));
  const newActor = (states: ObjectState[]): Actor => {
    const item = rng.int(bank.count);
    const tint = objectTint(rng);
    return { item, color: tint.rgb, colorName: tint.name, gain: 0.6 + 0.4 * rng.nextFloat(), states, sprites: new Map() };
  };

  const acting = action === "swap" ? 2 : 1;
  const tracks = trajectories(action, rng, s, T, acting === 2 ? [length() * 0.85, length() * 0.85] : [length()]);
  const actors = tracks.map(newActor);
  // The still distractor is drawn first, behind the actors.
  if (action !== "swap" && rng.nextFloat() < o.distractor) {
    const L = length() * 0.8;
    const m = 0.72 * L;
    const st: ObjectState = {
      cx: m + rng.nextFloat() * (s - 2 * m),
      cy: m + rng.nextFloat() * (s - 2 * m),
      length: L,
      angle: ((rng.nextFloat() * 2 - 1) * Math.PI) / 12,
      visible: true,
    };
    actors.unshift(newActor(Array.from({ length: T }, () => st)));
  }
  const hw = s * s;
  const frames = new Uint8Array(T * 3 * hw);
  const masks = new Uint8Array(T * hw);
  const boxes: ([number, number, number, number] | null)[][] = [];
  for (let t = 0; t < T; t++) {
    const frame = frames.subarray(t * 3 * hw, (t + 1) * 3 * hw);
    frame.set(backdrop);
    const inst = masks.subarray(t * hw, (t + 1) * hw);
    actors.forEach((a, k) => paste(bank, a, a.states[t]!, frame, inst, s, k + 1));
    boxes.push(actors.map((_, k) => maskBox(inst, s, s, k + 1)));
  }
  const distracted = actors.length > acting;
  return {
    label,
    frames,
    objects: actors.map((a, k) => ({
      id: k + 1,
      category: bank.labels[a.item]!,
      item: a.item,
      acting: !(distracted && k === 0),
      color: a.colorName,
    })),
    boxes,
    states: Array.from({ length: T }, (_, t) => actors.map((a) => a.states[t]!)),
    ...(o.masks ? { masks } : {}),
  };
}

/** Generates `count` labelled clips (deterministic for the options). */
export async function generateClips(options: ClipOptions): Promise<ClipSet> {
  const o = { ...CLIP_DEFAULTS, ...options } as Required<ClipOptions>;
  checkOptions(o);
  const bank = await loadObjectBank(o.objects, o.split);
  const bgs = await loadBackgrounds(o.photos, o.split, o.size);
  const clips: Clip[] = [];
  for (let i = 0; i < o.count; i++) clips.push(clip(bank, bgs, o, i));
  return { size: o.size, frames: o.frames, classes: [...ACTIONS], objectClasses: [...bank.classes], clips, options: o };
}
