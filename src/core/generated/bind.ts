// Hand-written (not generated): the run-time half of the generated surface. scripts/gen-api.py
// writes, per public name, the ATen overloads as compact specs ("fmod.Scalar(self:T, other:S)
// -> T"); this file compiles each overload's argument checks once, picks the overload the JS
// arguments fit, and calls it through dispatch.call (so guard.ts's schema checks still run).
//
// Calling convention (the whole API): PyTorch's required arguments positional, in PyTorch's
// order; every optional argument either positional (where PyTorch allows it) or in one trailing
// options object under its camelCase name. Among the overloads the arguments fit, the one that
// leaves the fewest arguments to their defaults wins (ties: schema order).
import { type AtenOp, aten } from "../aten.js";
import { call } from "../dispatch.js";
import { type DType, dtypeCode, dtypeFromCode } from "../dtype.js";
import { FlambeauError } from "../errors.js";
import { Tensor } from "../tensor.js";
import { show } from "../validate.js";

/** A number, BigInt (int64 values past 2^53) or boolean, as PyTorch's Scalar. */
export type Scalar = number | bigint | boolean;
/** A safe integer or a BigInt. */
export type Int = number | bigint;
/** One integer (repeated as PyTorch's int[N] allows) or a list. */
export type Ints = Int | readonly Int[];
export type MemoryFormat = "contiguous" | "preserve" | "channelsLast";

interface Param {
  name: string; // ATen's
  key: string; // camelCase: the options key and the name in messages
  kind: string;
  optional: boolean;
  kw: boolean;
  hidden: boolean; // Generator?, Layout?, pin_memory: always left unset
  nullable: boolean;
  accept: (v: unknown) => boolean;
  expect: string;
  convert: ((v: unknown) => unknown) | null;
}

interface Overload {
  qualified: string;
  op: AtenOp;
  params: Param[];
  ret: string;
  names: string[] | null; // named tuple returns, camelCased
  signature: string; // for messages
  variadic: boolean; // the first argument, a Tensor[], may also be given as separate tensors
}

const camel = (s: string): string => s.replace(/([a-z0-9])_([a-z0-9])/gi, (_m, a: string, b: string) => a + b.toUpperCase());
const isInt = (v: unknown): boolean => (typeof v === "number" && Number.isSafeInteger(v)) || typeof v === "bigint";
const isScalar = (v: unknown): boolean => typeof v === "number" || typeof v === "bigint" || typeof v === "boolean";
const isPlainObject = (v: unknown): v is Record<string, unknown> => {
  if (v === null || typeof v !== "object" || Array.isArray(v)) return false;
  const p = Object.getPrototypeOf(v);
  return p === Object.prototype || p === null;
};
const MEMORY_FORMATS = ["contiguous", "preserve", "channelsLast"];

/** The check of one argument kind: what it accepts, how the message names it, and its conversion. */
function kindCheck(kind: string): Pick<Param, "accept" | "expect" | "convert"> {
  const base = kind.endsWith("?") ? kind.slice(0, -1) : kind;
  if (base === "T?[]")
    return {
      accept: (v) => Array.isArray(v) && v.every((x) => x == null || x instanceof Tensor),
      expect: "an array of Tensors or nulls",
      convert: null,
    };
  const list = /^(\w+)\[(\d*)\]$/.exec(base);
  if (list) {
    const [, el, n] = list as unknown as [string, string, string];
    if (el === "T")
      return { accept: (v) => Array.isArray(v) && v.every((x) => x instanceof Tensor), expect: "an array of Tensors", convert: null };
    if (el === "i")
      return n === ""
        ? { accept: (v) => Array.isArray(v) && v.every(isInt), expect: "an array of integers", convert: null }
        : { accept: (v) => isInt(v) || (Array.isArray(v) && v.every(isInt)), expect: `an integer or an array of integers`, convert: null };
    if (el === "f")
      return { accept: (v) => Array.isArray(v) && v.every((x) => typeof x === "number"), expect: "an array of numbers", convert: null };
    if (el === "b")
      return {
        accept: (v) => Array.isArray(v) && v.length === Number(n) && v.every((x) => typeof x === "boolean"),
        expect: `an array of ${n} booleans`,
        convert: null,
      };
  }
  switch (base) {
    case "T":
      return { accept: (v) => v instanceof Tensor, expect: "a Tensor", convert: null };
    case "S":
      return { accept: isScalar, expect: "a number, bigint or boolean", convert: null };
    case "i":
      return { accept: isInt, expect: "a safe integer or a BigInt", convert: null };
    case "f":
      return { accept: (v) => typeof v === "number", expect: "a number", convert: null };
    case "b":
      return { accept: (v) => typeof v === "boolean", expect: "a boolean", convert: null };
    case "s":
      return { accept: (v) => typeof v === "string", expect: "a string", convert: null };
    case "dt":
      return {
        accept: (v) => typeof v === "string" && Object.hasOwn(dtypeCode, v),
        expect: `a dtype (${Object.keys(dtypeCode).join(", ")})`,
        convert: (v) => dtypeCode[v as DType],
      };
    case "mf":
      return { accept: (v) => MEMORY_FORMATS.includes(v as string), expect: `one of ${MEMORY_FORMATS.join(", ")}`, convert: null };
    case "dev":
      return { accept: (v) => v === "cpu", expect: '"cpu"', convert: null };
    default:
      throw new Error(`gen-api: unknown argument kind ${kind}`);
  }
}

