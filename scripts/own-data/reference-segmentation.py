"""A plain PyTorch U-Net reference for the own-data semantic segmentation row (issue 25).

The same network as Flambeau's default unet-small (depth 4, width 16: double 3×3 conv + BN +
ReLU blocks, 2×2 max-pools, 2×2 transposed convs, skip concatenation, a 1×1 classifier), pixel
cross-entropy (with --dice plus soft Dice, as Flambeau's recipe), the standard augmentation of
segmentation (horizontal flips and random scale 0.75–1.25 with crop or pad, the mask moved with
the image by nearest sampling; brightness, contrast and saturation jitter ±0.25), AdamW with
warm-up + cosine, and the best epoch on a validation tenth of train kept. Scored like
`flambeau eval`: one pixel confusion matrix over the whole test split, mIoU = the mean IoU of
the classes that occur (background included); the mean over the object classes alone is
printed too.

Reads label-mask folders (train/ and test/, each images/*.png, masks/*.png, classes.txt), e.g.
the output of `node scripts/own-data/detection-shapes.mjs DATA --format masks`:
    /usr/bin/python3 scripts/own-data/reference-segmentation.py DATA [--epochs 36] [--seed 0] [--dice]
"""
import argparse
import json
import os
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from reference_common import colour_jitter, fit, read_mask_folder, sample_geometry, seed_all, split, warp  # noqa: E402


class DoubleConv(nn.Sequential):
    def __init__(self, i, o):
        super().__init__(
            nn.Conv2d(i, o, 3, 1, 1, bias=False), nn.BatchNorm2d(o), nn.ReLU(), nn.Conv2d(o, o, 3, 1, 1, bias=False), nn.BatchNorm2d(o), nn.ReLU()
        )


class UNet(nn.Module):
    def __init__(self, classes, depth=4, width=16):
        super().__init__()
        w = width
        self.inc = DoubleConv(3, w)
        self.down = nn.ModuleList(DoubleConv(w * 2**i, w * 2 ** (i + 1)) for i in range(depth))
        self.up = nn.ModuleList(nn.ConvTranspose2d(w * 2**i, w * 2 ** (i - 1), 2, 2) for i in range(depth, 0, -1))
        self.up_conv = nn.ModuleList(DoubleConv(w * 2**i, w * 2 ** (i - 1)) for i in range(depth, 0, -1))
        self.outc = nn.Conv2d(w, classes, 1)
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
                if m.bias is not None:
                    nn.init.zeros_(m.bias)

    def forward(self, x):
        skips = [self.inc(x)]
        for d in self.down:
            skips.append(d(F.max_pool2d(skips[-1], 2)))
        y = skips.pop()
        for up, conv in zip(self.up, self.up_conv):
            y = conv(torch.cat([skips.pop(), up(y)], 1))
        return self.outc(y)


def ce_dice(out, y):
    """Pixel cross-entropy plus soft Dice over classes on the batch (Milletari et al. 2016), which weighs each class alike as mIoU does."""
    p = out.softmax(1)
    onehot = F.one_hot(y, out.shape[1]).permute(0, 3, 1, 2).float()
    inter = (p * onehot).sum((0, 2, 3))
    dice = (2 * inter + 1) / (p.sum((0, 2, 3)) + onehot.sum((0, 2, 3)) + 1)
    return F.cross_entropy(out, y) + (1 - dice).mean()


def confusion(model, x, y, k, norm, batch=64):
    cm = torch.zeros(k * k, dtype=torch.int64)
    for i in range(0, len(x), batch):
        p = model(norm(x[i : i + batch].float())).argmax(1)
        cm += torch.bincount((y[i : i + batch] * k + p).flatten(), minlength=k * k)
    return cm.view(k, k).double()


def scores(cm):
    """Pixel accuracy; mIoU over the classes that occur (background included, as Flambeau's SegmentationMeter); and over the object classes."""
    tp = cm.diag()
    union = cm.sum(0) + cm.sum(1) - tp
    iou = tp / union.clamp(min=1)
    present = union > 0
    return {
        "pixelAccuracy": float(tp.sum() / cm.sum()),
        "meanIou": float(iou[present].mean()),
        "meanIouObjects": float(iou[1:][present[1:]].mean()),
        "classIou": [round(float(v), 4) for v in iou],
    }


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("data")
    ap.add_argument("--epochs", type=int, default=36, help="Flambeau's default recipe gives 36 on 1,350 pictures (3,000 steps of 16)")
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--lr", type=float, default=3e-3)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--dice", action="store_true", help="cross-entropy + soft Dice instead of cross-entropy alone")
    ap.add_argument("--limit", type=int, default=None, help="use the first n training pictures (a smoke test)")
    a = ap.parse_args()
    rng = seed_all(a.seed)
    x, y, names = read_mask_folder(os.path.join(a.data, "train"))
    x, y = x[: a.limit], y[: a.limit]
    tx, ty, _ = read_mask_folder(os.path.join(a.data, "test"))
    k, side = len(names), x.shape[-1]
    tr, va = split(len(x), rng)
    mean = x[tr].float().mean((0, 2, 3), keepdim=True)
    std = x[tr].float().std((0, 2, 3), keepdim=True)

    def norm(v):
        return (v - mean) / std

    def make_batch(idx, rng):
        j = tr[idx]
        g = sample_geometry(len(j), side, rng)
        img = warp(norm(colour_jitter(x[j].float(), rng)), g, side, "bilinear")
        mask = warp(y[j].unsqueeze(1).float(), g, side, "nearest").squeeze(1).long()
        return img, mask

    model = UNet(k)
    print(f"{len(tr)} training / {len(va)} validation / {len(tx)} test pictures {side}×{side}, {k} classes; U-Net {sum(p.numel() for p in model.parameters())} parameters", flush=True)
    best_epoch, val, seconds = fit(
        model,
        len(tr),
        make_batch,
        ce_dice if a.dice else F.cross_entropy,
        lambda m: scores(confusion(m, x[va], y[va], k, norm)),
        a.epochs,
        a.batch,
        a.lr,
        rng,
        "meanIou",
        on_best=lambda m: scores(confusion(m, tx, ty, k, norm)),
    )
    with torch.no_grad():
        test = scores(confusion(model, tx, ty, k, norm))
    print(json.dumps({"test": test, "classes": names, "bestEpoch": best_epoch, "valMeanIou": round(val["meanIou"], 4), "loss": "ce+dice" if a.dice else "ce", "epochs": a.epochs, "seed": a.seed, "seconds": round(seconds)}))


if __name__ == "__main__":
    main()
