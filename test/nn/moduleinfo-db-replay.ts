// Replays one ModuleInfo sample through Flambeau's nn modules and compares it with PyTorch's
// recorded outputs, buffers after the forward, and the gradients of every parameter and float
// input. The only knowledge of the modules here is the name rule (torch.nn.X → fl.nn.X, keyword
// arguments → a camelCase options object) and, in POSITIONAL and FORWARD, the modules whose
// Flambeau call differs in form from PyTorch's (the numbers must not).
import * as fl from "flambeau";
import type { Outcome } from "../helpers/replay-report.js";
import { brief, compareOut, compareTensor, decode, dtypeOf, flatTensors } from "../helpers/tensor-compare.js";
import { cotangent, type Encoded, makeTensor, values } from "../helpers/tensor-shards.js";
import { type ModuleInfoEntry, type ModuleSample, moduleShard } from "./moduleinfo-db-load.js";

type Ctor = new (...a: unknown[]) => fl.nn.Module;
type Fwd = (...a: unknown[]) => unknown;
const camel = (s: string): string => s.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase());

/** The Flambeau class of a ModuleInfo (undefined: not in Flambeau). */
export function moduleClass(o: ModuleInfoEntry): Ctor | undefined {
  if (!o.cls.startsWith("torch.nn.")) return undefined;
  const c = (fl.nn as unknown as Record<string, unknown>)[o.cls.slice("torch.nn.".length)];
  return typeof c === "function" ? (c as Ctor) : undefined;
}

/** Constructors that take an optional PyTorch keyword as a positional argument. */
const POSITIONAL: Record<string, string[]> = { ELU: ["alpha"] };

type Out = { output: fl.Tensor; h: fl.Tensor; c?: fl.Tensor; weights?: fl.Tensor | null };
const fwd = (m: fl.nn.Module): Fwd => (m as unknown as { forward: Fwd }).forward.bind(m);
/** Forwards whose arguments or results are shaped differently from PyTorch's (tuples as objects). */
const FORWARD: Record<string, (m: fl.nn.Module, args: unknown[], o?: Record<string, unknown>) => unknown> = {
  RNN: (m, [x, hx]) => {
    const r = fwd(m)(x, hx ? { h0: hx } : {}) as Out;
    return [r.output, r.h];
  },
  GRU: (m, [x, hx]) => {
    const r = fwd(m)(x, hx ? { h0: hx } : {}) as Out;
    return [r.output, r.h];
  },
  LSTM: (m, [x, hx]) => {
    const [h0, c0] = (hx ?? []) as fl.Tensor[];
    const r = fwd(m)(x, hx ? { h0, c0 } : {}) as Out;
    return [r.output, [r.h, r.c]];
  },
  LSTMCell: (m, args) => {
    const r = fwd(m)(...args) as Out;
    return [r.h, r.c];
  },
  MultiheadAttention: (m, args, o) => {
    const r = fwd(m)(...args, ...(o ? [o] : [])) as Out;
    return [r.output, r.weights];
  },
};

function arg(v: Encoded, tensors: fl.Tensor[]): unknown {
  if (v !== null && typeof v === "object" && !Array.isArray(v) && "fn" in v) return v.fn; // F.gelu → "gelu"
  return decode(v, tensors);
}
/** Keyword arguments as an options object: camelCase keys, None left out. */
function options(kw: Record<string, Encoded>, tensors: fl.Tensor[], skip: string[] = []): Record<string, unknown> | undefined {
  const keys = Object.keys(kw).filter((k) => kw[k] !== null && !skip.includes(k));
  return keys.length ? Object.fromEntries(keys.map((k) => [camel(k), arg(kw[k] as Encoded, tensors)])) : undefined;
}

function construct(C: Ctor, cls: string, s: ModuleSample, tensors: fl.Tensor[]): fl.nn.Module {
  const name = cls.slice("torch.nn.".length);
  const args = s.ctorArgs.map((a) => arg(a, tensors));
  const pos = POSITIONAL[name] ?? [];
  for (const p of pos) if (p in s.ctorKwargs) args.push(arg(s.ctorKwargs[p] as Encoded, tensors));
  const o = options(s.ctorKwargs, tensors, pos);
  return new C(...args, ...(o ? [o] : []));
}

