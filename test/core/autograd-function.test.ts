// Autograd from TypeScript: custom Functions with JS forward/backward (gradients by finite
// differences, double backward, errors), tensor hooks, anomaly detection, checkpointing.
import assert from "node:assert/strict";
import { test } from "node:test";
import * as fl from "flambeau";
import { assertClose } from "../helpers/fixtures.js";

const F64 = { dtype: "float64" } as const;
type Ctx = fl.autograd.FunctionCtx;

class MyExp extends fl.autograd.Function {
  static override forward(ctx: Ctx, x: fl.Tensor): fl.Tensor {
    const y = x.exp();
    ctx.saveForBackward(y);
    return y;
  }
  static override backward(ctx: Ctx, g: fl.Tensor): fl.Tensor {
    const [y] = ctx.savedTensors;
    return g.mul(y!);
  }
}

// f(x, y, k) = k·x·y + sin(x), with a non-tensor argument and two outputs.
class MulSin extends fl.autograd.Function {
  static override forward(ctx: Ctx, x: fl.Tensor, y: fl.Tensor, k: number): fl.Tensor[] {
    ctx.saveForBackward(x, y);
    ctx.k = k;
    return [x.mul(y).mul(k), x.sin()];
  }
  static override backward(ctx: Ctx, gProd: fl.Tensor, gSin: fl.Tensor): (fl.Tensor | null)[] {
    const [x, y] = ctx.savedTensors as fl.Tensor[];
    const k = ctx.k as number;
    return [gProd.mul(y!).mul(k).add(gSin.mul(x!.cos())), gProd.mul(x!).mul(k), null];
  }
}

// Central differences of a scalar function of one tensor, element by element.
function numericGrad(f: (x: fl.Tensor) => fl.Tensor, x: fl.Tensor, eps = 1e-6): number[] {
  const base = Array.from(x.data() as Float64Array);
  return base.map((_, i) => {
    const at = (d: number) => {
      const v = base.slice();
      v[i]! += d;
      return f(fl.tensor(Float64Array.from(v), { shape: [...x.shape] })).item();
    };
    return (at(eps) - at(-eps)) / (2 * eps);
  });
}

test("custom Function: forward, graph node, gradient = analytic", () => {
  const x = fl.tensor([0.5, -1, 2], { ...F64, requiresGrad: true });
  const y = MyExp.apply(x);
  assert.equal(y.gradFn, "MyExpBackward");
  assert.equal(y.requiresGrad, true);
  assertClose(y, x.detach().exp(), "forward", 1e-12, 0);
  y.sum().backward();
  assertClose(x.grad!, x.detach().exp(), "grad", 1e-12, 0);
});

test("custom Function: several inputs and outputs, a non-tensor argument, against finite differences", () => {
  const x0 = fl.tensor([0.3, -0.7, 1.1], F64);
  const y0 = fl.tensor([1.5, 0.2, -0.4], F64);
  const x = x0.clone().requiresGrad_(true);
  const y = y0.clone().requiresGrad_(true);
  const [p, s] = MulSin.apply(x, y, 2.5);
  p!.mul(s!).sum().backward();
  const loss = (xx: fl.Tensor, yy: fl.Tensor) => xx.mul(yy).mul(2.5).mul(xx.sin()).sum();
  const gx = numericGrad((v) => loss(v, y0), x0);
  const gy = numericGrad((v) => loss(x0, v), y0);
  assertClose(x.grad!, fl.tensor(gx, F64), "dx", 1e-6, 1e-8);
  assertClose(y.grad!, fl.tensor(gy, F64), "dy", 1e-6, 1e-8);
});

