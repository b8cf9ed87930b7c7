// ATen operators by schema name, resolved once in the dispatcher and cached.
// This module imports nothing from the Tensor side, so op families can build their
// operator constants at load time whatever the import order.
import { native } from "./native.js";

/** An ATen operator, resolved lazily: `aten("add.Tensor")`. */
export class AtenOp {
  id = -1;
  /** @internal The schema-driven argument checks (guard.ts): undefined until built, null when none apply. */
  guard: ((args: readonly unknown[]) => void) | null | undefined = undefined;
  /** @internal Set once the op has refused a oneDNN tensor for its layout: later calls get dense copies first. */
  mkldnnRefused = false;
  readonly name: string;
  readonly overload: string;
  constructor(qualified: string) {
    const dot = qualified.indexOf(".");
    this.name = `aten::${dot < 0 ? qualified : qualified.slice(0, dot)}`;
    this.overload = dot < 0 ? "" : qualified.slice(dot + 1);
  }
  resolve(): number {
    if (this.id < 0) this.id = native.opId(this.name, this.overload);
    return this.id;
  }
  get schema(): string {
    return native.opSchema(this.resolve());
  }
}

const known = new Map<string, AtenOp>();
/** The op for a schema name such as "add.Tensor" (memoised: cheap to call in a hot path). */
export function aten(qualified: string): AtenOp {
  let op = known.get(qualified);
  if (op === undefined) {
    op = new AtenOp(qualified);
    known.set(qualified, op);
  }
  return op;
}
