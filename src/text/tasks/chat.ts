// chat: a small dialogue model, instruction-tuned on real FAQ question → answer pairs and
// retrieval-augmented: the question's best BM25 passages (FAQ answers, Debian package
// descriptions) go into the prompt through a chat template (<|context|> … <|user|> …
// <|assistant|> …), the loss counts only the answer's tokens, and `predict` streams the answer
// as it is sampled. Two models read that prompt: a decoder-only LM (`tiny`, `small`: the
// prompt and the answer in one sequence) and a pointer-generator (`pointer`: the prompt is the
// encoder's source, and a copy attention over it lets the answer quote the passages — what a
// model this small cannot learn to do through its vocabulary alone). Answers are decoded as
// quotes by default (`--decoding quote`): the model chooses which passage to open and where to
// stop, but every token continues the passage, so a small model's stutter cannot garble a
// copy; `--decoding free` lets it write anything. The pointer-generator is also trained on the
// turns reversed (passage → question), so it chooses the passage to quote by the question: the one
// under which the question is likeliest, log p(question | passage) with retrieval's rank as a prior
// (`--choose question`, its default). Measured on held-out FAQ
// questions by SQuAD token F1 against the reference answer and the rate of answers that cite
// a passage of their prompt, beside retrieval alone (the top passage as the reply).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { FlambeauError } from "../../core/errors.js";
import { manualSeed, noGrad, type Tensor, tidy } from "../../core/index.js";
import { chunks, epochBatches } from "../../data/epoch-batches.js";
import { permutation, Random } from "../../data/random.js";
import { writeTextAtomic } from "../../io/index.js";
import { AdamW, LambdaLR } from "../../optim/index.js";
import { plural } from "../../tasks/format.js";
import { escapeHtml } from "../../tasks/html.js";
import { type OptionValues, opt } from "../../tasks/options.js";
import {
  type DemoOptions,
  type DemoSection,
  defineTask,
  type EvalArgs,
  type PredictArgs,
  type Predictor,
  type TaskTrainResult,
  type TrainInput,
} from "../../tasks/task.js";
import { loadModelDir, saveModelDir } from "../../train/model-dir.js";
import { Trainer } from "../../train/trainer.js";
import { CHAT_DATA, loadChatData, packagePassage, splitOfPair } from "../chat/data.js";
import type { FaqPair } from "../chat/faq.js";
import { firstWords, KnowledgeBase, type Passage } from "../chat/knowledge.js";
import { CITES_AT, passageOverlap } from "../chat/metrics.js";
import { answerLoss, type SftRow, sftBatch } from "../chat/sft.js";
import {
  ASSISTANT,
  CHAT_SPECIALS,
  type ChatIds,
  CONTEXT,
  chatPrompt,
  encodeChat,
  encodeQuestionTurn,
  IGNORE,
  USER,
} from "../chat/template.js";
import { f1Score } from "../qa/squad-metrics.js";
import { beamSearch, type Quote, streamDecode } from "../seq2seq/decode.js";
import { CAUSAL_LM_SIZES, CausalLM, type CausalLMOptions, causalLmSize, streamTokens } from "../seq2seq/language-model.js";
import { type EncodedPair, type PairBatch, pairBatch, pairLoss } from "../seq2seq/pair-batch.js";
import { PointerSeq2Seq } from "../seq2seq/pointer.js";
import { type Seq2SeqOptions, tokenTensor } from "../seq2seq/transformer.js";
import { SubwordTokenizer } from "../tokenizers/subword.js";
import { textStreamer } from "../tokenizers/text-streamer.js";

const TASK = "chat";
/** Words of a passage shown in the prompt, of a reference answer, and tokens of a question. */
const PASSAGE_WORDS = 40;
const ANSWER_WORDS = 40;
const QUESTION_TOKENS = 48;
const MAX_LENGTH = 384;

