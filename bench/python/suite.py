# PyTorch twin of every Flambeau workload in bench/ (same libtorch, shapes, models, step
# counts and thread count). Usage: suite.py <workload> <threads> <smoke 0|1> [<dir>]
# Prints one JSON object: {"metrics": {...}, "rssMB": peak RSS of this process}.
import gzip, json, os, resource, sys, time
import torch
import torch.nn as nn
import torch.nn.functional as F

workload, threads, smoke = sys.argv[1], int(sys.argv[2]), sys.argv[3] == "1"
workdir = sys.argv[4] if len(sys.argv) > 4 else None
torch.set_num_threads(threads)
torch.manual_seed(0)


def med(xs):
    xs = sorted(xs); n = len(xs)
    return xs[n // 2] if n % 2 else (xs[n // 2 - 1] + xs[n // 2]) / 2


def quantile(xs, q):
    xs = sorted(xs)
    import math
    return xs[min(len(xs) - 1, max(0, math.ceil(q * len(xs)) - 1))]


def time_runs(fn, reps, warmup=1):
    for _ in range(warmup): fn()
    out = []
    for _ in range(reps):
        t = time.perf_counter(); fn(); out.append(time.perf_counter() - t)
    return out


def engine():
    out = {}
    N = 100 if smoke else 100000
    for name, x in (("addUs", torch.ones(10)), ("addGradUs", torch.ones(10, requires_grad=True))):
        def loop():
            for _ in range(N): torch.add(x, x)
        out[name] = med(time_runs(loop, 1 if smoke else 5)) / N * 1e6
    for key in (1024, 2048):
        n = 128 if smoke else key
        x = torch.randn(n, n)
        reps = 1 if smoke else (10 if n == 1024 else 3)
        def mm():
            for _ in range(reps): x @ x
        out["matmul%d" % key] = 2 * n ** 3 * reps / med(time_runs(mm, 1 if smoke else 5)) / 1e9
    return out


def mlp():
    return nn.Sequential(nn.Flatten(), nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 256), nn.ReLU(), nn.Linear(256, 10))


def cnn():
    return nn.Sequential(nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(),
                         nn.MaxPool2d(2), nn.Flatten(), nn.Linear(64 * 7 * 7, 128), nn.ReLU(), nn.Linear(128, 10))


def images_per_s(model, steps, reps):
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    x = torch.randn(64, 1, 28, 28)
    y = torch.randint(0, 10, (64,))
    def step():
        opt.zero_grad()
        F.cross_entropy(model(x), y).backward()
        opt.step()
    for _ in range(min(5, steps)): step()
    runs = []
    for _ in range(reps):
        t = time.perf_counter()
        for _ in range(steps): step()
        runs.append(steps * 64 / (time.perf_counter() - t))
    return med(runs)


def train_mlp():
    return {"imagesPerS": images_per_s(mlp(), 1 if smoke else 200, 1 if smoke else 3)}


def train_cnn():
    return {"imagesPerS": images_per_s(cnn(), 1 if smoke else 40, 1 if smoke else 3)}


def inference():
    m = cnn().eval()
    one = torch.randn(1, 1, 28, 28)
    batch = torch.randn(256, 1, 28, 28)
    lat = []
    with torch.no_grad():
        for _ in range(1 if smoke else 2000): m(one)  # the same warm-up as the other sides
        for _ in range(2 if smoke else 500):
            t = time.perf_counter(); m(one); lat.append((time.perf_counter() - t) * 1e3)
        m(batch)
        runs = [256 / r for r in time_runs(lambda: m(batch), 1 if smoke else 10, 0)]
    eager = {"p50Ms": quantile(lat, 0.5), "p99Ms": quantile(lat, 0.99), "batchedImagesPerS": med(runs)}
    # PyTorch's own oneDNN path: torch.utils.mkldnn.to_mkldnn (weights pre-packed) on to_mkldnn() input.
    from torch.utils import mkldnn as mkldnn_utils
    fast = mkldnn_utils.to_mkldnn(m)
    run = lambda x: fast(x.to_mkldnn()).to_dense()
    lat = []
    with torch.no_grad():
        for _ in range(1 if smoke else 2000): run(one)
        for _ in range(2 if smoke else 500):
            t = time.perf_counter(); run(one); lat.append((time.perf_counter() - t) * 1e3)
        run(batch)
        runs = [256 / r for r in time_runs(lambda: run(batch), 1 if smoke else 10, 0)]
    return {**eager, "fastP50Ms": quantile(lat, 0.5), "fastP99Ms": quantile(lat, 0.99), "fastBatchedImagesPerS": med(runs)}


