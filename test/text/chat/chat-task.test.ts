// chat end to end on a small question/answer JSONL: train (answers are the retrieved passages)
// → eval (token F1, cites rate, retrieval alone beside it) → streamed predict, then the model
// without retrieval; the answer streamed by `flambeau serve`.
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { serve } from "../../../src/serve/index.js";
import type { ChatAnswer } from "../../../src/text/tasks/chat.js";
import { chat } from "../../../src/text/tasks/chat.js";

const TOOLS = ["gzip", "tar", "grep", "sed", "awk", "curl", "make", "perl"];
const VERBS = [
  "compresses files",
  "packs archives",
  "searches text",
  "edits streams",
  "scans columns",
  "fetches urls",
  "builds programs",
  "runs scripts",
];

function writePairs(dir: string): string {
  const rows: string[] = [];
  for (let i = 0; i < 40; i++) {
    const t = TOOLS[i % TOOLS.length]!;
    const v = VERBS[i % VERBS.length]!;
    const question = i < 8 ? `What does ${t} do?` : `What is ${t} number ${i} for?`;
    rows.push(JSON.stringify({ question, answer: `${t} number ${i} ${v} quickly.` }));
  }
  const file = join(dir, "faq.jsonl");
  writeFileSync(file, `${rows.join("\n")}\n`);
  return file;
}

test("chat: train → eval (F1, cites rate, retrieval alone) → streamed predict", async () => {
  const dir = mkdtempSync(join(tmpdir(), "fl-chat-"));
  const file = writePairs(dir);
  const out = join(dir, "model");
  const r = await chat.train({ data: file, out, epochs: 4, model: "tiny", seed: 0, lr: 3e-3 });
  assert.ok(Number.isFinite(r.metrics.valLoss as number), `val loss ${r.metrics.valLoss}`);
  const m = await chat.evaluate(out, file);
  assert.equal(m.questions, 8);
  assert.equal(m.passagesInPrompt, 4);
  for (const k of ["f1", "citesRate", "passageOverlap", "retrievalF1", "retrievalCitesRate", "retrievalHitAt1"])
    assert.ok((m[k] as number) >= 0 && (m[k] as number) <= 100, `${k} ${m[k]}`);
  // Retrieval alone replies with the passage it cites.
  assert.equal(m.retrievalCitesRate, 100);
  assert.ok((m.retrievalHitAt1 as number) > 50, `hit@1 ${m.retrievalHitAt1}`);
  const chunks: string[] = [];
  const p = (await chat.predict(out, ["What is sed number 3 for?"], { maxNewTokens: 12, onText: (t) => chunks.push(t) })) as ChatAnswer[];
  assert.equal(p.length, 1);
  assert.equal(chunks.join("").trim(), p[0]!.answer);
  assert.equal(p[0]!.passages.length, 4);
  assert.match(p[0]!.passages[0]!.text, /sed number 3 /);
  assert.match(chat.formatPrediction(p[0]!), /\[faq\]$/);
  // Beam search is the pointer-generator's; the LM refuses it instead of ignoring it.
  await assert.rejects(chat.predict(out, ["What does tar do?"], { beam: 2 }), /--beam is for the pointer-generator/);
  // Sampling is seeded: the same seed gives the same answer.
  const s1 = (await chat.predict(out, ["What does tar do?"], { temperature: 1, sampleSeed: 5, maxNewTokens: 8 })) as ChatAnswer[];
  const s2 = (await chat.predict(out, ["What does tar do?"], { temperature: 1, sampleSeed: 5, maxNewTokens: 8 })) as ChatAnswer[];
  assert.equal(s1[0]!.answer, s2[0]!.answer);
  // `flambeau serve` streams the answer as server-sent events with {"stream": true}, then the result.
  const server = await serve([`faq=${out}`], { port: 0, workers: 1 });
  try {
    const res = await fetch(`${server.url}/v1/models/faq/predict`, {
      method: "POST",
      body: JSON.stringify({ inputs: ["What is sed number 3 for?"], maxNewTokens: 12, stream: true }),
      headers: { "content-type": "application/json" },
    });
    assert.match(res.headers.get("content-type")!, /text\/event-stream/);
    const events = (await res.text())
      .trim()
      .split("\n\n")
      .map((e) => e.split("\n"));
    const last = JSON.parse(events.at(-1)![1]!.slice("data: ".length)) as { predictions: ChatAnswer[] };
    const pieces = events
      .filter((e) => e[0] === "event: text")
      .map((e) => (JSON.parse(e[1]!.slice("data: ".length)) as { text: string }).text);
    assert.equal(pieces.join("").trim(), last.predictions[0]!.answer);
    assert.equal(last.predictions[0]!.answer, p[0]!.answer);
  } finally {
    await server.close();
  }
});

