// Power/amplitude to decibels with an optional dynamic-range floor (torchaudio.functional.amplitude_to_DB).
import { FlambeauError } from "../../core/errors.js";
import { log10, type Tensor, tidy } from "../../core/index.js";

export interface AmplitudeToDBOptions {
  /** "power" (10·log10, default) or "magnitude" (20·log10). */
  stype?: "power" | "magnitude";
  /** Floor: values below max − topDb are raised to it, per example (default none). */
  topDb?: number | null;
  amin?: number;
  ref?: number;
}

/** x [..., freq, time] → dB. With topDb, the max is taken per example over (channel, freq, time), as torchaudio does. */
export function amplitudeToDB(x: Tensor, o: AmplitudeToDBOptions = {}): Tensor {
  const op = "amplitudeToDB";
  const stype = o.stype ?? "power";
  if (stype !== "power" && stype !== "magnitude")
    throw new FlambeauError("E_ARG", `${op}: stype must be "power" or "magnitude", got ${JSON.stringify(stype)}`, op);
  const amin = o.amin ?? 1e-10;
  const ref = o.ref ?? 1;
  const topDb = o.topDb ?? null;
  if (!(amin > 0)) throw new FlambeauError("E_ARG", `${op}: amin must be > 0, got ${amin}`, op);
  if (topDb !== null && !(topDb >= 0)) throw new FlambeauError("E_ARG", `${op}: topDb must be ≥ 0, got ${topDb}`, op);
  if (topDb !== null && x.ndim < 2)
    throw new FlambeauError("E_SHAPE", `${op}: topDb needs a [..., freq, time] input, got [${x.shape.join(", ")}]`, op);
  const mult = stype === "power" ? 10 : 20;
  return tidy(() => {
    let db = log10(x.clamp(amin)).mul(mult);
    const offset = mult * Math.log10(Math.max(amin, ref));
    if (offset !== 0) db = db.sub(offset);
    if (topDb === null) return db;
    const shape = db.shape;
    const ch = db.ndim > 2 ? shape[shape.length - 3]! : 1;
    const packed = db.reshape([-1, ch, shape[shape.length - 2]!, shape[shape.length - 1]!]);
    const floor = packed.amax([1, 2, 3], true).sub(topDb);
    return packed.maximum(floor.expandAs(packed)).reshape(shape);
  });
}

/** torchaudio.transforms.AmplitudeToDB. */
export class AmplitudeToDB {
  readonly options: AmplitudeToDBOptions;
  constructor(o: AmplitudeToDBOptions = {}) {
    this.options = { ...o };
  }
  forward(x: Tensor): Tensor {
    return amplitudeToDB(x, this.options);
  }
}
