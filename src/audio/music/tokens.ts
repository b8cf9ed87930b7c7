// The performance-event vocabulary of Music Transformer (Huang et al. 2018) and Oore et al. 2018:
// 128 NOTE_ON and 128 NOTE_OFF pitches, 100 TIME_SHIFTs of 10 ms … 1 s, 32 VELOCITY bins; here
// after a padding id, and followed by one STYLE token per style, which starts every sequence.
// Notes of every channel but the General MIDI drum channel are merged into one stream.
// Augmentation as in Music Transformer: transposition and a tempo stretch of the notes.
import { FlambeauError } from "../../core/errors.js";
import type { Note } from "./midi.js";

export const PAD = 0;
export const NOTE_ON = 1;
export const NOTE_OFF = NOTE_ON + 128;
export const TIME_SHIFT = NOTE_OFF + 128;
export const SHIFT_STEPS = 100;
/** Seconds per time-shift step. */
export const SHIFT_SECONDS = 0.01;
export const VELOCITY = TIME_SHIFT + SHIFT_STEPS;
export const VELOCITY_BINS = 32;
/** The first style token; style s is STYLE + s. */
export const STYLE = VELOCITY + VELOCITY_BINS;
export const DRUM_CHANNEL = 9;

export const vocabSize = (styles: number) => STYLE + styles;

export type EventKind = "pad" | "on" | "off" | "shift" | "velocity" | "style";

/** The kind of a token id and its value (pitch, steps, bin or style). */
export function tokenKind(id: number): { kind: EventKind; value: number } {
  if (id === PAD) return { kind: "pad", value: 0 };
  if (id < NOTE_OFF) return { kind: "on", value: id - NOTE_ON };
  if (id < TIME_SHIFT) return { kind: "off", value: id - NOTE_OFF };
  if (id < VELOCITY) return { kind: "shift", value: id - TIME_SHIFT + 1 };
  if (id < STYLE) return { kind: "velocity", value: id - VELOCITY };
  return { kind: "style", value: id - STYLE };
}

/** A token's name: NOTE_ON_60, TIME_SHIFT_25 (steps of 10 ms), VELOCITY_12, STYLE_0. */
export function tokenName(id: number): string {
  const { kind, value } = tokenKind(id);
  return (
    { pad: "PAD", on: "NOTE_ON", off: "NOTE_OFF", shift: "TIME_SHIFT", velocity: "VELOCITY", style: "STYLE" }[kind] +
    (kind === "pad" ? "" : `_${value}`)
  );
}

const velocityBin = (v: number) => Math.min(VELOCITY_BINS - 1, Math.max(0, Math.floor((v * VELOCITY_BINS) / 128)));
/** The MIDI velocity a bin decodes to (its centre). */
export const binVelocity = (b: number) => Math.min(127, Math.max(1, Math.round(((b + 0.5) * 128) / VELOCITY_BINS)));

export interface AugmentOptions {
  /** Semitones added to every pitch (pitches leaving 0–127 are dropped). */
  transpose?: number;
  /** Times are multiplied by this (1.05: 5 % slower). */
  stretch?: number;
}

/** Notes as event tokens (without the style token): times quantised to 10 ms, offs before ons at one instant. */
export function encodeNotes(notes: readonly Note[], o: AugmentOptions = {}): number[] {
  const tr = o.transpose ?? 0;
  const st = o.stretch ?? 1;
  if (!Number.isInteger(tr)) throw new FlambeauError("E_ARG", `encodeNotes: transpose must be an integer, got ${tr}`, "encodeNotes");
  if (!(st > 0)) throw new FlambeauError("E_ARG", `encodeNotes: stretch must be > 0, got ${st}`, "encodeNotes");
  const ev: { step: number; order: number; pitch: number; velocity: number }[] = [];
  for (const n of notes) {
    const p = n.pitch + tr;
    if (n.channel === DRUM_CHANNEL || p < 0 || p > 127) continue;
    const a = Math.round((n.start * st) / SHIFT_SECONDS);
    const b = Math.max(a + 1, Math.round((n.end * st) / SHIFT_SECONDS));
    ev.push({ step: a, order: 1, pitch: p, velocity: n.velocity }, { step: b, order: 0, pitch: p, velocity: 0 });
  }
  ev.sort((x, y) => x.step - y.step || x.order - y.order || x.pitch - y.pitch);
  const out: number[] = [];
  const sounding = new Int32Array(128);
  let now = 0;
  let vel = -1;
  for (const e of ev) {
    // Merged channels may strike a pitch that is sounding: one voice per pitch, held until its last release.
    if (e.order === 0 && --sounding[e.pitch]! > 0) continue;
    if (e.order === 1 && sounding[e.pitch]!++ > 0) continue;
    for (let gap = e.step - now; gap > 0; gap -= SHIFT_STEPS) out.push(TIME_SHIFT + Math.min(gap, SHIFT_STEPS) - 1);
    now = e.step;
    if (e.order === 0) out.push(NOTE_OFF + e.pitch);
    else {
      const b = velocityBin(e.velocity);
      if (b !== vel) out.push(VELOCITY + b);
      vel = b;
      out.push(NOTE_ON + e.pitch);
    }
  }
  return out;
}

/**
 * Tokens back to notes (channel 0, program 0). Style and padding tokens are skipped; a NOTE_ON
 * of a sounding pitch restarts it; notes left sounding end at the last instant; a note released
 * at the instant it started (no time shift between) is dropped.
 */
export function decodeTokens(tokens: readonly number[]): Note[] {
  const notes: Note[] = [];
  const open = new Map<number, { start: number; velocity: number }>();
  let step = 0;
  let vel = binVelocity(16);
  const close = (p: number, at: number) => {
    const o = open.get(p);
    if (!o) return;
    open.delete(p);
    if (at > o.start)
      notes.push({ pitch: p, velocity: o.velocity, start: o.start * SHIFT_SECONDS, end: at * SHIFT_SECONDS, channel: 0, program: 0 });
  };
  for (const id of tokens) {
    const { kind, value } = tokenKind(id);
    if (kind === "shift") step += value;
    else if (kind === "velocity") vel = binVelocity(value);
    else if (kind === "off") close(value, step);
    else if (kind === "on") {
      close(value, step);
      open.set(value, { start: step, velocity: vel });
    }
  }
  for (const p of [...open.keys()]) close(p, step);
  return notes.sort((a, b) => a.start - b.start || a.pitch - b.pitch);
}

/** Seconds of music that tokens span (the sum of their time shifts). */
export function tokenSeconds(tokens: readonly number[]): number {
  let steps = 0;
  for (const id of tokens) if (id >= TIME_SHIFT && id < VELOCITY) steps += id - TIME_SHIFT + 1;
  return steps * SHIFT_SECONDS;
}
