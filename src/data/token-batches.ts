// A batch sampler by token budget (fairseq's max_tokens) for sequences of varied length:
// a fixed number of tokens per batch instead of a fixed number of examples.

/**
 * Length-bucketed batches of at most `tokens` tokens each (batch size × its longest example,
 * padding included), in a seeded order: examples shuffled, sorted by length within windows of
 * 2,000 so a batch holds similar lengths while epochs still differ, then the batches shuffled.
 * Returns the example indices of each batch; `len(i)` is example i's length in tokens.
 */
export function tokenBudgetBatches(n: number, len: (i: number) => number, tokens: number, seed: number): number[][] {
  let s = seed + 1;
  const rand = () => {
    s = (s * 16807) % 2147483647;
    return s / 2147483647;
  };
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  const out: number[][] = [];
  // Sort within windows of 2,000 so batches hold similar lengths but epochs still differ.
  for (let w = 0; w < n; w += 2000) {
    const win = order.slice(w, w + 2000).sort((a, b) => len(a) - len(b));
    let cur: number[] = [];
    let maxLen = 0;
    for (const i of win) {
      maxLen = Math.max(maxLen, len(i));
      if (cur.length && (cur.length + 1) * maxLen > tokens) {
        out.push(cur);
        cur = [];
        maxLen = len(i);
      }
      cur.push(i);
    }
    if (cur.length) out.push(cur);
  }
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}
