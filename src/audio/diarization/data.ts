// What `--data` names for speaker diarization: the generated conversations
// (`conversations-synth?test=24&val=12&speakers=2-4&sentences=10&overlap=0.2`) or a folder of
// name.wav + name.rttm pairs (its first 80 % of files train the embedding on their
// single-speaker stretches, the rest tune the threshold; evaluation scores every file).
import { FlambeauError } from "../../core/errors.js";
import { parseSpec, specNumber } from "../data/sources.js";
import { SYNTH_SAMPLE_RATE } from "../speech/synth.js";
import { type ConversationSplits, conversationSet } from "./conversation-set.js";
import { readRttmFolder, singleSpeakerPieces } from "./folder.js";

export const BUILTIN_DIARIZATION_SETS = ["conversations-synth"] as const;

export async function resolveDiarizationData(
  spec: string,
  o: { seed?: number; cacheDir?: string; log?: (line: string) => void } = {},
): Promise<ConversationSplits> {
  const { name, params } = parseSpec(spec);
  const op = "speaker-diarization";
  if (name === "conversations-synth") {
    const range = (params.get("speakers") ?? "2-4").split("-").map(Number);
    const [s0, s1] = [range[0]!, range[1] ?? range[0]!];
    if (!(Number.isInteger(s0) && Number.isInteger(s1) && s0 >= 1 && s1 >= s0 && s1 <= 6))
      throw new FlambeauError("E_ARG", `${op}: speakers=${params.get("speakers")} must be a count or a range such as 2-4 (at most 6)`, op);
    const overlap = specNumber(params, "overlap", 0.2, op);
    if (!(overlap >= 0 && overlap <= 1)) throw new FlambeauError("E_ARG", `${op}: overlap=${overlap} must be in [0, 1]`, op);
    return conversationSet({
      seed: specNumber(params, "seed", o.seed ?? 0, op),
      cacheDir: o.cacheDir,
      log: o.log,
      testConversations: specNumber(params, "test", 24, op),
      valConversations: specNumber(params, "val", 12, op),
      trainSentences: specNumber(params, "sentences", 10, op),
      speakers: [s0, s1],
      overlapP: overlap,
    });
  }
  const convs = readRttmFolder(spec, SYNTH_SAMPLE_RATE);
  const nTrain = convs.length > 1 ? Math.max(1, Math.floor(convs.length * 0.8)) : 1;
  const { utterances, speakers } = singleSpeakerPieces(convs.slice(0, nTrain));
  return {
    train: utterances,
    speakers,
    val: convs.length > 1 ? convs.slice(nTrain) : convs,
    test: convs,
    sampleRate: SYNTH_SAMPLE_RATE,
    synthesized: 0,
    description: `folder ${spec}: ${convs.length} recordings with RTTM; ${utterances.length} single-speaker pieces of ${speakers.length} speakers train the embedding`,
  };
}
