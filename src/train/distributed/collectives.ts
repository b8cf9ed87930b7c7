// torch.distributed's collectives on Flambeau tensors. Each one is in place (like PyTorch)
// and returns a Promise; Gloo runs it on its own threads and the wait happens on a libuv
// worker, so the event loop stays free. A failure asks the store which rank stopped
// beating and says so, because "connection closed by peer" does not name anyone.

import { FlambeauError } from "../../core/errors.js";
import { cat, noGrad, stack, type Tensor, tensor, tidy } from "../../core/index.js";
import { distNative, type NativeReduceOp } from "./native.js";
import { getDefaultGroup, type ProcessGroup } from "./process-group.js";

/** torch.distributed.ReduceOp; "avg" is sum then divide (Gloo has no AVG). */
export type ReduceOp = NativeReduceOp | "avg";
const OPS: readonly ReduceOp[] = ["sum", "product", "min", "max", "avg"];

export interface CollectiveOptions {
  group?: ProcessGroup;
}

/** How long a survivor watches the heartbeats before naming the dead ranks. */
const PROBE_MS = 1000;

function checkTensors(op: string, ts: readonly Tensor[]): void {
  if (ts.length === 0) throw new FlambeauError("E_ARG", `${op}: expected at least one tensor`, op);
  ts.forEach((t, i) => {
    if (!t.isContiguous())
      throw new FlambeauError(
        "E_ARG",
        `${op}: tensor ${i} (shape [${t.shape.join(", ")}]) must be contiguous; call .contiguous() first`,
        op,
      );
  });
}

/** Turns a native failure into a FlambeauError naming the rank(s) that stopped responding. */
export async function collectiveError(op: string, g: ProcessGroup, e: unknown): Promise<FlambeauError> {
  const msg = e instanceof Error ? e.message : String(e);
  let dead: number[] = [];
  try {
    dead = g.destroyed ? [] : await distNative().deadRanks(g.handle, PROBE_MS);
  } catch {
    dead = [];
  }
  const who =
    dead.length === 0
      ? "no rank was found dead (a mismatched collective, or a peer that is alive but stuck)"
      : dead.length === 1 && dead[0] === 0 && g.rank !== 0
        ? `rank 0 (the store host ${g.masterAddr}:${g.masterPort}) is unreachable`
        : `rank${dead.length > 1 ? "s" : ""} ${dead.join(", ")} stopped responding (dead or cut off)`;
  return new FlambeauError(
    "E_NATIVE",
    `${op} failed on rank ${g.rank} of ${g.worldSize}: ${who}; timeout ${g.timeout} ms. Cause: ${msg}`,
    op,
  );
}

async function run(op: string, g: ProcessGroup, fn: () => Promise<void>): Promise<void> {
  try {
    await fn();
  } catch (e) {
    if (e instanceof FlambeauError) throw e;
    throw await collectiveError(op, g, e);
  }
}

/** Reduces `tensor` across ranks in place (every rank ends with the result). */
export async function allReduce(tensor: Tensor, op: ReduceOp = "sum", o: CollectiveOptions = {}): Promise<void> {
  const ts = [tensor];
  if (!OPS.includes(op))
    throw new FlambeauError("E_ARG", `allReduce: op must be one of ${OPS.join(", ")}, got ${JSON.stringify(op)}`, "allReduce");
  checkTensors("allReduce", ts);
  const g = o.group ?? getDefaultGroup();
  await run("allReduce", g, () =>
    distNative().allReduce(
      g.handle,
      ts.map((t) => t.handle),
      op === "avg" ? "sum" : op,
    ),
  );
  if (op === "avg") noGrad(() => ts.forEach((t) => t.div_(g.worldSize)));
}

/** Copies `tensor` from rank `src` to every rank, in place. */
export async function broadcast(tensor: Tensor, src = 0, o: CollectiveOptions = {}): Promise<void> {
  const ts = [tensor];
  checkTensors("broadcast", ts);
  const g = o.group ?? getDefaultGroup();
  if (!Number.isInteger(src) || src < 0 || src >= g.worldSize)
    throw new FlambeauError("E_ARG", `broadcast: src must be a rank in [0, ${g.worldSize - 1}], got ${src}`, "broadcast");
  await run("broadcast", g, () =>
    distNative().broadcast(
      g.handle,
      ts.map((t) => t.handle),
      src,
    ),
  );
}

