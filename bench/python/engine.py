# PyTorch twin of bench/engine.ts: small-op dispatch and matmul on the same libtorch.
import json, sys, time
import torch

torch.set_num_threads(int(sys.argv[1]) if len(sys.argv) > 1 else 2)

def med(xs):
    xs = sorted(xs); n = len(xs)
    return xs[n // 2] if n % 2 else (xs[n // 2 - 1] + xs[n // 2]) / 2

a = torch.ones(10)
b = torch.ones(10, requires_grad=True)
out = {}
for name, x in (("add", a), ("addGrad", b)):
    N = 100000
    for _ in range(1000): torch.add(x, x)
    runs = []
    for _ in range(5):
        t = time.perf_counter()
        for _ in range(N): torch.add(x, x)
        runs.append((time.perf_counter() - t) / N * 1e6)
    out[name + "Us"] = med(runs)
for n in (1024, 2048):
    x = torch.randn(n, n)
    reps = 10 if n == 1024 else 3
    for _ in range(2): x @ x
    runs = []
    for _ in range(5):
        t = time.perf_counter()
        for _ in range(reps): x @ x
        runs.append(2 * n ** 3 * reps / (time.perf_counter() - t) / 1e9)
    out["matmul%d" % n] = med(runs)
print(json.dumps(out))