test("chat --passages 0: the language model alone (no passages in the prompt)", async () => {
  const dir = mkdtempSync(join(tmpdir(), "fl-chat0-"));
  const file = writePairs(dir);
  const out = join(dir, "model");
  await chat.train({ data: file, out, epochs: 1, model: "tiny", seed: 0, passages: 0 });
  const m = await chat.evaluate(out, file, { limit: 2 });
  assert.equal(m.passagesInPrompt, 0);
  assert.equal(m.questions, 2);
  const p = (await chat.predict(out, ["What does tar do?"], { maxNewTokens: 4 })) as ChatAnswer[];
  assert.deepEqual(p[0]!.passages, []);
});

test("chat --model pointer: the pointer-generator learns to quote its passage; streamed = returned; reloads", async () => {
  const dir = mkdtempSync(join(tmpdir(), "fl-chatp-"));
  const file = writePairs(dir);
  const out = join(dir, "model");
  await chat.train({ data: file, out, epochs: 8, model: "pointer", seed: 0, lr: 3e-3, batchSize: 8 });
  const m = await chat.evaluate(out, file);
  // Every answer of this set is its own passage: a model that copies cites it.
  assert.ok((m.citesRate as number) >= 50, `cites rate ${m.citesRate}, F1 ${m.f1}`);
  assert.ok((m.f1 as number) > 40, `F1 ${m.f1}`);
  const chunks: string[] = [];
  const p = (await chat.predict(out, ["What is sed number 3 for?"], { maxNewTokens: 12, onText: (t) => chunks.push(t) })) as ChatAnswer[];
  assert.equal(chunks.join("").trim(), p[0]!.answer);
  assert.ok(p[0]!.answer.length > 0);
  // Quoting (the default) answers with the opening of one of the passages; free decoding may not.
  assert.ok(
    p[0]!.passages.some((x) => x.text.startsWith(p[0]!.answer)),
    `"${p[0]!.answer}" opens none of ${JSON.stringify(p[0]!.passages.map((x) => x.text))}`,
  );
  const free = (await chat.predict(out, ["What is sed number 3 for?"], { maxNewTokens: 12, decoding: "free" })) as ChatAnswer[];
  assert.ok(free[0]!.answer.length > 0);
  // The model was trained on passage → question turns too, so by default it quotes the passage
  // that explains the question best; --choose decoder lets the quote's first token choose.
  assert.equal(m.choose, "question");
  assert.ok(
    p[0]!.chosen !== undefined && p[0]!.passages[p[0]!.chosen]!.text.startsWith(p[0]!.answer),
    "the answer quotes the passage chosen",
  );
  // Uncapped, the chosen passage is quoted to its end: every training answer is its passage whole.
  const whole = (await chat.predict(out, ["What is gzip number 16 for?"])) as ChatAnswer[];
  assert.equal(whole[0]!.answer, whole[0]!.passages[whole[0]!.chosen!]!.text);
  const byDecoder = (await chat.predict(out, ["What is sed number 3 for?"], { maxNewTokens: 12, choose: "decoder" })) as ChatAnswer[];
  assert.ok(byDecoder[0]!.passages.some((x) => x.text.startsWith(byDecoder[0]!.answer)));
  await assert.rejects(
    chat.predict(out, ["What is sed number 3 for?"], { decoding: "free", choose: "question" }),
    /--choose question needs quoting \(--decoding quote\)/,
  );
  await assert.rejects(
    chat.train({ data: file, out: join(dir, "bad"), epochs: 1, model: "pointer", seed: 0, oracle: 1.5 }),
    /--oracle must be in \[0, 1\], got 1.5/,
  );
});
