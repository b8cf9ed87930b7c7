// Containers: Sequential (children "0", "1", …), ModuleList, ModuleDict, ParameterList, ParameterDict.
import { FlambeauError } from "../core/errors.js";
import { type Tensor, tidy } from "../core/index.js";
import { Module } from "./module.js";
import { Parameter } from "./parameter.js";

/** The numbered children that Sequential and ModuleList share (keys "0", "1", …). */
abstract class ModuleSequence extends Module {
  readonly #items: Module[] = [];
  constructor(modules: Iterable<Module>) {
    super();
    for (const m of modules) this.append(m);
  }
  append(m: Module): this {
    if (!(m instanceof Module)) throw new FlambeauError("E_ARG", `${this.constructor.name}: expected a Module, got ${String(m)}`);
    this.registerModule(String(this.#items.length), m);
    this.#items.push(m);
    return this;
  }
  get length(): number {
    return this.#items.length;
  }
  at(i: number): Module {
    const m = this.#items[i < 0 ? i + this.#items.length : i];
    if (!m) throw new FlambeauError("E_ARG", `${this.constructor.name}: index ${i} out of range (length ${this.#items.length})`);
    return m;
  }
  [Symbol.iterator](): Iterator<Module> {
    return this.#items[Symbol.iterator]();
  }
}

/** Applies its children in order, each to the previous one's output. */
export class Sequential extends ModuleSequence {
  constructor(...modules: Module[]) {
    super(modules);
  }
  forward(x: Tensor): Tensor {
    // Intermediates die here, as PyTorch's reference counting frees them, instead of
    // waiting for V8's major collections (which made single-image inference p99 ~10× p50).
    return tidy(() => {
      let y: unknown = x;
      for (const m of this) y = m.forward(y);
      return y as Tensor;
    });
  }
}

export class ModuleList extends ModuleSequence {
  constructor(modules: Iterable<Module> = []) {
    super(modules);
  }
  forward(): never {
    throw new FlambeauError("E_STATE", "ModuleList has no forward(); iterate over it");
  }
}

export class ModuleDict extends Module {
  readonly #items = new Map<string, Module>();
  constructor(modules: Record<string, Module> = {}) {
    super();
    for (const [k, m] of Object.entries(modules)) this.set(k, m);
  }
  set(key: string, m: Module): this {
    this.registerModule(key, m);
    this.#items.set(key, m);
    return this;
  }
  get(key: string): Module {
    const m = this.#items.get(key);
    if (!m) throw new FlambeauError("E_ARG", `ModuleDict: no key "${key}" (keys: ${[...this.#items.keys()].join(", ")})`);
    return m;
  }
  keys(): string[] {
    return [...this.#items.keys()];
  }
  forward(): never {
    throw new FlambeauError("E_STATE", "ModuleDict has no forward(); look modules up by key");
  }
}

/** Parameters held in a list (registered as "0", "1", …, as PyTorch's ParameterList). */
export class ParameterList extends Module {
  readonly #items: Parameter[] = [];
  constructor(params: Iterable<Parameter> = []) {
    super();
    for (const p of params) this.append(p);
  }
  append(p: Parameter): this {
    if (!(p instanceof Parameter)) throw new FlambeauError("E_ARG", `ParameterList: expected a Parameter, got ${String(p)}`);
    this.registerParameter(String(this.#items.length), p);
    this.#items.push(p);
    return this;
  }
  at(i: number): Parameter {
    const p = this.#items[i < 0 ? this.#items.length + i : i];
    if (!p) throw new FlambeauError("E_ARG", `ParameterList: index ${i} out of range (length ${this.#items.length})`);
    return p;
  }
  get length(): number {
    return this.#items.length;
  }
  [Symbol.iterator](): Iterator<Parameter> {
    return this.#items[Symbol.iterator]();
  }
  forward(): never {
    throw new FlambeauError("E_STATE", "ParameterList has no forward(); iterate over it");
  }
}

/** Parameters held by name (as PyTorch's ParameterDict). */
export class ParameterDict extends Module {
  readonly #items = new Map<string, Parameter>();
  constructor(params: Record<string, Parameter> = {}) {
    super();
    for (const [k, p] of Object.entries(params)) this.set(k, p);
  }
  set(key: string, p: Parameter): this {
    if (!(p instanceof Parameter)) throw new FlambeauError("E_ARG", `ParameterDict: expected a Parameter for "${key}", got ${String(p)}`);
    this.registerParameter(key, p);
    this.#items.set(key, p);
    return this;
  }
  get(key: string): Parameter {
    const p = this.#items.get(key);
    if (!p) throw new FlambeauError("E_ARG", `ParameterDict: no key "${key}" (keys: ${[...this.#items.keys()].join(", ")})`);
    return p;
  }
  keys(): string[] {
    return [...this.#items.keys()];
  }
  forward(): never {
    throw new FlambeauError("E_STATE", "ParameterDict has no forward(); look parameters up by key");
  }
}
