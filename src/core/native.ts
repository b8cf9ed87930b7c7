// Loads the addon (native/*.cc). Its functions take and return opaque tensor handles;
// everything typed and validated lives above, in the Tensor class and the op families.

import { loadAddon } from "./addon.js";
import type { AutogradBinding } from "./autograd-native.js";

/** An opaque libtorch tensor handle (a JS external). */
export type Handle = { readonly __flambeauHandle: unique symbol };
/** An opaque TorchScript module handle. */
export type ModuleHandle = { readonly __flambeauModule: unique symbol };

export interface NativeMemory {
  liveTensors: number;
  bytes: number;
  peakBytes: number;
  /** Freed large blocks the allocator keeps for reuse (not in `bytes`; FLAMBEAU_CPU_CACHE_MB caps it). */
  cachedBytes: number;
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
  /** Whether the tensor lives in oneDNN's blocked layout (PyTorch's `is_mkldnn`). */
  isMkldnn(h: Handle): boolean;
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
  inferenceMode(fn: () => unknown): unknown;
  isInferenceModeEnabled(): boolean;
  setNumThreads(n: number): void;
  getNumThreads(): number;
  manualSeed(seed: number | bigint): void;
  getRngState(): Handle;
  setRngState(state: Handle): void;
  useDeterministicAlgorithms(mode: boolean, warnOnly: boolean): void;
  areDeterministicAlgorithmsEnabled(): boolean;
  isDeterministicAlgorithmsWarnOnlyEnabled(): boolean;
  setNumInteropThreads(n: number): void;
  getNumInteropThreads(): number;
  initialSeed(): bigint;
  setFlushDenormal(on: boolean): boolean;
  memory(): NativeMemory;
  setMemoryBudget(bytes: number): void;
  resetPeakMemory(): void;
  emptyCache(): void;
  jitLoad(path: string): ModuleHandle;
  jitCall(m: ModuleHandle, method: string, ...args: unknown[]): unknown;
  jitTrain(m: ModuleHandle, on: boolean): void;
  jitNamedState(m: ModuleHandle): [string, Handle][];
  /** A custom-class object handle's class name (null for any other value; "" once disposed). */
  objectClass(h: unknown): string | null;
  disposeObject(h: unknown): void;
  liveObjects(): number;
  quantizedEngine(): string;
  supportedQuantizedEngines(): string[];
  setQuantizedEngine(name: string): void;
}

// The addon loads on the first call into it, not at import: libtorch takes most of a second
// to load, and `flambeau --help`, `flambeau tasks` or a program that only imports types
// never need it. Until then every method is a stub that loads the addon, puts the real
// functions in place on this same object (so call sites pay nothing afterwards) and calls
// through. The list is checked against the interfaces: a method missing here is a compile error.
const METHODS: Record<keyof Binding | keyof AutogradBinding, true> = {
  opId: true,
  opSchema: true,
  callOp: true,
  fromBuffer: true,
  toBuffer: true,
  item: true,
  shape: true,
  strides: true,
  dtype: true,
  numel: true,
  isContiguous: true,
  isMkldnn: true,
  dispose: true,
  isDisposed: true,
  sameImpl: true,
  requiresGrad: true,
  setRequiresGrad: true,
  grad: true,
  setGrad: true,
  isLeaf: true,
  gradFnName: true,
  retainGrad: true,
  version: true,
  backward: true,
  autogradGrad: true,
  setGradEnabled: true,
  isGradEnabled: true,
  inferenceMode: true,
  isInferenceModeEnabled: true,
  setNumThreads: true,
  getNumThreads: true,
  manualSeed: true,
  getRngState: true,
  setRngState: true,
  useDeterministicAlgorithms: true,
  areDeterministicAlgorithmsEnabled: true,
  isDeterministicAlgorithmsWarnOnlyEnabled: true,
  setNumInteropThreads: true,
  getNumInteropThreads: true,
  initialSeed: true,
  setFlushDenormal: true,
  memory: true,
  setMemoryBudget: true,
  resetPeakMemory: true,
  emptyCache: true,
  jitLoad: true,
  jitCall: true,
  jitTrain: true,
  jitNamedState: true,
  objectClass: true,
  disposeObject: true,
  liveObjects: true,
  quantizedEngine: true,
  supportedQuantizedEngines: true,
  setQuantizedEngine: true,
  fnWrap: true,
  registerHook: true,
  removeHook: true,
  setAnomalyEnabled: true,
  isAnomalyEnabled: true,
  anomalyNote: true,
};

let loaded = false;
const onLoad: (() => void)[] = [];

/** Runs `fn` once the addon is loaded (now, if it already is): the engine's process-wide defaults. */
export function whenNativeLoaded(fn: () => void): void {
  if (loaded) fn();
  else onLoad.push(fn);
}

/** Whether the addon (and libtorch) has been loaded in this thread. */
export const isNativeLoaded = (): boolean => loaded;

function load(): void {
  if (loaded) return;
  Object.assign(native, loadAddon<Binding>("flambeau.node", "native"));
  loaded = true;
  for (const fn of onLoad.splice(0)) fn();
}

type Stub = (...args: unknown[]) => unknown;
const stubs: Record<string, Stub> = {};
for (const name of Object.keys(METHODS))
  stubs[name] = (...args) => {
    load();
    return (native as unknown as Record<string, Stub>)[name]!(...args);
  };

export const native: Binding = stubs as unknown as Binding;