/** Fills `outputs[r]` with rank r's `input` (outputs: worldSize tensors of input's shape and dtype). */
export async function allGather(outputs: readonly Tensor[], input: Tensor, o: CollectiveOptions = {}): Promise<void> {
  const g = o.group ?? getDefaultGroup();
  if (outputs.length !== g.worldSize)
    throw new FlambeauError(
      "E_ARG",
      `allGather: expected ${g.worldSize} output tensors (one per rank), got ${outputs.length}`,
      "allGather",
    );
  checkTensors("allGather", [...outputs, input]);
  outputs.forEach((t, i) => {
    if (t.dtype !== input.dtype || t.shape.join() !== input.shape.join())
      throw new FlambeauError(
        "E_SHAPE",
        `allGather: outputs[${i}] is ${t.dtype} [${t.shape.join(", ")}], expected ${input.dtype} [${input.shape.join(", ")}] like the input`,
        "allGather",
      );
  });
  await run("allGather", g, () =>
    distNative().allGather(
      g.handle,
      outputs.map((t) => t.handle),
      input.handle,
    ),
  );
}

/**
 * `output` receives the reduction of every rank's `inputs[rank]`. Gloo in libtorch 1.13 has
 * no reduce_scatter, so this reduces the stacked inputs with allReduce and keeps this rank's
 * slice: the same result, worldSize times the traffic.
 */
export async function reduceScatter(
  output: Tensor,
  inputs: readonly Tensor[],
  op: ReduceOp = "sum",
  o: CollectiveOptions = {},
): Promise<void> {
  const g = o.group ?? getDefaultGroup();
  if (inputs.length !== g.worldSize)
    throw new FlambeauError(
      "E_ARG",
      `reduceScatter: expected ${g.worldSize} input tensors (one per rank), got ${inputs.length}`,
      "reduceScatter",
    );
  inputs.forEach((t, i) => {
    if (t.dtype !== output.dtype || t.shape.join() !== output.shape.join())
      throw new FlambeauError(
        "E_SHAPE",
        `reduceScatter: inputs[${i}] is ${t.dtype} [${t.shape.join(", ")}], expected ${output.dtype} [${output.shape.join(", ")}] like the output`,
        "reduceScatter",
      );
  });
  const all = noGrad(() => stack(inputs, 0));
  try {
    await allReduce(all, op, o);
    noGrad(() => {
      const mine = all.narrow(0, g.rank, 1).squeeze(0);
      output.copy_(mine);
      mine.dispose();
    });
  } finally {
    all.dispose();
  }
}

/** Waits until every rank reaches it. */
export async function barrier(o: CollectiveOptions = {}): Promise<void> {
  const g = o.group ?? getDefaultGroup();
  await run("barrier", g, () => distNative().barrier(g.handle));
}

/** Sums plain numbers across ranks (metrics, sample counts) through one float64 all-reduce. */
export async function allReduceNumbers(values: readonly number[], op: ReduceOp = "sum", o: CollectiveOptions = {}): Promise<number[]> {
  const t = tensor(Array.from(values), { dtype: "float64" });
  try {
    await allReduce(t, op, o);
    return Array.from(t.toArray() as number[]);
  } finally {
    t.dispose();
  }
}

/** Broadcasts many tensors as one flat buffer per dtype (DDP's start-up copy of parameters and buffers). */
export async function broadcastCoalesced(tensors: readonly Tensor[], src = 0, o: CollectiveOptions = {}): Promise<void> {
  const byDtype = new Map<string, Tensor[]>();
  for (const t of tensors) byDtype.set(t.dtype, [...(byDtype.get(t.dtype) ?? []), t]);
  for (const group of byDtype.values()) {
    const flat = noGrad(() =>
      cat(
        group.map((t) => t.reshape([-1])),
        0,
      ),
    );
    try {
      await broadcast(flat, src, o);
      noGrad(() => {
        let off = 0;
        for (const t of group) {
          const n = t.numel;
          tidy(() => t.copy_(flat.narrow(0, off, n).reshape(t.shape)));
          off += n;
        }
      });
    } finally {
      flat.dispose();
    }
  }
}