def ms_per_step(net, loss):
    def step():
        net.zero_grad(set_to_none=True)
        loss().backward()
    return med(time_runs(step, 1 if smoke else 10, 0 if smoke else 2)) * 1000


def seq_shape(batch, length):
    return (2, 4) if smoke else (batch, length)


def lstm():
    net = nn.LSTM(256, 256, num_layers=2, batch_first=True)
    x = torch.randn(*seq_shape(16, 64), 256)
    return {"msPerStep": ms_per_step(net, lambda: net(x)[0].pow(2).mean())}


def transformer():
    net = nn.TransformerEncoderLayer(256, 4, dim_feedforward=1024, dropout=0.0, batch_first=True)
    x = torch.randn(*seq_shape(16, 128), 256)
    return {"msPerStep": ms_per_step(net, lambda: net(x).pow(2).mean())}


def gcn():
    # On the raw arrays Flambeau's run wrote.
    meta = json.load(open(os.path.join(workdir, "meta.json")))
    n, e, f, c = meta["nodes"], meta["edges"], meta["features"], meta["classes"]
    read = lambda name, dtype: torch.frombuffer(bytearray(open(os.path.join(workdir, name), "rb").read()), dtype=dtype)
    ei = read("edge_index.bin", torch.int64).view(2, e)
    x = read("x.bin", torch.float32).view(n, f)
    y = read("y.bin", torch.int64)
    return {"sPerEpoch": med(time_runs(gcn_epoch(x, ei, y, c), 1 if smoke else 5, 0)), "nodes": n, "edges": e}


def gcn_epoch(x, ei, y, c):
    """One full-graph training epoch of a 2-layer GCN (hidden 64, dropout 0.5, Adam), warmed up once.
    PyG's GCNConv formula: lin without bias, symmetric normalisation with self-loops, index_add
    aggregation, bias."""
    n, f = x.shape
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

    convs = nn.ModuleList([GCNConv(f, 64), GCNConv(64, c)])
    opt = torch.optim.Adam(convs.parameters(), lr=0.01)

    def step():
        opt.zero_grad()
        h = F.relu(convs[0](F.dropout(x, 0.5, True)))
        F.cross_entropy(convs[1](F.dropout(h, 0.5, True)), y).backward()
        opt.step()

    step()
    return step


def scaling():
    # As bench/fl-scaling.ts: the same sizes, shapes, graph formula and timing rounds.
    sizes = ({"matmul": [32, 64], "batch": [1, 2], "seq": [8, 16], "nodes": [100, 200]} if smoke else
             {"matmul": [256, 512, 1024, 2048, 4096], "batch": [1, 8, 64, 512], "seq": [32, 128, 512, 1024],
              "nodes": [1000, 4000, 16000, 64000]})

    def per_call(fn):
        t = time.perf_counter(); fn(); first = (time.perf_counter() - t) * 1000
        reps = max(1, min(200, round(300 / max(0.01, first))))
        start = time.perf_counter()  # the Flambeau side's warm-up: 300 calls or 1 s
        for _ in range(1 if smoke else 300):
            fn()
            if time.perf_counter() - start > 1: break
        runs = []
        for _ in range(1 if smoke else 3):
            t = time.perf_counter()
            for _ in range(reps): fn()
            runs.append((time.perf_counter() - t) / reps)
        return med(runs)

    out = {}
    for n in sizes["matmul"]:
        x = torch.randn(n, n)
        out["matmul@%d" % n] = 2 * n ** 3 / per_call(lambda: x @ x) / 1e9
    net = cnn().eval()
    with torch.no_grad():
        for b in sizes["batch"]:
            x = torch.randn(b, 1, 28, 28)
            out["cnn@%d" % b] = b / per_call(lambda: net(x))
    block = nn.TransformerEncoderLayer(256, 4, dim_feedforward=1024, dropout=0.0, batch_first=True)
    for length in sizes["seq"]:
        x = torch.randn(4, length, 256)
        def step():
            block.zero_grad(set_to_none=True)
            block(x).pow(2).mean().backward()
        out["transformer@%d" % length] = per_call(step) * 1000
    pairs = [(1, 1), (3, 5), (7, 11), (13, 17), (31, 23), (61, 29), (127, 37), (251, 41)]
    for n in sizes["nodes"]:
        i = torch.arange(n)
        ei = torch.stack([torch.cat([i for _ in pairs]), torch.cat([(i * p + q) % n for p, q in pairs])])
        out["gcn@%d" % n] = per_call(gcn_epoch(torch.randn(n, 64), ei, i % 8, 8))
    return out


