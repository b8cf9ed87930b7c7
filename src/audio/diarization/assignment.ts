// The optimal one-to-one assignment (Hungarian method, Kuhn–Munkres with potentials, O(n²m)):
// DER maps reference speakers to hypothesis speakers so that they agree longest, as md-eval and
// pyannote.metrics (scipy's linear_sum_assignment) do.
import { FlambeauError } from "../../core/errors.js";

/**
 * Rows matched to columns maximising the summed score of a rows × cols matrix (either may be
 * larger; the smaller side is matched completely). Returns `match[row]` = column or -1.
 */
export function maxWeightAssignment(score: readonly (readonly number[])[]): number[] {
  const rows = score.length;
  const cols = rows === 0 ? 0 : score[0]!.length;
  for (const r of score)
    if (r.length !== cols || r.some((v) => !Number.isFinite(v)))
      throw new FlambeauError("E_ARG", "maxWeightAssignment: the score matrix must be rectangular and finite", "maxWeightAssignment");
  if (rows === 0 || cols === 0) return new Array<number>(rows).fill(-1);
  // The algorithm wants n ≤ m: transpose when there are more rows than columns.
  const t = rows > cols;
  const n = t ? cols : rows;
  const m = t ? rows : cols;
  const cost = (i: number, j: number): number => -(t ? score[j]![i]! : score[i]![j]!);
  const u = new Float64Array(n + 1);
  const v = new Float64Array(m + 1);
  const p = new Int32Array(m + 1); // p[j]: the row (1-based) matched to column j
  const way = new Int32Array(m + 1);
  for (let i = 1; i <= n; i++) {
    p[0] = i;
    let j0 = 0;
    const minv = new Float64Array(m + 1).fill(Number.POSITIVE_INFINITY);
    const used = new Uint8Array(m + 1);
    do {
      used[j0] = 1;
      const i0 = p[j0]!;
      let delta = Number.POSITIVE_INFINITY;
      let j1 = 0;
      for (let j = 1; j <= m; j++) {
        if (used[j]) continue;
        const cur = cost(i0 - 1, j - 1) - u[i0]! - v[j]!;
        if (cur < minv[j]!) {
          minv[j] = cur;
          way[j] = j0;
        }
        if (minv[j]! < delta) {
          delta = minv[j]!;
          j1 = j;
        }
      }
      for (let j = 0; j <= m; j++) {
        if (used[j]) {
          u[p[j]!]! += delta;
          v[j]! -= delta;
        } else minv[j]! -= delta;
      }
      j0 = j1;
    } while (p[j0] !== 0);
    do {
      const j1 = way[j0]!;
      p[j0] = p[j1]!;
      j0 = j1;
    } while (j0 !== 0);
  }
  const match = new Array<number>(rows).fill(-1);
  for (let j = 1; j <= m; j++) {
    if (p[j] === 0) continue;
    if (t) match[j - 1] = p[j]! - 1;
    else match[p[j]! - 1] = j - 1;
  }
  return match;
}
