// L-BFGS (PyTorch's optim/lbfgs.py): a quasi-Newton method over the flattened parameters,
// with an optional strong-Wolfe line search. step(closure) re-evaluates the loss as often
// as it needs. PyTorch keeps several of its scalars (curvatures, step sizes, directional
// derivatives) as 0-dim tensors of the parameters' dtype, so their arithmetic is float32
// for float32 parameters; scalar-math.ts reproduces that, and with it PyTorch's branches.
import { enableGrad } from "../core/autograd.js";
import { argError } from "../core/errors.js";
import { tidy } from "../core/memory.js";
import { zeros } from "../core/ops/creation.js";
import { cat } from "../core/ops/shape.js";
import { Tensor } from "../core/tensor.js";
import { checkNonNegative, Optimizer, type OptimizerStateDict, type Params } from "./optimizer.js";
import { type Num, ScalarMath } from "./scalar-math.js";

export interface LBFGSOptions {
  /** Learning rate: the step length tried first (default 1). */
  lr?: number;
  /** Iterations per step() (default 20). */
  maxIter?: number;
  /** Loss evaluations per step() (default ⌊maxIter · 5/4⌋). */
  maxEval?: number;
  /** Stop when every gradient element is at most this in magnitude (default 1e-7). */
  toleranceGrad?: number;
  /** Stop when the loss or the parameters change by less than this (default 1e-9). */
  toleranceChange?: number;
  /** Curvature pairs kept (default 100). */
  historySize?: number;
  /** "strongWolfe" for a line search satisfying the strong Wolfe conditions; null (default) for a fixed step lr. */
  lineSearchFn?: "strongWolfe" | null;
}

/** Re-evaluates the model and returns the loss (after calling backward on it). */
export type LBFGSClosure = () => Tensor | number;

interface History {
  d: Tensor | null;
  t: Num;
  oldDirs: Tensor[];
  oldStps: Tensor[];
  ro: Num[];
  hDiag: Num;
  prevFlatGrad: Tensor | null;
  prevLoss: number | null;
}

export class LBFGS extends Optimizer<LBFGSOptions & { lr: number }> {
  readonly #params: Tensor[];
  #h: History = LBFGS.emptyHistory();

  constructor(params: Params<LBFGSOptions & { lr: number }>, options: LBFGSOptions = {}) {
    const maxIter = options.maxIter ?? 20;
    super("LBFGS", params, {
      lr: 1,
      maxIter,
      maxEval: Math.floor((maxIter * 5) / 4),
      toleranceGrad: 1e-7,
      toleranceChange: 1e-9,
      historySize: 100,
      lineSearchFn: null,
      ...options,
    });
    if (this.paramGroups.length !== 1) argError("LBFGS", "LBFGS doesn't support per-parameter options (parameter groups): pass one group");
    this.#params = this.paramGroups[0]!.params;
  }

  private static emptyHistory(): History {
    return { d: null, t: 0, oldDirs: [], oldStps: [], ro: [], hDiag: 1, prevFlatGrad: null, prevLoss: null };
  }

  protected validate(o: Required<LBFGSOptions>): void {
    checkNonNegative("LBFGS", "lr", o.lr);
    for (const k of ["maxIter", "maxEval", "historySize"] as const)
      if (!Number.isSafeInteger(o[k]) || o[k] < 1) argError("LBFGS", `${k} must be an integer ≥ 1, got ${String(o[k])}`);
    checkNonNegative("LBFGS", "toleranceGrad", o.toleranceGrad);
    checkNonNegative("LBFGS", "toleranceChange", o.toleranceChange);
    if (o.lineSearchFn !== null && o.lineSearchFn !== "strongWolfe")
      argError("LBFGS", `lineSearchFn must be "strongWolfe" or null, got ${JSON.stringify(o.lineSearchFn)}`);
  }

  /** Adding groups is refused: L-BFGS optimizes one flat vector. */
  override addParamGroup(group: Parameters<Optimizer<LBFGSOptions & { lr: number }>["addParamGroup"]>[0]): void {
    if (this.paramGroups.length > 0) argError("LBFGS", "LBFGS doesn't support per-parameter options (parameter groups)");
    super.addParamGroup(group);
  }

  /**
   * Runs up to maxIter L-BFGS iterations, calling `closure` (which must zero the gradients,
   * compute the loss, call backward and return the loss) whenever it needs the loss and
   * gradient. Returns the loss of the first evaluation, as a number.
   */
  override step(closure?: LBFGSClosure): number {
    if (typeof closure !== "function")
      argError(
        "LBFGS",
        "step needs a closure that re-evaluates the model: opt.step(() => { opt.zeroGrad(); const l = …; l.backward(); return l; })",
      );
    let result = 0;
    this.update(() => {
      result = this.run(closure);
    });
    return result;
  }

