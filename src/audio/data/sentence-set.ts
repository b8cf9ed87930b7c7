// Sentence utterances with transcripts, for speech to text: random command phrases and digit
// strings from a small grammar, spoken by the synthetic voices and split by voice group like
// the keyword set. `writeTranscriptTsv` exports a split as wav paths + transcripts.
import { writeFileSync } from "node:fs";
import { Random } from "../../data/random.js";
import { defaultCacheDir } from "../speech/cache.js";
import { type GeneratedUtterance, generateUtterances } from "../speech/generate.js";
import type { UtteranceSpec } from "../speech/synth.js";
import { allVoices, voiceGroups } from "../speech/voices.js";
import { COMMANDS, DIGITS } from "./speech-sets.js";

const VERBS = ["turn", "go", "move", "look", "step"] as const;
const JOINERS = ["then", "and"] as const;

/** One sentence from the grammar: "turn left then stop", "three one four", "go up and down". */
export function randomSentence(rng: Random): string {
  const pick = <T>(a: readonly T[]): T => a[rng.int(a.length)]!;
  switch (rng.int(3)) {
    case 0:
      return Array.from({ length: 2 + rng.int(4) }, () => pick(DIGITS)).join(" ");
    case 1:
      return `${pick(VERBS)} ${pick(["left", "right", "up", "down"])} ${pick(JOINERS)} ${pick(COMMANDS)}`;
    default:
      return `${pick(COMMANDS)} ${pick(COMMANDS)} ${pick(DIGITS)}`;
  }
}

export interface SentenceSetOptions {
  sentencesPerVoice?: number;
  groups?: number;
  testFraction?: number;
  seed?: number;
  cacheDir?: string;
  concurrency?: number;
  log?: (line: string) => void;
}

export interface SentenceSplits {
  train: GeneratedUtterance[];
  test: GeneratedUtterance[];
}

/** Sentences × one voice per timbre group; test groups are never heard in training. */
export async function sentenceSet(o: SentenceSetOptions = {}): Promise<SentenceSplits> {
  const rng = new Random(o.seed ?? 0, 606);
  const groups = rng.shuffle(voiceGroups()).slice(0, o.groups ?? 45);
  const voices = allVoices();
  const specs: UtteranceSpec[] = [];
  for (const g of groups) {
    const vs = voices.filter((v) => v.group === g);
    const voice = vs[rng.int(vs.length)]!;
    for (let k = 0; k < (o.sentencesPerVoice ?? 20); k++)
      specs.push({
        text: randomSentence(rng),
        voice,
        rate: +(0.85 + 0.3 * rng.nextFloat()).toFixed(3),
        pitch: +(0.8 + 0.4 * rng.nextFloat()).toFixed(3),
      });
  }
  const gen = await generateUtterances(specs, { cacheDir: o.cacheDir ?? defaultCacheDir(), concurrency: o.concurrency, log: o.log });
  const nTest = Math.max(1, Math.round(groups.length * (o.testFraction ?? 0.2)));
  const testG = new Set(groups.slice(0, nTest));
  return { train: gen.utterances.filter((u) => !testG.has(u.voice.group)), test: gen.utterances.filter((u) => testG.has(u.voice.group)) };
}

/** Writes `path<TAB>transcript` lines (the wav + transcript TSV format). */
export function writeTranscriptTsv(file: string, utts: readonly GeneratedUtterance[]): void {
  writeFileSync(file, utts.map((u) => `${u.file}\t${u.text}\n`).join(""));
}
