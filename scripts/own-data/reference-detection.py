"""A plain PyTorch CenterNet reference for the own-data detection table (issue 25).

The same network size as Flambeau's centernet-small (stem + three stages of two BasicBlocks,
FPN-lite neck to stride 4, heatmap and box heads of 64 channels), CenterNet's focal loss with
its Gaussian radius and L1 size/offset losses, trained with the standard augmentation of
fixed detection sets: horizontal and vertical flips, transposes and brightness jitter.
Scored by COCO-style mAP@0.5 (101-point interpolation per class, then the mean).

Reads a COCO folder as COCO writes it (train/ and test/, each annotations.json + images/),
e.g. the output of scripts/own-data/detection-shapes.mjs:
    /usr/bin/python3 scripts/own-data/reference-detection.py DATA [--epochs 20] [--seed 0]
"""
import argparse
import json
import math
import os
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

STRIDE = 4


def read_split(folder):
    """Images [N, 3, S, S] uint8, boxes per image [(category index, x, y, w, h)], class names."""
    from torchvision.io import read_image  # noqa: PLC0415 (torchvision only for PNG decoding)

    ann = json.load(open(os.path.join(folder, "annotations.json")))
    cats = sorted(c["id"] for c in ann["categories"])
    index = {c: i for i, c in enumerate(cats)}
    names = {c["id"]: c["name"] for c in ann["categories"]}
    by_image = {}
    for a in ann["annotations"]:
        by_image.setdefault(a["image_id"], []).append((index[a["category_id"]], *a["bbox"]))
    images, boxes = [], []
    for im in ann["images"]:
        path = os.path.join(folder, im["file_name"])
        if not os.path.exists(path):
            path = os.path.join(folder, "images", im["file_name"])
        images.append(read_image(path)[:3])
        boxes.append(by_image.get(im["id"], []))
    return torch.stack(images), boxes, [names[c] for c in cats]