const OPTIONS = {
  passages: opt.count("retrieved passages in the prompt (0: the language model alone, no retrieval)", { phases: ["train"], default: 4 }),
  oracle: opt.number("share (0–1) of training turns given the passage that holds the answer when retrieval missed it (RAFT)", {
    phases: ["train"],
    default: 0.8,
  }),
  descriptions: opt.count("Debian package descriptions indexed beside the FAQ answers (debian-faq only)", {
    phases: ["train"],
    default: 5000,
  }),
  packageTurns: opt.count('extra "What is <package>?" training turns answered from package descriptions', {
    phases: ["train"],
    default: 500,
  }),
  questionTurns: opt.count(
    "passage → question training turns from package descriptions (description → synopsis; with any, each FAQ pair is turned around too, answer → question): they let the model choose the passage it quotes by how well the passage explains the question",
    { phases: ["train"], default: 5000 },
  ),
  questionRepeats: opt.count("times each FAQ training pair is also turned around (answer → question) among the passage → question turns", {
    phases: ["train"],
    default: 3,
  }),
  questions: opt.choice(
    ["test", "val"],
    "the held-out questions eval scores: test, or the validation ones (which choose nothing but are watched in training)",
    {
      phases: ["eval"],
      default: "test",
    },
  ),
  questionColumn: opt.string("the column (JSON key) of a CSV/TSV/JSONL file holding the question", {
    phases: ["train", "eval"],
    default: "question",
  }),
  answerColumn: opt.string("the column holding the reference answer", { phases: ["train", "eval"], default: "answer" }),
  maxNewTokens: opt.int("answer tokens to produce at most", { phases: ["predict"], default: 80 }),
  beam: opt.int("beam width for the pointer-generator (1: greedy, streamed token by token; a beam's answer arrives whole)", {
    phases: ["eval", "predict"],
  }),
  // Not "noRepeatNgram": the CLI would read --no-repeat-ngram as a negated boolean.
  blockNgram: opt.count(
    "never repeat an n-gram of this many subword tokens in one answer (0: off; default 3 for the decoder-only LM, off for the pointer-generator)",
    { phases: ["eval", "predict"] },
  ),
  choose: opt.choice(
    ["question", "decoder"],
    "the passage a quote opens: question — the one under which the model finds the question likeliest, log p(question | passage) (a model trained with --question-turns); decoder — the one the quote's first token opens",
    { phases: ["eval", "predict"] },
  ),
  decoding: opt.choice(
    ["quote", "free"],
    "quote: the answer is one contiguous span of a passage in the prompt, the model choosing which and where it ends; free: any tokens",
    { phases: ["eval", "predict"], default: "quote" },
  ),
  temperature: opt.number("sampling temperature (0: greedy)", { phases: ["predict"], default: 0 }),
  topP: opt.fraction("sample from the smallest set of tokens whose probabilities reach this mass", { phases: ["predict"], default: 0.95 }),
  sampleSeed: opt.count("seed of the sampler (with a temperature above 0)", { phases: ["predict"], default: 0 }),
};
type Options = OptionValues<typeof OPTIONS>;

interface Preprocessing {
  tokenizer: string;
  passages: string;
  /** Passages retrieved into the prompt. */
  retrieve: number;
  passageWords: number;
  answerWords: number;
  /** Passage → question turns trained on (absent in older models): above 0, the model can score passages by the question. */
  questionTurns?: number;
}

/** The pointer-generator's size: the seq2seq tasks' tiny Transformer with a copy attention. */
const POINTER: Omit<Seq2SeqOptions, "vocabSize" | "padId"> = {
  dModel: 128,
  nhead: 4,
  encoderLayers: 2,
  decoderLayers: 2,
  dimFeedforward: 512,
};
const MODELS = [...Object.keys(CAUSAL_LM_SIZES), "pointer"];

/** The saved hyper-parameters: the decoder-only LM's, or the pointer-generator's (`pointer: true`). */
type Hyper = CausalLMOptions | (Seq2SeqOptions & { pointer: true });
const isPointer = (h: Hyper): h is Seq2SeqOptions & { pointer: true } => "pointer" in h && h.pointer === true;

interface Loaded {
  model: CausalLM | PointerSeq2Seq;
  tk: SubwordTokenizer;
  ids: ChatIds;
  pad: number;
  kb: KnowledgeBase;
  pre: Preprocessing;
  /** Tokens that end a sentence, where a quoted answer may stop (found once per loaded model). */
  stops: Set<number>;
}

function idOf(tk: SubwordTokenizer, t: string): number {
  const v = tk.tokenToId(t);
  if (v === null) throw new FlambeauError("E_FORMAT", `${TASK}: the tokenizer has no ${t} token`);
  return v;
}

const chatIds = (tk: SubwordTokenizer): ChatIds => ({
  bos: idOf(tk, "<s>"),
  eos: idOf(tk, "</s>"),
  user: idOf(tk, USER),
  assistant: idOf(tk, ASSISTANT),
  context: idOf(tk, CONTEXT),
});