class AugmentedFashion(torch.utils.data.Dataset):
    """Fashion-MNIST test images: uint8 → float, pad 2 + random 28×28 crop, random flip."""

    def __init__(self, limit):
        with gzip.open("/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz") as fh:
            raw = fh.read()
        with gzip.open("/usr/share/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz") as fh:
            lab = fh.read()
        self.images = torch.frombuffer(bytearray(raw[16:]), dtype=torch.uint8).view(-1, 28, 28)[:limit]
        self.labels = torch.frombuffer(bytearray(lab[8:]), dtype=torch.uint8).long()[:limit]

    def __len__(self):
        return len(self.images)

    def __getitem__(self, i):
        img = F.pad(self.images[i].unsqueeze(0).float().div(255), (2, 2, 2, 2))
        top, left = torch.randint(0, 5, (2,)).tolist()
        img = img[:, top:top + 28, left:left + 28]
        if torch.rand(()) < 0.5:
            img = img.flip(-1)
        return img, self.labels[i]


def data_loading():
    # As the Flambeau side: three epochs over one loader whose workers persist; the first apart.
    ds = AugmentedFashion(128 if smoke else 6400)
    loader = torch.utils.data.DataLoader(ds, batch_size=64, shuffle=True, num_workers=2, persistent_workers=True)

    def epoch():
        t0, seen = None, 0
        for x, _ in loader:
            if t0 is None: t0 = time.perf_counter()
            else: seen += x.shape[0]
        return seen / (time.perf_counter() - t0)
    epochs = [epoch() for _ in range(1 if smoke else 3)]
    return {"imagesPerS": epochs[0] if smoke else med(epochs[1:]), "firstEpochImagesPerS": epochs[0]}


def kg():
    """RotatE with self-adversarial negatives, as src/graph/kg/models/rotate.ts and fit.ts compute it."""
    import math
    b, k, d, n = (8, 4, 8, 100) if smoke else (512, 64, 200, 37983)
    gamma = 6.0
    rng = (gamma + 2) / d
    ent = nn.Parameter(torch.empty(n, 2 * d).uniform_(-rng, rng))
    rel = nn.Parameter(torch.empty(11, d).uniform_(-rng, rng))
    opt = torch.optim.Adam([ent, rel], lr=1e-3)

    def score(h, r, t):
        hr, hi = h.chunk(2, -1)
        tr, ti = t.chunk(2, -1)
        theta = r / (rng / math.pi)
        cr, ci = theta.cos(), theta.sin()
        re = hr * cr - hi * ci - tr
        im = hr * ci + hi * cr - ti
        return gamma - (re.square() + im.square()).clamp(min=1e-30).sqrt().sum(-1)

    def step():
        h, r, t = torch.randint(0, n, (b,)), torch.randint(0, 11, (b,)), torch.randint(0, n, (b,))
        cand = torch.randint(0, n, (b, k))
        pos = score(ent.index_select(0, h), rel.index_select(0, r), ent.index_select(0, t))
        neg = score(ent.index_select(0, h).unsqueeze(1), rel.index_select(0, r).unsqueeze(1),
                    ent.index_select(0, cand.reshape(-1)).view(b, k, -1))
        w = torch.softmax(neg * 0.5, 1).detach()
        loss = -(F.logsigmoid(pos).mean() + (w * F.logsigmoid(-neg)).sum(1).mean()) / 2
        opt.zero_grad(); loss.backward(); opt.step()
    return {"msPerStep": med(time_runs(step, 1 if smoke else 20, 1 if smoke else 3)) * 1000}


WORKLOADS = {"engine": engine, "mlp": train_mlp, "cnn": train_cnn, "inference": inference, "lstm": lstm,
             "transformer": transformer, "gcn": gcn, "kg": kg, "data": data_loading, "scaling": scaling}
# A comma-separated list runs several workloads in this one process (smoke runs), one line each.
for name in workload.split(","):
    metrics = WORKLOADS[name]()
    # ru_maxrss is in KiB on Linux; DataLoader worker processes are not counted (RUSAGE_SELF).
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"workload": name, "metrics": metrics, "rssMB": rss}), flush=True)
