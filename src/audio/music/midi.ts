// A small, strict Standard MIDI File reader and writer (SMF formats 0 and 1): chunks, variable-
// length quantities, running status, channel, meta and sysex events. Every error names the file
// and the byte offset where reading stopped. `midiNotes` turns a file into timed notes through
// its tempo map; `notesToMidi` writes notes back as a format-0 file.
import { readFileSync, renameSync, writeFileSync } from "node:fs";
import { FlambeauError } from "../../core/errors.js";

/** A channel voice message (status 0x80–0xEF): `data` holds its one or two data bytes. */
export interface MidiChannelEvent {
  kind: "channel";
  delta: number;
  status: number;
  data: number[];
}
/** A meta event (0xFF type length bytes); type 0x2F ends a track, 0x51 sets the tempo. */
export interface MidiMetaEvent {
  kind: "meta";
  delta: number;
  type: number;
  data: Uint8Array;
}
/** A sysex event: status 0xF0 (complete) or 0xF7 (escape/continuation). */
export interface MidiSysexEvent {
  kind: "sysex";
  delta: number;
  status: number;
  data: Uint8Array;
}
export type MidiEvent = MidiChannelEvent | MidiMetaEvent | MidiSysexEvent;

export interface MidiFile {
  format: 0 | 1;
  /** Ticks per quarter note (> 0), or SMPTE: `{ fps, ticksPerFrame }`. */
  division: number | { fps: number; ticksPerFrame: number };
  tracks: MidiEvent[][];
}

export interface Note {
  pitch: number;
  velocity: number;
  /** Seconds. */
  start: number;
  end: number;
  channel: number;
  program: number;
}

const OP = "readMidi";
/** Data bytes that follow each channel status's high nibble. */
const DATA_BYTES: Record<number, number> = { 8: 2, 9: 2, 10: 2, 11: 2, 12: 1, 13: 1, 14: 2 };
const MAX_VLQ = 0x0fffffff;

class Reader {
  pos = 0;
  constructor(
    readonly b: Uint8Array,
    readonly file: string,
  ) {}
  fail(msg: string, at = this.pos): never {
    throw new FlambeauError("E_FORMAT", `${OP}: ${this.file}: byte ${at}: ${msg}`, OP);
  }
  need(n: number, what: string, end = this.b.length): void {
    if (this.pos + n > end) this.fail(`truncated ${what} (needs ${n} bytes, ${Math.max(0, end - this.pos)} left)`);
  }
  u8(what: string, end?: number): number {
    this.need(1, what, end);
    return this.b[this.pos++]!;
  }
  u16(what: string): number {
    this.need(2, what);
    const v = (this.b[this.pos]! << 8) | this.b[this.pos + 1]!;
    this.pos += 2;
    return v;
  }
  u32(what: string): number {
    this.need(4, what);
    const v = this.b[this.pos]! * 2 ** 24 + ((this.b[this.pos + 1]! << 16) | (this.b[this.pos + 2]! << 8) | this.b[this.pos + 3]!);
    this.pos += 4;
    return v;
  }
  tag(): string {
    this.need(4, "chunk type");
    const s = String.fromCharCode(...this.b.subarray(this.pos, this.pos + 4));
    this.pos += 4;
    return s;
  }
  vlq(what: string, end: number): number {
    const at = this.pos;
    let v = 0;
    for (let i = 0; i < 4; i++) {
      const c = this.u8(what, end);
      v = v * 128 + (c & 0x7f);
      if (!(c & 0x80)) return v;
    }
    return this.fail(`${what}: a variable-length quantity longer than 4 bytes`, at);
  }
}

