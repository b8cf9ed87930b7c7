// The synthetic voices: espeak-ng accents × voice variants (each variant is a distinct
// formant/pitch profile) and flite's built-in voices. A voice's `group` is what splits keep
// apart: all accents of one espeak-ng variant share a group, so a test group's timbre is
// never heard in training under any accent.

export type SpeechEngine = "espeak-ng" | "flite";

export interface Voice {
  /** Stable identifier, e.g. "espeak-ng:en-us+m3" or "flite:slt". */
  id: string;
  engine: SpeechEngine;
  /** espeak-ng's -v argument or flite's -voice name. */
  name: string;
  group: string;
}

export const ESPEAK_ACCENTS = ["en-us", "en", "en-gb-scotland", "en-gb-x-rp", "en-029", "en-gb-x-gbclan", "en-gb-x-gbcwmd"] as const;
export const ESPEAK_VARIANTS = [
  "m1",
  "m2",
  "m3",
  "m4",
  "m5",
  "m6",
  "m7",
  "f1",
  "f2",
  "f3",
  "f4",
  "f5",
  "klatt",
  "klatt2",
  "klatt3",
  "Andy",
  "Annie",
  "Denis",
  "Gene",
  "Jacky",
  "Lee",
  "Michael",
  "Mike",
  "belinda",
  "boris",
  "david",
  "edward",
  "linda",
  "max",
  "norbert",
  "pablo",
  "quincy",
  "rob",
  "robert",
  "steph",
  "travis",
  "victor",
  "zac",
  "grandma",
  "grandpa",
] as const;
export const FLITE_VOICES = ["slt", "awb", "rms", "kal16", "kal"] as const;

/** Every voice, grouped by timbre; deterministic order. */
export function allVoices(): Voice[] {
  const out: Voice[] = [];
  for (const v of ESPEAK_VARIANTS)
    for (const a of ESPEAK_ACCENTS)
      out.push({ id: `espeak-ng:${a}+${v}`, engine: "espeak-ng", name: `${a}+${v}`, group: `espeak-ng:${v}` });
  for (const f of FLITE_VOICES) out.push({ id: `flite:${f}`, engine: "flite", name: f, group: `flite:${f}` });
  return out;
}

/** The voice groups in a deterministic order. */
export function voiceGroups(): string[] {
  return [...new Set(allVoices().map((v) => v.group))];
}
