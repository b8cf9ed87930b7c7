// The target range syntax "LO:HI" a generated molecule's property is asked in. Apart from
// properties.ts so that the public declarations reach it without openchemlib's types.
import { FlambeauError } from "../../core/errors.js";

export interface TargetRange {
  lo: number;
  hi: number;
}

/** "1:3" → { lo: 1, hi: 3 }; a range must be two finite numbers, low ≤ high. */
export function parseTarget(text: string, op: string): TargetRange {
  const m = /^\s*(-?[\d.]+(?:e-?\d+)?)\s*:\s*(-?[\d.]+(?:e-?\d+)?)\s*$/i.exec(text);
  const lo = m ? Number(m[1]) : Number.NaN;
  const hi = m ? Number(m[2]) : Number.NaN;
  if (!Number.isFinite(lo) || !Number.isFinite(hi))
    throw new FlambeauError("E_ARG", `${op}: target must be a range LO:HI of two numbers (e.g. 1:3), got "${text}"`, op);
  if (lo > hi)
    throw new FlambeauError("E_ARG", `${op}: target range "${text}" is reversed (low ${lo} > high ${hi}); write ${hi}:${lo}`, op);
  return { lo, hi };
}

export const inRange = (v: number, t: TargetRange): boolean => v >= t.lo && v <= t.hi;

export const formatTarget = (t: TargetRange): string => `${t.lo}:${t.hi}`;
