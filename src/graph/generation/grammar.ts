// The sampling mask: which token may come next in a Kekulé SMILES string so that the string
// stays grammatical and no atom exceeds its valence. It tracks the atoms written so far (bonds
// used), the branch stack and the open ring closures. Two reservations keep every state
// finishable: a branch '(' leaves its atom one free bond for the chain after ')', and while a
// ring is open at the top level the chain's last atom keeps one free bond to close it with.
import type { Token } from "./tokens.js";

type Phase = "start" | "atom" | "close" | "open" | "bond";

interface Ring {
  atom: number;
  order: number;
  /** Written with an explicit bond symbol: the closing side may not name another order. */
  explicit: boolean;
}

export class SmilesGrammar {
  readonly #max: number[] = [];
  readonly #used: number[] = [];
  readonly #neighbours: Set<number>[] = [];
  readonly #stack: number[] = [];
  readonly #rings = new Map<number, Ring>();
  #tip = -1;
  #phase: Phase = "start";
  #pending = 0;
  /** The pending bond follows an atom or ring digit (so a ring digit may come next). */
  #bondAfterAtom = false;
  /** The pending bond opens a branch (its atom must keep the reserved bond). */
  #bondInBranch = false;
  #ended = false;

  get ended(): boolean {
    return this.#ended;
  }

  get atoms(): number {
    return this.#max.length;
  }

  #free(i: number): number {
    return this.#max[i]! - this.#used[i]!;
  }

  /** The free bond the chain's last atom must keep after the next step, with `rings` open afterwards. */
  #spare(rings: number): number {
    return rings > 0 && this.#stack.length === 0 ? 1 : 0;
  }

  /** The lowest ring label not open now (openchemlib's canonical SMILES reuse labels the same way). */
  #nextLabel(): number {
    let l = 1;
    while (this.#rings.has(l)) l++;
    return l;
  }

  /** Whether `t` finishes something open: ')' or the digit of an open ring (what a string past its length budget may still write). */
  closes(t: Token | undefined): boolean {
    return t !== undefined && (t.kind === "close" || (t.kind === "ring" && this.#rings.has(t.label)));
  }

  /** May `t` come next? `t` undefined means end of string. */
  allows(t: Token | undefined): boolean {
    if (this.#ended) return false;
    const p = this.#phase;
    if (t === undefined || t.kind === "special")
      return (p === "atom" || p === "close") && this.#stack.length === 0 && this.#rings.size === 0;
    switch (t.kind) {
      case "atom": {
        if (p === "start") return true;
        if (p !== "atom" && p !== "close" && p !== "open" && p !== "bond") return false;
        const b = this.#pending || 1;
        const reserve = p === "open" || (p === "bond" && this.#bondInBranch) ? 1 : 0;
        return this.#free(this.#tip) >= b + reserve && t.maxValence >= b + this.#spare(this.#rings.size);
      }
      case "bond": {
        if (p === "open") return this.#free(this.#tip) >= t.order + 1;
        if (p !== "atom" && p !== "close") return false;
        return this.#free(this.#tip) >= t.order;
      }
      case "open":
        return (p === "atom" || p === "close") && this.#free(this.#tip) >= 2;
      case "close": {
        if ((p !== "atom" && p !== "close") || this.#stack.length === 0) return false;
        return this.#rings.size === 0 || this.#free(this.#stack[this.#stack.length - 1]!) >= 1;
      }
      case "ring": {
        if (!(p === "atom" || (p === "bond" && this.#bondAfterAtom))) return false;
        const ring = this.#rings.get(t.label);
        if (!ring) {
          if (t.label !== this.#nextLabel()) return false;
          const order = this.#pending || 1;
          return this.#free(this.#tip) >= order + (this.#stack.length === 0 ? 1 : 0);
        }
        if (ring.atom === this.#tip || this.#neighbours[this.#tip]!.has(ring.atom)) return false;
        if (this.#pending && ring.explicit && this.#pending !== ring.order) return false;
        const order = this.#pending || ring.order;
        return this.#free(this.#tip) >= order + this.#spare(this.#rings.size - 1) && this.#free(ring.atom) >= order - ring.order;
      }
    }
  }

  #bond(a: number, b: number, order: number): void {
    this.#used[a]! += order;
    this.#used[b]! += order;
    this.#neighbours[a]!.add(b);
    this.#neighbours[b]!.add(a);
  }

  /** Applies `t` (undefined: end of string); the caller has checked `allows(t)`. */
  push(t: Token | undefined): void {
    if (t === undefined || t.kind === "special") {
      this.#ended = true;
      return;
    }
    switch (t.kind) {
      case "atom": {
        const i = this.#max.length;
        this.#max.push(t.maxValence);
        this.#used.push(0);
        this.#neighbours.push(new Set());
        if (this.#tip >= 0) this.#bond(this.#tip, i, this.#pending || 1);
        this.#tip = i;
        this.#pending = 0;
        this.#phase = "atom";
        return;
      }
      case "bond":
        this.#bondAfterAtom = this.#phase === "atom";
        this.#bondInBranch = this.#phase === "open";
        this.#pending = t.order;
        this.#phase = "bond";
        return;
      case "open":
        this.#stack.push(this.#tip);
        this.#phase = "open";
        return;
      case "close":
        this.#tip = this.#stack.pop()!;
        this.#phase = "close";
        return;
      case "ring": {
        const ring = this.#rings.get(t.label);
        if (ring) {
          const order = this.#pending || ring.order;
          this.#used[ring.atom]! -= ring.order;
          this.#bond(this.#tip, ring.atom, order);
          this.#rings.delete(t.label);
        } else {
          const order = this.#pending || 1;
          this.#used[this.#tip]! += order;
          this.#rings.set(t.label, { atom: this.#tip, order, explicit: this.#pending > 0 });
        }
        this.#pending = 0;
        this.#phase = "atom";
        return;
      }
    }
  }
}

/** Whether a token sequence is grammatical and within valences under the sampling mask (test and data check). */
export function grammarAccepts(tokens: readonly Token[]): boolean {
  const g = new SmilesGrammar();
  for (const t of tokens) {
    if (!g.allows(t)) return false;
    g.push(t);
  }
  return g.allows(undefined);
}
