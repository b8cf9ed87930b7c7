// Preparing named triples for training: the k-core filter (a smaller, denser graph for small
// budgets) and the seeded train/valid/test split that keeps every held-out entity seen in training.
import { Random } from "../../data/random.js";
import { type KnowledgeGraph, pickTriples, triplesFrom } from "./triples.js";

/** Keeps the triples whose entities are all in the k-core (each entity in ≥ k kept triples). */
export function kCore<T extends readonly [string, string, string]>(rows: readonly T[], k: number): T[] {
  let cur = rows.slice();
  for (;;) {
    const deg = new Map<string, number>();
    for (const [h, , t] of cur) {
      deg.set(h, (deg.get(h) ?? 0) + 1);
      deg.set(t, (deg.get(t) ?? 0) + 1);
    }
    const next = cur.filter(([h, , t]) => deg.get(h)! >= k && deg.get(t)! >= k);
    if (next.length === cur.length) return next;
    cur = next;
  }
}

/**
 * Splits named triples into train/valid/test (step 5) and assigns ids: entities and relations
 * numbered in sorted order, so the ids do not depend on the seed.
 */
export function splitTriples(
  rows: readonly (readonly [string, string, string])[],
  o: { seed: number; valid: number; test: number },
): KnowledgeGraph {
  const entities = [...new Set(rows.flatMap(([h, , t]) => [h, t]))].sort();
  const relationNames = [...new Set(rows.map(([, r]) => r))].sort();
  const eid = new Map(entities.map((e, i) => [e, i]));
  const rid = new Map(relationNames.map((r, i) => [r, i]));
  const all = triplesFrom(rows.map(([h, r, t]) => [eid.get(h)!, rid.get(r)!, eid.get(t)!] as const));
  const order = Int32Array.from(rows, (_, i) => i);
  new Random(o.seed, 0x4b6).shuffle(order);
  const nValid = Math.round(o.valid * rows.length);
  const nTest = Math.round(o.test * rows.length);
  const held = order.slice(0, nValid + nTest);
  const train = Array.from(order.slice(nValid + nTest));
  const seen = new Uint8Array(entities.length);
  for (const k of train) seen[all.heads[k]!] = seen[all.tails[k]!] = 1;
  const valid: number[] = [];
  const test: number[] = [];
  held.forEach((k, i) => {
    if (!seen[all.heads[k]!] || !seen[all.tails[k]!]) {
      train.push(k);
      seen[all.heads[k]!] = seen[all.tails[k]!] = 1;
    } else (i < nValid ? valid : test).push(k);
  });
  return { entities, relationNames, train: pickTriples(all, train), valid: pickTriples(all, valid), test: pickTriples(all, test) };
}
