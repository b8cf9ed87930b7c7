// The generated diarization data: conversations of 2–4 synthetic voices (espeak-ng variants and
// flite voices) speaking sentences of the speech-to-text grammar, with pauses and overlaps,
// and their exact reference turns. Voices are split by timbre group: the speaker-embedding
// training utterances come from the training groups, the validation conversations (which tune
// the clustering threshold) and the test conversations from groups never heard in training.
import { Random } from "../../data/random.js";
import { randomSentence } from "../data/sentence-set.js";
import { defaultCacheDir } from "../speech/cache.js";
import { generateUtterances } from "../speech/generate.js";
import { SYNTH_SAMPLE_RATE, type UtteranceSpec } from "../speech/synth.js";
import { allVoices, type Voice, voiceGroups } from "../speech/voices.js";
import { readWavSamples } from "../wav.js";
import { type Conversation, mixConversation, turnOrder } from "./conversation.js";

export interface ConversationSetOptions {
  seed?: number;
  cacheDir?: string;
  log?: (line: string) => void;
  /** Test and validation conversations (default 24 and 12). */
  testConversations?: number;
  valConversations?: number;
  /** Speakers per conversation, drawn uniformly in this range (default [2, 4]). */
  speakers?: readonly [number, number];
  /** Sentences per voice for the speaker-embedding training set (default 10), two accents per group. */
  trainSentences?: number;
  /** Voice groups held out for test and validation (default 9 and 6 of the 45). */
  testGroups?: number;
  valGroups?: number;
  overlapP?: number;
}

export interface NamedConversation extends Conversation {
  id: string;
}

export interface LabelledUtterance {
  samples: Float32Array;
  /** Index into `speakers`. */
  label: number;
}

export interface ConversationSplits {
  /** Single-speaker utterances of the training voice groups, labelled by group. */
  train: LabelledUtterance[];
  speakers: string[];
  val: NamedConversation[];
  test: NamedConversation[];
  sampleRate: number;
  description: string;
  synthesized: number;
}

const level = (x: Float32Array): number => {
  let s = 0;
  for (const v of x) s += v * v;
  return Math.sqrt(s / Math.max(1, x.length));
};

/** Generates (or reads from the clip cache) the splits; the same options give the same data. */
export async function conversationSet(o: ConversationSetOptions = {}): Promise<ConversationSplits> {
  const seed = o.seed ?? 0;
  const rng = new Random(seed, 3303);
  const groups = rng.shuffle(voiceGroups());
  const nTest = o.testGroups ?? 9;
  const nVal = o.valGroups ?? 6;
  const testG = groups.slice(0, nTest);
  const valG = groups.slice(nTest, nTest + nVal);
  const trainG = groups.slice(nTest + nVal);
  const voices = allVoices();
  const voicesOf = (g: string): Voice[] => voices.filter((v) => v.group === g);
  const specs: UtteranceSpec[] = [];
  const trainSpecs: { spec: UtteranceSpec; label: number }[] = [];
  trainG.forEach((g, label) => {
    const vs = rng.shuffle(voicesOf(g)).slice(0, 2);
    for (const voice of vs)
      for (let k = 0; k < (o.trainSentences ?? 10); k++) {
        const spec = {
          text: randomSentence(rng),
          voice,
          rate: +(0.85 + 0.3 * rng.nextFloat()).toFixed(3),
          pitch: +(0.85 + 0.3 * rng.nextFloat()).toFixed(3),
        };
        trainSpecs.push({ spec, label });
        specs.push(spec);
      }
  });
  const [s0, s1] = o.speakers ?? [2, 4];
  // A conversation's plan: its speakers (one voice, rate and pitch each) and their turns in order.
  const plan = (pool: string[], n: number, tag: string) =>
    Array.from({ length: n }, (_, c) => {
      const k = Math.min(pool.length, s0 + rng.int(s1 - s0 + 1));
      const who = rng.shuffle([...pool]).slice(0, k);
      const people = who.map((g) => {
        const vs = voicesOf(g);
        return {
          voice: vs[rng.int(vs.length)]!,
          rate: 0.9 + 0.25 * rng.nextFloat(),
          pitch: 0.85 + 0.3 * rng.nextFloat(),
          gain: 0.7 + 0.6 * rng.nextFloat(),
        };
      });
      const order = turnOrder(k, k + 3 + rng.int(4), rng);
      const turns = order.map((s) => {
        const p = people[s]!;
        // A little jitter per turn: nobody says two sentences at exactly the same rate and pitch.
        const spec: UtteranceSpec = {
          text: randomSentence(rng),
          voice: p.voice,
          rate: +(p.rate * (0.97 + 0.06 * rng.nextFloat())).toFixed(3),
          pitch: +(p.pitch * (0.98 + 0.04 * rng.nextFloat())).toFixed(3),
        };
        specs.push(spec);
        return { spec, speaker: `spk${s}`, gain: p.gain };
      });
      return { id: `${tag}${String(c).padStart(3, "0")}`, turns, mixSeed: rng.int(2 ** 31) };
    });
  const valPlans = plan(valG, o.valConversations ?? 12, "val");
  const testPlans = plan(testG, o.testConversations ?? 24, "test");
  const gen = await generateUtterances(specs, { cacheDir: o.cacheDir ?? defaultCacheDir(), log: o.log });
  const fileOf = new Map(gen.utterances.map((u, i) => [specs[i]!, u.file]));
  const read = (s: UtteranceSpec): Float32Array => readWavSamples(fileOf.get(s)!).data[0]!;
  const build = (p: (typeof valPlans)[number]): NamedConversation => {
    const clips = p.turns.map((t) => {
      const x = read(t.spec);
      // Speakers talk at their own loudness: each clip to RMS 0.05 × the speaker's gain.
      const g = (0.05 * t.gain) / Math.max(1e-6, level(x));
      return { speaker: t.speaker, samples: x.map((v) => v * g) };
    });
    return { id: p.id, ...mixConversation(clips, new Random(p.mixSeed), { sampleRate: SYNTH_SAMPLE_RATE, overlapP: o.overlapP }) };
  };
  const train = trainSpecs.map((t) => ({ samples: read(t.spec), label: t.label }));
  return {
    train,
    speakers: trainG,
    val: valPlans.map(build),
    test: testPlans.map(build),
    sampleRate: SYNTH_SAMPLE_RATE,
    synthesized: gen.synthesized,
    description: `${train.length} training utterances of ${trainG.length} voice groups; ${valPlans.length} validation / ${testPlans.length} test conversations of ${s0}–${s1} speakers from held-out groups (test: ${testG.join(", ")})`,
  };
}
