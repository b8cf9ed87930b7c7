# PyTorch twin of bench/graph.ts: the same 2-layer GCN (PyG's GCNConv formula: lin without
# bias, symmetric normalisation with self-loops, index_add aggregation, bias) trained
# full-graph with Adam on the package graph read from the raw arrays Flambeau wrote.
import json, os, sys, time
import torch
import torch.nn as nn
import torch.nn.functional as F

d, n, e, f, c, threads, epochs = sys.argv[1], *map(int, sys.argv[2:8])
torch.set_num_threads(threads)
torch.manual_seed(0)
read = lambda name, dtype: torch.frombuffer(bytearray(open(os.path.join(d, name), "rb").read()), dtype=dtype)
ei = read("edge_index.bin", torch.int64).view(2, e)
x = read("x.bin", torch.float32).view(n, f)
y = read("y.bin", torch.int64)

loops = torch.arange(n)
mask = ei[0] != ei[1]
ei2 = torch.cat([ei[:, mask], torch.stack([loops, loops])], 1)
deg = torch.zeros(n).index_add(0, ei2[1], torch.ones(ei2.shape[1]))
dis = deg.pow(-0.5)
dis[dis == float("inf")] = 0
norm = dis[ei2[0]] * dis[ei2[1]]


class GCNConv(nn.Module):
    def __init__(self, i, o):
        super().__init__()
        self.lin = nn.Linear(i, o, bias=False)
        self.bias = nn.Parameter(torch.zeros(o))

    def forward(self, h):
        h = self.lin(h)
        return torch.zeros(n, h.shape[1]).index_add(0, ei2[1], h[ei2[0]] * norm.view(-1, 1)) + self.bias


class GCN(nn.Module):
    def __init__(self):
        super().__init__()
        self.convs = nn.ModuleList([GCNConv(f, 64), GCNConv(64, c)])

    def forward(self, h):
        h = F.dropout(h, 0.5, self.training)
        h = F.relu(self.convs[0](h))
        h = F.dropout(h, 0.5, self.training)
        return self.convs[1](h)


model = GCN()
opt = torch.optim.Adam(model.parameters(), lr=0.01)


def step():
    model.train()
    opt.zero_grad()
    F.cross_entropy(model(x), y).backward()
    opt.step()


for _ in range(2):
    step()
runs = []
for _ in range(epochs):
    t = time.perf_counter()
    step()
    runs.append(time.perf_counter() - t)
runs.sort()
print(json.dumps({"epoch": runs[len(runs) // 2]}))