/** The passages shown for a question: the k best, cut to their first words. */
function retrieved(kb: KnowledgeBase, question: string, k: number, words: number): Passage[] {
  return kb.search(question, k).map((i) => ({ source: kb.passages[i]!.source, text: firstWords(kb.passages[i]!.text, words) }));
}

interface Turn {
  question: string;
  passages: string[];
  answer: string;
}

/** Encodes turns into SFT rows (answers and questions cut, passages fitted into the model's length). */
async function encodeTurns(tk: SubwordTokenizer, ids: ChatIds, turns: readonly Turn[], maxLength: number): Promise<SftRow[]> {
  const enc = (texts: string[]) => tk.encodeIds(texts, { addSpecialTokens: false });
  const q = await enc(turns.map((t) => t.question));
  const a = await enc(turns.map((t) => t.answer));
  const flat = turns.flatMap((t) => t.passages);
  const p = flat.length ? await enc(flat) : [];
  let at = 0;
  return turns.map((t, i) => {
    const passages = p.slice(at, at + t.passages.length);
    at += t.passages.length;
    return encodeChat({ question: q[i]!.slice(0, QUESTION_TOKENS), passages, answer: a[i]!.slice(0, 2 * ANSWER_WORDS) }, ids, maxLength);
  });
}

/** Encodes passage → question turns (each turn's one passage and its question; no answer). */
async function encodeQuestionTurns(tk: SubwordTokenizer, ids: ChatIds, turns: readonly Turn[], maxLength: number): Promise<SftRow[]> {
  if (!turns.length) return [];
  const enc = (texts: string[]) => tk.encodeIds(texts, { addSpecialTokens: false });
  const q = await enc(turns.map((t) => t.question));
  const p = await enc(turns.map((t) => t.passages[0]!));
  return turns.map((_, i) => encodeQuestionTurn(p[i]!, q[i]!.slice(0, QUESTION_TOKENS), ids, maxLength));
}

const PACKAGE_QUESTIONS = [
  (p: string) => `What is ${p}?`,
  (p: string) => `What does the ${p} package do?`,
  (p: string) => `Tell me about the ${p} package.`,
];

/**
 * A chat row as a seq2seq pair: the prompt up to and including <|assistant|> is the source,
 * the answer (without </s>, which the batch adds) the target.
 */
function promptAnswerPair(r: SftRow): EncodedPair {
  const start = r.labels.findIndex((l) => l !== IGNORE) + 1;
  return { src: r.ids.slice(0, start), tgt: r.ids.slice(start, -1) };
}

/** A batch of rows for `model`: (prompt, answer) pairs for the pointer-generator, whole rows for the LM. */
function chatBatch(model: CausalLM | PointerSeq2Seq, rows: readonly SftRow[], ids: ChatIds, pad: number): PairBatch | Tensor[] {
  return model instanceof PointerSeq2Seq
    ? pairBatch(rows.map(promptAnswerPair), Array.from(rows.keys()), { pad, bos: ids.bos, eos: ids.eos })
    : sftBatch(rows, pad);
}

/** The mean loss of a chatBatch over its answer tokens (label smoothing `epsilon` for the pointer-generator) and their count. */
function batchLoss(
  model: CausalLM | PointerSeq2Seq,
  b: PairBatch | Tensor[],
  pad: number,
  epsilon: number,
): { loss: Tensor; tokens: Tensor } {
  if (model instanceof PointerSeq2Seq && !Array.isArray(b))
    return { loss: pairLoss(model, b, pad, epsilon), tokens: b.tgtOut.ne(pad).sum() };
  if (model instanceof CausalLM && Array.isArray(b))
    return { loss: answerLoss(model.forward(b[0]!), b[1]!), tokens: b[1]!.ne(IGNORE).sum() };
  throw new FlambeauError("E_ARG", `${TASK}: a batch of the other model's kind for ${model.constructor.name}`, TASK);
}

/** Mean answer-token loss of rows, 16 at a time. */
function meanAnswerLoss(model: CausalLM | PointerSeq2Seq, rows: readonly SftRow[], ids: ChatIds, pad: number): number {
  let sum = 0;
  let n = 0;
  noGrad(() => {
    for (let s = 0; s < rows.length; s += 16)
      tidy(() => {
        const { loss, tokens } = batchLoss(model, chatBatch(model, rows.slice(s, s + 16), ids, pad), pad, 0);
        const t = Number(tokens.item());
        sum += Number(loss.item()) * t;
        n += t;
      });
  });
  return sum / Math.max(1, n);
}

