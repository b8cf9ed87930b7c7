// Decoding with a key/value cache against recomputing the whole prefix at every step:
// a GPT-style model (d 256, 4 layers, 4 heads) generating 256 tokens greedily.
import { manualSeed } from "../src/core/index.js";
import { CausalLM, generateTokens } from "../src/text/seq2seq/language-model.js";
import { median, report, time } from "./harness.js";

manualSeed(0);
const model = new CausalLM({ vocabSize: 8000, padId: 0, dModel: 256, nhead: 4, layers: 4, dimFeedforward: 1024, maxLength: 512 });
model.eval();
const tokens = Number(process.env.FLAMBEAU_BENCH_TOKENS ?? 256);
const run = (useCache: boolean) => () => generateTokens(model, [1, 17, 42], { maxNewTokens: tokens, temperature: 0, useCache });
const cached = median(await time(run(true), 3));
const full = median(await time(run(false), 3));
report("kv-cache", [
  { workload: `LM decode ${tokens} tokens, KV cache`, unit: "tokens/s", higherIsBetter: true, flambeau: tokens / cached },
  { workload: `LM decode ${tokens} tokens, recompute prefix`, unit: "tokens/s", higherIsBetter: true, flambeau: tokens / full },
]);
process.stdout.write(`KV cache speed-up at ${tokens} tokens: ${(full / cached).toFixed(2)}×\n`);