test("custom Function: double backward through a differentiable backward (= PyTorch)", () => {
  // d/dx softplus = sigmoid; its backward is made of differentiable ops, so grad of grad works.
  class Softplus extends fl.autograd.Function {
    static override forward(ctx: Ctx, x: fl.Tensor): fl.Tensor {
      ctx.saveForBackward(x);
      return x.exp().add(1).log();
    }
    static override backward(ctx: Ctx, g: fl.Tensor): fl.Tensor {
      return g.mul(ctx.savedTensors[0]!.sigmoid());
    }
  }
  const x = fl.tensor([0.4, -1.3, 2.2], { ...F64, requiresGrad: true });
  const [g1] = fl.autograd.grad(Softplus.apply(x).pow(2).sum(), x, { createGraph: true });
  assert.equal(g1!.requiresGrad, true);
  const [g2] = fl.autograd.grad(g1!.sum(), x);
  // Analytic: f = sp(x)², f' = 2·sp·σ, f'' = 2σ² + 2·sp·σ(1−σ).
  const xs = [0.4, -1.3, 2.2];
  const sp = xs.map((v) => Math.log1p(Math.exp(v)));
  const sg = xs.map((v) => 1 / (1 + Math.exp(-v)));
  assertClose(
    g1!,
    fl.tensor(
      xs.map((_, i) => 2 * sp[i]! * sg[i]!),
      F64,
    ),
    "f'",
    1e-12,
    1e-14,
  );
  assertClose(
    g2!,
    fl.tensor(
      xs.map((_, i) => 2 * sg[i]! ** 2 + 2 * sp[i]! * sg[i]! * (1 - sg[i]!)),
      F64,
    ),
    "f''",
    1e-12,
    1e-14,
  );
});

test("custom Function: an exception in backward is a catchable error of backward(), and the process goes on", () => {
  class Boom extends fl.autograd.Function {
    static override forward(_ctx: Ctx, x: fl.Tensor): fl.Tensor {
      return x.mul(2);
    }
    static override backward(): fl.Tensor {
      throw new RangeError("boom in backward");
    }
  }
  const x = fl.tensor([1, 2], { requiresGrad: true });
  const err = (() => {
    try {
      Boom.apply(x).sum().backward();
    } catch (e) {
      return e as fl.FlambeauError & { cause?: unknown };
    }
    return null;
  })();
  assert.ok(err instanceof fl.FlambeauError);
  assert.match(err.message, /Boom\.backward threw: boom in backward/);
  assert.ok(err.cause instanceof RangeError);
  // The same error through grad(), and a clean graph afterwards.
  assert.throws(() => fl.autograd.grad(Boom.apply(x).sum(), x), /boom in backward/);
  MyExp.apply(x).sum().backward();
  assertClose(x.grad!, x.detach().exp(), "after an error");
});

test("custom Function: bad gradients from backward are named errors", () => {
  const make = (ret: (g: fl.Tensor) => unknown) =>
    class Bad extends fl.autograd.Function {
      static override forward(_ctx: Ctx, x: fl.Tensor, _k: number): fl.Tensor {
        return x.mul(2);
      }
      static override backward(_ctx: Ctx, g: fl.Tensor): fl.autograd.BackwardResult {
        return ret(g) as fl.autograd.BackwardResult;
      }
    };
  const x = fl.tensor([1, 2], { requiresGrad: true });
  assert.throws(
    () =>
      make((g) => [g])
        .apply(x, 1)
        .sum()
        .backward(),
    /Bad\.backward returned 1 gradients, expected 2/,
  );
  assert.throws(
    () =>
      make((g) => g)
        .apply(x, 1)
        .sum()
        .backward(),
    /must return an array of 2 gradients/,
  );
  assert.throws(
    () =>
      make(() => [5, null])
        .apply(x, 1)
        .sum()
        .backward(),
    /gradient 0 must be a Tensor or null, got 5/,
  );
  assert.throws(
    () =>
      make((g) => [g, g])
        .apply(x, 1)
        .sum()
        .backward(),
    /forward argument 1 is not a tensor/,
  );
  assert.throws(
    () =>
      make(() => [fl.ones([3]), null])
        .apply(x, 1)
        .sum()
        .backward(),
    /invalid gradient at index 0 - got \[3\] but expected shape compatible with \[2\]/,
  );
  // Extra trailing nulls are fine, as in PyTorch.
  make((g) => [g, null, null])
    .apply(x, 1)
    .sum()
    .backward();
  assert.deepEqual(x.grad!.toArray(), [1, 1]);
});