const TS_NAMES: Record<string, string> = { T: "Tensor", S: "Scalar", i: "Int", f: "number", b: "boolean", s: "string", dt: "DType" };
function typeName(kind: string): string {
  const nullable = kind.endsWith("?");
  const base = nullable ? kind.slice(0, -1) : kind;
  let t: string;
  if (base === "T?[]") t = "(Tensor | null)[]";
  else if (base.startsWith("i[") && base !== "i[]") t = "Ints";
  else if (base.endsWith("]")) t = `${TS_NAMES[base.slice(0, base.indexOf("["))] ?? base}[]`;
  else t = TS_NAMES[base] ?? (base === "mf" ? "MemoryFormat" : base === "dev" ? '"cpu"' : base);
  return nullable ? `${t} | null` : t;
}

/** Parses one spec written by gen-api.py: `qualified(name:kind=, …, *, name:kind=) -> ret`. */
function parseSpec(spec: string, method: boolean): Overload {
  const open = spec.indexOf("(");
  const arrow = spec.lastIndexOf(") -> ");
  const qualified = spec.slice(0, open);
  const params: Param[] = [];
  let kw = false;
  const inner = spec.slice(open + 1, arrow);
  const variadic = inner.startsWith("...");
  for (const part of (inner === "" ? [] : inner.split(", ")).map((x) => x.replace(/^\.\.\./, ""))) {
    if (part === "*") {
      kw = true;
      continue;
    }
    const colon = part.indexOf(":");
    const name = part.slice(0, colon);
    let kind = part.slice(colon + 1);
    const hasDefault = kind.endsWith("=");
    if (hasDefault) kind = kind.slice(0, -1);
    const hidden = kind === "-";
    const nullable = kind.endsWith("?");
    params.push({
      name,
      key: name === "self" && !method ? "input" : camel(name),
      kind,
      optional: hasDefault || nullable || hidden,
      kw,
      hidden,
      nullable,
      ...(hidden ? { accept: () => false, expect: "unset", convert: null } : kindCheck(kind)),
    });
  }
  const ret = spec.slice(arrow + 5);
  let names: string[] | null = null;
  if (ret.startsWith("(") && ret.includes(":"))
    names = ret
      .slice(1, -1)
      .split(", ")
      .map((x) => camel(x.slice(0, x.indexOf(":"))));
  const shown = params.filter((p) => !p.hidden && !(method && p.name === "self"));
  const pos = shown.filter((p) => !p.kw).map((p) => `${p.key}${p.optional ? "?" : ""}: ${typeName(p.kind)}`);
  const opts = shown.filter((p) => p.kw).map((p) => `${p.key}${p.optional ? "?" : ""}: ${typeName(p.kind)}`);
  if (variadic) pos[0] = `${pos[0]} (or as separate arguments)`;
  const signature = `(${[...pos, ...(opts.length ? [`{ ${opts.join("; ")} }`] : [])].join(", ")})  [aten::${qualified}]`;
  return { qualified, op: aten(qualified), params, ret, names, signature, variadic };
}

interface Miss {
  depth: number;
  message: string;
}

/** How many arguments the last successful bind() left to their defaults (saves an allocation per call). */
let lastDefaults = 0;

/** Binds the JS arguments to one overload: the native argument list, or why they do not fit. */
function bind(ov: Overload, pos: readonly unknown[], opts: Record<string, unknown> | null, self: Tensor | null): unknown[] | Miss {
  const params = ov.params;
  if (ov.variadic && pos[0] instanceof Tensor) {
    // PyTorch's f(*tensors): the leading tensors are the list
    let n = 1;
    while (n < pos.length && pos[n] instanceof Tensor) n++;
    pos = [pos.slice(0, n), ...pos.slice(n)];
  }
  const out = new Array<unknown>(params.length);
  let next = 0;
  let used = 0;
  let defaults = 0;
  for (let j = 0; j < params.length; j++) {
    const p = params[j]!;
    if (p.hidden) continue;
    let v: unknown;
    let fromPos = false;
    if (self !== null && p.name === "self") v = self;
    else if (!p.kw && next < pos.length) {
      v = pos[next++];
      fromPos = true;
    }
    if (opts !== null && Object.hasOwn(opts, p.key) && !(self !== null && p.name === "self")) {
      if (fromPos && v !== undefined) return { depth: j, message: `${p.key} is given both positionally and in the options` };
      v = opts[p.key];
      used++;
    }
    if (v === undefined) {
      if (!p.optional) return { depth: j, message: `missing required argument ${p.key} (${typeName(p.kind)})` };
      defaults++;
      continue;
    }
    if (v === null && p.nullable) {
      out[j] = null;
      continue;
    }
    if (!p.accept(v)) return { depth: j, message: `${p.key} must be ${p.expect}${p.nullable ? " or null" : ""}, got ${show(v)}` };
    out[j] = p.convert === null ? v : p.convert(v);
  }
  if (next < pos.length) {
    const most = params.filter((p) => !p.kw && !p.hidden && !(self !== null && p.name === "self")).length;
    return { depth: params.length, message: `takes at most ${most} positional argument${most === 1 ? "" : "s"}, got ${pos.length}` };
  }
  if (opts !== null && used < Object.keys(opts).length) {
    const known = new Set(params.filter((p) => !p.hidden).map((p) => p.key));
    const unknown = Object.keys(opts).filter((k) => !known.has(k));
    return { depth: params.length, message: `unknown option${unknown.length === 1 ? "" : "s"} ${unknown.join(", ")}` };
  }
  let n = out.length;
  while (n > 0 && out[n - 1] === undefined) n--;
  out.length = n;
  lastDefaults = defaults;
  return out;
}