  private evaluate(closure: LBFGSClosure): number {
    return enableGrad(() =>
      tidy(() => {
        const l = closure();
        if (typeof l === "number") return l;
        if (!(l instanceof Tensor) || l.numel !== 1)
          argError("LBFGS", "the closure must return the loss (a number or a one-element tensor)");
        return l.item();
      }),
    );
  }

  private flatGrad(): Tensor {
    return cat(
      this.#params.map((p) => {
        const g = p.grad;
        return g === null ? zeros([p.numel], { dtype: p.dtype }) : g.reshape([-1]);
      }),
    );
  }

  private addGrad(stepSize: number, update: Tensor): void {
    let offset = 0;
    for (const p of this.#params) {
      p.add_(update.narrow(0, offset, p.numel).view(p.shape), stepSize);
      offset += p.numel;
    }
  }

  private directionalEvaluate(closure: LBFGSClosure, x: Tensor[], t: number, d: Tensor): [number, Tensor] {
    this.addGrad(t, d);
    const loss = this.evaluate(closure);
    const flatGrad = this.flatGrad();
    this.#params.forEach((p, i) => p.copy_(x[i]!));
    return [loss, flatGrad];
  }

  private run(closure: LBFGSClosure): number {
    const group = this.paramGroups[0]!;
    const { lr, maxIter, maxEval, toleranceGrad, toleranceChange, lineSearchFn, historySize } = group;
    const S = new ScalarMath(this.#params[0]!.dtype);
    const v = (x: Tensor): Num => S.of(x.item());
    const state = this.stateOf(this.#params[0]!);
    if (!state.has("func_evals")) state.set("func_evals", 0);
    if (!state.has("n_iter")) state.set("n_iter", 0);
    const bump = (k: string, by: number) => state.set(k, (state.get(k) as number) + by);

    const origLoss = this.evaluate(closure);
    let loss = origLoss;
    let currentEvals = 1;
    bump("func_evals", 1);
    let flatGrad = this.flatGrad();
    let optCond = S.le(v(flatGrad.abs().max()), toleranceGrad);
    if (optCond) return origLoss;

    const h = this.#h;
    let d = h.d;
    let t = h.t;
    let nIter = 0;
    const keepSwap = (old: Tensor | null, next: Tensor): Tensor => {
      if (old !== next) {
        next.keep();
        old?.dispose();
      }
      return next;
    };
    while (nIter < maxIter) {
      nIter++;
      bump("n_iter", 1);
      if (state.get("n_iter") === 1) {
        d = flatGrad.neg();
        for (const x of [...h.oldDirs, ...h.oldStps]) x.dispose();
        h.oldDirs = [];
        h.oldStps = [];
        h.ro = [];
        h.hDiag = 1;
      } else {
        const y = flatGrad.sub(h.prevFlatGrad!);
        const s = d!.mul(S.value(t));
        const ys = v(y.dot(s));
        if (S.gt(ys, 1e-10)) {
          if (h.oldDirs.length === historySize) {
            h.oldDirs.shift()!.dispose();
            h.oldStps.shift()!.dispose();
            h.ro.shift();
          }
          h.oldDirs.push(y.keep());
          h.oldStps.push(s.keep());
          h.ro.push(S.div(1, ys));
          h.hDiag = S.div(ys, v(y.dot(y)));
        }
        const numOld = h.oldDirs.length;
        const al: Num[] = new Array<Num>(numOld);
        const q = flatGrad.neg();
        for (let i = numOld - 1; i >= 0; i--) {
          al[i] = S.mul(v(h.oldStps[i]!.dot(q)), h.ro[i]!);
          q.add_(h.oldDirs[i]!, -S.value(al[i]!));
        }
        d = q.mul(S.value(h.hDiag));
        for (let i = 0; i < numOld; i++) {
          const be = S.mul(v(h.oldDirs[i]!.dot(d)), h.ro[i]!);
          d.add_(h.oldStps[i]!, S.value(S.sub(al[i]!, be)));
        }
      }
      d = keepSwap(h.d, d!);
      h.d = d;
      if (h.prevFlatGrad === null) h.prevFlatGrad = flatGrad.clone().keep();
      else h.prevFlatGrad.copy_(flatGrad);
      h.prevLoss = loss;

      if (state.get("n_iter") === 1) {
        const inv = S.div(1, v(flatGrad.abs().sum()));
        t = S.mul(S.min(1, inv), lr);
      } else t = lr;
      const gtd = v(flatGrad.dot(d));
      if (S.gt(gtd, -toleranceChange)) break;

      let lsFuncEvals = 0;
      if (lineSearchFn === "strongWolfe") {
        const xInit = this.#params.map((p) => p.clone());
        const r = strongWolfe(S, (x, tt, dd) => this.directionalEvaluate(closure, x, tt, dd), xInit, t, d, loss, flatGrad, gtd);
        loss = r.f;
        flatGrad = r.g;
        t = r.t;
        lsFuncEvals = r.evals;
        this.addGrad(S.value(t), d);
        optCond = S.le(v(flatGrad.abs().max()), toleranceGrad);
      } else {
        this.addGrad(S.value(t), d);
        if (nIter !== maxIter) {
          loss = this.evaluate(closure);
          flatGrad = this.flatGrad();
          optCond = S.le(v(flatGrad.abs().max()), toleranceGrad);
          lsFuncEvals = 1;
        }
      }
      currentEvals += lsFuncEvals;
      bump("func_evals", lsFuncEvals);
      if (nIter === maxIter) break;
      if (currentEvals >= maxEval) break;
      if (optCond) break;
      if (S.le(v(d.mul(S.value(t)).abs().max()), toleranceChange)) break;
      if (Math.abs(loss - h.prevLoss) < toleranceChange) break;
    }
    h.t = t;
    return origLoss;
  }

  /** The counters (func_evals, n_iter) by parameter index; the curvature history is not serialised. */
  override stateDict(): OptimizerStateDict {
    return super.stateDict();
  }

  /** Restores the options and counters; the curvature history starts afresh (as after n_iter reset it would be rebuilt). */
  override loadStateDict(sd: OptimizerStateDict): void {
    super.loadStateDict(sd);
    this.clearHistory();
    const s = this.state.get(this.#params[0]!);
    if (s !== undefined) s.set("n_iter", 0);
  }

  override dispose(): void {
    this.clearHistory();
    super.dispose();
  }

  private clearHistory(): void {
    const h = this.#h;
    for (const x of [...h.oldDirs, ...h.oldStps]) x.dispose();
    h.d?.dispose();
    h.prevFlatGrad?.dispose();
    this.#h = LBFGS.emptyHistory();
  }
}

type ObjFunc = (x: Tensor[], t: number, d: Tensor) => [number, Tensor];

/** Cubic interpolation of two points' values and slopes, minimiser clamped to the bounds (PyTorch's _cubic_interpolate). */
function cubicInterpolate(S: ScalarMath, x1: Num, f1: Num, g1: Num, x2: Num, f2: Num, g2: Num, bounds?: [Num, Num]): Num {
  const [lo, hi] = bounds ?? (S.le(x1, x2) ? [x1, x2] : [x2, x1]);
  const d1 = S.sub(S.add(g1, g2), S.div(S.mul(3, S.sub(f1, f2)), S.sub(x1, x2)));
  const d2sq = S.sub(S.mul(d1, d1), S.mul(g1, g2));
  if (S.ge(d2sq, 0)) {
    const d2 = S.sqrt(d2sq);
    const minPos = S.le(x1, x2)
      ? S.sub(x2, S.mul(S.sub(x2, x1), S.div(S.sub(S.add(g2, d2), d1), S.add(S.sub(g2, g1), S.mul(2, d2)))))
      : S.sub(x1, S.mul(S.sub(x1, x2), S.div(S.sub(S.add(g1, d2), d1), S.add(S.sub(g1, g2), S.mul(2, d2)))));
    return S.min(S.max(minPos, lo), hi);
  }
  return S.div(S.add(lo, hi), 2);
}

/** PyTorch's _strong_wolfe: bracketing, then zooming with cubic interpolation. */
function strongWolfe(
  S: ScalarMath,
  obj: ObjFunc,
  x: Tensor[],
  t0: Num,
  d: Tensor,
  f: number,
  g0: Tensor,
  gtd: Num,
  c1 = 1e-4,
  c2 = 0.9,
  toleranceChange = 1e-9,
  maxLs = 25,
): { f: number; g: Tensor; t: Num; evals: number } {
  let t = t0;
  const dNorm = S.of(d.abs().max().item());
  const g = g0.clone();
  const dot = (a: Tensor): Num => S.of(a.dot(d).item());
  let [fNew, gNew] = obj(x, S.value(t), d);
  let evals = 1;
  let gtdNew = dot(gNew);
  let tPrev: Num = 0;
  let fPrev: number = f;
  let gPrev = g;
  let gtdPrev = gtd;
  let done = false;
  let lsIter = 0;
  let bracket: Num[] = [];
  let bracketF: number[] = [];
  let bracketG: Tensor[] = [];
  let bracketGtd: Num[] = [];
  while (lsIter < maxLs) {
    if (S.gt(fNew, S.add(f, S.mul(S.mul(c1, t), gtd))) || (lsIter > 1 && fNew >= fPrev)) {
      [bracket, bracketF, bracketG, bracketGtd] = [
        [tPrev, t],
        [fPrev, fNew],
        [gPrev, gNew.clone()],
        [gtdPrev, gtdNew],
      ];
      break;
    }
    if (S.le(S.abs(gtdNew), S.mul(-c2, gtd))) {
      [bracket, bracketF, bracketG] = [[t], [fNew], [gNew]];
      done = true;
      break;
    }
    if (S.ge(gtdNew, 0)) {
      [bracket, bracketF, bracketG, bracketGtd] = [
        [tPrev, t],
        [fPrev, fNew],
        [gPrev, gNew.clone()],
        [gtdPrev, gtdNew],
      ];
      break;
    }
    const minStep = S.add(t, S.mul(0.01, S.sub(t, tPrev)));
    const maxStep = S.mul(t, 10);
    const tmp = t;
    t = cubicInterpolate(S, tPrev, fPrev, gtdPrev, t, fNew, gtdNew, [minStep, maxStep]);
    tPrev = tmp;
    fPrev = fNew;
    gPrev = gNew.clone();
    gtdPrev = gtdNew;
    [fNew, gNew] = obj(x, S.value(t), d);
    evals++;
    gtdNew = dot(gNew);
    lsIter++;
  }
  if (lsIter === maxLs)
    [bracket, bracketF, bracketG] = [
      [0, t],
      [f, fNew],
      [g, gNew],
    ];

  let insufProgress = false;
  let [lowPos, highPos] = bracketF[0]! <= bracketF[bracketF.length - 1]! ? [0, 1] : [1, 0];
  while (!done && lsIter < maxLs) {
    if (S.lt(S.mul(S.abs(S.sub(bracket[1]!, bracket[0]!)), dNorm), toleranceChange)) break;
    t = cubicInterpolate(S, bracket[0]!, bracketF[0]!, bracketGtd[0]!, bracket[1]!, bracketF[1]!, bracketGtd[1]!);
    const bMax = S.max(bracket[0]!, bracket[1]!);
    const bMin = S.min(bracket[0]!, bracket[1]!);
    const eps = S.mul(0.1, S.sub(bMax, bMin));
    if (S.lt(S.min(S.sub(bMax, t), S.sub(t, bMin)), eps)) {
      if (insufProgress || S.ge(t, bMax) || S.le(t, bMin)) {
        t = S.lt(S.abs(S.sub(t, bMax)), S.abs(S.sub(t, bMin))) ? S.sub(bMax, eps) : S.add(bMin, eps);
        insufProgress = false;
      } else insufProgress = true;
    } else insufProgress = false;
    [fNew, gNew] = obj(x, S.value(t), d);
    evals++;
    gtdNew = dot(gNew);
    lsIter++;
    if (S.gt(fNew, S.add(f, S.mul(S.mul(c1, t), gtd))) || fNew >= bracketF[lowPos]!) {
      bracket[highPos] = t;
      bracketF[highPos] = fNew;
      bracketG[highPos] = gNew.clone();
      bracketGtd[highPos] = gtdNew;
      [lowPos, highPos] = bracketF[0]! <= bracketF[1]! ? [0, 1] : [1, 0];
    } else {
      if (S.le(S.abs(gtdNew), S.mul(-c2, gtd))) done = true;
      else if (S.ge(S.mul(gtdNew, S.sub(bracket[highPos]!, bracket[lowPos]!)), 0)) {
        bracket[highPos] = bracket[lowPos]!;
        bracketF[highPos] = bracketF[lowPos]!;
        bracketG[highPos] = bracketG[lowPos]!;
        bracketGtd[highPos] = bracketGtd[lowPos]!;
      }
      bracket[lowPos] = t;
      bracketF[lowPos] = fNew;
      bracketG[lowPos] = gNew.clone();
      bracketGtd[lowPos] = gtdNew;
    }
  }
  return { f: bracketF[lowPos]!, g: bracketG[lowPos]!, t: bracket[lowPos]!, evals };
}
