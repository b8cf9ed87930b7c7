# PyTorch twin of bench/training.ts: training steps of the same MLP and CNN, Adam, batch 64.
import json, sys, time
import torch
import torch.nn as nn

torch.set_num_threads(int(sys.argv[1]) if len(sys.argv) > 1 else 2)
torch.manual_seed(0)

def med(xs):
    xs = sorted(xs); n = len(xs)
    return xs[n // 2] if n % 2 else (xs[n // 2 - 1] + xs[n // 2]) / 2

def bench(model, x, y, steps=40, reps=3):
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    def step():
        opt.zero_grad()
        nn.functional.cross_entropy(model(x), y).backward()
        opt.step()
    for _ in range(5): step()
    runs = []
    for _ in range(reps):
        t = time.perf_counter()
        for _ in range(steps): step()
        runs.append(steps * x.shape[0] / (time.perf_counter() - t))
    return med(runs)

mlp = nn.Sequential(nn.Flatten(), nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 256), nn.ReLU(), nn.Linear(256, 10))
cnn = nn.Sequential(nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                    nn.Flatten(), nn.Linear(64 * 7 * 7, 128), nn.ReLU(), nn.Linear(128, 10))
x = torch.randn(64, 1, 28, 28)
y = torch.randint(0, 10, (64,))
out = {"mlp": bench(mlp, x, y, steps=200), "cnn": bench(cnn, x, y)}
cnn.eval()
single = torch.randn(1, 1, 28, 28)
lat = []
with torch.no_grad():
    for _ in range(20): cnn(single)
    for _ in range(300):
        t = time.perf_counter(); cnn(single); lat.append((time.perf_counter() - t) * 1e3)
lat.sort()
out["cnnP50Ms"] = lat[len(lat) // 2]
out["cnnP99Ms"] = lat[int(len(lat) * 0.99)]
print(json.dumps(out))
