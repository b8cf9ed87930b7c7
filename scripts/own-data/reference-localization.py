"""A plain PyTorch classify-and-box reference for the own-data localization row (issue 25).

The same network as Flambeau's default box-cnn (a stride-2 3×3 stem, three stages of two 3×3
conv + BN + ReLU at widths 32 / 64 / 128 each ending in a 2×2 max-pool, a 4 × 4 average pool
and one more conv; a class head on the grid's average and max, a box head of
dropout 0.2 → 256 → 4 on the whole grid, sigmoid cx, cy, w, h), DETR's box losses (cross-entropy
+ 5 · L1 + 2 · (1 − GIoU)), the standard augmentation (horizontal flips and random scale
0.75–1.25 with crop or pad, the box moved alike; brightness, contrast and saturation jitter
±0.25), AdamW with warm-up + cosine, and the best epoch on a validation tenth of train kept
(by mean IoU, as Flambeau). Scored like `flambeau eval`: accuracy, mean box IoU, and the share
both right and IoU ≥ 0.5. The target of a picture is its largest object (the data has one).

Reads a COCO folder (train/ and test/, each annotations.json + images/), e.g. the output of
`node scripts/own-data/detection-shapes.mjs DATA --objects 1`:
    /usr/bin/python3 scripts/own-data/reference-localization.py DATA [--epochs 91] [--seed 0]
"""
import argparse
import json
import os
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from reference_common import colour_jitter, fit, read_coco, sample_geometry, seed_all, split, warp, warp_box  # noqa: E402


def cbr(i, o, stride=1):
    return [nn.Conv2d(i, o, 3, stride, 1, bias=False), nn.BatchNorm2d(o), nn.ReLU()]


class BoxCnn(nn.Module):
    def __init__(self, classes, width=32, stages=3, convs=2):
        super().__init__()
        layers, c = [], 3
        for s in range(stages):
            o = width * 2 ** min(s, 3)
            for k in range(convs):
                layers += cbr(c, o, 2 if s == 0 and k == 0 else 1)
                c = o
            layers.append(nn.MaxPool2d(2))
        layers += [nn.AdaptiveAvgPool2d(4), *cbr(c, c)]
        self.features = nn.Sequential(*layers)
        self.classifier = nn.Linear(2 * c, classes)
        self.box = nn.Sequential(nn.Flatten(), nn.Dropout(0.2), nn.Linear(c * 16, 256), nn.ReLU(), nn.Linear(256, 4))
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")

    def forward(self, x):
        f = self.features(x)
        return torch.cat([self.classifier(torch.cat([f.mean((2, 3)), f.amax((2, 3))], 1)), self.box(f)], 1)


def iou_giou(p, t):
    """IoU and GIoU of [N, 4] (cx, cy, w, h) boxes."""
    a0, a1 = p[:, :2] - p[:, 2:] / 2, p[:, :2] + p[:, 2:] / 2
    b0, b1 = t[:, :2] - t[:, 2:] / 2, t[:, :2] + t[:, 2:] / 2
    wh = (torch.minimum(a1, b1) - torch.maximum(a0, b0)).clamp(min=0)
    inter = wh[:, 0] * wh[:, 1]
    union = (p[:, 2] * p[:, 3] + t[:, 2] * t[:, 3] - inter).clamp(min=1e-9)
    hull = (torch.maximum(a1, b1) - torch.minimum(a0, b0)).prod(1).clamp(min=1e-9)
    iou = inter / union
    return iou, iou - (hull - union) / hull


def target(boxes, side):
    """(class, cx, cy, w, h in image fractions) of the largest box."""
    c, x, y, w, h = max(boxes, key=lambda b: b[3] * b[4])
    return [c, (x + w / 2) / side, (y + h / 2) / side, w / side, h / side]


def make_loss(k):
    def loss(out, y):
        box = out[:, k:].sigmoid()
        _, giou = iou_giou(box, y[:, 1:])
        return F.cross_entropy(out[:, :k], y[:, 0].long()) + 5 * F.l1_loss(box, y[:, 1:]) + 2 * (1 - giou).mean()

    return loss


def score(model, x, y, k, norm, batch=256):
    n = correct = iou_sum = hits = 0
    for i in range(0, len(x), batch):
        out = model(norm(x[i : i + batch].float()))
        t = y[i : i + batch]
        ok = out[:, :k].argmax(1).eq(t[:, 0].long())
        iou, _ = iou_giou(out[:, k:].sigmoid(), t[:, 1:])
        n += len(t)
        correct += int(ok.sum())
        iou_sum += float(iou.sum())
        hits += int((ok & (iou >= 0.5)).sum())
    return {"accuracy": correct / n, "meanIou": iou_sum / n, "correctAndIou50": hits / n}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("data")
    ap.add_argument("--epochs", type=int, default=91, help="Flambeau's default recipe gives 91 on 1,350 pictures (2,000 steps of 64)")
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--limit", type=int, default=None, help="use the first n training pictures (a smoke test)")
    a = ap.parse_args()
    rng = seed_all(a.seed)
    x, boxes, names = read_coco(os.path.join(a.data, "train"))
    tx, tboxes, _ = read_coco(os.path.join(a.data, "test"))
    x, boxes = x[: a.limit], boxes[: a.limit]
    k, side = len(names), x.shape[-1]
    y = torch.tensor([target(b, side) for b in boxes])
    ty = torch.tensor([target(b, side) for b in tboxes])
    tr, va = split(len(x), rng)
    mean = x[tr].float().mean((0, 2, 3), keepdim=True)
    std = x[tr].float().std((0, 2, 3), keepdim=True)

    def norm(v):
        return (v - mean) / std

    def make_batch(idx, rng):
        j = tr[idx].tolist()
        flip, s, dx, dy = sample_geometry(len(j), side, rng)
        t = []
        for n, i in enumerate(j):
            moved = warp_box(boxes[i][0][1:], flip[n], s[n], dx[n], dy[n], side) if len(boxes[i]) == 1 else None
            if moved is None:  # the crop lost the object (or several objects): flip alone
                s[n], dx[n], dy[n] = 1.0, 0.0, 0.0
                moved = [warp_box(b[1:], flip[n], 1.0, 0.0, 0.0, side) for b in boxes[i]]
                t.append(target([(b[0], *m) for b, m in zip(boxes[i], moved)], side))
            else:
                t.append(target([(boxes[i][0][0], *moved)], side))
        img = warp(norm(colour_jitter(x[j].float(), rng)), (flip, s, dx, dy), side, "bilinear")
        return img, torch.tensor(t)

    model = BoxCnn(k)
    print(f"{len(tr)} training / {len(va)} validation / {len(tx)} test pictures {side}×{side}, {k} classes; box CNN {sum(p.numel() for p in model.parameters())} parameters", flush=True)
    best_epoch, val, seconds = fit(
        model, len(tr), make_batch, make_loss(k), lambda m: score(m, x[va], y[va], k, norm), a.epochs, a.batch, a.lr, rng, "meanIou"
    )
    with torch.no_grad():
        test = score(model, tx, ty, k, norm)
    print(json.dumps({"test": test, "classes": names, "bestEpoch": best_epoch, "valMeanIou": round(val["meanIou"], 4), "epochs": a.epochs, "seed": a.seed, "seconds": round(seconds)}))


if __name__ == "__main__":
    main()
