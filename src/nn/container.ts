// Containers: Sequential (children "0", "1", …), ModuleList, ModuleDict.
import { FlambeauError } from "../core/errors.js";
import { type Tensor, tidy } from "../core/index.js";
import { Module } from "./module.js";

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