function readTrack(r: Reader, end: number, index: number): MidiEvent[] {
  const events: MidiEvent[] = [];
  let running = 0;
  while (r.pos < end) {
    const delta = r.vlq(`track ${index} delta time`, end);
    const at = r.pos;
    let status = r.u8(`track ${index} event`, end);
    if (status === 0xff) {
      const type = r.u8(`track ${index} meta type`, end);
      if (type & 0x80) r.fail(`track ${index}: meta type 0x${type.toString(16)} is not below 0x80`, r.pos - 1);
      const len = r.vlq(`track ${index} meta length`, end);
      r.need(len, `track ${index} meta event data`, end);
      const data = r.b.slice(r.pos, r.pos + len);
      r.pos += len;
      if (type === 0x51 && len !== 3) r.fail(`track ${index}: a tempo event has ${len} data bytes, expected 3`, at);
      events.push({ kind: "meta", delta, type, data });
      if (type === 0x2f) {
        if (r.pos !== end) r.fail(`track ${index}: ${end - r.pos} bytes after End of Track`);
        return events;
      }
      // Meta and sysex events cancel running status.
      running = 0;
    } else if (status === 0xf0 || status === 0xf7) {
      const len = r.vlq(`track ${index} sysex length`, end);
      r.need(len, `track ${index} sysex data`, end);
      events.push({ kind: "sysex", delta, status, data: r.b.slice(r.pos, r.pos + len) });
      r.pos += len;
      running = 0;
    } else if (status >= 0xf0) {
      r.fail(`track ${index}: system status 0x${status.toString(16)} is not allowed in a MIDI file`, at);
    } else {
      const data: number[] = [];
      if (status < 0x80) {
        if (!running) r.fail(`track ${index}: data byte 0x${status.toString(16)} with no running status`, at);
        data.push(status);
        status = running;
      }
      running = status;
      const n = DATA_BYTES[status >> 4]!;
      while (data.length < n) {
        const d = r.u8(`track ${index} channel event data`, end);
        if (d & 0x80) r.fail(`track ${index}: data byte 0x${d.toString(16)} has its top bit set`, r.pos - 1);
        data.push(d);
      }
      events.push({ kind: "channel", delta, status, data });
    }
  }
  return r.fail(`track ${index} has no End of Track meta event`);
}

/** Parses the bytes of a Standard MIDI File; `file` names it in errors. */
export function parseMidi(bytes: Uint8Array, file = "<bytes>"): MidiFile {
  const r = new Reader(bytes, file);
  if (r.tag() !== "MThd") r.fail("not a MIDI file (no MThd header)", 0);
  const hlen = r.u32("header length");
  if (hlen < 6) r.fail(`header length ${hlen} is below 6`, 4);
  const hend = 8 + hlen;
  const format = r.u16("format");
  const ntrk = r.u16("track count");
  const div = r.u16("division");
  if (format !== 0 && format !== 1) r.fail(`SMF format ${format} is not supported (only 0 and 1)`, 8);
  if (format === 0 && ntrk !== 1) r.fail(`a format-0 file has ${ntrk} tracks, expected 1`, 10);
  if (ntrk === 0) r.fail("the file declares no tracks", 10);
  let division: MidiFile["division"];
  if (div & 0x8000) {
    const fps = 256 - (div >> 8);
    if (![24, 25, 29, 30].includes(fps)) r.fail(`SMPTE division with ${fps} frames per second`, 12);
    if ((div & 0xff) === 0) r.fail("SMPTE division with 0 ticks per frame", 12);
    division = { fps, ticksPerFrame: div & 0xff };
  } else {
    if (div === 0) r.fail("division of 0 ticks per quarter note", 12);
    division = div;
  }
  r.need(hend - r.pos, "header");
  r.pos = hend;
  const tracks: MidiEvent[][] = [];
  while (tracks.length < ntrk) {
    const at = r.pos;
    const tag = r.tag();
    const len = r.u32(`${tag} chunk length`);
    const end = r.pos + len;
    if (end > bytes.length)
      r.fail(`chunk ${JSON.stringify(tag)} of ${len} bytes runs past the end of the file (${bytes.length} bytes)`, at);
    // Unknown chunk types are skipped, as the specification asks.
    if (tag === "MTrk") tracks.push(readTrack(r, end, tracks.length));
    r.pos = end;
  }
  return { format: format as 0 | 1, division, tracks };
}

