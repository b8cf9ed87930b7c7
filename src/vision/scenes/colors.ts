// Names of the generator's tints, from the tint's HSV hue h ∈ [0, 6): red (0) → yellow (1) →
// green (2) → cyan (3) → blue (4) → purple (5) → red, each name owning the unit interval centred
// on its hue. Texture and gain scale the three channels alike, so the drawn pixels keep the
// tint's hue and the name is a function of the drawn colour, not a guess from pixels.

export const COLOR_NAMES = ["red", "yellow", "green", "cyan", "blue", "purple", "gray"] as const;
export type ColorName = (typeof COLOR_NAMES)[number];

/** Untinted items keep their own gray. */
export const GRAY: ColorName = "gray";

/** The name of hue h ∈ [0, 6) (the HSV hue in sixths of the circle). */
export function hueName(h: number): ColorName {
  return COLOR_NAMES[Math.floor(h + 0.5) % 6]!;
}

/** HSV hue of an RGB triple in sixths of the circle, [0, 6); NaN for a gray. */
export function hue(r: number, g: number, b: number): number {
  const max = Math.max(r, g, b);
  const d = max - Math.min(r, g, b);
  if (d === 0) return Number.NaN;
  const h = max === r ? (g - b) / d : max === g ? 2 + (b - r) / d : 4 + (r - g) / d;
  return (h + 6) % 6;
}

/** The name of an RGB colour: "gray" when its channels are equal, else its hue's name. */
export function colorName(r: number, g: number, b: number): ColorName {
  const h = hue(r, g, b);
  return Number.isNaN(h) ? GRAY : hueName(h);
}