test("custom Function: ctx rules, needsInputGrad, saved-tensor version check", () => {
  let seen: readonly boolean[] = [];
  class Probe extends fl.autograd.Function {
    static override forward(ctx: Ctx, a: fl.Tensor, b: fl.Tensor, _s: string): fl.Tensor {
      seen = ctx.needsInputGrad;
      assert.throws(() => ctx.savedTensors, /available in backward only/);
      assert.throws(() => ctx.saveForBackward(5 as unknown as fl.Tensor), /saveForBackward argument 0 must be a Tensor or null, got 5/);
      ctx.saveForBackward(a);
      return a.mul(b);
    }
    static override backward(ctx: Ctx, g: fl.Tensor): (fl.Tensor | null)[] {
      assert.throws(() => ctx.saveForBackward(g), /may be called in forward only/);
      return [g, null, null];
    }
  }
  const a = fl.tensor([1, 2], { requiresGrad: true });
  const b = fl.tensor([3, 4]);
  const out = Probe.apply(a, b, "s");
  assert.deepEqual(seen, [true, false, false]);
  out.sum().backward();
  assert.deepEqual(a.grad!.toArray(), [1, 1]);
  // A tensor saved for backward and modified in place: PyTorch's version-counter error.
  const c = fl.tensor([1, 2], { requiresGrad: true });
  const w = c.mul(1);
  const z = MyExp.apply(w);
  z.mul(1); // z is the saved output
  z.add_(1);
  assert.throws(() => z.sum().backward(), /modified by an inplace operation/);
  // forward that does not return tensors; the base class itself.
  class NoTensor extends fl.autograd.Function {
    static override forward(): fl.Tensor {
      return 3 as unknown as fl.Tensor;
    }
  }
  assert.throws(() => NoTensor.apply(), /NoTensor\.forward must return a Tensor or a non-empty array of Tensors, got 3/);
  assert.throws(() => fl.autograd.Function.apply(), /subclass autograd\.Function/);
});

test("custom Function: markNonDifferentiable, setMaterializeGrads, no graph without grad", () => {
  let got: (fl.Tensor | null)[] = [];
  class TwoOut extends fl.autograd.Function {
    static override forward(ctx: Ctx, x: fl.Tensor, materialize: boolean): fl.Tensor[] {
      const mask = x.gt(0).to("float32");
      ctx.markNonDifferentiable(mask);
      ctx.setMaterializeGrads(materialize);
      return [x.mul(3), mask, x.mul(4)];
    }
    static override backward(_ctx: Ctx, ...grads: (fl.Tensor | null)[]): (fl.Tensor | null)[] {
      got = grads;
      return [grads[0] ?? null, null];
    }
  }
  const x = fl.tensor([-1, 2], { requiresGrad: true });
  const [y, m] = TwoOut.apply(x, true);
  assert.equal(m!.requiresGrad, false);
  y!.sum().backward();
  assert.deepEqual(got[1]!.toArray(), [0, 0]); // materialized zeros for the unused outputs
  assert.deepEqual(got[2]!.toArray(), [0, 0]);
  const [y2] = TwoOut.apply(x, false);
  y2!.sum().backward();
  assert.equal(got[2], null);
  // No input requires grad, or grad mode off: plain tensors, no node.
  assert.equal(MyExp.apply(fl.tensor([1])).requiresGrad, false);
  assert.equal(fl.noGrad(() => MyExp.apply(x)).gradFn, null);
});

test("custom Functions inside tidy(): grads and outputs survive, the graph keeps what it needs", () => {
  const x = fl.tensor([0.1, 0.2], { ...F64, requiresGrad: true });
  const before = fl.memory().liveTensors;
  for (let i = 0; i < 20; i++) {
    fl.tidy(() => {
      MyExp.apply(MyExp.apply(x)).sum().backward();
    });
  }
  const e = x.detach().exp();
  assertClose(x.grad!, e.mul(e.exp()).mul(20), "accumulated");
  assert.ok(fl.memory().liveTensors - before < 10, "tidy scopes freed the callback's tensors");
});