async function train(o: TrainInput & Options): Promise<TaskTrainResult> {
  const { seed, log } = o;
  manualSeed(seed);
  const k = o.passages ?? 4;
  const data = await loadChatData(o.data, { descriptions: o.descriptions, seed, question: o.questionColumn, answer: o.answerColumn });
  const kb = new KnowledgeBase(data.passages);
  const split = data.pairs.map((_, i) => splitOfPair(i));
  let trainPairs = data.pairs.filter((_, i) => split[i] === "train");
  if (o.limit !== undefined) trainPairs = trainPairs.slice(0, o.limit);
  const valPairs = data.pairs.filter((_, i) => split[i] === "val");
  if (!trainPairs.length) throw new FlambeauError("E_FORMAT", `${TASK}: no training pairs in ${o.data}`);
  const turnOf = (p: FaqPair): Turn => ({
    question: p.question,
    passages: retrieved(kb, p.question, k, PASSAGE_WORDS).map((r) => r.text),
    answer: firstWords(p.answer, ANSWER_WORDS),
  });
  // Retrieval-augmented fine-tuning with an oracle passage (RAFT, Zhang et al. 2024): in a
  // share of the training turns the passage holding the answer is put among the retrieved ones
  // (at a random place) when retrieval missed it, so the model learns to find the passage that
  // answers and quote it; otherwise it sees BM25's misses and learns to answer anyway.
  const oracle = o.oracle ?? 0.8;
  if (!(oracle >= 0 && oracle <= 1)) throw new FlambeauError("E_ARG", `${TASK}: --oracle must be in [0, 1], got ${oracle}`, TASK);
  const ro = new Random(seed, 13);
  const withOracle = (t: Turn, gold: string): Turn => {
    const g = firstWords(gold, PASSAGE_WORDS);
    if (k === 0 || t.passages.includes(g) || ro.nextFloat() >= oracle) return t;
    const passages = [...t.passages];
    passages.splice(ro.int(Math.min(k, passages.length + 1)), passages.length < k ? 0 : 1, g);
    return { ...t, passages };
  };
  // "What is <package>?" turns teach answering from a passage on far more examples than the FAQ has.
  const r = new Random(seed, 11);
  const pkgOrder = r.permutation(data.packages.length);
  const packageTurns = Array.from(pkgOrder.slice(0, o.packageTurns ?? 500), (i) => {
    const p = data.packages[i]!;
    const question = PACKAGE_QUESTIONS[r.int(PACKAGE_QUESTIONS.length)]!(p.name);
    const turn = {
      question,
      passages: retrieved(kb, question, k, PASSAGE_WORDS).map((x) => x.text),
      // The passage's own opening, as a quoting answer gives it.
      answer: firstWords(packagePassage(p), ANSWER_WORDS),
    };
    return withOracle(turn, packagePassage(p));
  });
  // The FAQ's own turns are few beside the package turns: each is seen three times an epoch, each time with its own oracle draw.
  const faqTurns = [0, 1, 2].flatMap(() => trainPairs.map((p) => withOracle(turnOf(p), p.answer)));
  // The same pairs turned around (passage → question), so the model learns p(question | passage):
  // the noisy channel it later chooses among its passages by (UPR, Sachan et al. 2022). Package
  // descriptions give many more: a description explains its synopsis as an answer explains its question.
  // Only a pointer-generator that reads passages chooses among them (the decoder-only LM quotes by its first token).
  const size = o.model ?? "pointer";
  const wantQuestions = k > 0 && size === "pointer" ? (o.questionTurns ?? 5000) : 0;
  const questionTurns: Turn[] = wantQuestions
    ? [
        ...Array.from({ length: o.questionRepeats ?? 3 }).flatMap(() =>
          trainPairs.map((p) => ({ question: p.question, passages: [firstWords(p.answer, PASSAGE_WORDS)], answer: "" })),
        ),
        ...Array.from(pkgOrder.slice(-Math.min(wantQuestions, pkgOrder.length)), (i) => {
          const p = data.packages[i]!;
          return { question: p.synopsis, passages: [firstWords(p.description, PASSAGE_WORDS)], answer: "" };
        }),
      ]
    : [];
  // The vocabulary is learnt from the passages (the documentation is known) and the training questions only.
  const tk = SubwordTokenizer.train("bpe", [...data.passages.map((p) => p.text), ...trainPairs.map((p) => p.question)], {
    vocabSize: Math.min(6000, Math.max(400, data.passages.length * 4)),
  });
  tk.addSpecialTokens([...CHAT_SPECIALS]);
  const ids = chatIds(tk);
  const pad = idOf(tk, "<pad>");
  const rows = [
    ...(await encodeTurns(tk, ids, [...faqTurns, ...packageTurns], MAX_LENGTH)),
    ...(await encodeQuestionTurns(tk, ids, questionTurns, MAX_LENGTH)),
  ];
  const valRows = await encodeTurns(tk, ids, valPairs.map(turnOf), MAX_LENGTH);
  const hyper: Hyper =
    size === "pointer"
      ? { vocabSize: tk.vocabSize, padId: pad, maxLength: MAX_LENGTH, ...POINTER, pointer: true }
      : { vocabSize: tk.vocabSize, padId: pad, maxLength: MAX_LENGTH, ...causalLmSize(TASK, size) };
  const model = isPointer(hyper) ? new PointerSeq2Seq(hyper) : new CausalLM(hyper);
  const epochs = o.epochs ?? 6;
  const bs = o.batchSize ?? 16;
  const peak = o.lr ?? 1e-3;
  const optimizer = new AdamW(model.parameters(), { lr: peak, betas: [0.9, 0.98], weightDecay: 0.01 });
  const steps = Math.ceil(rows.length / bs) * epochs;
  const warmup = Math.max(20, Math.round(steps * 0.05));
  log(
    `${TASK}: ${trainPairs.length} FAQ pairs (×3) + ${packageTurns.length} package turns + ${questionTurns.length} passage → question turns; ${data.passages.length} passages indexed; ${plural(k, "passage")} in the prompt; vocabulary ${tk.vocabSize}; ${size}, ${plural(epochs, "epoch")}`,
  );
  const batches = epochBatches(
    (e) => chunks(permutation(rows.length, seed, e), bs),
    (idx) =>
      chatBatch(
        model,
        Array.from(idx, (i) => rows[i]!),
        ids,
        pad,
      ),
  );
  const trainer = new Trainer<PairBatch | Tensor[]>({
    name: TASK,
    model,
    optimizer,
    step: (b) => batchLoss(model, b, pad, 0.1).loss,
    batchSize: () => 1,
    // Linear warm-up, then linear decay to 10% of the peak.
    scheduler: new LambdaLR(optimizer, (s) => Math.min((s + 1) / warmup, Math.max(0.1, 1 - (s - warmup) / Math.max(1, steps - warmup)))),
    gradClipNorm: 1,
    validate: async (): Promise<Record<string, number>> => (valRows.length ? { valLoss: meanAnswerLoss(model, valRows, ids, pad) } : {}),
    progress: o.progress,
  });
  const history = await trainer.fit(batches, { epochs });
  const pre: Preprocessing = {
    tokenizer: "tokenizer.json",
    passages: "passages.json",
    retrieve: k,
    passageWords: PASSAGE_WORDS,
    answerWords: ANSWER_WORDS,
    questionTurns: questionTurns.length,
  };
  await saveModelDir<Hyper, Preprocessing>(
    o.out,
    {
      task: TASK,
      architecture: size === "pointer" ? "pointer-generator" : `causal-lm-${size}`,
      hyper,
      preprocessing: pre,
      metrics: {
        epochs,
        seed,
        pairs: trainPairs.length,
        packageTurns: packageTurns.length,
        questionTurns: questionTurns.length,
        passages: data.passages.length,
      },
    },
    model.stateDict(),
  );
  await writeTextAtomic(TASK, join(o.out, "tokenizer.json"), tk.toJson());
  await writeTextAtomic(TASK, join(o.out, "passages.json"), JSON.stringify(data.passages));
  const last = history.epochs.at(-1)!;
  return { dir: o.out, metrics: { valLoss: last.valLoss }, history };
}