/** Runs one sample: construct, load PyTorch's weights, forward, compare, backward, compare. */
export function replay(o: ModuleInfoEntry, s: ModuleSample, C: Ctor): Outcome {
  const buf = moduleShard(o.shard);
  return fl.tidy(() => {
    const tensors = s.tensors.map((e) => {
      const t = makeTensor(buf, e);
      return e.requiresGrad ? t.requiresGrad_(true) : t;
    });
    let m: fl.nn.Module;
    try {
      m = construct(C, o.cls, s, tensors);
      m.to("float64");
      m.loadStateDict(Object.fromEntries(Object.entries(s.state).map(([k, e]) => [k, makeTensor(buf, e)])));
      m.train(s.training);
    } catch (e) {
      return { output: "error", grad: s.grads ? "error" : "none", message: `construct: ${brief(e)}` } satisfies Outcome;
    }
    const args = s.fwdArgs.map((a) => arg(a, tensors));
    const kw = options(s.fwdKwargs, tensors);
    const special = FORWARD[o.cls.slice("torch.nn.".length)];
    let out: unknown;
    fl.manualSeed(42);
    try {
      out = special ? special(m, args, kw) : fwd(m)(...args, ...(kw ? [kw] : []));
    } catch (e) {
      return { output: "error", grad: s.grads ? "error" : "none", message: `forward: ${brief(e)}` } satisfies Outcome;
    }
    let om: string | undefined;
    try {
      om = compareOut(out, s.output, buf, "output");
      const bufs = new Map(m.namedBuffers());
      for (const [k, e] of Object.entries(s.buffersAfter)) {
        if (om) break;
        const b = bufs.get(k);
        om = b ? compareTensor(b, e, buf, `buffer ${k} after the forward`) : `buffer ${k}: missing`;
      }
    } catch (e) {
      om = `reading the output: ${brief(e)}`;
    }
    if (!s.grads) return { output: om ? "mismatch" : "match", grad: "none", message: om } satisfies Outcome;
    const outs = flatTensors(out).filter((t) => t.requiresGrad && /float/.test(dtypeOf(t)));
    const params = new Map(m.namedParameters());
    const pnames = Object.keys(s.paramGrads ?? {});
    const inputs = tensors.filter((_t, i) => s.tensors[i]?.requiresGrad);
    let gm: string | undefined;
    let grad: Outcome["grad"] = "match";
    try {
      const missing = pnames.filter((k) => !params.has(k));
      if (missing.length) throw new Error(`no parameter ${missing.join(", ")}`);
      const wrt = [...inputs, ...pnames.map((k) => params.get(k) as fl.Tensor)];
      const cts = outs.map((t, k) => fl.tensor(cotangent(t.numel, k), { shape: [...t.shape] }).to(t.dtype));
      const gs = outs.length > 0 ? fl.autograd.grad(outs, wrt, { gradOutputs: cts, allowUnused: true }) : wrt.map(() => null);
      const want = [
        ...s.tensors.flatMap((e, i) => (e.requiresGrad ? [[`grad of input ${i}`, s.grads?.[i] ?? null] as const] : [])),
        ...pnames.map((k) => [`grad of ${k}`, s.paramGrads?.[k] ?? null] as const),
      ];
      want.forEach(([what, w], j) => {
        if (gm) return;
        const g = gs[j] ?? null;
        if (w === null) {
          if (g !== null && g.abs().max().item() !== 0) gm = `${what}: nonzero, expected none`;
        } else if (g === null) {
          if (values(buf, w).some((v) => v !== 0)) gm = `${what}: none, expected a gradient`;
        } else gm = compareTensor(g, w, buf, what);
      });
      if (gm) grad = "mismatch";
    } catch (e) {
      grad = "error";
      gm = `backward: ${brief(e)}`;
    }
    return { output: om ? "mismatch" : "match", grad, message: om ?? gm } satisfies Outcome;
  });
}
