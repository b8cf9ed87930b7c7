// Loads the addon (native/*.cc). Its functions take and return opaque tensor handles;
// everything typed and validated lives above, in the Tensor class and the op families.

import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** An opaque libtorch tensor handle (a JS external). */
export type Handle = { readonly __flambeauHandle: unique symbol };
/** An opaque TorchScript module handle. */
export type ModuleHandle = { readonly __flambeauModule: unique symbol };

export interface NativeMemory {
  liveTensors: number;
  bytes: number;
  peakBytes: number;
  budget: number;
}

export interface Binding {
  opId(name: string, overload: string): number;
  opSchema(id: number): string;
  callOp(id: number, ...args: unknown[]): unknown;
  fromBuffer(data: ArrayBufferView, shape: readonly number[], dtype: number): Handle;
  toBuffer(h: Handle): ArrayBuffer;
  item(h: Handle): number | bigint | boolean;
  shape(h: Handle): number[];
  strides(h: Handle): number[];
  dtype(h: Handle): number;
  numel(h: Handle): number;
  isContiguous(h: Handle): boolean;
  dispose(h: Handle): void;
  isDisposed(h: Handle): boolean;
  sameImpl(a: Handle, b: Handle): boolean;
  requiresGrad(h: Handle): boolean;
  setRequiresGrad(h: Handle, on: boolean): void;
  grad(h: Handle): Handle | null;
  setGrad(h: Handle, g: Handle | null): void;
  isLeaf(h: Handle): boolean;
  gradFnName(h: Handle): string | null;
  retainGrad(h: Handle): void;
  version(h: Handle): number;
  backward(
    tensors: Handle[],
    grads: (Handle | null)[],
    retainGraph: boolean | undefined,
    createGraph: boolean,
    inputs: Handle[] | undefined,
  ): void;
  autogradGrad(
    outputs: Handle[],
    inputs: Handle[],
    gradOutputs: (Handle | null)[],
    retainGraph: boolean | undefined,
    createGraph: boolean,
    allowUnused: boolean,
  ): (Handle | null)[];
  setGradEnabled(on: boolean): boolean;
  isGradEnabled(): boolean;
  setNumThreads(n: number): void;
  getNumThreads(): number;
  manualSeed(seed: number | bigint): void;
  getRngState(): Handle;
  setRngState(state: Handle): void;
  memory(): NativeMemory;
  setMemoryBudget(bytes: number): void;
  resetPeakMemory(): void;
  jitLoad(path: string): ModuleHandle;
  jitCall(m: ModuleHandle, method: string, ...args: unknown[]): unknown;
  jitTrain(m: ModuleHandle, on: boolean): void;
  jitNamedState(m: ModuleHandle): [string, Handle][];
}

function findAddon(): string {
  // dist/src/core/native.js -> repository root is three levels up.
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    const p = join(dir, "build", "Release", "flambeau.node");
    if (existsSync(p)) return p;
    dir = dirname(dir);
  }
  throw new Error(
    "flambeau: the native addon is not built (build/Release/flambeau.node is missing). " +
      "Run `npm run setup` in the flambeau package: it installs libtorch (Debian: libtorch-dev) and builds the addon.",
  );
}

const require = createRequire(import.meta.url);
export const native: Binding = require(findAddon()) as Binding;