async function loadModel(dir: string): Promise<Loaded> {
  const { config, weights } = await loadModelDir<Hyper, Preprocessing>(dir, TASK);
  const pre = config.preprocessing!;
  const tk = SubwordTokenizer.fromJson(readFileSync(join(dir, pre.tokenizer), "utf8"), join(dir, pre.tokenizer));
  const passages = JSON.parse(readFileSync(join(dir, pre.passages), "utf8")) as Passage[];
  const model = isPointer(config.hyper) ? new PointerSeq2Seq(config.hyper) : new CausalLM(config.hyper);
  model.loadStateDict(weights);
  model.eval();
  return { model, tk, ids: chatIds(tk), pad: idOf(tk, "<pad>"), kb: new KnowledgeBase(passages), pre, stops: sentenceEnds(tk) };
}

export interface ChatAnswer {
  question: string;
  answer: string;
  /** The passages put in the prompt, best first. */
  passages: Passage[];
  /** The index in `passages` of the one the answer quotes, when the model chose it by the question (`--choose question`). */
  chosen?: number;
}

/** Answers one question: retrieve, template, then decode the answer token by token. */
async function answer(
  l: Loaded,
  question: string,
  o: {
    maxNewTokens?: number;
    temperature?: number;
    topP?: number;
    blockNgram?: number;
    beam?: number;
    decoding?: "quote" | "free";
    choose?: "question" | "decoder";
    random?: () => number;
    onText?: (t: string) => void;
  },
): Promise<ChatAnswer> {
  const passages = retrieved(l.kb, question, l.pre.retrieve, l.pre.passageWords);
  const enc = async (t: string) => (await l.tk.encodeIds([t], { addSpecialTokens: false }))[0]!;
  const p = await Promise.all(passages.map((x) => enc(x.text)));
  const q = (await enc(question)).slice(0, QUESTION_TOKENS);
  // Training answers were cut at twice their word budget in tokens: by default a reply may run as long.
  const maxNew = o.maxNewTokens ?? 2 * l.pre.answerWords;
  const { ids } = encodeChat({ question: q, passages: p }, l.ids, l.model.options.maxLength - Math.min(maxNew, 2 * l.pre.answerWords));
  const onToken = textStreamer(l.tk, o.onText);
  // Trigram blocking (as summarization decodes): a small LM's greedy answer otherwise loops. Not for
  // the pointer-generator, which quotes: a passage that says "Debian GNU/Linux" twice repeats
  // subword trigrams, and blocking them garbled its copies.
  const block = o.blockNgram ?? (l.model instanceof PointerSeq2Seq ? 0 : 3);
  // Quoting decodes only spans of the passages as the prompt holds them (cut to fit).
  const quoting = (o.decoding ?? "quote") === "quote";
  const sources = promptPassages(ids, l.ids);
  const choose = chooserOf(l, o);
  if (choose === "question" && !(quoting && canChoose(l)))
    throw new FlambeauError(
      "E_ARG",
      `${TASK}: --choose question needs quoting (--decoding quote) and a pointer-generator trained with --question-turns (this one: ${l.model instanceof PointerSeq2Seq ? "pointer" : "decoder-only"}, ${l.pre.questionTurns ?? 0} question turns)`,
      TASK,
    );
  // Choosing by the question quotes only the passage that explains it best: log p(question | passage)
  // plus retrieval's rank as a prior, p(passage) ∝ 1 / rank.
  const chosen =
    choose === "question" && l.model instanceof PointerSeq2Seq && sources.length > 1
      ? argmax(questionScores(l.model, sources, q, l.ids, l.pad).map((s, rank) => s - Math.log(rank + 1)))
      : undefined;
  const quote: Quote | undefined = quoting
    ? { sources: chosen === undefined ? sources : [sources[chosen]!], opening: true, stops: l.stops }
    : undefined;
  // A chosen passage is quoted to its end, as every training answer whose passage the prompt
  // shows runs: both are the text's first words cut alike (firstWords), so answer = passage, and
  // a stop before the end is the small model losing count.
  const minLength = chosen === undefined ? 0 : sources[chosen]!.length;
  const sampling = {
    temperature: o.temperature ?? 0,
    topP: o.topP ?? 0.95,
    eos: l.ids.eos,
    random: o.random,
    noRepeatNgram: block,
    quote,
    minLength,
  };
  const beam = o.beam ?? 1;
  if (!(Number.isSafeInteger(beam) && beam >= 1))
    throw new FlambeauError("E_ARG", `${TASK}: --beam must be a positive integer, got ${beam}`, TASK);
  if (beam > 1 && !(l.model instanceof PointerSeq2Seq))
    throw new FlambeauError(
      "E_ARG",
      `${TASK}: --beam is for the pointer-generator; this model is the decoder-only LM, which decodes greedily or samples`,
      TASK,
    );
  let tokens: number[];
  if (l.model instanceof PointerSeq2Seq) {
    const src = tokenTensor([ids], l.pad);
    try {
      if (beam > 1) {
        tokens = beamSearch(l.model, src, {
          bos: l.ids.bos,
          eos: l.ids.eos,
          maxLength: maxNew,
          beamSize: beam,
          noRepeatNgram: block,
          quote,
          minLength,
        });
        for (const id of tokens) await onToken(id);
      } else tokens = await streamDecode(l.model, src, onToken, { ...sampling, bos: l.ids.bos, maxLength: maxNew });
    } finally {
      src.dispose();
    }
  } else tokens = await streamTokens(l.model, ids, onToken, { ...sampling, maxNewTokens: maxNew });
  return { question, answer: (await l.tk.decode(tokens, { skipSpecialTokens: true })).trim(), passages, chosen };
}