/** Reads and parses a MIDI file. */
export function readMidi(path: string): MidiFile {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new FlambeauError("E_IO", `${OP}: cannot read ${path}: ${(e as Error).message}`, OP);
  }
  return parseMidi(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length), path);
}

function vlqBytes(v: number, out: number[]): void {
  if (!Number.isInteger(v) || v < 0 || v > MAX_VLQ)
    throw new FlambeauError("E_ARG", `writeMidi: ${v} is not a variable-length quantity (an integer in [0, ${MAX_VLQ}])`, "writeMidi");
  const groups = [v & 0x7f];
  for (let x = Math.floor(v / 128); x > 0; x = Math.floor(x / 128)) groups.unshift((x & 0x7f) | 0x80);
  out.push(...groups);
}

/** Encodes a MIDI file; channel events use running status when `runningStatus` (default true). */
export function encodeMidi(m: MidiFile, o: { runningStatus?: boolean } = {}): Uint8Array {
  const W = "writeMidi";
  if (m.format === 0 && m.tracks.length !== 1)
    throw new FlambeauError("E_ARG", `${W}: a format-0 file holds one track, got ${m.tracks.length}`, W);
  const out: number[] = [0x4d, 0x54, 0x68, 0x64, 0, 0, 0, 6, 0, m.format, m.tracks.length >> 8, m.tracks.length & 0xff];
  if (typeof m.division === "number") {
    if (!Number.isInteger(m.division) || m.division < 1 || m.division > 0x7fff)
      throw new FlambeauError("E_ARG", `${W}: ticks per quarter note must be in [1, 32767], got ${m.division}`, W);
    out.push(m.division >> 8, m.division & 0xff);
  } else out.push((256 - m.division.fps) & 0xff, m.division.ticksPerFrame & 0xff);
  m.tracks.forEach((events, t) => {
    const body: number[] = [];
    let running = 0;
    events.forEach((e, i) => {
      vlqBytes(e.delta, body);
      if (e.kind === "channel") {
        const n = DATA_BYTES[e.status >> 4];
        if (n === undefined || e.status > 0xef || e.data.length !== n || e.data.some((d) => d < 0 || d > 127 || !Number.isInteger(d)))
          throw new FlambeauError("E_ARG", `${W}: track ${t} event ${i}: bad channel event 0x${e.status.toString(16)} [${e.data}]`, W);
        if (!(o.runningStatus ?? true) || e.status !== running) body.push(e.status);
        running = e.status;
        body.push(...e.data);
      } else if (e.kind === "meta") {
        body.push(0xff, e.type);
        vlqBytes(e.data.length, body);
        body.push(...e.data);
        running = 0;
      } else {
        body.push(e.status);
        vlqBytes(e.data.length, body);
        body.push(...e.data);
        running = 0;
      }
    });
    const last = events[events.length - 1];
    if (!(last?.kind === "meta" && last.type === 0x2f)) body.push(0, 0xff, 0x2f, 0);
    out.push(
      0x4d,
      0x54,
      0x72,
      0x6b,
      (body.length >>> 24) & 0xff,
      (body.length >> 16) & 0xff,
      (body.length >> 8) & 0xff,
      body.length & 0xff,
    );
    for (const b of body) out.push(b);
  });
  return Uint8Array.from(out);
}

/** Writes a MIDI file atomically. */
export function writeMidi(path: string, m: MidiFile): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, encodeMidi(m));
  renameSync(tmp, path);
}