test("tensor hooks: change the gradient, observe, remove; errors are named", () => {
  const x = fl.tensor([1, 2, 3], { requiresGrad: true });
  const seen: number[][] = [];
  const h1 = x.registerHook((g) => g.mul(10));
  const h2 = x.registerHook((g) => {
    seen.push(g.toArray() as number[]);
  });
  x.mul(2).sum().backward();
  assert.deepEqual(x.grad!.toArray(), [20, 20, 20]);
  assert.deepEqual(seen, [[20, 20, 20]]);
  h1.remove();
  h1.remove(); // twice is harmless
  x.grad = null;
  x.mul(2).sum().backward();
  assert.deepEqual(x.grad!.toArray(), [2, 2, 2]);
  h2.remove();
  // On an intermediate tensor: the hook sees (and may replace) the gradient flowing through it.
  const y = x.mul(x);
  y.registerHook((g) => g.neg());
  x.grad = null;
  y.sum().backward();
  assert.deepEqual(x.grad!.toArray(), [-2, -4, -6]);
  // retainGrad keeps an intermediate's gradient.
  const z = x.mul(3).retainGrad();
  z.sum().backward();
  assert.deepEqual(z.grad!.toArray(), [1, 1, 1]);
  // Errors.
  assert.throws(
    () => fl.tensor([1]).registerHook((g) => g),
    /registerHook: cannot register a hook on a tensor that doesn't require gradient/,
  );
  assert.throws(() => x.registerHook(5 as unknown as fl.autograd.TensorHook), /registerHook: expects a function, got 5/);
  const h3 = x.registerHook(() => {
    throw new Error("hook failed");
  });
  assert.throws(
    () => x.mul(2).sum().backward(),
    (e: Error) => e instanceof fl.FlambeauError && /tensor hook threw: hook failed/.test(e.message),
  );
  h3.remove();
  const h4 = x.registerHook(() => "no" as unknown as fl.Tensor);
  assert.throws(() => x.mul(2).sum().backward(), /tensor hook: must return a Tensor or nothing, got "no"/);
  h4.remove();
  const h5 = x.registerHook(() => fl.ones([5]));
  assert.throws(() => x.mul(2).sum().backward(), /hook '\d+' has changed the size of value/);
  h5.remove();
});

test("anomaly detection: a NaN made in backward names the node, the forward op and the caller", () => {
  const a = fl.tensor([0, 1], { requiresGrad: true });
  // Without anomaly mode the NaN passes silently.
  a.div(a).sum().backward();
  assert.ok(Number.isNaN((a.grad!.toArray() as number[])[0]!));
  let err: Error | null = null;
  fl.autograd.detectAnomaly(() => {
    const b = fl.tensor([0, 1], { requiresGrad: true });
    const c = b.mul(2).div(b); // the NaN comes from DivBackward0 (0/0)
    try {
      c.sum().backward();
    } catch (e) {
      err = e as Error;
    }
  });
  assert.ok(err !== null && (err as Error) instanceof fl.FlambeauError);
  const msg = (err as unknown as Error).message;
  assert.match(msg, /Function 'DivBackward0' returned nan values in its \dth output/);
  assert.match(msg, /forward op aten::div\.Tensor/);
  assert.match(msg, /autograd-function\.test\.js/);
  assert.equal(fl.autograd.isAnomalyEnabled(), false);
  // A custom Function whose backward makes the NaN is named too.
  class NanBack extends fl.autograd.Function {
    static override forward(_ctx: Ctx, x: fl.Tensor): fl.Tensor {
      return x.mul(1);
    }
    static override backward(_ctx: Ctx, g: fl.Tensor): fl.Tensor {
      return g.mul(Number.NaN);
    }
  }
  fl.autograd.setDetectAnomaly(true);
  try {
    assert.throws(
      () =>
        NanBack.apply(fl.tensor([1], { requiresGrad: true }))
          .sum()
          .backward(),
      /Function 'NanBackBackward' returned nan values.*created by the custom Function NanBack, called\n.*autograd-function\.test\.js/s,
    );
    // checkNan: false turns the NaN check off.
    fl.autograd.setDetectAnomaly(true, { checkNan: false });
    NanBack.apply(fl.tensor([1], { requiresGrad: true }))
      .sum()
      .backward();
  } finally {
    fl.autograd.setDetectAnomaly(false);
  }
  assert.throws(() => fl.autograd.setDetectAnomaly("yes" as unknown as boolean), /setDetectAnomaly: on must be a boolean, got "yes"/);
  assert.throws(
    () => fl.autograd.detectAnomaly(() => 1, { checkNan: 1 as unknown as boolean }),
    /detectAnomaly: checkNan must be a boolean, got 1/,
  );
  assert.throws(() => fl.autograd.detectAnomaly(3 as unknown as () => void), /detectAnomaly: expects a function, got 3/);
});