/**
 * log p(question | passage) for each passage, from the model's passage → question turns: the
 * noisy channel (UPR, Sachan et al. 2022) by which a reader chooses the passage that answers —
 * a passage that explains the question makes it likely, whatever its rank in retrieval.
 */
function questionScores(
  model: PointerSeq2Seq,
  passages: readonly (readonly number[])[],
  question: readonly number[],
  k: ChatIds,
  pad: number,
): number[] {
  const pairs = passages.map((p) => promptAnswerPair(encodeQuestionTurn(p, question, k, model.options.maxLength)));
  return noGrad(() =>
    tidy(() => {
      const b = pairBatch(pairs, Array.from(pairs.keys()), { pad, bos: k.bos, eos: k.eos });
      const logp = model.forwardLogProbs(b.src, b.tgtIn).gather(2, b.tgtOut.unsqueeze(2)).squeeze(2);
      return Array.from(logp.mul(b.tgtOut.ne(pad).float()).sum(1).data(), Number);
    }),
  );
}

/** Whether a loaded model can choose its passage by the question: a pointer-generator trained on passage → question turns. */
const canChoose = (l: Loaded): boolean => Boolean(l.pre.questionTurns) && l.model instanceof PointerSeq2Seq;

/** How a request chooses its passage: as asked, else by the question when the model can and the answer quotes. */
const chooserOf = (l: Loaded, o: { decoding?: "quote" | "free"; choose?: "question" | "decoder" }): "question" | "decoder" =>
  o.choose ?? ((o.decoding ?? "quote") === "quote" && canChoose(l) ? "question" : "decoder");

