// One error type for everything Flambeau rejects: a code to branch on, the op, and context.

export type ErrorCode =
  | "E_NATIVE" // libtorch refused the call
  | "E_ARG" // a bad argument caught before dispatch
  | "E_SHAPE"
  | "E_DTYPE"
  | "E_DISPOSED"
  | "E_MEMORY"
  | "E_IO"
  | "E_FORMAT"
  | "E_STATE";

export class FlambeauError extends Error {
  readonly code: ErrorCode;
  readonly op: string | undefined;
  constructor(code: ErrorCode, message: string, op?: string) {
    super(message);
    this.name = "FlambeauError";
    this.code = code;
    this.op = op;
  }
}

/** Throws an E_ARG error naming the op. */
export function argError(op: string, message: string): never {
  throw new FlambeauError("E_ARG", `${op}: ${message}`, op);
}