test("checkpoint: gradients equal the plain ones, dropout included (RNG restored)", () => {
  fl.manualSeed(7);
  const w1 = fl.randn([6, 8], { ...F64, requiresGrad: true });
  const w2 = fl.randn([8, 4], { ...F64, requiresGrad: true });
  const block = (x: fl.Tensor, p: number) => fl.dropout(x.matmul(w1).tanh(), p, true).matmul(w2).sin();
  const x0 = fl.randn([5, 6], F64);
  const run = (ckpt: boolean) => {
    const x = x0.clone().requiresGrad_(true);
    w1.grad = null;
    w2.grad = null;
    fl.manualSeed(123);
    const y = ckpt ? fl.autograd.checkpoint(block, x, 0.3) : block(x, 0.3);
    fl.randn([3]); // the RNG moves on between forward and backward
    y.pow(2).sum().backward();
    return { y: y.detach(), gx: x.grad!, g1: w1.grad!, g2: w2.grad! };
  };
  const plain = run(false);
  const ck = run(true);
  assertClose(ck.y, plain.y, "output", 0, 0);
  assertClose(ck.gx, plain.gx, "input grad", 1e-12, 0);
  assertClose(ck.g1, plain.g1, "w1 grad", 1e-12, 0);
  assertClose(ck.g2, plain.g2, "w2 grad", 1e-12, 0);
  // Several outputs; the forward keeps no activations of fn.
  const x = fl.tensor([0.5, 1.5], { ...F64, requiresGrad: true });
  const [u, v] = fl.autograd.checkpoint((t: fl.Tensor) => [t.exp(), t.sin()], x);
  assert.equal(u!.gradFn, "CheckpointFunctionBackward");
  u!.add(v!).sum().backward();
  assertClose(x.grad!, x.detach().exp().add(x.detach().cos()), "two outputs", 1e-12, 0);
  assert.throws(() => fl.autograd.checkpoint(null as unknown as () => fl.Tensor), /checkpoint: expects a function, got null/);
});

test("re-entrant backward deeper than libtorch's 60 levels is an error, not a crash", () => {
  let f = (t: fl.Tensor): fl.Tensor => t.sin();
  for (let i = 0; i < 64; i++) {
    const inner = f;
    f = (t: fl.Tensor) => fl.autograd.checkpoint(inner, t);
  }
  const x = fl.tensor([1], { requiresGrad: true });
  assert.throws(
    () => f(x).sum().backward(),
    (e: Error) =>
      /^CheckpointFunction\.backward threw: backward: .*libtorch worker thread, where JS cannot run/.test(e.message) &&
      e.message.split("threw").length === 2,
  );
  // Still fine afterwards.
  MyExp.apply(x).sum().backward();
});