const argmax = (xs: readonly number[]): number => xs.reduce((best, x, i) => (x > xs[best]! ? i : best), 0);

/** Tokens that end a sentence (their text ends in . ? or !), where a quoted answer may stop. */
function sentenceEnds(tk: SubwordTokenizer): Set<number> {
  const out = new Set<number>();
  for (let id = 0; id < tk.vocabSize; id++) if (/[.?!]$/.test(tk.idToToken(id) ?? "")) out.add(id);
  return out;
}

/** The passages' tokens in an encoded prompt: the runs after each <|context|>, up to the next marker. */
function promptPassages(prompt: readonly number[], k: ChatIds): number[][] {
  const out: number[][] = [];
  for (const id of prompt) {
    if (id === k.context) out.push([]);
    else if (id === k.user || id === k.assistant) break;
    else out.at(-1)?.push(id);
  }
  return out.filter((p) => p.length);
}

const mean = (xs: readonly number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);

async function evaluate(dir: string, data: string, o: EvalArgs & Partial<Options> = {}): Promise<Record<string, unknown>> {
  const l = await loadModel(dir);
  try {
    const all = await loadChatData(data, { descriptions: 0, question: o.questionColumn, answer: o.answerColumn });
    let test = all.pairs.filter((_, i) => splitOfPair(i) === (o.questions ?? "test"));
    if (o.limit !== undefined) test = test.slice(0, o.limit);
    if (!test.length) throw new FlambeauError("E_FORMAT", `${TASK}: no held-out questions in ${data}`);
    const f1: number[] = [];
    const overlap: number[] = [];
    const baseF1: number[] = [];
    const baseOverlap: number[] = [];
    let hits = 0;
    for (const pair of test) {
      const reference = firstWords(pair.answer, l.pre.answerWords);
      const a = await answer(l, pair.question, {
        temperature: 0,
        blockNgram: o.blockNgram,
        beam: o.beam,
        decoding: o.decoding,
        choose: o.choose,
      });
      // The passages an answer may cite: those in its prompt (the best one retrieved for a model that reads none).
      const top = l.kb.search(pair.question, 1)[0];
      const passage = top === undefined ? "" : firstWords(l.kb.passages[top]!.text, l.pre.passageWords);
      const reply = top === undefined ? "" : firstWords(l.kb.passages[top]!.text, l.pre.answerWords);
      if (top !== undefined && l.kb.passages[top]!.text === pair.answer) hits++;
      f1.push(f1Score(a.answer, reference));
      const shown = a.passages.length ? a.passages.map((x) => x.text) : [passage];
      overlap.push(Math.max(...shown.map((x) => passageOverlap(a.answer, x))));
      baseF1.push(f1Score(reply, reference));
      baseOverlap.push(passageOverlap(reply, passage));
    }
    const pct = (x: number) => 100 * x;
    return {
      questions: test.length,
      passagesInPrompt: l.pre.retrieve,
      choose: chooserOf(l, o),
      f1: pct(mean(f1)),
      citesRate: pct(mean(overlap.map((x) => Number(x >= CITES_AT)))),
      passageOverlap: pct(mean(overlap)),
      retrievalF1: pct(mean(baseF1)),
      retrievalCitesRate: pct(mean(baseOverlap.map((x) => Number(x >= CITES_AT)))),
      retrievalHitAt1: pct(hits / test.length),
    };
  } finally {
    l.model.dispose();
  }
}