/** Every event of every track with its absolute tick, merged in time order (track order breaks ties). */
function absoluteEvents(m: MidiFile): { tick: number; e: MidiEvent }[] {
  const all: { tick: number; e: MidiEvent; track: number; i: number }[] = [];
  m.tracks.forEach((events, track) => {
    let tick = 0;
    events.forEach((e, i) => {
      tick += e.delta;
      all.push({ tick, e, track, i });
    });
  });
  return all.sort((a, b) => a.tick - b.tick || a.track - b.track || a.i - b.i);
}

/**
 * The notes of a file in seconds, through its tempo map (500000 µs per quarter until the first
 * tempo event). A note-on with velocity 0 is a note-off; a note still sounding at the end of
 * the file ends there; a repeated note-on of a sounding pitch ends the earlier one.
 */
export function midiNotes(m: MidiFile): Note[] {
  const notes: Note[] = [];
  const program = new Array<number>(16).fill(0);
  const open = new Map<number, { start: number; velocity: number; program: number }>();
  let usPerQuarter = 500000;
  let lastTick = 0;
  let seconds = 0;
  const secPerTick = () =>
    typeof m.division === "number" ? usPerQuarter / 1e6 / m.division : 1 / (m.division.fps * m.division.ticksPerFrame);
  const close = (key: number, at: number) => {
    const o = open.get(key);
    if (!o) return;
    open.delete(key);
    if (at > o.start)
      notes.push({ pitch: key & 0x7f, velocity: o.velocity, start: o.start, end: at, channel: key >> 7, program: o.program });
  };
  for (const { tick, e } of absoluteEvents(m)) {
    seconds += (tick - lastTick) * secPerTick();
    lastTick = tick;
    if (e.kind === "meta" && e.type === 0x51) usPerQuarter = (e.data[0]! << 16) | (e.data[1]! << 8) | e.data[2]!;
    if (e.kind !== "channel") continue;
    const ch = e.status & 0x0f;
    const hi = e.status >> 4;
    if (hi === 0xc) program[ch] = e.data[0]!;
    else if (hi === 0x8 || (hi === 0x9 && e.data[1] === 0)) close((ch << 7) | e.data[0]!, seconds);
    else if (hi === 0x9) {
      const key = (ch << 7) | e.data[0]!;
      close(key, seconds);
      open.set(key, { start: seconds, velocity: e.data[1]!, program: program[ch]! });
    }
  }
  for (const key of [...open.keys()]) close(key, seconds);
  return notes.sort((a, b) => a.start - b.start || a.pitch - b.pitch);
}

/** Notes as a format-0 file at 120 bpm (960 ticks per quarter: 1.04 ms per tick), one program on channel 0. */
export function notesToMidi(notes: readonly Note[], o: { program?: number } = {}): MidiFile {
  const tpq = 960;
  const toTick = (s: number) => Math.round((s * 1e6 * tpq) / 500000);
  const timed: { tick: number; order: number; status: number; data: number[] }[] = [];
  for (const n of notes) {
    const ch = n.channel & 0x0f;
    timed.push({ tick: toTick(n.start), order: 1, status: 0x90 | ch, data: [n.pitch, Math.max(1, Math.min(127, n.velocity))] });
    timed.push({ tick: Math.max(toTick(n.end), toTick(n.start) + 1), order: 0, status: 0x80 | ch, data: [n.pitch, 0] });
  }
  // Offs before ons at the same tick, so a repeated pitch is released before it strikes again.
  timed.sort((a, b) => a.tick - b.tick || a.order - b.order);
  const tempo: MidiEvent = { kind: "meta", delta: 0, type: 0x51, data: Uint8Array.of(0x07, 0xa1, 0x20) };
  const events: MidiEvent[] = [tempo, { kind: "channel", delta: 0, status: 0xc0, data: [o.program ?? 0] }];
  let last = 0;
  for (const t of timed) {
    events.push({ kind: "channel", delta: t.tick - last, status: t.status, data: t.data });
    last = t.tick;
  }
  events.push({ kind: "meta", delta: 0, type: 0x2f, data: new Uint8Array(0) });
  return { format: 0, division: tpq, tracks: [events] };
}