test("module full backward hook: this module's gradInput and gradOutput, replacement, beside forward hooks", () => {
  const lin = new fl.nn.Linear(3, 2);
  const x = fl.tensor([[1, 2, 3]], { requiresGrad: true });
  const seen: { gi: (fl.Tensor | null)[]; go: (fl.Tensor | null)[] }[] = [];
  const h = lin.registerFullBackwardHook((m, gi, go) => {
    assert.equal(m, lin);
    seen.push({ gi, go });
  });
  const fwdSeen: unknown[] = [];
  const fh = lin.registerForwardHook((_m, _i, out) => fwdSeen.push(out));
  const y = lin.forward(x) as fl.Tensor;
  // x is also used outside the module: gradInput is only the module's part (W·gradOutput).
  y.mul(fl.tensor([[2, -1]]))
    .sum()
    .add(x.sum())
    .backward();
  assert.equal(seen.length, 1);
  assert.equal(fwdSeen.length, 1);
  assert.deepEqual(seen[0]!.go[0]!.toArray(), [[2, -1]]);
  const expectGi = fl.tensor([[2, -1]]).matmul(lin.weight.detach());
  assertClose(seen[0]!.gi[0]!, expectGi, "gradInput");
  assertClose(x.grad!, expectGi.add(1), "x.grad");
  // Removing the forward hook leaves the backward hook working, and the reverse.
  fh.remove();
  x.grad = null;
  (lin.forward(x) as fl.Tensor).sum().backward();
  assert.equal(seen.length, 2);
  // A returned array replaces gradInput.
  const h2 = lin.registerFullBackwardHook((_m, gi) => gi.map((g) => g?.mul(3) ?? null));
  x.grad = null;
  (lin.forward(x) as fl.Tensor).sum().backward();
  assertClose(x.grad!, lin.weight.detach().sum({ dim: 0, keepdim: true }).mul(3), "replaced gradInput");
  h2.remove();
  // An input without grad: gradInput holds null, the hook still runs (from the output side).
  const before = seen.length;
  (lin.forward(fl.tensor([[1, 1, 1]])) as fl.Tensor).sum().backward();
  assert.equal(seen.length, before + 1);
  assert.deepEqual(seen.at(-1)!.gi, [null]);
  h.remove();
  (lin.forward(x) as fl.Tensor).sum().backward();
  assert.equal(seen.length, before + 1);
  // Bad hooks.
  assert.throws(() => lin.registerFullBackwardHook(3 as never), /Linear: a hook must be a function/);
  const h3 = lin.registerFullBackwardHook(() => [1, 2] as unknown as fl.Tensor[]);
  assert.throws(
    () => (lin.forward(x) as fl.Tensor).sum().backward(),
    /full backward hook: must return nothing or an array of 1 Tensors or nulls/,
  );
  h3.remove();
});

test("checkpoint: parameters get gradients when no input requires grad (data batches)", () => {
  fl.manualSeed(3);
  const lin = new fl.nn.Linear(4, 3);
  const data = fl.randn([5, 4]);
  const plain = () => {
    lin.zeroGrad();
    (lin.forward(data) as fl.Tensor).tanh().sum().backward();
    return [lin.weight.grad!, lin.bias!.grad!];
  };
  const [w0, b0] = plain();
  lin.zeroGrad();
  fl.autograd
    .checkpoint((t: fl.Tensor) => (lin.forward(t) as fl.Tensor).tanh(), data)
    .sum()
    .backward();
  assertClose(lin.weight.grad!, w0!, "weight grad", 1e-6, 1e-7);
  assertClose(lin.bias!.grad!, b0!, "bias grad", 1e-6, 1e-7);
  // Nothing to differentiate at all: backward runs and gives nothing.
  const y = fl.autograd.checkpoint((t: fl.Tensor) => t.mul(2), data);
  y.sum().backward();
  assert.equal(fl.noGrad(() => fl.autograd.checkpoint((t: fl.Tensor) => t.mul(2), data)).requiresGrad, false);
});

test("module full backward hook registered after forward (pre-)hooks, removed in any order", () => {
  const lin = new fl.nn.Linear(2, 2);
  const x = fl.tensor([[1, -1]], { requiresGrad: true });
  let pre = 0;
  let post = 0;
  let back = 0;
  const hp = lin.registerForwardPreHook(() => {
    pre++;
  });
  const hf = lin.registerForwardHook(() => {
    post++;
  });
  const hb = lin.registerFullBackwardHook((_m, gi, go) => {
    back++;
    assert.equal(gi.length, 1);
    assert.deepEqual([...go[0]!.shape], [1, 2]);
  });
  (lin.forward(x) as fl.Tensor).sum().backward();
  assert.deepEqual([pre, post, back], [1, 1, 1]);
  hp.remove();
  hf.remove();
  (lin.forward(x) as fl.Tensor).sum().backward();
  assert.deepEqual([pre, post, back], [1, 1, 2]);
  hb.remove();
  (lin.forward(x) as fl.Tensor).sum().backward();
  assert.equal(back, 2);
  assert.equal(Object.hasOwn(lin, "forward"), false, "the wrapper is gone with the last hook");
  // Under noGrad the module runs plainly.
  const hb2 = lin.registerFullBackwardHook(() => {
    back++;
  });
  assert.equal(fl.noGrad(() => lin.forward(x) as fl.Tensor).requiresGrad, false);
  hb2.remove();
});
