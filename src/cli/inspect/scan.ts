// What a format's scanner returns for `flambeau data inspect`: one item per example (its
// content key, where it is, its label or tags and its sizes) and the problems met on the way.
// summary.ts turns a scan into counts, spreads and duplicates; the scanners stay small.

export interface ScanItem {
  /** Content key (split-keys.ts exampleKey): equal keys are exact duplicates. */
  key: string;
  /** file, or file:line. */
  where: string;
  /** The example's class (classification). */
  label?: string;
  /** Labels counted per example (tags of a sentence, categories of an image's objects). */
  tags?: string[];
  width?: number;
  height?: number;
  seconds?: number;
  tokens?: number;
}

export interface Scan {
  path: string;
  format: string;
  items: ScanItem[];
  /** The first problems found, each naming the file (and line). */
  problems: string[];
}

/** Problems kept per scan: enough to fix the data set, not a wall of text. */
export const MAX_PROBLEMS = 20;

export function addProblem(scan: Scan, problem: string): void {
  if (scan.problems.length < MAX_PROBLEMS) scan.problems.push(problem);
}
