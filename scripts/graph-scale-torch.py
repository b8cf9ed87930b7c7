#!/usr/bin/env python3
"""Full-batch GCN in PyTorch on a Flambeau graph store, PyTorch Geometric style: symmetric
normalisation with self-loops, messages gathered with index_select and summed with index_add_.
The reference point of bench/graph-scale.ts; prints one JSON line.

    /usr/bin/python3 scripts/graph-scale-torch.py STORE_DIR [--epochs 2] [--hidden 64]

Time per epoch is the training step (forward, backward, Adam) averaged over epochs 2..E;
peak RSS is the process's ru_maxrss. One thread (torch.set_num_threads(1))."""
import argparse
import json
import os
import resource
import time

import numpy as np
import torch

p = argparse.ArgumentParser()
p.add_argument("store")
p.add_argument("--epochs", type=int, default=2)
p.add_argument("--hidden", type=int, default=64)
a = p.parse_args()
torch.set_num_threads(1)
torch.manual_seed(0)

meta = json.load(open(os.path.join(a.store, "meta.json")))
n, f = meta["numNodes"], meta["numFeatures"]
c = len(meta["classes"])
indptr = torch.from_numpy(np.fromfile(os.path.join(a.store, "indptr.i64"), dtype="<i8"))
src = torch.from_numpy(np.fromfile(os.path.join(a.store, "indices.i32"), dtype="<i4").astype(np.int64))
dst = torch.repeat_interleave(torch.arange(n), indptr[1:] - indptr[:-1])
x = torch.from_numpy(np.fromfile(os.path.join(a.store, "features.f32"), dtype="<f4").reshape(n, f))
y = torch.from_numpy(np.fromfile(os.path.join(a.store, "labels.i32"), dtype="<i4").astype(np.int64))
split = torch.from_numpy(np.fromfile(os.path.join(a.store, "split.u8"), dtype="u1"))
train = ((split == 1) & (y >= 0)).nonzero().view(-1)
val = ((split == 2) & (y >= 0)).nonzero().view(-1)

# gcn_norm: self-loops, deg^-1/2 on both ends.
loop = torch.arange(n)
row = torch.cat([src, loop])
col = torch.cat([dst, loop])
deg = torch.zeros(n).index_add_(0, col, torch.ones(col.numel()))
dis = deg.pow(-0.5)
w = (dis[row] * dis[col]).unsqueeze(1)
del src, dst, loop, deg, dis


def propagate(h):
    return torch.zeros(n, h.shape[1]).index_add_(0, col, h.index_select(0, row) * w)


class GCN(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.l1 = torch.nn.Linear(f, a.hidden)
        self.l2 = torch.nn.Linear(a.hidden, c)

    def forward(self, x):
        h = torch.relu(propagate(self.l1(torch.nn.functional.dropout(x, 0.5, self.training))))
        return propagate(self.l2(torch.nn.functional.dropout(h, 0.5, self.training)))


model = GCN()
opt = torch.optim.Adam(model.parameters(), lr=0.01, weight_decay=5e-4)
secs = []
acc = float("nan")
for epoch in range(a.epochs):
    model.train()
    t0 = time.perf_counter()
    opt.zero_grad()
    loss = torch.nn.functional.cross_entropy(model(x)[train], y[train])
    loss.backward()
    opt.step()
    secs.append(time.perf_counter() - t0)
    model.eval()
    with torch.no_grad():
        acc = (model(x)[val].argmax(1) == y[val]).float().mean().item()
later = secs[1:] if len(secs) > 1 else secs
print(json.dumps({
    "mode": "torch", "nodes": n, "edges": meta["numEdges"], "secondsPerEpoch": sum(later) / len(later), "epochSeconds": secs,
    "peakRssMiB": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "valAccuracy": acc, "torch": torch.__version__,
}))
