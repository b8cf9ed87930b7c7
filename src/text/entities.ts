// Entity spans from BIO tag sequences and entity-level precision / recall / F1 with seqeval's
// default (lenient IOB2) rules: a span starts at B-X, or at I-X after a different type or O;
// it continues over I-X of the same type. A predicted entity counts only if type, start and
// end all match a true one.

export interface Span {
  type: string;
  start: number;
  /** Exclusive. */
  end: number;
}

export function bioSpans(tags: readonly string[]): Span[] {
  const out: Span[] = [];
  let cur: Span | null = null;
  tags.forEach((tag, i) => {
    const [prefix, type] = tag === "O" || !/^[BIES]-/.test(tag) ? ["O", ""] : [tag[0]!, tag.slice(2)];
    const continues = cur && (prefix === "I" || prefix === "E") && type === cur.type;
    if (cur && !continues) {
      out.push(cur);
      cur = null;
    }
    if (prefix !== "O" && !continues) cur = { type, start: i, end: i + 1 };
    else if (continues) cur!.end = i + 1;
    if (cur && (prefix === "E" || prefix === "S")) {
      out.push(cur);
      cur = null;
    }
  });
  if (cur) out.push(cur);
  return out;
}

export interface EntityScores {
  precision: number;
  recall: number;
  f1: number;
  truePositives: number;
  predicted: number;
  actual: number;
}

export function entityScores(truth: readonly (readonly string[])[], pred: readonly (readonly string[])[]): EntityScores {
  let tp = 0;
  let np = 0;
  let na = 0;
  truth.forEach((t, s) => {
    const key = (x: Span) => `${x.type}\u0000${x.start}\u0000${x.end}`;
    const gold = new Set(bioSpans(t).map(key));
    const p = bioSpans(pred[s] ?? []).map(key);
    na += gold.size;
    np += p.length;
    for (const k of p) if (gold.has(k)) tp++;
  });
  const precision = np ? tp / np : 0;
  const recall = na ? tp / na : 0;
  return {
    precision,
    recall,
    f1: precision + recall ? (2 * precision * recall) / (precision + recall) : 0,
    truePositives: tp,
    predicted: np,
    actual: na,
  };
}
