// The actions of generated clips, as trajectories: per object and frame, where its centre
// is, how long it is, how it is turned and whether it is there. Each action is told apart
// only by how these change over time, so a model that sees one frame cannot name it.
import type { Random } from "../../data/random.js";

export const ACTIONS = ["move-left", "move-right", "move-up", "move-down", "rotate", "grow", "bounce", "appear", "swap"] as const;
export type Action = (typeof ACTIONS)[number];

/** One object in one frame. */
export interface ObjectState {
  cx: number;
  cy: number;
  /** The item's unrotated side in px. */
  length: number;
  /** Radians. */
  angle: number;
  visible: boolean;
}

const lerp = (a: number, b: number, f: number) => a + (b - a) * f;
const between = (rng: Random, lo: number, hi: number) => lo + rng.nextFloat() * (hi - lo);
/** A centre coordinate keeping an object of half-extent m inside [0, size]. */
const inside = (rng: Random, size: number, m: number) => between(rng, m, size - m);

/** The extent from the centre to the edge of a sprite turned up to 45°: 0.72 of its side. */
const REACH = 0.72;

/**
 * The states of the acting objects (one, or two for swap) over `frames` frames of a
 * size × size clip, whose objects are `lengths` px long before any growth.
 */
export function trajectories(action: Action, rng: Random, size: number, frames: number, lengths: readonly number[]): ObjectState[][] {
  const s = size;
  const last = frames - 1;
  const tilt = () => ((rng.nextFloat() * 2 - 1) * 15 * Math.PI) / 180;
  const L = lengths[0]!;
  const m = REACH * L;
  const still = (cx: number, cy: number, angle: number, length = L): ObjectState => ({ cx, cy, length, angle, visible: true });
  switch (action) {
    case "move-left":
    case "move-right":
    case "move-up":
    case "move-down": {
      const span = s - 2 * m;
      const travel = Math.min(span, between(rng, 0.3 * s, 0.5 * s));
      const from = between(rng, m, m + span - travel);
      const across = inside(rng, s, m);
      const sign = action === "move-left" || action === "move-up" ? -1 : 1;
      const [a, b] = sign > 0 ? [from, from + travel] : [from + travel, from];
      const angle = tilt();
      const horizontal = action === "move-left" || action === "move-right";
      return [
        Array.from({ length: frames }, (_, t) => {
          const p = lerp(a, b, t / last);
          return horizontal ? still(p, across, angle) : still(across, p, angle);
        }),
      ];
    }
    case "rotate": {
      const [cx, cy] = [inside(rng, s, m), inside(rng, s, m)];
      const a0 = rng.nextFloat() * 2 * Math.PI;
      const w = ((rng.nextFloat() < 0.5 ? -1 : 1) * between(rng, 20, 35) * Math.PI) / 180;
      return [Array.from({ length: frames }, (_, t) => still(cx, cy, a0 + w * t))];
    }
    case "grow": {
      const l0 = L * between(rng, 0.55, 0.7);
      const l1 = Math.min(0.8 * s, l0 * between(rng, 1.6, 2.0));
      const mm = REACH * l1;
      const [cx, cy] = [inside(rng, s, Math.min(mm, s / 2)), inside(rng, s, Math.min(mm, s / 2))];
      const angle = tilt();
      return [Array.from({ length: frames }, (_, t) => still(cx, cy, angle, lerp(l0, l1, t / last)))];
    }
    case "bounce": {
      // Towards a wall and back: the turn falls inside the clip, at frame k.
      const k = 2 + rng.int(Math.max(1, frames - 4));
      const span = s - 2 * m;
      const v = Math.min(between(rng, 0.07 * s, 0.12 * s), span / Math.max(k, last - k));
      const toHigh = rng.nextFloat() < 0.5;
      const wall = toHigh ? s - m : m;
      const across = inside(rng, s, m);
      const horizontal = rng.nextFloat() < 0.5;
      const angle = tilt();
      return [
        Array.from({ length: frames }, (_, t) => {
          const p = wall - (toHigh ? 1 : -1) * v * Math.abs(t - k);
          return horizontal ? still(p, across, angle) : still(across, p, angle);
        }),
      ];
    }
    case "appear": {
      const k = 2 + rng.int(Math.max(1, frames - 3));
      const [cx, cy] = [inside(rng, s, m), inside(rng, s, m)];
      const angle = tilt();
      return [Array.from({ length: frames }, (_, t) => ({ ...still(cx, cy, angle), visible: t >= k }))];
    }
    case "swap": {
      // Two objects trade places along a line through the clip; the second passes in front of the first.
      const L2 = lengths[1] ?? L;
      const mm = REACH * Math.max(L, L2);
      const angle = rng.nextFloat() * Math.PI;
      const half = Math.min(s / 2 - mm, between(rng, 0.22 * s, 0.35 * s));
      const [dx, dy] = [Math.cos(angle) * half, Math.sin(angle) * half];
      const cx = s / 2 + between(rng, -1, 1) * Math.max(0, s / 2 - mm - Math.abs(dx));
      const cy = s / 2 + between(rng, -1, 1) * Math.max(0, s / 2 - mm - Math.abs(dy));
      const [a1, a2] = [tilt(), tilt()];
      return [
        Array.from({ length: frames }, (_, t) => still(lerp(cx - dx, cx + dx, t / last), lerp(cy - dy, cy + dy, t / last), a1)),
        Array.from({ length: frames }, (_, t) => ({
          ...still(lerp(cx + dx, cx - dx, t / last), lerp(cy + dy, cy - dy, t / last), a2),
          length: L2,
        })),
      ];
    }
  }
}
