// The addon's autograd extension (native/autograd.cc): custom Function nodes whose backward
// is a JS callback, tensor hooks, anomaly mode. Kept beside native.ts's Binding so that the
// autograd surface is declared in one place.
import { type Handle, native } from "./native.js";

/** Where a NaN found in backward came from (recorded in anomaly mode only). */
export interface AnomalyNote {
  /** The backward node, e.g. "DivBackward0". */
  node: string;
  /** The forward op that created it, e.g. "aten::div.Tensor". */
  op: string;
  /** The JS stack at the forward call. */
  stack: string;
}

export interface AutogradBinding {
  fnWrap(
    name: string,
    inputs: Handle[],
    outputs: Handle[],
    saved: (Handle | null)[],
    nonDifferentiable: number[],
    materializeGrads: boolean,
    backward: (grads: (Handle | null)[], saved: (Handle | null)[]) => (Handle | null)[],
  ): Handle[];
  registerHook(h: Handle, fn: (grad: Handle) => Handle | null): number;
  removeHook(h: Handle, pos: number): void;
  setAnomalyEnabled(on: boolean, checkNan: boolean): [boolean, boolean];
  isAnomalyEnabled(): boolean;
  anomalyNote(): AnomalyNote | null;
}

export const nativeAutograd = native as unknown as AutogradBinding;