class BasicBlock(nn.Module):
    def __init__(self, i, o, stride=1):
        super().__init__()
        self.conv1 = nn.Conv2d(i, o, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(o)
        self.conv2 = nn.Conv2d(o, o, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(o)
        nn.init.zeros_(self.bn2.weight)
        self.down = None if stride == 1 and i == o else nn.Sequential(nn.Conv2d(i, o, 1, stride, bias=False), nn.BatchNorm2d(o))

    def forward(self, x):
        y = self.bn2(self.conv2(F.relu(self.bn1(self.conv1(x)))))
        return F.relu(y + (x if self.down is None else self.down(x)))


def cbr(i, o, k, s=1):
    return nn.Sequential(nn.Conv2d(i, o, k, s, (k - 1) // 2, bias=False), nn.BatchNorm2d(o), nn.ReLU())


def head(i, h, o):
    return nn.Sequential(nn.Conv2d(i, h, 3, 1, 1), nn.ReLU(), nn.Conv2d(h, o, 1))


class CenterNet(nn.Module):
    def __init__(self, classes, w=32, neck=64, hid=64):
        super().__init__()
        self.stem = cbr(3, w // 2, 3, 2)
        self.l1 = nn.Sequential(BasicBlock(w // 2, w, 2), BasicBlock(w, w))
        self.l2 = nn.Sequential(BasicBlock(w, 2 * w, 2), BasicBlock(2 * w, 2 * w))
        self.l3 = nn.Sequential(BasicBlock(2 * w, 4 * w, 2), BasicBlock(4 * w, 4 * w))
        self.lat1, self.lat2, self.lat3 = nn.Conv2d(w, neck, 1), nn.Conv2d(2 * w, neck, 1), nn.Conv2d(4 * w, neck, 1)
        self.smooth = cbr(neck, neck, 3)
        self.heat, self.box = head(neck, hid, classes), head(neck, hid, 4)
        for h in (self.heat, self.box):
            nn.init.normal_(h[-1].weight, 0, 0.01)
            nn.init.zeros_(h[-1].bias)
        nn.init.constant_(self.heat[-1].bias, -2.19)

    def forward(self, x):
        c1 = self.l1(self.stem(x))
        c2 = self.l2(c1)
        c3 = self.l3(c2)
        p2 = self.lat2(c2) + F.interpolate(self.lat3(c3), size=c2.shape[2:])
        p = self.smooth(self.lat1(c1) + F.interpolate(p2, size=c1.shape[2:]))
        return self.heat(p), self.box(p)


def gaussian_radius(h, w, min_overlap=0.7):
    """CenterNet's gaussian_radius (the three cases of its reference code)."""
    b1, c1 = h + w, w * h * (1 - min_overlap) / (1 + min_overlap)
    r1 = (b1 + math.sqrt(b1**2 - 4 * c1)) / 2
    b2, c2 = 2 * (h + w), (1 - min_overlap) * w * h
    r2 = (b2 + math.sqrt(b2**2 - 16 * c2)) / 2
    a3, b3, c3 = 4 * min_overlap, -2 * min_overlap * (h + w), (min_overlap - 1) * w * h
    r3 = (b3 + math.sqrt(b3**2 - 4 * a3 * c3)) / 2
    return min(r1, r2, r3)


def targets(boxes, classes, g):
    """Heatmaps [C, G, G], and per object (cell index, w, h, offset x, offset y) in cells."""
    heat = np.zeros((classes, g, g), np.float32)
    objs = []
    ys, xs = np.mgrid[0:g, 0:g]
    for c, x, y, w, h in boxes:
        cx, cy, cw, ch = (x + w / 2) / STRIDE, (y + h / 2) / STRIDE, w / STRIDE, h / STRIDE
        ix, iy = min(g - 1, int(cx)), min(g - 1, int(cy))
        r = max(0, int(gaussian_radius(math.ceil(ch), math.ceil(cw))))
        sigma = (2 * r + 1) / 6
        gauss = np.exp(-((xs - ix) ** 2 + (ys - iy) ** 2) / (2 * sigma * sigma))
        gauss[(np.abs(xs - ix) > r) | (np.abs(ys - iy) > r)] = 0
        heat[c] = np.maximum(heat[c], gauss)
        objs.append((iy * g + ix, cw, ch, cx - ix, cy - iy))
    return heat, objs


def augment(img, boxes, s, rng):
    """Flips, transposes (boxes moved alike) and brightness jitter of one uint8 [3, S, S] image."""
    boxes = list(boxes)
    if rng.random() < 0.5:
        img = img.transpose(1, 2)
        boxes = [(c, y, x, h, w) for c, x, y, w, h in boxes]
    if rng.random() < 0.5:
        img = img.flip(2)
        boxes = [(c, s - x - w, y, w, h) for c, x, y, w, h in boxes]
    if rng.random() < 0.5:
        img = img.flip(1)
        boxes = [(c, x, s - y - h, w, h) for c, x, y, w, h in boxes]
    img = (img.float() * rng.uniform(0.75, 1.25)).clamp(0, 255)
    return img, boxes


def loss_fn(heat, box, t_heat, objs):
    p = heat.sigmoid().clamp(1e-4, 1 - 1e-4)
    pos = t_heat.eq(1).float()
    neg = (1 - t_heat).pow(4)
    focal = -(pos * (1 - p).pow(2) * p.log() + (1 - pos) * neg * p.pow(2) * (1 - p).log()).sum()
    n = max(1.0, pos.sum().item())
    l1 = heat.new_zeros(())
    g = heat.shape[-1]
    for b, obs in enumerate(objs):
        if not obs:
            continue
        idx = torch.tensor([o[0] for o in obs])
        want = torch.tensor([o[1:] for o in obs], dtype=torch.float32)
        got = box[b].reshape(4, g * g)[:, idx].t()
        l1 = l1 + F.l1_loss(got[:, :2], want[:, :2], reduction="sum") * 0.1 + F.l1_loss(got[:, 2:], want[:, 2:], reduction="sum")
    return (focal + l1) / n


def iou(a, b):
    ax2, ay2, bx2, by2 = a[0] + a[2], a[1] + a[3], b[0] + b[2], b[1] + b[3]
    iw, ih = max(0, min(ax2, bx2) - max(a[0], b[0])), max(0, min(ay2, by2) - max(a[1], b[1]))
    inter = iw * ih
    return inter / (a[2] * a[3] + b[2] * b[3] - inter + 1e-9)


@torch.no_grad()
def detect(model, x, mean, std, top_k=100, thr=0.05, nms=0.5):
    heat, box = model((x.float() - mean) / std)
    heat = heat.sigmoid()
    peaks = heat * (F.max_pool2d(heat, 3, 1, 1) == heat)
    out = []
    n, c, g, _ = heat.shape
    for b in range(n):
        scores, idx = peaks[b].reshape(-1).topk(min(top_k, c * g * g))
        dets = []
        for s, i in zip(scores.tolist(), idx.tolist()):
            if s < thr:
                break
            cat, cell = divmod(i, g * g)
            iy, ix = divmod(cell, g)
            w, h, ox, oy = box[b, :, iy, ix].tolist()
            cx, cy = (ix + ox) * STRIDE, (iy + oy) * STRIDE
            bx = (cx - w * STRIDE / 2, cy - h * STRIDE / 2, w * STRIDE, h * STRIDE)
            if all(d[0] != cat or iou(d[2], bx) <= nms for d in dets):
                dets.append((cat, s, bx))
        out.append(dets)
    return out


def map50(dets, truth, classes):
    aps = []
    for c in range(classes):
        gts = {i: [b[1:] for b in t if b[0] == c] for i, t in enumerate(truth)}
        total = sum(len(v) for v in gts.values())
        if total == 0:
            continue
        found = sorted(((s, i, bx) for i, ds in enumerate(dets) for cat, s, bx in ds if cat == c), key=lambda d: -d[0])
        used = {i: [False] * len(v) for i, v in gts.items()}
        tp = []
        for s, i, bx in found:
            best, j = 0.5, -1
            for k, g in enumerate(gts[i]):
                o = iou(bx, g)
                if o >= best and not used[i][k]:
                    best, j = o, k
            if j >= 0:
                used[i][j] = True
            tp.append(1 if j >= 0 else 0)
        tp = np.array(tp, np.float64)
        ctp, cfp = np.cumsum(tp), np.cumsum(1 - tp)
        rec = ctp / total
        prec = ctp / np.maximum(ctp + cfp, 1e-9)
        prec = np.maximum.accumulate(prec[::-1])[::-1] if len(prec) else prec
        ap = np.mean([prec[rec >= r].max() if (rec >= r).any() else 0 for r in np.linspace(0, 1, 101)])
        aps.append(ap)
    return float(np.mean(aps))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("data")
    ap.add_argument("--epochs", type=int, default=20)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--limit", type=int, default=None)
    a = ap.parse_args()
    torch.manual_seed(a.seed)
    rng = np.random.default_rng(a.seed)
    x, boxes, names = read_split(os.path.join(a.data, "train"))
    tx, tboxes, _ = read_split(os.path.join(a.data, "test"))
    if a.limit:
        x, boxes = x[: a.limit], boxes[: a.limit]
    s, c = x.shape[-1], len(names)
    mean = x.float().mean((0, 2, 3), keepdim=True)
    std = x.float().std((0, 2, 3), keepdim=True)
    model = CenterNet(c)
    opt = torch.optim.AdamW(model.parameters(), lr=a.lr, weight_decay=1e-4)
    steps = a.epochs * math.ceil(len(x) / a.batch)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, a.lr, total_steps=steps, pct_start=0.05)
    t0 = time.time()
    for e in range(a.epochs):
        model.train()
        order = rng.permutation(len(x))
        total = 0.0
        for i in range(0, len(x), a.batch):
            ims, hs, objs = [], [], []
            for j in order[i : i + a.batch]:
                im, bx = augment(x[j], boxes[j], s, rng)
                h, ob = targets(bx, c, s // STRIDE)
                ims.append(im)
                hs.append(torch.from_numpy(h))
                objs.append(ob)
            heat, box = model((torch.stack(ims) - mean) / std)
            loss = loss_fn(heat, box, torch.stack(hs), objs)
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            total += loss.item()
        print(f"epoch {e + 1}/{a.epochs} loss {total / math.ceil(len(x) / a.batch):.4f} ({time.time() - t0:.0f}s)", flush=True)
    model.eval()
    dets = [d for i in range(0, len(tx), 64) for d in detect(model, tx[i : i + 64], mean, std)]
    print(json.dumps({"map50": round(map50(dets, tboxes, c), 4), "test": len(tx), "epochs": a.epochs, "seconds": round(time.time() - t0)}))


if __name__ == "__main__":
    main()