/** A generated public name: its overloads, compiled on first use. */
export class GeneratedOp {
  readonly name: string;
  readonly #specs: readonly string[];
  readonly #method: boolean;
  #overloads: Overload[] | null = null;
  constructor(name: string, specs: readonly string[], method: boolean) {
    this.name = name;
    this.#specs = specs;
    this.#method = method;
  }
  get overloads(): readonly Overload[] {
    if (this.#overloads === null) this.#overloads = this.#specs.map((s) => parseSpec(s, this.#method));
    return this.#overloads;
  }

  /** Calls the overload the arguments fit (`self` given for a method). */
  invoke(args: readonly unknown[], self: Tensor | null): unknown {
    const ovs = this.overloads;
    let opts: Record<string, unknown> | null = null;
    let pos = args;
    if (args.length > 0 && isPlainObject(args[args.length - 1])) {
      opts = args[args.length - 1] as Record<string, unknown>;
      pos = args.slice(0, -1);
    }
    let best: { ov: Overload; native: unknown[]; defaults: number } | null = null;
    let miss: { ov: Overload; miss: Miss } | null = null;
    for (const ov of ovs) {
      const r = bind(ov, pos, opts, self);
      if (Array.isArray(r)) {
        if (ovs.length === 1) return this.#result(ov, call(ov.op, ...r), r);
        const d = lastDefaults;
        if (best === null || d < best.defaults) best = { ov, native: r, defaults: d };
        if (d === 0) break;
      } else if (miss === null || r.depth > miss.miss.depth) miss = { ov, miss: r };
    }
    if (best === null) throw this.#mismatch(miss!, args);
    const { ov, native } = best;
    const r = call(ov.op, ...native);
    return this.#result(ov, r, native);
  }

  #result(ov: Overload, r: unknown, native: unknown[]): unknown {
    if (ov.ret === "T!") {
      // In place: the op returns an alias of self; hand back self itself.
      const self = native[ov.params.findIndex((p) => p.name === "self")] as Tensor;
      if (r instanceof Tensor && r !== self) r.dispose();
      self.invalidate();
      return self;
    }
    if (ov.ret === "dt") return dtypeFromCode(r as number);
    if (ov.names !== null && Array.isArray(r)) {
      const names = ov.names;
      names.forEach((n, i) => {
        Object.defineProperty(r, n, { value: r[i], enumerable: false });
      });
    }
    return r;
  }

  #mismatch(miss: { ov: Overload; miss: Miss }, args: readonly unknown[]): FlambeauError {
    const ovs = this.overloads;
    const list = ovs.map((o) => `  ${this.name}${o.signature}`).join("\n");
    const closest = ovs.length > 1 ? ` (closest: aten::${miss.ov.qualified})` : "";
    return new FlambeauError(
      "E_ARG",
      `${this.name}: ${miss.miss.message}${closest}; called with (${args.map(show).join(", ")}); ${
        ovs.length === 1 ? "expected" : `one of ${ovs.length} overloads expected`
      }:\n${list}`,
      this.name,
    );
  }
}

/** A generated function (module level). */
export function op(name: string, specs: readonly string[]): { call(args: readonly unknown[]): unknown } {
  const g = new GeneratedOp(name, specs, false);
  return { call: (args) => g.invoke(args, null) };
}

/** Attaches a generated Tensor method; a name the class already has is a generator bug. */
export function method(name: string, specs: readonly string[]): void {
  if (name in Tensor.prototype) throw new Error(`gen-api: Tensor.${name} is hand-written; the generator must skip it`);
  const g = new GeneratedOp(name, specs, true);
  Object.defineProperty(Tensor.prototype, name, {
    value: function (this: Tensor, ...args: unknown[]): unknown {
      return g.invoke(args, this);
    },
    writable: true,
    configurable: true,
    enumerable: false,
  });
}