async function load(dir: string): Promise<Predictor<ChatAnswer, Options>> {
  const l = await loadModel(dir);
  return {
    task: TASK,
    predict: async (questions, o: Partial<Options> & PredictArgs = {}) => {
      const r = new Random(o.sampleSeed ?? 0, 3);
      const out: ChatAnswer[] = [];
      for (const q of questions)
        out.push(
          await answer(l, q, {
            maxNewTokens: o.maxNewTokens,
            temperature: o.temperature,
            topP: o.topP,
            blockNgram: o.blockNgram,
            beam: o.beam,
            decoding: o.decoding,
            choose: o.choose,
            random: () => r.nextFloat(),
            onText: o.onText,
          }),
        );
      return out;
    },
    dispose: () => l.model.dispose(),
  };
}

async function demo(o: DemoOptions): Promise<DemoSection> {
  const t0 = performance.now();
  const budget = o.full ? {} : { epochs: 1, limit: 60, descriptions: 200, packageTurns: 100, questionTurns: 100 };
  const r = await train({ data: CHAT_DATA, out: o.out, seed: 0, progress: o.progress, log: o.log ?? (() => {}), ...budget });
  const m = await evaluate(o.out, CHAT_DATA, { limit: o.full ? undefined : 10 });
  const l = await loadModel(o.out);
  const sample = await answer(l, "What is dpkg?", { temperature: 0, maxNewTokens: 40 });
  l.model.dispose();
  const extra = o.full ? "" : " --epochs 1 --limit 60 --descriptions 200 --package-turns 100 --question-turns 100";
  return {
    task: TASK,
    dataset: "Debian FAQ question → answer pairs (debian-faq), retrieval over FAQ answers and package descriptions",
    commands: [`flambeau train ${TASK} --data ${CHAT_DATA} --out ${o.out}${extra}`, `flambeau eval ${o.out} --data ${CHAT_DATA} --json`],
    metrics: { f1: m.f1 as number, citesRate: m.citesRate as number, retrievalF1: m.retrievalF1 as number },
    history: r.history.epochs.map((e) => ({ loss: e.loss!, valLoss: e.valLoss })),
    seconds: (performance.now() - t0) / 1000,
    extraHtml: `<h3>A reply</h3><pre>${escapeHtml(chatPrompt({ question: sample.question, passages: sample.passages.map((p) => p.text) }))}<b>${escapeHtml(sample.answer)}</b></pre>${
      sample.chosen === undefined
        ? ""
        : `<p>The model chose passage ${sample.chosen + 1} of ${sample.passages.length} by log p(question | passage).</p>`
    }`,
  };
}

export const chat = defineTask({
  name: TASK,
  description:
    "answer questions in a chat (a small pointer-generator or decoder-only LM instruction-tuned on FAQ pairs, retrieval-augmented with BM25 passages; token F1, cites-the-passage rate)",
  dataFormat:
    "debian-faq (the Debian FAQ and /usr/share/doc/*/FAQ Q./A. pairs, passages from FAQ answers and package descriptions) or a CSV/TSV/JSONL file with question,answer columns (its answers are the passages)",
  models: MODELS,
  defaultModel: "pointer",
  options: OPTIONS,
  baseline: "retrieval alone: the top BM25 passage as the reply",
  train,
  evaluate,
  load,
  formatPrediction: (p: ChatAnswer) => `${p.answer}${p.passages[0] ? ` [${p.passages[0].source}]` : ""}`,
  demo,
});
