// Own data: a folder of recordings with their references, `name.wav` beside `name.rttm`. The
// speaker names are taken as global (the same name in two files is the same person), so the
// single-speaker stretches of the references can train the speaker embedding.
import { existsSync, readdirSync, statSync } from "node:fs";
import { basename, extname, join } from "node:path";
import { FlambeauError } from "../../core/errors.js";
import { readMono } from "../data/audio-folder.js";
import type { LabelledUtterance, NamedConversation } from "./conversation-set.js";
import { readRttm } from "./rttm.js";
import { mergeTurns, type SpeakerTurn } from "./turns.js";

/** Every `name.wav` with its `name.rttm` (turns of all file ids in it), sorted by name. */
export function readRttmFolder(dir: string, sampleRate: number): NamedConversation[] {
  if (!existsSync(dir) || !statSync(dir).isDirectory())
    throw new FlambeauError("E_IO", `speaker-diarization: ${dir} is not a directory of name.wav + name.rttm pairs`, "readRttmFolder");
  const wavs = readdirSync(dir)
    .filter((f) => extname(f).toLowerCase() === ".wav")
    .sort();
  const out: NamedConversation[] = [];
  for (const f of wavs) {
    const id = basename(f, extname(f));
    const rttm = join(dir, `${id}.rttm`);
    if (!existsSync(rttm)) continue;
    const doc = readRttm(rttm);
    const turns = [...doc.values()].flat();
    out.push({ id, wave: readMono(join(dir, f), sampleRate), turns, sampleRate });
  }
  if (out.length === 0)
    throw new FlambeauError("E_FORMAT", `speaker-diarization: ${dir} has no name.wav with a name.rttm beside it`, "readRttmFolder");
  return out;
}

/** Stretches where exactly one reference speaker talks, at least `min` s, cut into pieces of at most `max` s. */
export function singleSpeakerPieces(
  convs: readonly NamedConversation[],
  o: { min?: number; max?: number } = {},
): { utterances: LabelledUtterance[]; speakers: string[] } {
  const min = o.min ?? 0.5;
  const max = o.max ?? 3;
  const speakers: string[] = [];
  const utterances: LabelledUtterance[] = [];
  for (const c of convs) {
    const turns = mergeTurns(c.turns);
    for (const t of turns) {
      // The turn minus every other speaker's turns.
      let spans: [number, number][] = [[t.start, t.end]];
      for (const o2 of turns as SpeakerTurn[])
        if (o2.speaker !== t.speaker)
          spans = spans.flatMap(([s, e]) =>
            o2.end <= s || o2.start >= e
              ? [[s, e] as [number, number]]
              : (
                  [
                    [s, o2.start],
                    [o2.end, e],
                  ] as [number, number][]
                ).filter(([a, b]) => b > a),
          );
      for (const [s, e] of spans)
        for (let a = s; e - a >= min; a += max) {
          const b = Math.min(e, a + max);
          if (b - a < min) break;
          if (!speakers.includes(t.speaker)) speakers.push(t.speaker);
          utterances.push({
            samples: c.wave.slice(Math.round(a * c.sampleRate), Math.round(b * c.sampleRate)),
            label: speakers.indexOf(t.speaker),
          });
        }
    }
  }
  return { utterances, speakers };
}
